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
    static func configuration(broker: String, pythonQueue: String, in directory: String, extra: String = "") throws -> String {
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
            \(extra)
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

    /// One send as the beat's log tells it: the moment it was due, the moment the line was
    /// written (just after the publish returned: when it was actually sent), and the task id.
    struct Send {
        var due: Date
        var sentAt: Date
        var id: String
    }

    /// The time at the head of a Celery-format log line, "[2026-11-27 09:48:45,265: INFO/Beat] …",
    /// which the beat and the worker write in local time.
    static func logTime(_ line: some StringProtocol) -> Date? {
        guard line.hasPrefix("["), line.count > 24 else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss,SSS"
        return formatter.date(from: String(line.dropFirst().prefix(23)))
    }

    static func sendLines(in log: String, entry: String) -> [Send] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
            .filter { $0.contains("beat: sent \(entry) ") }
            .compactMap { line -> Send? in
                guard let sentAt = logTime(line), let due = line.components(separatedBy: " due ").last
                        .flatMap({ CeleryTime.parse($0.components(separatedBy: " ")[0]) }),
                      let open = line.range(of: "["), let start = line[open.upperBound...].range(of: "["),
                      let end = line[start.upperBound...].range(of: "]") else { return nil }
                return Send(due: due, sentAt: sentAt, id: String(line[start.upperBound..<end.lowerBound]))
            }
    }

    /// When a worker's log says it received the task `id` ("task demo.add[ID] received").
    static func receivedAt(_ id: String, in workerLog: String) -> Date? {
        ((try? String(contentsOfFile: workerLog, encoding: .utf8)) ?? "").split(separator: "\n")
            .first { $0.contains("[\(id)] received") }.flatMap(logTime)
    }

    /// The time at the head of the first line of a log: when that process began to run.
    static func firstLineTime(_ log: String) -> Date? {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").lazy.compactMap(logTime).first
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
            let beatPID = try await Self.pid(in: directory + "/beat-1.pid")
            let killedAt = Date()
            kill(beatPID, SIGKILL)
            first.stop()
            // The downtime itself, not a wait for an event: two due moments must pass unsent, so
            // that the restart has missed runs to catch up (once, at once: Celery's rule) rather
            // than one run merely late on its grid, which a quick restart (0.2 s) would give. A
            // third second covers a run the kill caught published and saved but not yet logged.
            let lastBeforeKill = try #require(Self.sendLines(in: firstLog, entry: "swift-add").last).due
            try await Task.sleep(for: .seconds(max(0, lastBeforeKill.addingTimeInterval(3.5).timeIntervalSinceNow)))

            let second = try Self.startBeat(config: config, schedule: schedule, log: secondLog, pidFile: directory + "/beat-2.pid")
            try await Self.waitForSends(secondLog, entry: "swift-add", count: 3)
            try await Self.waitForSends(secondLog, entry: "python-add", count: 3)
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

            // No loss beyond the documented catch-up. The restarted beat's first send is the one
            // catch-up run, due when it looked (after it started, so none of the missed moments
            // of the old grid), sent at once; no moment between the last run before the kill
            // and it is ever sent; the beat counts on from it; and the gap is at most the
            // downtime plus one interval.
            // Tolerance for a loaded machine: a two-core machine running the suite (brokers,
            // a Python worker starting, builds) can hold up a process's wake-up, its publish or
            // a log write by several hundred milliseconds; 1.5 s allows for that, and the median
            // check below still fails a beat that is late as a rule rather than now and then.
            let tolerance = 1.5
            let upAt = try #require(Self.firstLineTime(secondLog), "the restarted beat's log has no time")
            let downtime = upAt.timeIntervalSince(killedAt)
            for entry in ["swift-add", "python-add"] {
                let before = Self.sendLines(in: firstLog, entry: entry), after = Self.sendLines(in: secondLog, entry: entry)
                let lastBefore = try #require(before.last), catchUp = try #require(after.first)
                let missed = Int(upAt.timeIntervalSince(lastBefore.due).rounded(.down))
                #expect(missed >= 2, "\(entry): the downtime left \(missed) runs to catch up")
                #expect(catchUp.due >= upAt.addingTimeInterval(-0.002),
                        "\(entry): the first send after the restart is the catch-up, due when the beat looked (started \(upAt)), not a missed moment: \(catchUp.due)")
                // Once, not skip: skip would wait for the old grid's next moment; once runs at
                // the moment it looked, off that grid (on it by chance only within 1 ms: 1 in 1000).
                let offset = catchUp.due.timeIntervalSince(lastBefore.due)
                #expect(abs(offset - offset.rounded()) > 0.0005, "\(entry): the catch-up is on the old grid, as skip would be: \(catchUp.due)")
                #expect(catchUp.sentAt.timeIntervalSince(upAt) <= tolerance, "\(entry): the catch-up was not sent at once: \(catchUp.sentAt) after start \(upAt)")
                let between = (before + after).filter { $0.due > lastBefore.due && $0.due < catchUp.due }
                #expect(between.isEmpty, "\(entry): missed moments sent later, beyond the one catch-up: \(between.map(\.due))")
                let afterGaps = zip(after, after.dropFirst()).map { $1.due.timeIntervalSince($0.due) }
                #expect(afterGaps.allSatisfy { $0 > 0.999 }, "\(entry): more than one catch-up run: \(afterGaps)")
                #expect(afterGaps.contains { abs($0 - 1) < 0.001 }, "\(entry): on a grid counted from the catch-up: \(afterGaps)")
                let gap = catchUp.due.timeIntervalSince(lastBefore.due)
                #expect(gap <= downtime + 1 + tolerance, "\(entry): \(gap) s between the last run before the kill and the first after, down \(downtime) s")
            }

            // At the expected moments by when the tasks were really sent (the beat's log line,
            // written once the publish returned) and received (the Swift worker's log), not only
            // by the due moments the beat reports.
            let allSends = ["swift-add", "python-add"].flatMap { entry in
                Self.sendLines(in: firstLog, entry: entry) + Self.sendLines(in: secondLog, entry: entry)
            }
            let sendDelays = allSends.map { $0.sentAt.timeIntervalSince($0.due) }
            #expect(sendDelays.allSatisfy { $0 >= -0.002 && $0 <= tolerance }, "sent before its moment or late: \(sendDelays)")
            #expect(sendDelays.sorted()[sendDelays.count / 2] < 0.3, "sends late as a rule: \(sendDelays)")
            let swiftSends = Self.sendLines(in: firstLog, entry: "swift-add") + Self.sendLines(in: secondLog, entry: "swift-add")
            _ = try await WorkerInteropTests.waitForLog(workerLog, toContain: "[\(try #require(swiftSends.last).id)] received")
            let receiveDelays = try swiftSends.map { send in
                try #require(Self.receivedAt(send.id, in: workerLog), "the worker never received \(send.id)").timeIntervalSince(send.due)
            }
            #expect(receiveDelays.allSatisfy { $0 >= -0.002 && $0 <= tolerance }, "received before its moment or late: \(receiveDelays)")
            #expect(receiveDelays.sorted()[receiveDelays.count / 2] < 0.3, "received late as a rule: \(receiveDelays)")

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
            let (worker, workerLog) = try await WorkerInteropTests.startReadyWorker(
                queue: "celery", broker: broker, environment: ["CELERIAC_TASK_QUEUE_MAX_PRIORITY=10"])
            defer { worker.stop() }
            // Besides the two interval entries, a crontab and a solar one, so their wording is
            // seen on the real screen; neither falls due during the test (07:30 on weekdays, and
            // Vienna's sunrise), which makes a send of the crontab one a run-now beyond doubt.
            let config = try Self.configuration(broker: broker, pythonQueue: "nobody-\(UUID().uuidString.prefix(6))", in: directory,
                                                extra: """

                [beat_schedule.weekday-0730]
                task = "demo.add"
                crontab = "30 7 * * mon-fri"
                args = [7, 30]

                [beat_schedule.wien-sunrise]
                task = "demo.add"
                solar = "sunrise"
                latitude = 48.2
                longitude = 16.4
                args = [6, 0]
                """)
            let beatLog = directory + "/beat.log"
            let beat = try Self.startBeat(config: config, schedule: directory + "/schedule.json", log: beatLog,
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
                        && screen.contains("weekday-0730") && screen.contains("wien-sunrise")
                }
            }
            #expect(screen.contains("demo.add") && screen.contains("fix.add"))
            let row = { (name: String) in screen.split(separator: "\n").first { $0.contains(name) }.map(String.init) ?? "" }
            #expect(row("weekday-0730").contains("at 07:30 on mon-fri") && row("weekday-0730").contains("(in "),
                    "the crontab entry in words with its next run: \(screen)")
            #expect(row("wien-sunrise").contains("sunrise at 48.2 N, 16.4 E") && row("wien-sunrise").contains("(in "),
                    "the solar entry in words with its next run: \(screen)")
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
                try tmux.send("g")  // the top, then the second entry: swift-add
                try tmux.send("j")
                try tmux.send("e")
                try tmux.waitFor(text: "run it with --scheduler db")
                try tmux.send("d")
                try tmux.waitFor(text: "Disable swift-add on beat.schedule@")
                try tmux.send("y")
                return try tmux.waitFor("swift-add disabled", timeout: 20) { $0.contains("(disabled) every 1 s") }
            }
            #expect(disabled.contains("swift-add"))

            // n on the crontab entry, confirmed: the beat sends it at once, outside its schedule,
            // and the worker receives that very task.
            try await detached {
                try tmux.send("j")
                try tmux.send("n")
                _ = try tmux.waitFor(text: "Send weekday-0730 now, outside its schedule?")
                try tmux.send("y")
            }
            let sentLog = try await WorkerInteropTests.waitForLog(beatLog, toContain: "beat: sent weekday-0730 (", timeout: 15)
            let runNow = try #require(sentLog.split(separator: "\n").first { $0.contains("beat: sent weekday-0730 (") })
            #expect(runNow.hasSuffix("(run now)"), "\(runNow)")
            let id = try #require(Self.sendLines(in: beatLog, entry: "weekday-0730").first?.id)
            _ = try await WorkerInteropTests.waitForLog(workerLog, toContain: "[\(id)] received", timeout: 15)
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
