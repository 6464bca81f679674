import Celeriac
import Foundation

/// Which tasks the Tasks screen lists, and in what order.
public struct TaskQuery: Sendable, Hashable {
    public enum SortColumn: String, Sendable, Hashable, CaseIterable {
        case received, name, state, worker, runtime
    }

    /// Free text matched, case-insensitively, against name, id, args, kwargs and worker.
    public var text = ""
    /// Only tasks in this state; nil for all.
    public var state: TaskState?
    /// Only failures of this group (opened from the Overview).
    public var failureGroup: FailureGroup.Key?
    public var sort = SortColumn.received
    /// Newest (or largest) first.
    public var descending = true

    public init(text: String = "", state: TaskState? = nil, sort: SortColumn = .received, descending: Bool = true) {
        self.text = text
        self.state = state
        self.sort = sort
        self.descending = descending
    }

    public var isFiltered: Bool { !text.isEmpty || state != nil || failureGroup != nil }

    func matches(_ task: TaskRecord) -> Bool {
        if let state, task.state != state { return false }
        if let group = failureGroup, task.state != .failure || FailureGroup.Key(task) != group { return false }
        guard !text.isEmpty else { return true }
        return [task.name, task.id, task.args, task.kwargs, task.worker].contains { field in
            field?.range(of: text, options: .caseInsensitive) != nil
        }
    }

    /// The text part of a task's sort key (empty when the column is numeric).
    func sortText(_ task: TaskRecord) -> String {
        switch sort {
        case .received, .runtime: return ""
        case .name: return task.name ?? ""
        case .state: return task.state.rawValue
        case .worker: return task.worker ?? ""
        }
    }

    /// The numeric part of a task's sort key; unfinished tasks sort as the shortest runtime.
    func sortNumber(_ task: TaskRecord) -> Double {
        sort == .runtime ? task.runtime ?? -1 : 0
    }
}

/// The ids a query selects, in order: built off the drawing path (at most a few times a
/// second), so a frame only looks up the rows it shows.
public struct TaskIndex: Sendable {
    public private(set) var query = TaskQuery()
    public private(set) var ids: [String] = []
    /// The cluster version the ids were built from.
    public private(set) var builtAt = -1

    public init() {}

    static func build(_ query: TaskQuery, from tasks: TaskTable, version: Int) -> TaskIndex {
        // Sort small keys, not whole records: a TaskRecord is large and costly to move.
        var keys: [(text: String, number: Double, sequence: Int, id: String)] = []
        keys.reserveCapacity(tasks.count)
        for task in tasks.values where query.matches(task) {
            keys.append((query.sortText(task), query.sortNumber(task), task.sequence, task.id))
        }
        let descending = query.descending
        keys.sort { a, b in
            descending ? (b.text, b.number, b.sequence) < (a.text, a.number, a.sequence)
                : (a.text, a.number, a.sequence) < (b.text, b.number, b.sequence)
        }
        var index = TaskIndex()
        index.query = query
        index.ids = keys.map(\.id)
        index.builtAt = version
        return index
    }
}
