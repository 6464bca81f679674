import CeleriacTestSupport
import Foundation
import Testing

/// `celeriac broker ctl` against a `celeriac broker` of its own.
@Suite(.timeLimit(.minutes(2)))
struct BrokerCtlTests {
    /// Good credentials list the vhosts; a wrong password is an answer that names the fix, not
    /// a hang: swift-corelibs-foundation waits forever on the challenge a 401 carries unless
    /// it is declined.
    @Test func aWrongPasswordIsRefusedAtOnce() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-\(UUID().uuidString.prefix(8))").path
        let broker = try await BrokerProcess.start(dataDirectory: directory)
        defer { broker.killIfRunning() }
        let listed = try await CeleriacBinary.runDetached(["broker", "ctl", "--management-url", broker.managementURL, "list_vhosts"])
        #expect(listed.status == 0 && listed.stdout.split(separator: "\n").contains("/"), "\(listed.stdout) \(listed.stderr)")
        let wrong = broker.managementURL.replacingOccurrences(of: "guest:guest@", with: "guest:wrong@")
        let refused = try await CeleriacBinary.runDetached(["broker", "ctl", "--management-url", wrong, "list_vhosts"])
        #expect(refused.status == 1, "\(refused.stdout) \(refused.stderr)")
        #expect(refused.stderr.contains("the broker refused the credentials in --management-url"), "\(refused.stderr)")
        try await broker.stop()
    }
}
