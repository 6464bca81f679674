import Foundation

/// The cluster state saved to disk, as Flower's persistent mode does, so a restarted dashboard
/// keeps its history. Written to a temporary file and renamed, so a crash mid-write leaves
/// the previous snapshot whole.
public struct StateFile: Sendable {
    public let path: String

    struct Snapshot: Codable {
        var format = 1
        var savedAt: Double
        var tasks: [TaskRecord]
        var workers: [WorkerRecord]
    }

    public init(path: String) {
        self.path = path
    }

    public func save(_ state: ClusterState, now: Double = Date().timeIntervalSince1970) throws {
        let snapshot = Snapshot(savedAt: now, tasks: Array(state.tasks.values), workers: Array(state.workers.values))
        let data = try JSONEncoder().encode(snapshot)
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        try data.write(to: temporary)
        if rename(temporary.path, url.path) != 0 {
            throw StateFileError.unwritable(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Loads the snapshot into `state`. A file that is not a snapshot is moved aside (never
    /// overwritten) and reported; a missing file is a first start.
    public func load(into state: inout ClusterState) throws(StateFileError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw .unreadable(path: path) }
            return
        }
        do {
            let snapshot = try JSONDecoder().decode(Snapshot.self, from: data)
            guard snapshot.format == 1 else { throw StateFileError.unknownFormat(path: path, format: snapshot.format) }
            state.restore(tasks: snapshot.tasks, workers: snapshot.workers)
        } catch let error as StateFileError {
            throw error
        } catch {
            let aside = path + ".unreadable-\(Int(Date().timeIntervalSince1970))"
            _ = rename(path, aside)
            throw .corrupt(path: path, movedTo: aside, reason: "\(error)")
        }
    }
}

public enum StateFileError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadable(path: String)
    case unwritable(path: String, reason: String)
    case corrupt(path: String, movedTo: String, reason: String)
    case unknownFormat(path: String, format: Int)

    public var description: String {
        switch self {
        case .unreadable(let path): return "cannot read the state file \(path); check its permissions"
        case .unwritable(let path, let reason): return "cannot write the state file \(path): \(reason)"
        case .corrupt(let path, let aside, let reason):
            return "the state file \(path) is not a Celeriac snapshot (\(reason)); it was moved to \(aside) and the dashboard starts empty"
        case .unknownFormat(let path, let format):
            return "the state file \(path) has format \(format), which this version cannot read; move it away or upgrade"
        }
    }
}
