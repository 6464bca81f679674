import ArgumentParser
import Celeriac
import CeleriacBeat
import Foundation

/// Where `celeriac beat` keeps its schedule.
enum BeatSchedulerKind: String, ExpressibleByArgument, CaseIterable {
    case file, db
}

/// `--db`: the database store the entry commands change.
struct BeatDatabaseOption: ParsableArguments {
    static let defaultPath = "celeriac-beat.db"

    @Option(help: "The SQLite file of the database store, as given to celeriac beat --scheduler db --db.")
    var db = defaultPath

    /// Opens the store. Only `add` makes a new one: for the others a missing file is a typo.
    func open(creating: Bool = false) throws -> DatabaseScheduleStore {
        guard creating || FileManager.default.fileExists(atPath: db) else {
            throw CommandFailure("no beat database at \(db): start one with celeriac beat --scheduler db --db \(db), or give its path with --db")
        }
        do {
            return try DatabaseScheduleStore(path: db)
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    /// Who will act on a change: the beat holding the store, or nobody yet.
    func follower(_ store: DatabaseScheduleStore) async -> String {
        guard let holder = try? await store.leaseHolder(DatabaseLease.defaultName) else {
            return "no beat runs on \(db) now; the next one to start uses it"
        }
        return "the beat running on it (\(holder.holder)) follows within a second or two"
    }
}

/// What an entry is, as `add` requires it and `edit` changes it (every option optional there).
struct BeatEntryOptions: ParsableArguments {
    @Option(help: "The task's name, e.g. demo.add.")
    var task: String?

    @Option(help: ArgumentHelp("When it runs: 'every 30 s', 'cron 30 7 * * mon-fri' or 'solar sunset 52.5 13.4'.", valueName: "spec"))
    var schedule: String?

    @Option(help: ArgumentHelp("Positional arguments as a JSON list, e.g. '[2, 3]'.", valueName: "json"))
    var args: String?

    @Option(help: ArgumentHelp("Keyword arguments as a JSON object, e.g. '{\"x\": 1}'.", valueName: "json"))
    var kwargs: String?

    @Option(help: "The queue to send to ('' for the task's default).")
    var queue: String?

    @Option(help: "The exchange to send to ('' for the default).")
    var exchange: String?

    @Option(help: "The routing key ('' for the queue's name).")
    var routingKey: String?

    @Option(help: "The message priority, 0–255.")
    var priority: Int?

    @Option(help: "Seconds after sending that the task is no longer worth running (0 for never).")
    var expires: Double?

    @Flag(help: "Run once, then disable itself.")
    var oneOff = false

    @Option(help: ArgumentHelp("Runs missed while no beat could send them: once (run once at once, Celery's behaviour), skip (wait for the next due time), 'replay N' (the latest N), or default (the beat's --catch-up).", valueName: "rule"))
    var catchUp: String?

    /// `base` with every option given applied over it.
    func applied(to base: PeriodicTask) throws -> PeriodicTask {
        var entry = base
        if let task {
            guard !task.isEmpty else { throw ValidationError("--task is empty; give a task name such as demo.add") }
            entry.task = task
        }
        if let schedule {
            do {
                entry.schedule = try BeatSchedule(spec: schedule)
            } catch {
                throw ValidationError("--schedule: \(error)")
            }
        }
        if let args { entry.args = try CLIValues.jsonList(args, option: "--args") }
        if let kwargs { entry.kwargs = try CLIValues.jsonObject(kwargs, option: "--kwargs") }
        if let queue { entry.queue = queue.isEmpty ? nil : queue }
        if let exchange { entry.exchange = exchange.isEmpty ? nil : exchange }
        if let routingKey { entry.routingKey = routingKey.isEmpty ? nil : routingKey }
        if let priority {
            guard (0...255).contains(priority) else { throw ValidationError("--priority \(priority): give 0–255") }
            entry.priority = priority
        }
        if let expires {
            guard expires >= 0, expires.isFinite else { throw ValidationError("--expires \(expires): give seconds, 0 for never") }
            entry.expires = expires == 0 ? nil : expires
        }
        if oneOff { entry.oneOff = true }
        if let catchUp {
            do {
                entry.catchUp = catchUp.lowercased() == "default" ? nil : try CatchUp(spec: catchUp)
            } catch {
                throw ValidationError("--catch-up: \(error)")
            }
        }
        return entry
    }
}
