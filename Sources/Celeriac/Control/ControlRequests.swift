/// Requests with the argument names and shapes Celery's `app.control` and `inspect()` send
/// (`celery/app/control.py`; compare `Tests/Fixtures/celery-amqp/control-request-*.json`).
/// They carry no ticket or reply address: add one with `replying(to:ticket:timeout:now:)`,
/// or send as is for a cast. Workers answer every command except `shutdown`.
extension PidboxRequest {
    // MARK: Inspect commands

    /// `ping` → `{"ok": "pong"}`.
    public static func ping(destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "ping", destination: destination)
    }

    /// `stats` → a `WorkerStats` object.
    public static func stats(destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "stats", destination: destination)
    }

    /// `active` → the tasks being executed; `safe` asks for argument reprs instead of values.
    public static func active(safe: Bool? = nil, destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "active", arguments: ["safe": safe.map(JSONValue.bool) ?? .null],
                      destination: destination)
    }

    /// `reserved` → tasks received but neither active nor scheduled.
    public static func reserved(destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "reserved", destination: destination)
    }

    /// `scheduled` → tasks waiting for their ETA or countdown.
    public static func scheduled(destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "scheduled", destination: destination)
    }

    /// `revoked` → the ids the worker holds as revoked.
    public static func revoked(destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "revoked", destination: destination)
    }

    /// `registered` → task names, with the listed task attributes appended when given.
    public static func registered(taskInfoItems: [String] = [], destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "registered", arguments: ["taskinfoitems": .array(taskInfoItems.map(JSONValue.string))],
                      destination: destination)
    }

    /// `active_queues` → the queues the worker consumes from.
    public static func activeQueues(destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "active_queues", destination: destination)
    }

    /// `conf` → the worker's configuration, defaults included when asked.
    public static func conf(withDefaults: Bool = false, destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "conf", arguments: ["with_defaults": .bool(withDefaults)], destination: destination)
    }

    /// `clock` → `{"clock": n}`.
    public static func clock(destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "clock", destination: destination)
    }

    /// `report` → `{"ok": bug-report text}`.
    public static func report(destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "report", destination: destination)
    }

    /// `query_task` → `{task_id: [state, task info]}` for the ids the worker knows.
    public static func queryTask(ids: [String], destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "query_task", arguments: ["ids": .array(ids.map(JSONValue.string))],
                      destination: destination)
    }

    /// `hello`, the mingle handshake a starting worker broadcasts; others answer with their
    /// revoked ids and clock.
    public static func hello(fromNode: String, revoked: [String] = [], destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "hello",
                      arguments: ["from_node": .string(fromNode), "revoked": .array(revoked.map(JSONValue.string))],
                      destination: destination)
    }

    // MARK: Control commands

    /// `revoke` for one task; `signal` is used only with `terminate`.
    public static func revoke(taskID: String, terminate: Bool = false, signal: String = "SIGTERM",
                              destination: [String]? = nil) -> PidboxRequest {
        revoke(taskIDValue: .string(taskID), terminate: terminate, signal: signal, destination: destination)
    }

    /// `revoke` for several tasks at once (`task_id` as a list, accepted since Celery 3.1).
    public static func revoke(taskIDs: [String], terminate: Bool = false, signal: String = "SIGTERM",
                              destination: [String]? = nil) -> PidboxRequest {
        revoke(taskIDValue: .array(taskIDs.map(JSONValue.string)), terminate: terminate, signal: signal,
               destination: destination)
    }

    private static func revoke(taskIDValue: JSONValue, terminate: Bool, signal: String,
                               destination: [String]?) -> PidboxRequest {
        PidboxRequest(method: "revoke",
                      arguments: ["task_id": taskIDValue, "terminate": .bool(terminate), "signal": .string(signal)],
                      destination: destination)
    }

    /// `rate_limit`, e.g. "10/m"; nil turns the task's rate limit off.
    public static func rateLimit(taskName: String, rateLimit: String?, destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "rate_limit",
                      arguments: ["task_name": .string(taskName), "rate_limit": rateLimit.map(JSONValue.string) ?? .null],
                      destination: destination)
    }

    /// `time_limit` in seconds; nil removes that limit.
    public static func timeLimit(taskName: String, soft: Double? = nil, hard: Double? = nil,
                                 destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "time_limit",
                      arguments: ["task_name": .string(taskName), "soft": seconds(soft), "hard": seconds(hard)],
                      destination: destination)
    }

    /// Whole seconds travel as integers, as a Python caller's `soft=5` does; Celery takes either.
    private static func seconds(_ value: Double?) -> JSONValue {
        guard let value else { return .null }
        if let whole = Int(exactly: value) { return .int(whole) }
        return .double(value)
    }

    /// `pool_grow` by `n` processes (refused by a worker that autoscales).
    public static func poolGrow(n: Int = 1, destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "pool_grow", arguments: ["n": .int(n)], destination: destination)
    }

    /// `pool_shrink` by `n` processes (refused by a worker that autoscales).
    public static func poolShrink(n: Int = 1, destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "pool_shrink", arguments: ["n": .int(n)], destination: destination)
    }

    /// `autoscale` to a new process range.
    public static func autoscale(max: Int, min: Int, destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "autoscale", arguments: ["max": .int(max), "min": .int(min)], destination: destination)
    }

    /// `add_consumer`: start consuming `queue`; a nil exchange or routing key defaults to the
    /// queue's name on the worker. `options` (queue/consumer options) merge into the arguments.
    public static func addConsumer(queue: String, exchange: String? = nil, exchangeType: String = "direct",
                                   routingKey: String? = nil, options: [String: JSONValue] = [:],
                                   destination: [String]? = nil) -> PidboxRequest {
        let arguments: [String: JSONValue] = [
            "queue": .string(queue),
            "exchange": exchange.map(JSONValue.string) ?? .null,
            "exchange_type": .string(exchangeType),
            "routing_key": routingKey.map(JSONValue.string) ?? .null,
        ]
        return PidboxRequest(method: "add_consumer", arguments: arguments.merging(options) { _, option in option },
                             destination: destination)
    }

    /// `cancel_consumer`: stop consuming `queue`.
    public static func cancelConsumer(queue: String, destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "cancel_consumer", arguments: ["queue": .string(queue)], destination: destination)
    }

    /// `enable_events`: turn task events on.
    public static func enableEvents(destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "enable_events", destination: destination)
    }

    /// `disable_events`: turn task events off.
    public static func disableEvents(destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "disable_events", destination: destination)
    }

    /// `shutdown`: the worker exits warm and sends no reply.
    public static func shutdown(destination: [String]? = nil) -> PidboxRequest {
        PidboxRequest(method: "shutdown", destination: destination)
    }
}
