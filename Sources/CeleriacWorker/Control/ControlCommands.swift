import AMQPClient
import Celeriac
import Foundation

/// What the worker answers to each remote-control method, in the shapes Celery's worker
/// replies with (see the captured replies in Tests/Fixtures). A method the worker cannot do
/// yet says so in an `error` reply rather than pretending.
struct ControlCommands: Sendable {
    let app: App
    let state: WorkerState
    let slots: TaskSlots
    let consumers: QueueConsumers
    let limits: TaskLimits
    let pool: any ExecutionPool
    let hostname: String
    let prefetch: Int
    /// Prefork's `--max-tasks-per-child`, for `stats`.
    let maxTasksPerChild: Int?
    /// Present under `--autoscale`.
    let autoscaler: Autoscaler?
    let startedAt: Date
    /// Asks the worker for a warm shutdown.
    let shutdown: @Sendable () -> Void
    /// The worker's one clock, which its events carry too.
    let clock: LamportClock
    /// Sends a worker-heartbeat event now (the `heartbeat` command).
    let heartbeat: @Sendable () async -> Void

    init(app: App, state: WorkerState, slots: TaskSlots, consumers: QueueConsumers, limits: TaskLimits,
         pool: any ExecutionPool, hostname: String, prefetch: Int, maxTasksPerChild: Int?, autoscaler: Autoscaler?,
         clock: LamportClock,
         heartbeat: @escaping @Sendable () async -> Void, shutdown: @escaping @Sendable () -> Void) {
        self.app = app
        self.state = state
        self.slots = slots
        self.consumers = consumers
        self.limits = limits
        self.pool = pool
        self.hostname = hostname
        self.prefetch = prefetch
        self.maxTasksPerChild = maxTasksPerChild
        self.autoscaler = autoscaler
        self.heartbeat = heartbeat
        self.startedAt = Date()
        self.clock = clock
        self.shutdown = shutdown
    }

    /// The clock's next value, for a reply.
    func tick() -> Int { clock.tick() }

