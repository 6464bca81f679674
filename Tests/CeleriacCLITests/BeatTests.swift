import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// `celeriac beat` as a real process on the test broker: it sends to a Swift worker and a
/// Python Celery worker on the second; killed with SIGKILL and started again on the same
/// schedule file it neither repeats nor skips a run; and of two beats on one file only one
/// sends, the standby taking over when the first dies.
// Serialized: each test starts beats, workers and a dashboard, and all at once they starve
// the rest of the suite's timing-sensitive tests on two cores.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil && CeleriacBinary.managementURL != nil), .serialized,
       .timeLimit(.minutes(3)))
struct BeatTests {
    /// A beat's schedule: every second, demo.add to the Swift worker and fix.add to the
    /// Python worker's queue.
    static func configuration(broker: String, pythonQueue: String, in directory: String) throws -> String {
        let path = directory + "/celeriac.toml"
        try """
            broker_url = "\(broker)"
            task_queue_max_priority = 10

            [beat_schedule.swift-add]
            task = "demo.add"
            schedule = 1
            args = [2, 3]

            [beat_schedule.python-add]
            task = "fix.add"
            schedule = 1
            args = [20, 22]
            queue = "\(pythonQueue)"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("beat-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func startBeat(config: String, schedule: String, log: String, pidFile: String,
                          extra: [String] = []) throws -> BackgroundProcess {
        try BackgroundProcess("/bin/bash", arguments: [
            PythonCluster.interop.appendingPathComponent("run_until_eof.sh").path, CeleriacBinary.url.path, "beat",
            "--config", config, "-s", schedule, "--pidfile", pidFile,
        ] + extra, logFile: log)
    }

    /// The due times a beat's log says it sent, per entry.
    static func sends(in logs: [String], entry: String) -> [String] {
        logs.flatMap { path in
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { $0.contains("beat: sent \(entry) ") }
                .compactMap { line -> String? in line.components(separatedBy: " due ").last }
        }
    }

    /// Waits until the beat's log shows `count` sends of `entry`; the log is what the test sees.
    static func waitForSends(_ log: String, entry: String, count: Int, timeout: Double = 20) async throws {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while sends(in: [log], entry: entry).count < count {
            guard ContinuousClock.now < deadline else {
                throw TmuxError("\(entry) was not sent \(count) times within \(timeout) s:\n\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            try await Task.sleep(for: .milliseconds(100))  // the poll period of the log, not a wait for an event
        }
    }

    static func pid(in file: String) async throws -> Int32 {
        _ = try await WorkerInteropTests.waitForLog(file, toContain: "\n")
        return Int32(try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    @Test func beatSendsToSwiftAndPythonWorkersAndSurvivesAKill() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try Self.directory()
            let pythonQueue = "beat-python-\(UUID().uuidString.prefix(6).lowercased())"
            let (worker, workerLog) = try await WorkerInteropTests.startReadyWorker(
                queue: "celery", broker: broker, environment: ["CELERIAC_TASK_QUEUE_MAX_PRIORITY=10"])
            defer { worker.stop() }
            var environment = ProcessInfo.processInfo.environment
            environment["CELERIAC_TEST_AMQP_URL"] = broker
            let pythonLog = directory + "/python.log"
            let python = try BackgroundProcess("/bin/bash", arguments: [
                PythonCluster.interop.appendingPathComponent("run_worker.sh").path, "py-\(pythonQueue)@localhost", pythonQueue,
            ], environment: environment, logFile: pythonLog)
            defer { python.stop() }

            let config = try Self.configuration(broker: broker, pythonQueue: pythonQueue, in: directory)
            let schedule = directory + "/schedule.json"
            let (firstLog, secondLog) = (directory + "/beat-1.log", directory + "/beat-2.log")
            let first = try Self.startBeat(config: config, schedule: schedule, log: firstLog, pidFile: directory + "/beat-1.pid")
            _ = try await WorkerInteropTests.waitForLog(firstLog, toContain: "sent swift-add", timeout: 20)
            _ = try await WorkerInteropTests.waitForLog(firstLog, toContain: "sent python-add", timeout: 20)
            // Four runs of each, one second apart on the dot: then SIGKILL, mid-schedule.
            try await Self.waitForSends(firstLog, entry: "swift-add", count: 4)
            kill(try await Self.pid(in: directory + "/beat-1.pid"), SIGKILL)
            first.stop()

            let second = try Self.startBeat(config: config, schedule: schedule, log: secondLog, pidFile: directory + "/beat-2.pid")
            try await Self.waitForSends(secondLog, entry: "swift-add", count: 3)
            second.stop()

            for entry in ["swift-add", "python-add"] {
                let due = Self.sends(in: [firstLog, secondLog], entry: entry)
                #expect(Set(due).count == due.count, "\(entry) sent a run twice: \(due)")
                #expect(due == due.sorted(), "\(entry) runs out of order: \(due)")
            }
            let dueFirst = Self.sends(in: [firstLog], entry: "swift-add").compactMap(CeleryTime.parse)
            let gaps = zip(dueFirst, dueFirst.dropFirst()).map { $1.timeIntervalSince($0) }
            // On the dot, one second apart — unless a tick came more than a second late (a loaded
            // machine), when the missed run is caught up once and the grid starts again from it.
            #expect(gaps.allSatisfy { $0 > 0.999 }, "never two runs within the interval: \(gaps)")
            #expect(gaps.contains { abs($0 - 1) < 0.001 }, "runs on their grid: \(gaps)")

            let saved = try JSONValue(parsing: Data(contentsOf: URL(fileURLWithPath: schedule)))
            let total = Self.sends(in: [firstLog, secondLog], entry: "swift-add").count
            #expect(saved["entries"]?["swift-add"]?["totalRunCount"]?.intValue == total, "every run counted once: \(saved)")

            // Both workers got the tasks.
            _ = try await WorkerInteropTests.waitForLog(workerLog, toContain: "demo.add")
            _ = try await WorkerInteropTests.waitForLog(pythonLog, toContain: "fix.add", timeout: 30)
        }
    }

    /// The dashboard's Beat screen: every entry in words with its next run, counting up as
    /// the beat sends; Enter jumps to the task an entry sent last.
    @Test func theBeatScreenShowsTheScheduleLive() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try Self.directory()
            let (worker, _) = try await WorkerInteropTests.startReadyWorker(
                queue: "celery", broker: broker, environment: ["CELERIAC_TASK_QUEUE_MAX_PRIORITY=10"])
            defer { worker.stop() }
            let config = try Self.configuration(broker: broker, pythonQueue: "nobody-\(UUID().uuidString.prefix(6))", in: directory)
            let beat = try Self.startBeat(config: config, schedule: directory + "/schedule.json", log: directory + "/beat.log",
                                          pidFile: directory + "/beat.pid")
            defer { beat.stop() }
            let tmux = try TmuxSession(command: [CeleriacBinary.url.path, "top", "-b", broker,
                                                 "--management-url", CeleriacBinary.managementURL!],
                                       environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
            defer { tmux.kill() }
            let screen = try await detached {
                try tmux.waitFor(text: "Overview —")
                try tmux.send("5")
                return try tmux.waitFor("the schedule", timeout: 20) { screen in
                    screen.contains("swift-add") && screen.contains("every 1 s") && screen.contains("(in ")
                        && screen.contains("python-add") && screen.contains("alive")
                }
            }
            #expect(screen.contains("demo.add") && screen.contains("fix.add"))
            // Entries are listed by name: python-add (whose queue nobody consumes), then swift-add.
            // Until the dashboard has seen a beat-sent, Enter says the entry sent nothing yet;
            // then it jumps to the task's row on the Tasks screen, where Enter opens it.
            let detail = try await detached {
                try tmux.send("j")
                try tmux.send("Enter")
                // Enter again only once a second: a screen not yet redrawn after the last one
                // would otherwise send several, and the extra ones act on the next screen.
                var lastEnter = ContinuousClock.now
                func enterAgain(when needed: Bool) {
                    guard needed, ContinuousClock.now - lastEnter > .seconds(1) else { return }
                    try? tmux.send("Enter")
                    lastEnter = .now
                }
                try tmux.waitFor("the Tasks screen at the task swift-add sent", timeout: 20) { screen in
                    enterAgain(when: screen.contains("sent nothing"))
                    return screen.contains("Tasks —") && screen.contains("the task this entry sent last")
                }
                try tmux.send("Enter")
                lastEnter = .now
                return try tmux.waitFor("the task swift-add sent", timeout: 20) { screen in
                    let opened = screen.contains("demo.add") && screen.contains("timeline") && screen.contains("task-succeeded")
                    enterAgain(when: !opened && !screen.contains("timeline"))  // the list still: its row had not arrived
                    return opened
                }
            }
            #expect(detail.contains("(2, 3)"), "the entry's args: \(detail)")

            // e on a schedule file's entry says where to edit it instead; d, y disables it.
            let disabled = try await detached {
                try tmux.send("Escape")
                try tmux.send("5")
                try tmux.send("j")
                try tmux.send("e")
                try tmux.waitFor(text: "run it with --scheduler db")
                try tmux.send("d")
                try tmux.waitFor(text: "Disable swift-add on beat.schedule@")
                try tmux.send("y")
                return try tmux.waitFor("swift-add disabled", timeout: 20) { $0.contains("(disabled) every 1 s") }
            }
            #expect(disabled.contains("swift-add"))
        }
    }

    /// Remote control, addressed to the beat by name: disable stops an entry (and is kept in
    /// the schedule file), run-now sends one at once, beat_list says the schedule; a broadcast
    /// without a destination gets no answer from a beat.
    @Test func aBeatAnswersRemoteControlAddressedToItAlone() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try Self.directory()
            let config = try Self.configuration(broker: broker, pythonQueue: "nobody-\(UUID().uuidString.prefix(6))", in: directory)
            let log = directory + "/beat.log"
            let beat = try Self.startBeat(config: config, schedule: directory + "/schedule.json", log: log, pidFile: directory + "/beat.pid")
            defer { beat.stop() }
            try await Self.waitForSends(log, entry: "swift-add", count: 1)
            let node = "beat.schedule@\(ProcessInfo.processInfo.hostName)"
            var configuration = CeleriacConfiguration()
            configuration.brokerURL = broker
            let app = App(configuration)
            defer { Task { await app.close() } }
            let control = try await app.control()
            func ask(_ method: String, _ entry: String = "") async throws -> JSONValue? {
                let request = PidboxRequest(method: method, arguments: ["entry": .string(entry)], destination: [node])
                return try await control.broadcast(request, timeout: 5, limit: 1).first?.reply
            }
            #expect(try await ask("beat_disable", "swift-add")?["ok"] == "swift-add disabled")
            let disabledAt = Self.sends(in: [log], entry: "swift-add").count
            let others = Self.sends(in: [log], entry: "python-add").count
            try await Self.waitForSends(log, entry: "python-add", count: others + 2)
            #expect(Self.sends(in: [log], entry: "swift-add").count == disabledAt, "a disabled entry was sent")
            let saved = try JSONValue(parsing: Data(contentsOf: URL(fileURLWithPath: directory + "/schedule.json")))
            #expect(saved["entries"]?["swift-add"]?["enabled"] == false, "kept across restarts")

            #expect(try await ask("beat_run_now", "swift-add")?["ok"] == "swift-add sent")
            _ = try await WorkerInteropTests.waitForLog(log, toContain: "(run now)")
            let listed = try #require(try await ask("beat_list"))
            #expect(listed["entries"]?.arrayValue?.first { $0["name"] == "swift-add" }?["enabled"] == false, "\(listed)")
            #expect(try await ask("beat_nonsense")?["error"]?.stringValue?.contains("beat_list") == true)
            #expect(try await ask("beat_enable", "nope")?["error"]?.stringValue?.contains("no entry 'nope'") == true)

            let everyone = try await control.broadcast(.ping(), timeout: 1)
            #expect(!everyone.contains { $0.node == node }, "a beat answered a broadcast")
        }
    }

    /// Two beats on two hosts (two schedule files here) with one lease: the broker lets one
    /// send; when it dies the other takes the lease over and sends; never both at once.
    @Test func twoHostsShareOneBrokerLease() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try Self.directory()
            let config = try Self.configuration(broker: broker, pythonQueue: "nobody-\(UUID().uuidString.prefix(6))", in: directory)
            let (firstLog, secondLog) = (directory + "/host-a.log", directory + "/host-b.log")
            let first = try Self.startBeat(config: config, schedule: directory + "/a.json", log: firstLog,
                                           pidFile: directory + "/a.pid", extra: ["--lease", "shared"])
            try await Self.waitForSends(firstLog, entry: "swift-add", count: 1)
            let second = try Self.startBeat(config: config, schedule: directory + "/b.json", log: secondLog,
                                            pidFile: directory + "/b.pid", extra: ["--lease", "shared"])
            defer { second.stop() }
            _ = try await WorkerInteropTests.waitForLog(secondLog, toContain: "holds the broker lease celeriac.beat.lease.shared")
            let before = Self.sends(in: [firstLog], entry: "swift-add").count
            try await Self.waitForSends(firstLog, entry: "swift-add", count: before + 2)
            #expect(Self.sends(in: [secondLog], entry: "swift-add").isEmpty, "the standby sent while the lease was held")

            kill(try await Self.pid(in: directory + "/a.pid"), SIGKILL)
            first.stop()
            _ = try await WorkerInteropTests.waitForLog(secondLog, toContain: "took over the schedule", timeout: 15)
            try await Self.waitForSends(secondLog, entry: "swift-add", count: 2)
            let lastOfFirst = try #require(Self.sends(in: [firstLog], entry: "swift-add").compactMap(CeleryTime.parse).max())
            let firstOfSecond = try #require(Self.sends(in: [secondLog], entry: "swift-add").compactMap(CeleryTime.parse).min())
            #expect(firstOfSecond > lastOfFirst, "the two sent at the same time")
        }
    }

    /// Two beats on one schedule file: the second waits; after the first is killed it takes
    /// over; never do both send.
    @Test func aSecondBeatOnTheSameFileIsAStandbyThatTakesOver() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try Self.directory()
            let config = try Self.configuration(broker: broker, pythonQueue: "nobody-\(UUID().uuidString.prefix(6))", in: directory)
            let schedule = directory + "/schedule.json"
            let (activeLog, standbyLog) = (directory + "/active.log", directory + "/standby.log")
            let active = try Self.startBeat(config: config, schedule: schedule, log: activeLog, pidFile: directory + "/active.pid")
            _ = try await WorkerInteropTests.waitForLog(activeLog, toContain: "sent swift-add", timeout: 20)
            let standby = try Self.startBeat(config: config, schedule: schedule, log: standbyLog, pidFile: directory + "/standby.pid")
            defer { standby.stop() }
            _ = try await WorkerInteropTests.waitForLog(standbyLog, toContain: "waiting as a standby")
            _ = try await WorkerInteropTests.waitForLog(activeLog, toContain: "sent swift-add", timeout: 5)
            #expect(Self.sends(in: [standbyLog], entry: "swift-add").isEmpty, "the standby sent while the active beat ran")

            kill(try await Self.pid(in: directory + "/active.pid"), SIGKILL)
            active.stop()
            _ = try await WorkerInteropTests.waitForLog(standbyLog, toContain: "took over", timeout: 10)
            _ = try await WorkerInteropTests.waitForLog(standbyLog, toContain: "sent swift-add", timeout: 10)
            let due = Self.sends(in: [activeLog, standbyLog], entry: "swift-add")
            #expect(Set(due).count == due.count && due == due.sorted(), "\(due)")
        }
    }
}
