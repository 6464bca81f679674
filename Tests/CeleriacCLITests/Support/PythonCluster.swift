import CeleriacTestSupport
import Foundation

/// Two real Python Celery 5.7 workers (Tests/Interop/fixapp.py, -E) in a virtual host of their
/// own, as the dashboard's tests need them: one prefork with --autoscale=4,1 on `celery` and
/// `mix.b`, one threads -c 4 on `celery`. They stop when the test process ends.
final class PythonCluster: Sendable {
    let brokerURL: String
    let managementURL: String
    let virtualHost: String
    let preforkNode: String
    let threadsNode: String
    private let workers: [BackgroundProcess]
    /// Each worker's log (stdout and stderr), so a failure can say what the workers saw.
    let logFiles: [String]

    static let interop = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Interop")

    /// `brokerURL`/`managementURL`: the broker under test; a fresh vhost is made on it.
    init(brokerURL base: String, managementURL: String) async throws {
        let id = UUID().uuidString.prefix(8).lowercased()
        virtualHost = "top-\(id)"
        try await ManagementAdmin(url: managementURL).createVirtualHost(virtualHost)
        brokerURL = Self.url(base, virtualHost: virtualHost)
        self.managementURL = managementURL
        preforkNode = "prefork-\(id)@localhost"
        threadsNode = "threads-\(id)@localhost"
        var environment = ProcessInfo.processInfo.environment
        environment["CELERIAC_TEST_AMQP_URL"] = brokerURL
        let script = Self.interop.appendingPathComponent("run_worker.sh").path
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("celeriac-top-\(id)")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        logFiles = [preforkNode, threadsNode].map { logs.appendingPathComponent("\($0).log").path }
        workers = [
            try BackgroundProcess("/bin/bash", arguments: [script, preforkNode, "celery,mix.b", "--pool=prefork",
                                                            "--autoscale=4,1"], environment: environment,
                                  logFile: logFiles[0]),
            try BackgroundProcess("/bin/bash", arguments: [script, threadsNode, "celery", "--pool=threads", "-c", "4"],
                                  environment: environment, logFile: logFiles[1]),
        ]
    }

    /// `amqp://u:p@h:port/` with its vhost replaced.
    static func url(_ base: String, virtualHost: String) -> String {
        guard var parts = URLComponents(string: base) else { return base }
        parts.percentEncodedPath = "/" + virtualHost
        return parts.string ?? base
    }

    /// Runs `python3 -m celery -A fixapp ARGS` against the cluster (blocking) and returns stdout.
    func celery(_ arguments: [String]) throws -> String {
        try python(["-m", "celery", "-A", "fixapp"] + arguments)
    }

    /// Runs a Python script from Tests/Interop against the cluster (blocking).
    func python(_ arguments: [String]) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["CELERIAC_TEST_AMQP_URL"] = brokerURL
        let output = try ChildProcess.run(["python3"] + arguments, environment: environment, directory: Self.interop.path)
        guard output.status == 0 else {
            throw TmuxError("python3 \(arguments.joined(separator: " ")) exited \(output.status): \(output.stderr.suffix(2000))")
        }
        return output.stdout
    }

    /// What each worker logged, for a failure's message: the lines naming any of `ids` and
    /// the last lines.
    func workerLogs(mentioning ids: [String] = [], tail: Int = 25) -> String {
        logFiles.map { path in
            let lines = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
            let named = lines.filter { line in ids.contains { line.contains($0) } }
            return "== \(path)\n" + (named.isEmpty ? "" : named.joined(separator: "\n") + "\n-- last lines:\n")
                + lines.suffix(tail).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// Stops the workers, removes the vhost and, unless a test failed (`keepLogs`), the logs.
    func stop(keepLogs: Bool = false) async {
        let workers = workers
        _ = try? await detached { for worker in workers { worker.stop() } }
        try? await ManagementAdmin(url: managementURL).deleteVirtualHost(virtualHost)
        if !keepLogs, let directory = logFiles.first.map({ URL(fileURLWithPath: $0).deletingLastPathComponent() }) {
            try? FileManager.default.removeItem(at: directory)
        }
    }
}
