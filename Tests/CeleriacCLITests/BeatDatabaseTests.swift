import Celeriac
import CeleriacTestSupport
import Foundation
import Synchronization
import Testing

/// The database store with real processes: `celeriac beat --scheduler db` sending, edited
/// while it runs by `celeriac beat edit|add|disable|run-now|remove` and by the dashboard's
/// form in tmux — each change seen in the task messages the beat sends next.
extension BeatTests {
    /// One entry, `tick`: demo.add(2, 3) every second to a queue of the test's own.
    static func databaseConfiguration(broker: String, queue: String, in directory: String) throws -> String {
        try writeConfiguration(broker: broker, in: directory, everySecond("tick", args: [2, 3], queue: queue))
    }

    /// celeriac.toml in `directory`: the broker, then `entries` (beat_schedule tables).
    static func writeConfiguration(broker: String, in directory: String, _ entries: String...) throws -> String {
        let path = directory + "/celeriac.toml"
        try (["broker_url = \"\(broker)\""] + entries).joined(separator: "\n\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// An entry sending demo.add(`args`) every second to `queue`, with `extra` lines.
    static func everySecond(_ name: String, args: [Int], queue: String, extra: String...) -> String {
        (["[beat_schedule.\(name)]", "task = \"demo.add\"", "schedule = 1", "args = \(args)", "queue = \"\(queue)\""] + extra)
            .joined(separator: "\n")
    }

    static func startDatabaseBeat(config: String, database: String, directory: String) throws -> (BackgroundProcess, String) {
        let log = directory + "/beat.log"
        let beat = try startBeat(config: config, schedule: directory + "/unused.json", log: log, pidFile: directory + "/beat.pid",
                                 extra: ["--scheduler", "db", "--db", database])
        return (beat, log)
    }

    /// When the beat scheduled the run that sent task `id`, as its log says ("sent tick
    /// (demo.add[id]) due 2026-…").
    static func dueMoment(of id: String, in log: String) async throws -> Date {
        let text = try await WorkerInteropTests.waitForLog(log, toContain: "[\(id)]) due ", timeout: 5)
        let line = try #require(text.split(separator: "\n").first { $0.contains("[\(id)]) due ") })
        let moment = try #require(line.components(separatedBy: " due ").last?.split(separator: " ").first)
        return try #require(CeleryTime.parse(String(moment)), "unreadable due moment in: \(line)")
    }

    static func beatCommand(_ arguments: [String]) async throws -> CeleriacBinary.Output {
        let output = try await CeleriacBinary.runDetached(["beat"] + arguments)
        #expect(output.status == 0, "celeriac beat \(arguments.joined(separator: " ")): \(output.stderr)")
        return output
    }

    @Test func aLiveEditOfTheDatabaseStoreIsSeenInTheNextSends() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try Self.directory()
            let queue = "beat-db-\(UUID().uuidString.prefix(8).lowercased())"
            let config = try Self.databaseConfiguration(broker: broker, queue: queue, in: directory)
            let database = directory + "/beat.db"
            let (beat, log) = try Self.startDatabaseBeat(config: config, database: database, directory: directory)
            defer { beat.stop() }
            try await Self.waitForSends(log, entry: "tick", count: 1)
            let tap = try await TaskTap(broker: broker, queue: queue)
            defer { tap.close() }
            let configured = try await tap.waitFor(args: [2, 3])
            #expect(configured.taskName == "demo.add")

            // edit: new args and a new interval, followed without a restart.
            let edit = try await Self.beatCommand(["edit", "tick", "--db", database, "--args", "[7, 8]", "--schedule", "every 2 s"])
            #expect(edit.stdout.contains("the beat running on it"), "\(edit.stdout)")
            _ = try await WorkerInteropTests.waitForLog(log, toContain: "tick changed: demo.add, every 2 s", timeout: 5)
            let firstEdited = try await tap.waitFor(args: [7, 8])
            let secondEdited = try await tap.waitFor(args: [7, 8])
            // The moments the beat scheduled, not when the tap received them: delivery on a
            // loaded machine is late by any amount, the schedule is not.
            let firstDue = try await Self.dueMoment(of: firstEdited.id, in: log)
            let secondDue = try await Self.dueMoment(of: secondEdited.id, in: log)
            let gap = secondDue.timeIntervalSince(firstDue)
            #expect(abs(gap - 2) < 0.01, "runs due \(gap) s apart on an every-2-s schedule")

            // add: a second entry, sent within a second or two.
            _ = try await Self.beatCommand(["add", "tock", "--db", database, "--task", "demo.mul", "--schedule", "every 1 s",
                                            "--args", "[6, 7]", "--queue", queue])
            let added = try await tap.waitFor(task: "demo.mul")
            #expect(added.args == [6, 7])

            // disable: tick stops while tock goes on.
            _ = try await Self.beatCommand(["disable", "tick", "--db", database])
            _ = try await WorkerInteropTests.waitForLog(log, toContain: "every 2 s (disabled)", timeout: 5)
            let ticksWhenDisabled = Self.sends(in: [log], entry: "tick").count
            try await Self.waitForSends(log, entry: "tock", count: Self.sends(in: [log], entry: "tock").count + 3)
            #expect(Self.sends(in: [log], entry: "tick").count == ticksWhenDisabled, "a disabled entry was sent")

            // run-now: the beat sends a disabled entry once when asked.
            _ = try await Self.beatCommand(["run-now", "tick", "--db", database])
            _ = try await WorkerInteropTests.waitForLog(log, toContain: "sent tick (demo.add", timeout: 5)
            _ = try await WorkerInteropTests.waitForLog(log, toContain: "(run now)", timeout: 5)

            // remove: tock is gone.
            _ = try await Self.beatCommand(["remove", "tock", "--db", database])
            _ = try await WorkerInteropTests.waitForLog(log, toContain: "tock removed", timeout: 5)

            // list: what the beat kept — tick's definition as edited, its runs counted.
            let listed = try await Self.beatCommand(["list", "--db", database, "--json"]).stdout
            let entries = try listed.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
            let tick = try #require(entries.first { $0["name"] == "tick" }, "\(listed)")
            #expect(entries.count == 1, "\(listed)")
            #expect(tick["enabled"] == false && tick["args"] == [7, 8] && tick["schedule"] == 2.0, "\(listed)")
            #expect((tick["total_run_count"]?.intValue ?? 0) >= ticksWhenDisabled + 1, "\(listed)")
        }
    }

