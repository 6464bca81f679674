import Foundation

/// Celery's `GroupResult`: the results of a group's tasks, in the group's order. `get` waits
/// for all of them and returns their values as one list.
public struct GroupResult: Sendable, CustomStringConvertible {
    public let id: String
    public let results: [AsyncResult]

    public init(id: String, results: [AsyncResult]) {
        self.id = id
        self.results = results
    }

    /// Waits for every task, in order, within one overall `timeout`; with `propagate`, the
    /// first failed task's error is thrown.
    public func get(timeout: Double? = nil, propagate: Bool = true) async throws -> [JSONValue] {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var values: [JSONValue] = []
        for result in results {
            let left = deadline.map { max($0.timeIntervalSinceNow, 0) }
            do {
                values.append(try await result.get(timeout: left, propagate: propagate))
            } catch ResultError.timeout(_, _) {
                throw ResultError.timeout(taskID: id, seconds: timeout ?? 0)
            }
        }
        return values
    }

    /// How many of the tasks have succeeded.
    public func completedCount() async throws -> Int {
        var count = 0
        for result in results where try await result.state() == .success { count += 1 }
        return count
    }

    /// Whether every task has ended (SUCCESS, FAILURE or REVOKED).
    public func isReady() async throws -> Bool {
        for result in results where !(try await result.isReady()) { return false }
        return true
    }

    /// Celery's `GroupResult.as_tuple()`: `[[group id, null], [[[task id, null], null], …]]`,
    /// the shape `GroupResult.save()` stores and `restore()` reads.
    public var tupleJSON: JSONValue {
        [[.string(id), .null], .array(results.map { [[.string($0.id), .null], .null] })]
    }

    public var description: String { "<GroupResult: \(id) [\(results.map(\.id).joined(separator: ", "))]>" }
}

/// A backend that can keep a group's member ids (Celery's `save_group` / `restore_group`).
public protocol GroupResultStore: ResultBackend {
    func saveGroup(_ group: GroupResult) async throws
    /// The member ids of a saved group, in order; nil when none was saved.
    func restoreGroup(_ groupID: String) async throws -> [String]?
}

extension GroupResult {
    /// Member ids from a saved `as_tuple()`; nil when the shape is not Celery's.
    static func memberIDs(fromTuple tuple: JSONValue) -> [String]? {
        guard let pair = tuple.arrayValue, pair.count == 2, let members = pair[1].arrayValue else { return nil }
        var ids: [String] = []
        for member in members {
            guard let id = member.arrayValue?.first?.arrayValue?.first?.stringValue else { return nil }
            ids.append(id)
        }
        return ids
    }
}
