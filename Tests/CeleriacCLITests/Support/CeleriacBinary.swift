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

    /// Runs the binary on a thread of its own: waiting for a long-running command must not
    /// hold one of the few threads Swift concurrency shares among all the tests.
    static func runDetached(_ arguments: [String], input: String? = nil) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                do {
                    continuation.resume(returning: try run(arguments, input: input))
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }

    static func run(_ arguments: [String], input: String? = nil) throws -> Output {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["CELERIAC_BROKER_URL"] = nil  // only what the test passes
        process.environment = environment
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                      stderr: String(decoding: err, as: UTF8.self))
    }
}
