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

    func ordered(_ a: TaskRecord, before b: TaskRecord) -> Bool {
        let ascending: Bool
        switch sort {
        case .received: ascending = a.sequence < b.sequence
        case .name: ascending = (a.name ?? "", a.sequence) < (b.name ?? "", b.sequence)
        case .state: ascending = (a.state.rawValue, a.sequence) < (b.state.rawValue, b.sequence)
        case .worker: ascending = (a.worker ?? "", a.sequence) < (b.worker ?? "", b.sequence)
        case .runtime: ascending = (a.runtime ?? -1, a.sequence) < (b.runtime ?? -1, b.sequence)
        }
        return descending ? !ascending : ascending
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

    static func build(_ query: TaskQuery, from tasks: [String: TaskRecord], version: Int) -> TaskIndex {
        var index = TaskIndex()
        index.query = query
        index.ids = tasks.values.filter(query.matches).sorted(by: query.ordered).map(\.id)
        index.builtAt = version
        return index
    }
}
