import Foundation

/// The default store, like Celery's `celerybeat-schedule` file: the last run and run count
/// of each entry, as JSON. Every change is written to a temporary file, flushed to disk and
/// renamed over the old one, so a beat killed at any moment leaves either the old state or
/// the new, never half of one.
public struct FileScheduleStore: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    struct Contents: Codable {
        var version = 1
        var entries: [String: PeriodicTaskState] = [:]
    }

    /// The states saved; empty for a file that does not exist yet.
    public func load() throws(ScheduleStoreError) -> [String: PeriodicTaskState] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .secondsSince1970
            let contents = try decoder.decode(Contents.self, from: data)
            guard contents.version == 1 else { throw ScheduleStoreError.newerFile(path: path, version: contents.version) }
            return contents.entries
        } catch let error as ScheduleStoreError {
            throw error
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
    }

    /// Replaces the saved states, crash-safely.
    public func save(_ states: [String: PeriodicTaskState]) throws(ScheduleStoreError) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let temporary = path + ".tmp"
        do {
            let data = try encoder.encode(Contents(entries: states))
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard descriptor >= 0 else { throw ScheduleStoreError.unwritable(path: temporary, reason: String(cString: strerror(errno))) }
            defer { close(descriptor) }
            let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written == data.count, fsync(descriptor) == 0 else {
                throw ScheduleStoreError.unwritable(path: temporary, reason: String(cString: strerror(errno)))
            }
            guard rename(temporary, path) == 0 else {
                throw ScheduleStoreError.unwritable(path: path, reason: String(cString: strerror(errno)))
            }
            // The rename itself must reach the disk too.
            let directory = open((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent, O_RDONLY)
            if directory >= 0 {
                fsync(directory)
                close(directory)
            }
        } catch let error as ScheduleStoreError {
            throw error
        } catch {
            throw .unwritable(path: path, reason: "\(error)")
        }
    }
}

extension FileScheduleStore: ScheduleStore {
    public var location: String { path }
    public var keepsEntries: Bool { false }

    /// The configured entries, with what remote control turned on or off applied over them.
    public func prepare(configured: [PeriodicTask]) throws(ScheduleStoreError) -> StoredSchedule {
        let states = try load()
        var entries = configured
        for index in entries.indices {
            if let enabled = states[entries[index].name]?.enabled { entries[index].enabled = enabled }
        }
        return StoredSchedule(entries: entries, states: states)
    }

    /// Only this beat writes the file (it holds the file's lock), so nothing changes under it.
    public func reload(force: Bool) -> StoredSchedule? { nil }

    public func update(_ entry: PeriodicTask) throws(ScheduleStoreError) {
        throw .entriesFromConfiguration(path: path)
    }

    public func takeRunRequests() -> [String] { [] }
}
