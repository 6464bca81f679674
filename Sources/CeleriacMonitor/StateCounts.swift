import Celeriac

/// A count per task state, kept for every event: Celery's own states in a small array by
/// their precedence rank, custom ones (PROGRESS, …) by name — no hashing on the common path.
/// A state once counted stays listed, at zero if it comes to that.
public struct StateCounts: Sendable, Hashable {
    private var celeryStates = [Int?](repeating: nil, count: 9)
    private var customStates: [TaskState: Int] = [:]

    public init() {}

    public subscript(state: TaskState) -> Int? {
        TaskState.isCustom(rank: state.precedence) ? customStates[state] : celeryStates[state.precedence]
    }

    mutating func add(_ delta: Int, to state: TaskState) {
        if TaskState.isCustom(rank: state.precedence) {
            customStates[state, default: 0] += delta
        } else {
            celeryStates[state.precedence] = (celeryStates[state.precedence] ?? 0) + delta
        }
    }

    /// Every state counted so far.
    public var dictionary: [TaskState: Int] {
        var all = customStates
        for state in TaskState.celeryStates { if let count = self[state] { all[state] = count } }
        return all
    }
}
