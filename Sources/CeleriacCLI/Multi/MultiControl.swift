import CeleriacWorker
import Foundation

/// The processes behind `celeriac multi`: workers started in a session of their own, found
/// again by their pidfiles, signalled and waited for — printing what Celery's multi prints.
struct MultiControl {
    let executable: String

    func commandLine(_ node: MultiPlan.Node) -> String {
        ([executable, "worker"] + node.arguments).map(Self.quoted).joined(separator: " ")
    }

    /// Starts every node not already running; throws when one fails to start.
    func start(_ nodes: [MultiPlan.Node]) throws {
        say("> Starting nodes...")
        var failed: [String] = []
        for node in nodes {
            if let pid = runningPID(node) {
                say("\t> \(node.name): already running (pid \(pid))")
                continue
            }
            do {
                let pid = try spawn(node)
                if waitForPidFile(node, pid: pid) {
                    say("\t> \(node.name): OK")
                } else {
                    say("\t> \(node.name): FAILED (see \(node.logFile))")
                    failed.append(node.name)
                }
            } catch {
                say("\t> \(node.name): FAILED (\(error))")
                failed.append(node.name)
            }
        }
        if !failed.isEmpty { throw MultiError("\(failed.joined(separator: ", ")) did not start") }
    }

    func stop(_ nodes: [MultiPlan.Node], signal: Int32, wait: Bool) {
        say("> Stopping nodes...")
        var waiting: [(MultiPlan.Node, pid_t)] = []
        for node in nodes {
            guard let pid = runningPID(node) else {
                say("\t> \(node.name): DOWN")
                continue
            }
            kill(pid, signal)
            say("\t> \(node.name): \(signal == SIGKILL ? "KILL" : "TERM") -> \(pid)")
            if signal == SIGKILL { try? FileManager.default.removeItem(atPath: node.pidFile) }
            waiting.append((node, pid))
        }
        guard wait, !waiting.isEmpty else { return }
        while !waiting.isEmpty {
            let count = waiting.count
            let pids = waiting.map { "\($0.1)" }.joined(separator: ", ")
            say("> Waiting for \(count) \(count == 1 ? "node" : "nodes") -> \(pids)", end: "")
            while waiting.allSatisfy({ Self.isAlive($0.1) }) {
                say(".", end: "")
                usleep(500_000)  // another process's exit: nothing to wait on but its pid
            }
            say("")
            for (node, pid) in waiting where !Self.isAlive(pid) { say("\t> \(node.name): OK") }
            waiting.removeAll { !Self.isAlive($0.1) }
        }
    }

    /// The node's pid when its pidfile names a live process.
    private func runningPID(_ node: MultiPlan.Node) -> pid_t? {
        guard let text = try? String(contentsOfFile: node.pidFile, encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, Self.isAlive(pid) else { return nil }
        return pid
    }

    private static func isAlive(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)  // reaps our own children that exited
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// The worker, detached: a new session; what it prints before its log opens (a usage
    /// error, say) goes to its logfile too.
    private func spawn(_ node: MultiPlan.Node) throws -> pid_t {
        try ProcessLauncher.spawn([executable, "worker"] + node.arguments, stdout: .file(node.logFile, append: true),
                                  stderr: .file(node.logFile, append: true), newSession: true)
    }

    /// Started means the worker wrote its pidfile; exiting first means it failed.
    private func waitForPidFile(_ node: MultiPlan.Node, pid: pid_t) -> Bool {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if runningPID(node) == pid { return true }
            if !Self.isAlive(pid) { return false }
            usleep(50_000)  // another process's file: nothing to wait on
        }
        return false
    }

    /// Straight to standard output, unbuffered: the dots of a long wait show as they come.
    private func say(_ line: String, end: String = "\n") {
        FileHandle.standardOutput.write(Data((line + end).utf8))
    }

    private static func quoted(_ argument: String) -> String {
        argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./:@%,=".contains($0) } ? argument : "'\(argument.replacingOccurrences(of: "'", with: "'\\''"))'"
    }
}
