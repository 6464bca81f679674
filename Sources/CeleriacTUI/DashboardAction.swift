import Celeriac
import CeleriacMonitor

/// Something the dashboard does to the cluster — always confirmed first.
public enum DashboardAction: Sendable, Hashable {
    case revoke([String])
    case terminate([String], signal: String)
    /// Re-send each task; `queue` overrides each plan's own queue when set.
    case retry([RetryPlan], queue: String?)
    case grow(String, by: Int)
    case shrink(String, by: Int)
    case autoscale(String, max: Int, min: Int)
    case addConsumer(String, queue: String)
    case cancelConsumer(String, queue: String)
    case rateLimit(task: String, rate: String, node: String?)
    case shutdown(String)
    case purge(String)
    /// On one beat's entry: enable, disable or run it now.
    case beat(ClusterActions.BeatCommand, entry: String, node: String)
    /// A beat entry's new schedule (as a spec), args and kwargs.
    case editBeatEntry(String, node: String, schedule: String, args: [JSONValue], kwargs: [String: JSONValue])

    /// The question the confirmation asks.
    public var question: String {
        switch self {
        case .revoke(let ids): return "Revoke \(Self.describe(ids))?"
        case .terminate(let ids, let signal): return "Terminate \(Self.describe(ids)) with \(signal)?"
        case .retry(let plans, let queue):
            if plans.count == 1, let plan = plans.first {
                let route = plan.routingKnown ? "" : " (routing unknown: default queue)"
                return "Retry \(plan.name)\(plan.args.isEmpty ? "" : " with its args") to queue '\(queue ?? plan.queue)'\(route)?"
            }
            return "Retry \(plans.count) tasks\(queue.map { " to queue '\($0)'" } ?? " to their own queues")?"
        case .grow(let node, let n): return "Grow the pool of \(node) by \(n)?"
        case .shrink(let node, let n): return "Shrink the pool of \(node) by \(n)?"
        case .autoscale(let node, let max, let min): return "Autoscale \(node) between \(min) and \(max)?"
        case .addConsumer(let node, let queue): return "Make \(node) consume from '\(queue)'?"
        case .cancelConsumer(let node, let queue): return "Make \(node) stop consuming from '\(queue)'?"
        case .rateLimit(let task, let rate, let node): return "Rate-limit \(task) to \(rate)\(node.map { " on \($0)" } ?? " on all workers")?"
        case .shutdown(let node): return "Shut down \(node)?"
        case .purge(let queue): return "Purge every ready message from '\(queue)'? This cannot be undone."
        case .beat(let command, let entry, let node):
            switch command {
            case .enable: return "Enable \(entry) on \(node)?"
            case .disable: return "Disable \(entry) on \(node)? It stays disabled across the beat's restarts."
            case .runNow: return "Send \(entry) now, outside its schedule?"
            }
        case .editBeatEntry(let entry, let node, let schedule, let args, let kwargs):
            let keywords = kwargs.isEmpty ? "" : " \(JSONValue.object(kwargs).serialized)"
            return "Save \(entry) on \(node): \(schedule), args \(JSONValue.array(args).serialized)\(keywords)?"
        }
    }

    /// Carries the action out and reports what each node said.
    public func perform(_ actions: ClusterActions) async -> [ActionReport] {
        switch self {
        case .revoke(let ids): return [await actions.revoke(ids)]
        case .terminate(let ids, let signal): return [await actions.revoke(ids, terminate: true, signal: signal)]
        case .retry(let plans, let queue):
            var reports: [ActionReport] = []
            for plan in plans { reports.append(await actions.retry(plan, queue: queue)) }
            return reports
        case .grow(let node, let n): return [await actions.grow(node, by: n)]
        case .shrink(let node, let n): return [await actions.shrink(node, by: n)]
        case .autoscale(let node, let max, let min): return [await actions.autoscale(node, max: max, min: min)]
        case .addConsumer(let node, let queue): return [await actions.addConsumer(node, queue: queue)]
        case .cancelConsumer(let node, let queue): return [await actions.cancelConsumer(node, queue: queue)]
        case .rateLimit(let task, let rate, let node): return [await actions.rateLimit(task, rate: rate, node: node)]
        case .shutdown(let node): return [await actions.shutdown(node)]
        case .purge(let queue): return [await actions.purge(queue)]
        case .beat(let command, let entry, let node): return [await actions.beat(command, entry: entry, node: node)]
        case .editBeatEntry(let entry, let node, let schedule, let args, let kwargs):
            return [await actions.editBeatEntry(entry, node: node, schedule: schedule, args: args, kwargs: kwargs)]
        }
    }

    static func describe(_ ids: [String]) -> String {
        ids.count == 1 ? "task \(ids[0])" : "\(ids.count) tasks"
    }
}
