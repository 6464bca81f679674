import ArgumentParser
import Celeriac
import CeleriacBeat
import Foundation

/// `celeriac beat list`: the entries of a database store, with their runs.
struct BeatListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the entries of a database store.")

    @OptionGroup var database: BeatDatabaseOption

    @Flag(help: "One JSON object per entry, as beat_list and beat-heartbeat carry them.")
    var json = false

    func run() async throws {
        let store = try database.open()
        let schedule = try await Self.loaded(store)
        if json {
            for entry in schedule.entries {
                var object = entry.table
                object["name"] = .string(entry.name)
                let state = schedule.states[entry.name] ?? PeriodicTaskState()
                object["last_run_at"] = state.lastRunAt.map { .double($0.timeIntervalSince1970) } ?? .null
                object["total_run_count"] = .int(state.totalRunCount)
                print(JSONValue.object(object).serialized)
            }
            return
        }
        print(Self.table(header: StoredSchedule.listingHeader, rows: schedule.listingRows(clock: Self.clock)))
        for problem in schedule.problems { print("! \(problem)") }
        print(await database.follower(store).prefixingFirstLetterCapitalized())
    }

    static func loaded(_ store: DatabaseScheduleStore) async throws -> StoredSchedule {
        do {
            return try await store.load()
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    static func clock(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }

    static func table(header: [String], rows: [[String]]) -> String {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}

/// `celeriac beat add NAME --task T --schedule SPEC …`
struct BeatAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an entry to a database store.")

    @OptionGroup var database: BeatDatabaseOption
    @Argument(help: "The entry's name, unique in the store.") var name: String
    @OptionGroup var options: BeatEntryOptions

    @Flag(help: "Add it turned off.") var disabled = false

    func validate() throws {
        guard !name.isEmpty else { throw ValidationError("give the entry a name") }
        guard options.task != nil, options.schedule != nil else {
            throw ValidationError("add needs --task and --schedule, e.g. celeriac beat add tick --task demo.add --schedule 'every 30 s' --args '[2, 3]'")
        }
    }

    func run() async throws {
        let store = try database.open(creating: true)
        let placeholder = PeriodicTask(name: name, task: "-", schedule: .interval(try IntervalSchedule(seconds: 1)))
        var entry = try options.applied(to: placeholder)
        entry.enabled = !disabled
        try await BeatEntryChange.apply("added \(name): \(entry.task), \(entry.schedule.words)", database: database, store: store) {
            try await store.add(entry)
        }
    }
}

/// `celeriac beat edit NAME [--schedule SPEC] [--args JSON] …`
struct BeatEditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "edit", abstract: "Change an entry of a database store; what is not given stays.")

    @OptionGroup var database: BeatDatabaseOption
    @Argument(help: "The entry to change.") var name: String
    @OptionGroup var options: BeatEntryOptions

    func run() async throws {
        let store = try database.open()
        let current = try await BeatEntryChange.entry(name, in: store)
        let entry = try options.applied(to: current)
        guard entry != current else { throw CommandFailure("nothing to change: give --schedule, --args, --kwargs, --task, --queue, … with a new value") }
        try await BeatEntryChange.apply("changed \(name): \(entry.task)\(JSONValue.array(entry.args).serialized), \(entry.schedule.words)",
                                        database: database, store: store) {
            try await store.update(entry)
        }
    }
}

/// `celeriac beat enable NAME`
struct BeatEnableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Turn an entry of a database store on.")

    @OptionGroup var database: BeatDatabaseOption
    @Argument(help: "The entry to turn on.") var name: String

    func run() async throws {
        try await BeatEntryChange.setEnabled(true, name, database: database)
    }
}

/// `celeriac beat disable NAME`
struct BeatDisableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: "Turn an entry of a database store off.")

    @OptionGroup var database: BeatDatabaseOption
    @Argument(help: "The entry to turn off.") var name: String

    func run() async throws {
        try await BeatEntryChange.setEnabled(false, name, database: database)
    }
}

/// `celeriac beat remove NAME`
struct BeatRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove an entry from a database store.",
        discussion: "An entry from beat_schedule or the app's code comes back when a beat starts again: remove it there for good.")

    @OptionGroup var database: BeatDatabaseOption
    @Argument(help: "The entry to remove.") var name: String

    func run() async throws {
        let store = try database.open()
        try await BeatEntryChange.apply("removed \(name)", database: database, store: store) { try await store.remove(name) }
    }
}

/// `celeriac beat run-now NAME`: the running beat sends it, so it shows as beat-sent.
struct BeatRunNowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-now", abstract: "Ask the beat on a database store to send an entry's task now.")

    @OptionGroup var database: BeatDatabaseOption
    @Argument(help: "The entry to send.") var name: String

    func run() async throws {
        let store = try database.open()
        try await BeatEntryChange.apply("asked to send \(name) now", database: database, store: store) {
            try await store.requestRun(name)
        }
    }
}

/// The steps every entry command shares: make the change, say who acts on it.
enum BeatEntryChange {
    static func apply(_ done: String, database: BeatDatabaseOption, store: DatabaseScheduleStore,
                      _ change: () async throws -> Void) async throws {
        do {
            try await change()
        } catch {
            throw CommandFailure("\(error)")
        }
        print("\(done); \(await database.follower(store))")
    }

    static func entry(_ name: String, in store: DatabaseScheduleStore) async throws -> PeriodicTask {
        let schedule = try await BeatListCommand.loaded(store)
        guard let entry = schedule.entries.first(where: { $0.name == name }) else {
            throw CommandFailure("\(ScheduleStoreError.unknownEntry(name: name, known: schedule.entries.map(\.name)))")
        }
        return entry
    }

    static func setEnabled(_ enabled: Bool, _ name: String, database: BeatDatabaseOption) async throws {
        let store = try database.open()
        var entry = try await entry(name, in: store)
        entry.enabled = enabled
        try await apply("\(enabled ? "enabled" : "disabled") \(name)", database: database, store: store) {
            try await store.update(entry)
        }
    }
}

extension String {
    func prefixingFirstLetterCapitalized() -> String { prefix(1).uppercased() + dropFirst() }
}
