import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// `celeriac demo` as a newcomer runs it: the whole cluster from one command, headless for a
/// summary and interactive in a real terminal, and nothing left running afterwards. The demo
/// brings its own broker, so the pass of the suite on `celeriac broker` does not repeat it.
@Suite("celeriac demo", .enabled(if: CeleriacBinary.environment["CELERIAC_TEST_BROKER"] != "celeriac"), .serialized,
       .timeLimit(.minutes(3)))
struct DemoTests {
    @Test func headlessRunReachesEveryStateAndLeavesNothingBehind() async throws {
        let output = try await CeleriacBinary.runDetached(["demo", "--headless", "--duration", "20"])
        #expect(output.status == 0, "stderr: \(output.stderr)\nstdout: \(output.stdout)")
        let started = Self.startedProcesses(output.stdout)
        #expect(started.names == ["broker", "demo-prefork", "demo-async", "producer", "beat"], "\(output.stdout)")
        #expect(Self.count("tasks sent", in: output.stdout) ?? 0 > 20, "\(output.stdout)")
        for state in ["SUCCESS", "FAILURE", "RETRY", "REVOKED", "PROGRESS"] {
            #expect(Self.count(state, in: output.stdout) ?? 0 > 0, "no task reached \(state):\n\(output.stdout)")
        }
        let workerLines = output.stdout.split(separator: "\n").filter { $0.contains("tasks run") }
        #expect(workerLines.contains { $0.contains("demo-prefork@") && $0.contains("prefork pool of") }, "\(output.stdout)")
        #expect(workerLines.contains { $0.contains("demo-async@") && $0.contains("async pool of 20") }, "\(output.stdout)")
        #expect(output.stdout.contains("sent → started") && output.stdout.contains("p99"), "\(output.stdout)")
        for pid in started.pids { #expect(!Self.isRunning(pid), "pid \(pid) is still running") }
        let directory = try #require(started.directory)
        #expect(!FileManager.default.fileExists(atPath: directory), "\(directory) was left behind")
    }

    @Test func ctrlCStopsAHeadlessDemoEarlyWithItsSummary() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("demo-sigint-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let demo = try BackgroundProcess(CeleriacBinary.url.path, arguments: ["demo", "--headless", "--duration", "600"], logFile: log)
        let text = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        let deadline = Date().addingTimeInterval(30)
        while !text().contains("Started "), Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))  // another process's output: polled
        }
        let started = Self.startedProcesses(text())
        try #require(started.pids.count == 5, "the demo did not start: \(text())")
        kill(demo.pid, SIGINT)
        let status = try await detached { demo.stop() }
        #expect(status == 0, "\(text())")
        #expect(text().contains("Summary after"), "\(text())")
        for pid in started.pids { #expect(!Self.isRunning(pid), "pid \(pid) is still running") }
        let directory = try #require(started.directory)
        #expect(!FileManager.default.fileExists(atPath: directory), "\(directory) was left behind")
    }

    @Test func interactiveDemoShowsBothWorkersGrowsThePoolAndQuitsClean() async throws {
        let tmux = try TmuxSession(command: [CeleriacBinary.url.path, "demo"], columns: 200,
                                   environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
        defer { tmux.kill() }
        @Sendable func preforkRow(_ screen: String) -> String {
            screen.split(separator: "\n").first { $0.contains("demo-prefork@") && $0.contains("online") }.map(String.init) ?? ""
        }
        let workers = try await detached {
            _ = try tmux.waitFor(text: "Overview —", timeout: 10)
            try tmux.send("2")
            return try tmux.waitFor("both workers online, the prefork one with its autoscaler", timeout: 30) { screen in
                screen.contains("demo-async@") && Self.poolSize(inRow: preforkRow(screen)) != nil
            }
        }
        // The top bar names the embedded broker: 127.0.0.1:PORT.
        let port = try #require(Self.brokerPort(onScreen: workers), "\(workers)")
        let broker = "amqp://guest:guest@127.0.0.1:\(port)//"
        let node = try #require(try await Self.stats(broker).keys.first { $0.hasPrefix("demo-prefork@") },
                                "no demo-prefork worker answered stats")
        // The autoscaler may grow the pool on its own meanwhile (the demo's load is real), never
        // shrink it this early: + shows as at least one process more than before.
        let before = try await Self.processes(of: node, broker)
        #expect(before >= 2)

        // Select the prefork worker's row, then +: the same key a user presses.
        try await detached {
            for _ in 0..<4 {
                try tmux.send("+")
                let screen = try tmux.waitFor(text: "Grow the pool of")
                if screen.contains("Grow the pool of demo-prefork@") { break }
                try tmux.send("n")
                try tmux.send("Down")
            }
            _ = try tmux.waitFor(text: "Grow the pool of demo-prefork@")
            try tmux.send("y")
            _ = try tmux.waitFor(text: "pool will grow", timeout: 15)
            try tmux.waitFor("the prefork pool larger on screen", timeout: 15) { (Self.poolSize(inRow: preforkRow($0)) ?? 0) > before }
        }
        #expect(try await Self.processes(of: node, broker) > before)

        // Screen 5: the demo's beat with its three entries, one of each kind, in words.
        let beat = try await detached {
            try tmux.send("5")
            return try tmux.waitFor("the demo's beat with its interval, crontab and solar entries", timeout: 30) { screen in
                screen.contains("Beat — 3 entries") && screen.contains("add-every-10s") && screen.contains("xsum-every-minute")
                    && screen.contains("noop-at-berlin-sunset")
            }
        }
        let beatRow = { (name: String) in beat.split(separator: "\n").first { $0.contains(name) }.map(String.init) ?? "" }
        #expect(beatRow("add-every-10s").contains("every 10 s"), "\(beat)")
        #expect(beatRow("xsum-every-minute").contains("every minute"), "\(beat)")
        #expect(beatRow("noop-at-berlin-sunset").contains("sunset at 52.5 N, 13.4 E"), "\(beat)")

        let screen = try await detached {
            try tmux.send("q")
            return try tmux.waitFor("the demo to stop everything and exit", timeout: 60) { _ in (try? tmux.paneIsDead()) == true }
        }
        let final = try await detached { try tmux.screen() }
        let started = Self.startedProcesses(final)
        #expect(started.names == ["broker", "demo-prefork", "demo-async", "producer", "beat"], "\(final)\n\(screen)")
        for pid in started.pids { #expect(!Self.isRunning(pid), "pid \(pid) is still running") }
        let directory = try #require(started.directory)
        #expect(!FileManager.default.fileExists(atPath: directory), "\(directory) was left behind")
    }

    /// SIGTERM (as a service manager or `kill` sends it) while the dashboard is on screen
    /// stops the whole cluster too, as `q` does.
    @Test func sigtermStopsAnInteractiveDemoAndItsCluster() async throws {
        let tmux = try TmuxSession(command: [CeleriacBinary.url.path, "demo"], columns: 200,
                                   environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
        defer { tmux.kill() }
        _ = try await detached { try tmux.waitFor(text: "Overview —", timeout: 30) }
        let demo = try #require(try tmux.panePID())
        kill(demo, SIGTERM)
        let screen = try await detached {
            try tmux.waitFor("the demo to stop everything and exit", timeout: 60) { _ in (try? tmux.paneIsDead()) == true }
        }
        let final = try await detached { try tmux.screen() }
        let started = Self.startedProcesses(final)
        #expect(started.names == ["broker", "demo-prefork", "demo-async", "producer", "beat"], "\(final)\n\(screen)")
        for pid in started.pids { #expect(!Self.isRunning(pid), "pid \(pid) is still running") }
    }

    // MARK: Reading what the demo printed

    /// "Started broker (pid 1), demo-prefork (pid 2), …; logs and data in DIR".
    static func startedProcesses(_ text: String) -> (names: [String], pids: [pid_t], directory: String?) {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Started ") }) else { return ([], [], nil) }
        let body = line.dropFirst("Started ".count)
        let list = body.prefix { $0 != ";" }
        var names: [String] = []
        var pids: [pid_t] = []
        for entry in list.components(separatedBy: "), ") {
            let parts = entry.components(separatedBy: " (pid ")
            guard parts.count == 2, let pid = pid_t(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: ")"))) else { continue }
            names.append(parts[0])
            pids.append(pid)
        }
        let directory = body.range(of: " in ").map { String(body[$0.upperBound...]).trimmingCharacters(in: .whitespaces) }
        return (names, pids, directory)
    }

    /// The number on the summary line labelled `label`.
    static func count(_ label: String, in text: String) -> Int? {
        let line = text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label + " ") }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") }
    }

    static func isRunning(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    // MARK: Asking the demo's workers

    /// The process count in a worker row's pool column, "3 (2-6)".
    static func poolSize(inRow row: String) -> Int? {
        guard let range = row.range(of: #"\d+ \(2-\d+\)"#, options: .regularExpression) else { return nil }
        return Int(row[range].prefix { $0.isNumber })
    }

    static func brokerPort(onScreen screen: String) -> Int? {
        guard let range = screen.range(of: "127.0.0.1:") else { return nil }
        return Int(screen[range.upperBound...].prefix { $0.isNumber })
    }

    static func processes(of node: String, _ broker: String) async throws -> Int {
        try await stats(broker)[node]?["pool"]?["processes"]?.arrayValue?.count ?? -1
    }

    static func stats(_ broker: String) async throws -> [String: JSONValue] {
        let output = try await CeleriacBinary.runDetached(["inspect", "stats", "-b", broker, "--json", "--timeout", "3"])
        return (try? JSONValue(parsing: output.stdout))?.objectValue ?? [:]
    }
}