    /// Two beats on one database, each with a broker lease of its own so only the lease row
    /// stands between them: the second waits; after the first is killed it takes over once
    /// the row runs out (10 s at most), and the two never send at once.
    @Test func aSecondBeatOnTheSameDatabaseTakesOverWhenTheFirstDies() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try Self.directory()
            let config = try Self.databaseConfiguration(broker: broker, queue: "beat-db-\(UUID().uuidString.prefix(8).lowercased())",
                                                        in: directory)
            let database = directory + "/beat.db"
            let (activeLog, standbyLog) = (directory + "/active.log", directory + "/standby.log")
            func start(_ name: String, log: String) throws -> BackgroundProcess {
                try Self.startBeat(config: config, schedule: directory + "/unused.json", log: log, pidFile: directory + "/\(name).pid",
                                   extra: ["--scheduler", "db", "--db", database, "--lease", name])
            }
            let active = try start("active", log: activeLog)
            try await Self.waitForSends(activeLog, entry: "tick", count: 1)
            let standby = try start("standby", log: standbyLog)
            defer { standby.stop() }
            _ = try await WorkerInteropTests.waitForLog(standbyLog, toContain: "holds the lease row of \(database)")
            try await Self.waitForSends(activeLog, entry: "tick", count: Self.sends(in: [activeLog], entry: "tick").count + 2)
            #expect(Self.sends(in: [standbyLog], entry: "tick").isEmpty, "the standby sent while the lease row was held")

