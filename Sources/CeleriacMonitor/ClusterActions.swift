import Celeriac
import Foundation

/// Every action the dashboard offers, as remote-control broadcasts (or broker operations) that
/// return a report per node. Task ids and node names need not be known to the monitor.
public struct ClusterActions: Sendable {
    let store: MonitorStore
    let link: ClusterLink
    let defaultQueue: String
    /// A stored result backend (db+sqlite://, redis://) is configured: with result_extended it
    /// holds each task's exact arguments, which a retry prefers to the events' reprs.
    let hasStoredResults: Bool
    /// How long to collect replies, as `celery control --timeout` (1 s by default).
    public var replyTimeout: Double = 1.0

    init(store: MonitorStore, link: ClusterLink, defaultQueue: String, hasStoredResults: Bool = false) {
        self.store = store
        self.link = link
        self.defaultQueue = defaultQueue
        self.hasStoredResults = hasStoredResults
    }

    public func revoke(_ ids: [String], terminate: Bool = false, signal: String = "SIGTERM") async -> ActionReport {
        let verb = terminate ? "terminate (\(signal))" : "revoke"
        return await broadcast("\(verb) \(Self.list(ids))", .revoke(taskIDs: ids, terminate: terminate, signal: signal))
    }

    public func grow(_ node: String, by n: Int = 1) async -> ActionReport {
        await broadcast("grow \(node) by \(n)", .poolGrow(n: n, destination: [node]))
    }

    public func shrink(_ node: String, by n: Int = 1) async -> ActionReport {
        await broadcast("shrink \(node) by \(n)", .poolShrink(n: n, destination: [node]))
    }

    public func autoscale(_ node: String, max: Int, min: Int) async -> ActionReport {
        await broadcast("autoscale \(node) \(max),\(min)", .autoscale(max: max, min: min, destination: [node]))
    }

    public func addConsumer(_ node: String, queue: String) async -> ActionReport {
        await broadcast("consume \(queue) on \(node)", .addConsumer(queue: queue, destination: [node]))
    }

    public func cancelConsumer(_ node: String, queue: String) async -> ActionReport {
        await broadcast("cancel \(queue) on \(node)", .cancelConsumer(queue: queue, destination: [node]))
    }

    public func rateLimit(_ task: String, rate: String, node: String? = nil) async -> ActionReport {
        let limit = rate == "0" || rate.lowercased() == "none" ? nil : rate
        return await broadcast("rate limit \(task) \(rate)", .rateLimit(taskName: task, rateLimit: limit,
                                                                         destination: node.map { [$0] }))
    }

    public func enableEvents() async -> ActionReport {
        await broadcast("enable events", .enableEvents())
    }

    /// Shutdown has no reply in Celery: the worker going offline is the answer.
    public func shutdown(_ node: String) async -> ActionReport {
        do {
            try await link.run { try await $0.control().cast(.shutdown(destination: [node])) }
            return ActionReport(action: "shutdown \(node)", note: "sent; \(node) goes offline when its running tasks end")
        } catch {
            return failed("shutdown \(node)", error)
        }
    }

    public func purge(_ queue: String) async -> ActionReport {
        do {
            let removed = try await link.run { try await $0.purge(queues: [queue]) }
            return ActionReport(action: "purge \(queue)", note: "removed \(removed[queue] ?? 0) ready messages")
        } catch {
            return failed("purge \(queue)", error)
        }
    }

    /// The retry plan for a task the monitor knows, or why there is none.
    public func retryPlan(for id: String) throws(RetryPlanError) -> RetryPlan {
        guard let record = store.read({ $0.cluster.tasks[id] }) else { throw .unknownTask(taskID: id) }
        return try RetryPlan(record: record, defaultQueue: defaultQueue, backendMayHaveArguments: hasStoredResults)
    }

    /// Sends the task again as `plan` says; `queue` overrides the plan's queue. The arguments
    /// come from the result backend when it stored them (result_extended), else from the
    /// events' reprs; the report says which.
    public func retry(_ plan: RetryPlan, queue: String? = nil) async -> ActionReport {
        let action = "retry \(plan.name)[\(plan.taskID)]"
        var (args, kwargs, source) = (plan.args, plan.kwargs, "the events' argument reprs")
        if hasStoredResults, let stored = await storedArguments(plan.taskID) {
            (args, kwargs, source) = (stored.args, stored.kwargs, "the result backend")
        } else if let problem = plan.argumentsProblem {
            return ActionReport(action: action, refusedBy: ["dashboard"],
                                note: "\(problem.description); nor has the result backend stored them (set result_extended on the workers)")
        }
        do {
            let options = plan.sendOptions(queue: queue)
            let result = try await link.run { [args, kwargs] in
                try await $0.send(plan.name, args: args, kwargs: kwargs, options: options, expectResult: false)
            }
            return ActionReport(action: action, note: "sent as \(result.id) to \(queue ?? plan.queue), arguments from \(source)")
        } catch {
            return failed(action, error)
        }
    }

    /// The exact args and kwargs a stored backend kept for the task (result_extended).
    private func storedArguments(_ taskID: String) async -> (args: [JSONValue], kwargs: [String: JSONValue])? {
        let meta = try? await link.run { app -> ResultMeta? in
            guard let backend = try await app.resultBackend(), backend.isPersistent else { return nil }
            return try await backend.meta(for: taskID)
        }
        guard let meta = meta ?? nil, meta.args != nil || meta.kwargs != nil else { return nil }
        return (meta.args ?? [], meta.kwargs ?? [:])
    }

    func broadcast(_ action: String, _ request: PidboxRequest) async -> ActionReport {
        let now = Date().timeIntervalSince1970
        let expected = request.destination ?? store.read { $0.cluster.aliveWorkers(at: now).map(\.hostname) }
        let timeout = replyTimeout
        do {
            let replies = try await link.run {
                try await $0.control().broadcast(request, timeout: timeout, limit: request.destination?.count)
            }
            return ActionReport(action: action, replies: replies, expected: expected)
        } catch {
            return failed(action, error)
        }
    }

    private func failed(_ action: String, _ error: any Error) -> ActionReport {
        ActionReport(action: action, refusedBy: ["broker"], note: "failed: \(EventFeed.describe(error))")
    }

    static func list(_ ids: [String]) -> String {
        ids.count <= 2 ? ids.joined(separator: " ") : "\(ids[0]) and \(ids.count - 1) more"
    }
}
