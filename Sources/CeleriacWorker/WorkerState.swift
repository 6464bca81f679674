import Celeriac
import Foundation

/// What the worker holds and has done, for remote control to report and act on: the tasks
/// waiting for a slot, running, or held for their ETA; totals per task name; the revoked ids
/// (bounded, oldest forgotten first, as Celery's `LimitedSet`).
final class WorkerState: Sendable {
    struct Held: Sendable {
        var message: TaskMessage
        var delivery: DeliveryInfo
        var acknowledged = false
        var startedAt: Double?
        /// The process running it: a prefork child, or this worker.
        var workerPID: Int?
    }

    private struct State {
        var reserved: [String: Held] = [:]
        var active: [String: Held] = [:]
        var scheduled: [String: Held] = [:]
        var totals: [String: Int] = [:]
        var revoked: [String] = []
        var revokedSet: Set<String> = []
        var eventsEnabled: Bool
        var coldShutdown = false
    }

    static let revokedLimit = 50_000
    private let state: AdaptiveLockedValueBox<State>
    let hostname: String
    /// Told every revoked id after each revoke (for `--statedb`).
    var onRevoke: (@Sendable ([String]) -> Void)? {
        get { revokeListener.withLockedValue { $0 } }
        set { revokeListener.withLockedValue { $0 = newValue } }
    }
    private let revokeListener = AdaptiveLockedValueBox<(@Sendable ([String]) -> Void)?>(nil)

    init(hostname: String, eventsEnabled: Bool) {
        self.hostname = hostname
        state = AdaptiveLockedValueBox(State(eventsEnabled: eventsEnabled))
    }

    /// Set by a cold shutdown: tasks that end now are not recorded or acknowledged.
    var coldShutdown: Bool {
        get { state.withLockedValue { $0.coldShutdown } }
        set { state.withLockedValue { $0.coldShutdown = newValue } }
    }

    var eventsEnabled: Bool {
        get { state.withLockedValue { $0.eventsEnabled } }
        set { state.withLockedValue { $0.eventsEnabled = newValue } }
    }

    func reserve(_ message: TaskMessage, delivery: DeliveryInfo, scheduled: Bool) {
        state.withLockedValue { state in
            let held = Held(message: message, delivery: delivery)
            if scheduled { state.scheduled[message.id] = held } else { state.reserved[message.id] = held }
        }
    }

    /// Moves a task from reserved (or scheduled) to active.
    func start(_ id: String, acknowledged: Bool) {
        state.withLockedValue { state in
            guard var held = state.reserved.removeValue(forKey: id) ?? state.scheduled.removeValue(forKey: id) else { return }
            held.acknowledged = acknowledged
            held.startedAt = Date().timeIntervalSince1970
            state.active[id] = held
        }
    }

    func setWorkerPID(_ pid: Int, for id: String) {
        state.withLockedValue { $0.active[id]?.workerPID = pid }
    }

    /// A task no longer held: finished, refused or revoked; `ran` counts it in the totals.
    func finish(_ id: String, name: String, ran: Bool) {
        state.withLockedValue { state in
            // In one place at most: look further only when it is not in the likeliest.
            if state.active.removeValue(forKey: id) == nil, state.reserved.removeValue(forKey: id) == nil {
                state.scheduled[id] = nil
            }
            if ran { state.totals[name, default: 0] += 1 }
        }
    }

    /// Revokes ids; returns those newly revoked.
    @discardableResult
    func revoke(_ ids: [String]) -> [String] {
        let (new, all) = state.withLockedValue { state in
            let new = ids.filter { state.revokedSet.insert($0).inserted }
            state.revoked += new
            if state.revoked.count > Self.revokedLimit {
                let dropped = state.revoked.prefix(state.revoked.count - Self.revokedLimit)
                dropped.forEach { state.revokedSet.remove($0) }
                state.revoked.removeFirst(dropped.count)
            }
            return (new, state.revoked)
        }
        if !new.isEmpty { onRevoke?(all) }
        return new
    }

    func isRevoked(_ id: String) -> Bool {
        state.withLockedValue { !$0.revokedSet.isEmpty && $0.revokedSet.contains(id) }
    }

    var revokedIDs: [String] { state.withLockedValue { $0.revoked } }
    var totals: [String: Int] { state.withLockedValue { $0.totals } }
    var activeCount: Int { state.withLockedValue { $0.active.count } }
    /// Tasks received and not finished, ETA ones aside: the autoscaler's measure of load.
    var heldCount: Int { state.withLockedValue { $0.active.count + $0.reserved.count } }
    /// Tasks run to an end so far: the totals' sum.
    var processedCount: Int { state.withLockedValue { $0.totals.values.reduce(0, +) } }

    /// `Request.info()` of each task held in the given place, as Celery's replies list them.
    func infos(_ place: Place) -> [JSONValue] {
        state.withLockedValue { state in
            let held: [String: Held] = switch place {
            case .active: state.active
            case .reserved: state.reserved
            case .scheduled: state.scheduled
            }
            return held.values.sorted { $0.message.id < $1.message.id }.map { info($0) }
        }
    }

    enum Place { case active, reserved, scheduled }

    /// The `scheduled` reply: each ETA task with when it is due.
    func scheduledEntries() -> [JSONValue] {
        state.withLockedValue { state in
            state.scheduled.values.sorted { $0.message.id < $1.message.id }.map { held in
                ["eta": held.message.headers["eta"] ?? .null, "priority": 6, "request": info(held)]
            }
        }
    }

    /// Where each id is held and its info, for `query_task`.
    func query(_ ids: [String]) -> [String: JSONValue] {
        state.withLockedValue { state in
            var found: [String: JSONValue] = [:]
            for id in ids {
                if let held = state.active[id] {
                    found[id] = .array(["active", info(held)])
                } else if let held = state.reserved[id] {
                    found[id] = .array(["reserved", info(held)])
                } else if let held = state.scheduled[id] {
                    found[id] = .array(["scheduled", info(held)])
                }
            }
            return found
        }
    }

    private func info(_ held: Held) -> JSONValue {
        let message = held.message
        return .object([
            "id": .string(message.id), "name": .string(message.taskName), "type": .string(message.taskName),
            "args": .array(message.args), "kwargs": .object(message.kwargs), "hostname": .string(hostname),
            "time_start": held.startedAt.map(JSONValue.double) ?? .null, "acknowledged": .bool(held.acknowledged),
            "delivery_info": .object([
                "exchange": .string(held.delivery.exchange ?? ""), "routing_key": .string(held.delivery.routingKey ?? ""),
                "priority": held.delivery.priority.map(JSONValue.int) ?? .null,
                "redelivered": .bool(held.delivery.redelivered ?? false),
            ]),
            "worker_pid": held.workerPID.map(JSONValue.int) ?? .null,
        ])
    }
}
