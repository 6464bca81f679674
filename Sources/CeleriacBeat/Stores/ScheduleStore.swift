import Foundation

/// Where a beat keeps its schedule: what ran when, and — for a store that keeps entries —
/// the entries themselves, editable while beat runs. `BeatService` is the one writer of run
/// state; other processes (`celeriac beat add|edit|…`) change only entries.
public protocol ScheduleStore: Sendable {
    /// The file, as beat events name it (`schedule_store`).
    var location: String { get }
    /// True when entries live in the store and can be added, edited and removed while beat runs.
    var keepsEntries: Bool { get }
    /// The entries to run and their states, once at start. `configured` are the entries of
    /// `beat_schedule` and the app's code; a store that keeps entries adds them to its own.
    func prepare(configured: [PeriodicTask]) async throws(ScheduleStoreError) -> StoredSchedule
    /// The schedule again when another process changed it since the last look (or always,
    /// with `force`); nil when nothing changed.
    func reload(force: Bool) async throws(ScheduleStoreError) -> StoredSchedule?
    /// Saves every entry's state (run count, last run, enabled), crash-safely.
    func save(_ states: [String: PeriodicTaskState]) async throws(ScheduleStoreError)
    /// Replaces one entry's definition, keeping its run state.
    func update(_ entry: PeriodicTask) async throws(ScheduleStoreError)
    /// The entries another process asked to run now, each handed out once.
    func takeRunRequests() async throws(ScheduleStoreError) -> [String]
}

/// The entries a beat runs and what it remembers of them.
public struct StoredSchedule: Sendable, Hashable {
    public var entries: [PeriodicTask]
    public var states: [String: PeriodicTaskState]
    /// Rows that do not make an entry (written by hand, say), each with its reason.
    public var problems: [String]

    public init(entries: [PeriodicTask], states: [String: PeriodicTaskState], problems: [String] = []) {
        self.entries = entries
        self.states = states
        self.problems = problems
    }
}

/// Why a schedule store cannot be used, with the path and what to do.
public enum ScheduleStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case unwritable(path: String, reason: String)
    case newerFile(path: String, version: Int)
    /// The schedule file keeps runs only: its entries come from the configuration and code.
    case entriesFromConfiguration(path: String)
    case database(path: String, reason: String)
    case unknownEntry(name: String, known: [String])
    case entryExists(name: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "the beat schedule file \(path) cannot be read (\(reason)); move it aside to start afresh (every entry then counts from now)"
        case .unwritable(let path, let reason):
            return "the beat schedule file \(path) cannot be written (\(reason)); give a writable path with -s"
        case .newerFile(let path, let version):
            return "the beat schedule file \(path) is version \(version), newer than this celeriac reads (1); use the newer celeriac or another -s file"
        case .entriesFromConfiguration(let path):
            return "this beat's entries come from celeriac.toml and the app's code (its schedule file \(path) keeps only their runs): edit them there and restart beat, or run beat with --scheduler db to edit entries while it runs"
        case .database(let path, let reason):
            return "the beat database \(path): \(reason)"
        case .unknownEntry(let name, let known):
            return "no entry '\(name)'" + (known.isEmpty ? "; the schedule is empty" : "; the schedule has \(known.joined(separator: ", "))")
        case .entryExists(let name):
            return "an entry named '\(name)' exists already; change it with edit, or choose another name"
        }
    }
}
