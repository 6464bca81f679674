/// A result backend that can count a chord's header results and hand them over once, to
/// whichever worker finishes the last one (Celery's `on_chord_part_return`). rpc:// is not
/// one: results there go to the caller alone, so nobody could count them.
public protocol ChordStore: ResultBackend {
    /// How many header results complete the chord; set before the header's tasks can end.
    func setChordSize(groupID: String, size: Int) async throws

    /// Stores a header task's final state and counts it toward its chord. Returns every part,
    /// in header order, when this one completed the chord; nil otherwise.
    func storeChordPart(_ meta: ResultMeta, groupID: String, groupIndex: Int?) async throws -> ChordJoin?

    /// Drops the chord's counters once its body has been sent (or failed).
    func forgetChord(groupID: String) async throws
}

/// A chord's header results, complete, in header order.
public struct ChordJoin: Sendable, Hashable {
    public struct Part: Sendable, Hashable {
        public var taskID: String
        public var state: TaskState
        /// The return value, or Celery's exception JSON for a failure.
        public var result: JSONValue
    }

    public var groupID: String
    public var parts: [Part]

    /// The list the body is called with, or — when a header task failed or was revoked —
    /// Celery's ChordError naming the first such task: "Dependency <id> raised <repr>".
    public func bodyArgument() -> Result<JSONValue, CeleryError> {
        var results: [JSONValue] = []
        for part in parts {
            if part.state == .failure || part.state == .revoked {
                let cause = CeleryError(json: part.result).map(\.pythonRepr) ?? part.result.pythonRepr
                return .failure(CeleryError(type: "ChordError", message: [.string("Dependency \(part.taskID) raised \(cause)")],
                                            module: "celery.exceptions"))
            }
            results.append(part.result)
        }
        return .success(.array(results))
    }
}