    func run(_ method: String, arguments: [String: JSONValue]) async -> JSONValue {
        switch method {
        case "ping": return ["ok": "pong"]
        case "stats": return await stats()
        case "active": return .array(state.infos(.active))
        case "reserved": return .array(state.infos(.reserved))
        case "scheduled": return .array(state.scheduledEntries())
        case "revoked": return .array(state.revokedIDs.map(JSONValue.string))
        case "registered": return .array(app.tasks.names.map(JSONValue.string))
        case "active_queues": return .array(consumers.queues.map(queueInfo))
        case "conf": return configuration()
        case "clock": return ["clock": .int(tick())]
        case "hello": return ["revoked": .array(state.revokedIDs.map(JSONValue.string)), "clock": .int(tick())]
        case "report": return ["ok": .string(report())]
        case "query_task":
            let ids = Self.ids(arguments["ids"] ?? arguments["task_id"])
            return .object(state.query(ids))
        case "revoke": return revoke(arguments)
        case "enable_events":
            if state.eventsEnabled { return ["ok": "task events already enabled"] }
            state.eventsEnabled = true
            return ["ok": "task events enabled"]
        case "disable_events":
            if !state.eventsEnabled { return ["ok": "task events already disabled"] }
            state.eventsEnabled = false
            return ["ok": "task events disabled"]
        case "pool_grow", "pool_shrink":
            guard pool.kind != .solo else { return ["error": "the solo pool runs one task at a time"] }
            let count = max(1, arguments["n"]?.intValue ?? 1)
            if let autoscaler {
                if method == "pool_grow" { await autoscaler.forceGrow(by: count) } else { await autoscaler.forceShrink(by: count) }
            } else {
                slots.resize(by: method == "pool_grow" ? count : -count)
                pool.resize(to: slots.capacity)
            }
            return ["ok": .string(method == "pool_grow" ? "pool will grow" : "pool will shrink")]
        case "shutdown":
            shutdown()
            return ["ok": "shutting down"]
        case "autoscale":
            guard let autoscaler else { return ["error": "ValueError('Autoscale not enabled')"] }
            let range = await autoscaler.update(max: arguments["max"]?.intValue, min: arguments["min"]?.intValue)
            return ["ok": .string("autoscale now max=\(range.max) min=\(range.min)")]
        case "add_consumer":
            guard let queue = arguments["queue"]?.stringValue, !queue.isEmpty else { return ["error": "add_consumer needs a queue"] }
            if consumers.queues.contains(queue) { return ["ok": .string("already consuming from \(queue)")] }
            do {
                try await consumers.add(queue)
                return ["ok": .string("add consumer \(queue)")]
            } catch {
                return ["error": .string("cannot consume \(queue): \(error)")]
            }
        case "cancel_consumer":
            guard let queue = arguments["queue"]?.stringValue, !queue.isEmpty else { return ["error": "cancel_consumer needs a queue"] }
            consumers.cancel(queue)
            return ["ok": .string("no longer consuming from \(queue)")]
        case "rate_limit":
            guard let name = arguments["task_name"]?.stringValue, app.tasks[name] != nil else {
                return ["error": .string("unknown task \(arguments["task_name"]?.pythonRepr ?? "None")")]
            }
            let text = arguments["rate_limit"].map { $0.stringValue ?? $0.pythonRepr } ?? "0"
            guard let rate = RateLimit(text == "None" ? "0" : text) else {
                return ["error": .string("invalid rate limit string: \(text)")]
            }
            limits.setRate(rate, for: name)
            return ["ok": .string(rate.isUnlimited ? "rate limit disabled successfully" : "new rate limit set successfully")]
        case "time_limit":
            guard let name = arguments["task_name"]?.stringValue, app.tasks[name] != nil else {
                return ["error": .string("unknown task \(arguments["task_name"]?.pythonRepr ?? "None")")]
            }
            limits.setTimeLimits(soft: arguments["soft"]?.doubleValue, hard: arguments["hard"]?.doubleValue, for: name)
            return ["ok": "time limits set successfully"]
        case "terminate":
            var revokeArguments = arguments
            revokeArguments["terminate"] = true
            return revoke(revokeArguments)
        case "heartbeat":
            await heartbeat()
            return .null
        default: return ["error": .string("No such command: \(method)")]
        }
    }

    /// `revoke(task_id, terminate, signal)`: the ids are refused from now on; with terminate,
    /// those running are stopped — a prefork child by the signal (SIGTERM unless named), other
    /// pools' tasks by cancellation — and the reply says which.
    private func revoke(_ arguments: [String: JSONValue]) -> JSONValue {
        let ids = Self.ids(arguments["task_id"])
        guard !ids.isEmpty else { return ["error": "revoke needs a task_id"] }
        state.revoke(ids)
        guard arguments["terminate"]?.boolValue == true else {
            return ["ok": .string("tasks \(ids.joined(separator: ", ")) flagged as revoked")]
        }
        let signalText = arguments["signal"].flatMap { $0.stringValue ?? $0.intValue.map(String.init) } ?? "SIGTERM"
        guard let signal = PoolErrors.signalNumber(signalText) else {
            return ["error": .string("terminate: unknown signal \(signalText); use a name such as SIGTERM or SIGKILL, or a number")]
        }
        let terminated = ids.compactMap { id in pool.terminate(id, signal: signal).map { "\(id) (\($0))" } }
        if terminated.isEmpty { return ["ok": "terminate: tasks unknown"] }
        return ["ok": .string("terminate: \(terminated.joined(separator: ", "))")]
    }

