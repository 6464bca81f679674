import Celeriac
import CeleriacMonitor
import Foundation

/// What key handling needs to know of the cluster: the rows each screen lists. The store
/// answers for real; tests can answer with fixed rows.
public protocol DashboardData {
    func rowCount(_ screen: ScreenID) -> Int
    /// The id of row `index`: a task id, a worker hostname, a queue name or a failure group.
    func rowID(_ screen: ScreenID, at index: Int) -> String?
    /// Every task id the current task filter shows, for "mark all".
    func filteredTaskIDs() -> [String]
    func retryPlan(for taskID: String) throws(RetryPlanError) -> RetryPlan
    /// The failure group on row `index` of the Overview.
    func failureGroup(at index: Int) -> FailureGroup.Key?
    /// Events received so far, for pausing the Events screen.
    var eventTotal: Int { get }
    var defaultQueue: String { get }
    /// The ids of the nodes of a task's workflow tree, in the order the detail draws them.
    func workflowIDs(of taskID: String) -> [String]
    /// The task the Beat screen's row `index` sent last; nil before its first send.
    func lastSentTask(beatRow index: Int) -> String?
    /// The Beat screen's row `index`: the beat's node, the entry, whether it is enabled.
    func beatEntry(at index: Int) -> (node: String, entry: BeatRecord.Entry, editable: Bool)?
}

/// The dashboard's rows, read from the monitor's store.
public struct StoreData: DashboardData {
    let monitor: Monitor

    public init(monitor: Monitor) {
        self.monitor = monitor
    }

    public func rowCount(_ screen: ScreenID) -> Int {
        monitor.store.read { model in
            switch screen {
            case .overview: return model.cluster.failureGroups.count
            case .workers: return Self.workerNames(model).count
            case .tasks: return model.taskIndex.ids.count
            case .queues: return model.queues.count
            case .beat: return model.beatRows.count
            case .events: return 0
            }
        }
    }

    public func beatEntry(at index: Int) -> (node: String, entry: BeatRecord.Entry, editable: Bool)? {
        monitor.store.read { model in
            let rows = model.beatRows
            guard rows.indices.contains(index) else { return nil }
            return (rows[index].beat.hostname, rows[index].entry, rows[index].beat.editable)
        }
    }

    public func lastSentTask(beatRow index: Int) -> String? {
        monitor.store.read { model in
            let rows = model.beatRows
            return rows.indices.contains(index) ? rows[index].entry.lastTaskID : nil
        }
    }

    public func rowID(_ screen: ScreenID, at index: Int) -> String? {
        guard index >= 0 else { return nil }
        return monitor.store.read { model in
            switch screen {
            case .overview:
                let groups = Self.failureGroups(model)
                return index < groups.count ? "\(groups[index].key.exceptionType) \(groups[index].key.taskName)" : nil
            case .workers:
                let names = Self.workerNames(model)
                return index < names.count ? names[index] : nil
            case .tasks:
                return index < model.taskIndex.ids.count ? model.taskIndex.ids[index] : nil
            case .queues:
                let names = model.queues.keys.sorted()
                return index < names.count ? names[index] : nil
            case .beat, .events:
                return nil
            }
        }
    }

    public func filteredTaskIDs() -> [String] {
        monitor.store.read { $0.taskIndex.ids }
    }

    public func retryPlan(for taskID: String) throws(RetryPlanError) -> RetryPlan {
        try monitor.actions.retryPlan(for: taskID)
    }

    public func failureGroup(at index: Int) -> FailureGroup.Key? {
        monitor.store.read { model in
            let groups = Self.failureGroups(model)
            return index >= 0 && index < groups.count ? groups[index].key : nil
        }
    }

    public var eventTotal: Int { monitor.store.read { $0.eventLog.total } }
    public var defaultQueue: String { monitor.configuration.defaultQueue }

    public func workflowIDs(of taskID: String) -> [String] {
        monitor.store.read { WorkflowTree(for: taskID, in: $0).nodes.map(\.id) }
    }

    /// Every worker known from events or from control replies, by name.
    static func workerNames(_ model: MonitorModel) -> [String] {
        Set(model.cluster.workers.keys).union(model.pools.keys).sorted()
    }

    /// Failure groups, most failures first.
    static func failureGroups(_ model: MonitorModel) -> [(key: FailureGroup.Key, value: FailureGroup)] {
        model.cluster.failureGroups.sorted { ($1.value.count, $0.key) < ($0.value.count, $1.key) }
    }
}
