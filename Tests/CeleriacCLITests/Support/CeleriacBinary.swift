import CeleriacTestSupport
import Foundation

/// The `celeriac` executable SwiftPM built beside the test bundle, run as a user runs it.
struct CeleriacBinary {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let url: URL = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // On Linux the test bundle is a file in the build directory; elsewhere, a folder in it.
        while !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("celeriac").path),
              directory.pathComponents.count > 1 {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("celeriac")
    }()

    static let environment = ProcessInfo.processInfo.environment
    static let amqpURL = environment["CELERIAC_TEST_AMQP_URL"]
    static let managementURL = environment["CELERIAC_TEST_MANAGEMENT_URL"]

    /// Runs the binary on a thread of its own: waiting for a long-running command must not
    /// hold one of the few threads Swift concurrency shares among all the tests.
    static func runDetached(_ arguments: [String], input: String? = nil) async throws -> Output {
        try await detached { try run(arguments, input: input) }
    }

    static func run(_ arguments: [String], input: String? = nil) throws -> Output {
        var environment = ProcessInfo.processInfo.environment
        environment["CELERIAC_BROKER_URL"] = nil  // only what the test passes
        let output = try ChildProcess.run([url.path] + arguments, environment: environment, input: input ?? "")
        return Output(status: output.status, stdout: output.stdout, stderr: output.stderr)
    }
}