    /// One id or a list of them.
    static func ids(_ value: JSONValue?) -> [String] {
        if let id = value?.stringValue { return [id] }
        return value?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    private func stats() async -> JSONValue {
        let concurrency = slots.capacity
        let pid = Int(ProcessInfo.processInfo.processIdentifier)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        let broker = URLComponents(string: app.configuration.brokerURL)
        var reply: JSONValue = [
            "pid": .int(pid), "clock": .string(String(tick())),
            "uptime": .int(Int(Date().timeIntervalSince(startedAt))),
            "pool": [
                "implementation": .string("celeriac.concurrency.\(pool.kind.rawValue):TaskPool"),
                "max-concurrency": .int(concurrency), "processes": .array(pool.processIDs.map(JSONValue.int)),
                "max-tasks-per-child": maxTasksPerChild.map(JSONValue.int) ?? "N/A", "put-guarded-by-semaphore": false,
                "timeouts": [.double(app.configuration.taskDefaults.softTimeLimit ?? 0),
                             .double(app.configuration.taskDefaults.timeLimit ?? 0)],
            ],
            "prefetch_count": .int(prefetch),
            "total": .object(state.totals.mapValues(JSONValue.int)),
            "rusage": [
                "utime": .double(seconds(usage.ru_utime)), "stime": .double(seconds(usage.ru_stime)),
                "maxrss": .int(Int(usage.ru_maxrss)), "minflt": .int(Int(usage.ru_minflt)),
                "majflt": .int(Int(usage.ru_majflt)), "nvcsw": .int(Int(usage.ru_nvcsw)),
                "nivcsw": .int(Int(usage.ru_nivcsw)),
            ],
            "broker": [
                "hostname": .string(broker?.host ?? ""), "port": .int(broker?.port ?? 5672), "transport": "amqp",
                "userid": .string(broker?.user ?? "guest"),
                "virtual_host": .string(broker.map { $0.path.isEmpty || $0.path == "/" ? "/" : String($0.path.dropFirst()) } ?? "/"),
            ],
        ]
        if let autoscaler, case .object(var object) = reply {
            object["autoscaler"] = await autoscaler.info()
            reply = .object(object)
        }
        return reply
    }

    /// A consumed queue as Celery's `active_queues` describes it (kombu's `Queue.as_dict`):
    /// the default queue on the default exchange, a queue made on the fly (`-Q name`,
    /// add_consumer) on an exchange of its own name.
    private func queueInfo(_ name: String) -> JSONValue {
        let configuration = app.configuration
        let maxPriority = configuration.queueMaxPriority
        let exchange = configuration.taskExchange(for: name)
        let arguments = configuration.taskQueueShape(for: name).arguments
        let routingKey = configuration.taskRoutingKey(for: name)
        return [
            "name": .string(name), "routing_key": .string(routingKey), "durable": true, "exclusive": false,
            "auto_delete": false, "no_ack": false, "alias": .null, "bindings": [], "binding_arguments": .null,
            "consumer_arguments": .null, "expires": .null, "message_ttl": .null, "max_length": .null,
            "max_length_bytes": .null, "max_priority": maxPriority.map(JSONValue.int) ?? .null, "no_declare": .null,
            "queue_arguments": arguments.isEmpty ? .null : .object(arguments),
            "exchange": [
                "name": .string(exchange.name), "type": .string(exchange.type),
                "durable": true, "auto_delete": false, "arguments": .null, "delivery_mode": .null,
                "no_declare": false, "passive": false,
            ],
        ]
    }

    private func configuration() -> JSONValue {
        let configuration = app.configuration
        return [
            "broker_url": .string(Self.masked(configuration.brokerURL)),
            "result_backend": configuration.resultBackend.map { .string(Self.masked($0)) } ?? .null,
            "task_default_queue": .string(configuration.defaultQueue),
            "task_acks_late": .bool(configuration.acksLate),
            "worker_prefetch_multiplier": .int(configuration.prefetchMultiplier),
            "worker_send_task_events": .bool(state.eventsEnabled),
            "result_extended": .bool(configuration.resultExtended),
        ]
    }

    private func report() -> String {
        "\nsoftware -> celeriac:\(celeriacVersion) swift\nplatform -> \(ProcessInfo.processInfo.operatingSystemVersionString)\nsettings -> transport:amqp results:\(app.configuration.resultBackend ?? "disabled")\n"
    }

    /// A URL with its password starred out, as Celery shows settings.
    static func masked(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.password != nil else { return url }
        parts.password = "********"
        return parts.string ?? url
    }
}
