import Foundation

/// `--statedb`: the revoked ids kept in a file, so a restarted worker still refuses them (as
/// Celery's worker keeps them in its shelve). JSON, written to a temporary file and renamed
/// over the old one, so a crash mid-write never leaves half a file.
struct RevokedStore: Sendable {
    let path: String

    private struct Contents: Codable {
        var revoked: [String]
    }

    /// The ids saved last; none when the file does not exist yet.
    func load() throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try JSONDecoder().decode(Contents.self, from: data).revoked
        } catch {
            throw WorkerError("cannot read the state file \(path): \(error); move it away to start afresh")
        }
    }

    func save(_ ids: [String]) throws {
        let data = try JSONEncoder().encode(Contents(revoked: ids))
        let temporary = path + ".tmp"
        do {
            try data.write(to: URL(fileURLWithPath: temporary))
            if rename(temporary, path) != 0 { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            throw WorkerError("cannot write the state file \(path): \(error)")
        }
    }
}

/// A worker's start-up problem, in words that name the fix.
public struct WorkerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
