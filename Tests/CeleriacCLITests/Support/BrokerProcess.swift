import CeleriacTestSupport
import Foundation
import Synchronization

/// `celeriac broker` run as a user runs it, on ports it picks itself, for tests that kill
/// and restart it.
final class BrokerProcess: Sendable {
    let process: BackgroundProcess
    let logFile: String
    let port: Int
    let managementPort: Int
    /// Set once the process was reaped: its pid may then belong to someone else.
    private let reaped = Atomic<Bool>(false)

    var url: String { "amqp://guest:guest@127.0.0.1:\(port)/%2F" }
    var managementURL: String { "http://guest:guest@127.0.0.1:\(managementPort)" }

    /// Starts it on `dataDirectory` and returns once it accepts connections (its log says
    /// where), or throws with the log when it does not within 30 s: it is ready in well under a
    /// second, but a test run that starts dozens of processes at once can hold it up for many.
    static func start(dataDirectory: String, port: Int = 0, extraArguments: [String] = []) async throws -> BrokerProcess {
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("broker-\(UUID().uuidString).log").path
        let process = try BackgroundProcess(
            CeleriacBinary.url.path,
            arguments: ["broker", "--port", "\(port)", "--management-port", "0", "--data-dir", dataDirectory, "-l", "info"]
                + extraArguments,
            logFile: logFile)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            if let port = Self.port(in: log, after: "amqp://127.0.0.1:"),
               let managementPort = Self.port(in: log, after: "management API on http://127.0.0.1:") {
                return BrokerProcess(process: process, logFile: logFile, port: port, managementPort: managementPort)
            }
            if kill(process.pid, 0) != 0 { break }
            try await Task.sleep(for: .milliseconds(50))  // polling the log: the broker has no other signal for ready
        }
        kill(process.pid, SIGKILL)
        _ = try await detached { process.stop() }
        throw BrokerProcessError("celeriac broker did not start: \((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "no log")")
    }

    private init(process: BackgroundProcess, logFile: String, port: Int, managementPort: Int) {
        self.process = process
        self.logFile = logFile
        self.port = port
        self.managementPort = managementPort
    }

    var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    /// For a `defer`: a broker the test did not stop (it failed first) must not outlive it.
    /// Sends SIGKILL without waiting; a broker already gone is not affected.
    func killIfRunning() {
        guard !reaped.load(ordering: .acquiring) else { return }
        kill(process.pid, SIGKILL)
    }

    /// SIGKILL: no chance to write or close anything, as in a crash. Waits for the exit on a
    /// thread of its own, not one of Swift concurrency's few.
    func kill9() async throws {
        kill(process.pid, SIGKILL)
        let process = process
        _ = try await detached { process.stop() }
        reaped.store(true, ordering: .releasing)
    }

    /// SIGTERM, and waits for the exit; returns the status.
    @discardableResult
    func stop() async throws -> Int32 {
        kill(process.pid, SIGTERM)
        let process = process
        let status = try await detached { process.stop() }
        reaped.store(true, ordering: .releasing)
        return status
    }

    private static func port(in log: String, after prefix: String) -> Int? {
        guard let range = log.range(of: prefix) else { return nil }
        return Int(log[range.upperBound...].prefix { $0.isNumber })
    }
}

struct BrokerProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