            kill(try await Self.pid(in: directory + "/active.pid"), SIGKILL)
            active.stop()
            let killedAt = Date()
            _ = try await WorkerInteropTests.waitForLog(standbyLog, toContain: "took over the schedule", timeout: 15)
            #expect(Date().timeIntervalSince(killedAt) < DatabaseLeaseBound.seconds, "the takeover is bounded by the lease's length")
            try await Self.waitForSends(standbyLog, entry: "tick", count: 1)
            let lastOfActive = try #require(Self.sends(in: [activeLog], entry: "tick").compactMap(CeleryTime.parse).max())
            let firstOfStandby = try #require(Self.sends(in: [standbyLog], entry: "tick").compactMap(CeleryTime.parse).min())
            #expect(firstOfStandby > lastOfActive, "the two sent at the same time")
        }
    }

    /// `e` on a database store's entry opens the form; a new schedule and args, saved and
    /// confirmed, reach the beat by remote control and show in the next sends.
    @Test func theDashboardFormEditsAnEntry() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try Self.directory()
            let queue = "beat-form-\(UUID().uuidString.prefix(8).lowercased())"
            let config = try Self.databaseConfiguration(broker: broker, queue: queue, in: directory)
            let (beat, log) = try Self.startDatabaseBeat(config: config, database: directory + "/beat.db", directory: directory)
            defer { beat.stop() }
            try await Self.waitForSends(log, entry: "tick", count: 1)
            let tap = try await TaskTap(broker: broker, queue: queue)
            defer { tap.close() }
            let tmux = try TmuxSession(command: [CeleriacBinary.url.path, "top", "-b", broker,
                                                 "--management-url", CeleriacBinary.managementURL!],
                                       environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
            defer { tmux.kill() }
            let form = try await detached {
                try tmux.waitFor(text: "Overview —")
                try tmux.send("5")
                try tmux.waitFor("the schedule", timeout: 20) { $0.contains("tick") && $0.contains("every 1 s") && $0.contains("alive") }
                try tmux.send("e")
                return try tmux.waitFor(text: "Edit tick on beat.beat@")
            }
            #expect(form.contains("every 1 s") && form.contains("[2, 3]"), "\(form)")
            let refused = try await detached {
                try tmux.send("Tab")
                try tmux.send("C-u")
                try tmux.send("[40, 2", literal: true)
                try tmux.send("Enter")
                return try tmux.waitFor(text: "Args must be a JSON list")
            }
            #expect(refused.contains("Edit tick"), "a wrong field keeps the form open: \(refused)")
            let saved = try await detached {
                try tmux.send("]", literal: true)
                try tmux.send("Up")
                try tmux.send("C-u")
                try tmux.send("every 2 s", literal: true)
                try tmux.send("Enter")
                try tmux.waitFor(text: "Save tick on beat.beat@")
                try tmux.send("y")
                return try tmux.waitFor("the edited entry", timeout: 20) { $0.contains("every 2 s") && !$0.contains("Edit tick") }
            }
            #expect(saved.contains("tick"))
            _ = try await WorkerInteropTests.waitForLog(log, toContain: "tick edited by remote control", timeout: 5)
            let edited = try await tap.waitFor(args: [40, 2])
            #expect(edited.taskName == "demo.add")
        }
    }
}

/// The lease row's length (10 s) plus a standby's look (1 s) and room for a loaded machine.
enum DatabaseLeaseBound {
    static let seconds = 13.0
}

/// Every task message the beat sends to one queue, as a worker would receive it.
final class TaskTap: Sendable {
    struct Sent: Sendable {
        var id: String
        var taskName: String
        var args: [JSONValue]
    }

    /// Filled on the transport's thread, read by the test.
    final class Inbox: Sendable {
        let messages = Mutex<[Sent]>([])
    }

    private let app: App
    private let consumer: BrokerConsumer
    private let received = Inbox()

    init(broker: String, queue: String) async throws {
        var configuration = CeleriacConfiguration()
        configuration.brokerURL = broker
        let app = App(configuration)
        let received = received
        consumer = try await app.transport().consume(queue: queue, prefetch: 100, noAck: true, onMessage: { delivery in
            guard let task = try? TaskMessage(delivery.message) else { return }
            let sent = Sent(id: task.id, taskName: task.taskName, args: task.args)
            received.messages.withLock { $0.append(sent) }
        }, onEnd: { _ in })
        self.app = app
    }

    /// The first message so far, or yet to come, of `task` and with `args` (each when
    /// given); each message is taken once.
    func waitFor(task: String? = nil, args: [JSONValue]? = nil, timeout: Double = 10) async throws -> Sent {
        func matches(_ sent: Sent) -> Bool { (task.map { sent.taskName == $0 } ?? true) && (args.map { sent.args == $0 } ?? true) }
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            let found = received.messages.withLock { messages -> Sent? in
                guard let index = messages.firstIndex(where: matches) else { return nil }
                return messages.remove(at: index)
            }
            if let found { return found }
            try await Task.sleep(for: .milliseconds(50))  // another process publishes: nothing to await here
        }
        throw TmuxError("no task message \(task ?? "") \(args.map { JSONValue.array($0).serialized } ?? "") within \(timeout) s; got \(received.messages.withLock { $0.map { "\($0.taskName)\($0.args)" } })")
    }

    func close() {
        let (consumer, app) = (consumer, app)
        Task {
            await consumer.cancel()
            await app.close()
        }
    }
}
