import Celeriac
@testable import CeleriacMonitor
@testable import CeleriacTUI

/// Fixed rows per screen for driving `DashboardController` without a monitor: what the store
/// would answer, chosen by each test.
struct FakeDashboardData: DashboardData {
    var rows: [ScreenID: [String]]
    /// The Overview's rows.
    var failureGroups: [FailureGroup.Key]
    /// What "mark all" marks; the Tasks rows when nil.
    var filtered: [String]?
    var eventTotal: Int
    var defaultQueue: String
    /// The retry plan (or the reason there is none) per task id.
    var plans: (String) -> Result<RetryPlan, RetryPlanError>
    /// Each task's workflow tree, as node ids in drawing order.
    var workflows: [String: [String]] = [:]
    /// The beat runs on a schedule file: its entries cannot be edited from the dashboard.
    var fileStore = false

    init(
        rows: [ScreenID: [String]] = [
            .tasks: ["t1", "t2", "t3", "t4", "t5"],
            .workers: ["w1@host", "w2@host"],
            .queues: ["celery", "hipri"],
        ],
        failureGroups: [FailureGroup.Key] = [FailureGroup.Key(exceptionType: "ValueError", taskName: "fix.fail")],
        filtered: [String]? = nil,
        eventTotal: Int = 500,
        defaultQueue: String = "celery",
        plans: @escaping (String) -> Result<RetryPlan, RetryPlanError> = { FakeDashboardData.planResult($0) }
    ) {
        self.rows = rows
        self.failureGroups = failureGroups
        self.filtered = filtered
        self.eventTotal = eventTotal
        self.defaultQueue = defaultQueue
        self.plans = plans
    }

    func rowCount(_ screen: ScreenID) -> Int {
        screen == .overview ? failureGroups.count : rows[screen]?.count ?? 0
    }

    func rowID(_ screen: ScreenID, at index: Int) -> String? {
        if screen == .overview {
            guard failureGroups.indices.contains(index) else { return nil }
            return "\(failureGroups[index].exceptionType) \(failureGroups[index].taskName)"
        }
        guard let list = rows[screen], list.indices.contains(index) else { return nil }
        return list[index]
    }

    func filteredTaskIDs() -> [String] {
        filtered ?? rows[.tasks] ?? []
    }

    func retryPlan(for taskID: String) throws(RetryPlanError) -> RetryPlan {
        switch plans(taskID) {
        case .success(let plan): return plan
        case .failure(let error): throw error
        }
    }

    func failureGroup(at index: Int) -> FailureGroup.Key? {
        failureGroups.indices.contains(index) ? failureGroups[index] : nil
    }

    /// A plan as the monitor would make it from a task's events; `queue` nil means no
    /// task-sent event was seen, so the plan falls back to the default queue.
    static func plan(_ id: String, name: String = "fix.add", args: String = "(2, 3)", kwargs: String? = nil,
                     queue: String? = "fast") throws(RetryPlanError) -> RetryPlan {
        var record = TaskRecord(id: id, sequence: 1)
        record.name = name
        record.args = args
        record.kwargs = kwargs
        record.queue = queue
        return try RetryPlan(record: record, defaultQueue: "celery")
    }

    static func planResult(_ id: String, queue: String? = "fast") -> Result<RetryPlan, RetryPlanError> {
        do {
            return .success(try plan(id, queue: queue))
        } catch {
            return .failure(error)
        }
    }
}

extension FakeDashboardData {
    func workflowIDs(of taskID: String) -> [String] { workflows[taskID] ?? [taskID] }
    /// Even rows are enabled; the beat keeps its entries in a database (editable) unless `fileStore`.
    func beatEntry(at index: Int) -> (node: String, entry: BeatRecord.Entry, editable: Bool)? {
        rows[.beat].flatMap { rows in
            guard rows.indices.contains(index) else { return nil }
            let entry = BeatRecord.Entry(name: "entry-\(index)", task: "demo.add", schedule: "every 30 s", enabled: index % 2 == 0,
                                         totalRunCount: 0, spec: "every 30 s", args: [2, 3])
            return ("beat.s@host", entry, !fileStore)
        }
    }
    func lastSentTask(beatRow index: Int) -> String? { rows[.beat].flatMap { $0.indices.contains(index) ? $0[index] : nil } }
}
