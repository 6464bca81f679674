import Foundation

/// A Celery application: its configuration, and the broker and result backend it talks to.
/// Send tasks with `send`, read results with `result(id)`. Connections open on first use.
///
///     let app = App(configuration)
///     let result = try await app.send("fix.add", args: [2, 3])
///     let sum = try await result.get(Int.self, timeout: 10)
public final class App: Sendable {
    public let configuration: CeleriacConfiguration
    /// The tasks this app defines; a worker runs these.
    public let tasks = TaskRegistry()
    /// Hooks for Celery's signals: worker ready and shutting down, process init, task
    /// prerun, postrun, success, failure, retry and revoked.
    public let signals = AppSignals()
    let connections: AppConnections
    /// The reply_to frozen into signatures when results do not come by rpc:// (Celery's
    /// `app.thread_oid`): unique to this app.
    let canvasReplyTo = UUID().uuidString.lowercased()

    public init(_ configuration: CeleriacConfiguration = CeleriacConfiguration()) {
        self.configuration = configuration
        self.connections = AppConnections(configuration: configuration)
    }

    /// Registers a task so this app's workers can run it; returns it for sending.
    @discardableResult
    public func register<Arguments, Output>(_ task: TaskDefinition<Arguments, Output>) throws
        -> TaskDefinition<Arguments, Output>
    {
        try tasks.register(task)
        return task
    }

    /// Sends a task by name (Celery's `send_task` / `apply_async`). With an rpc:// backend,
    /// `expectResult: false` leaves out reply_to, so no reply queue is declared or orphaned.
    @discardableResult
    public func send(_ name: String, args: [JSONValue] = [], kwargs: [String: JSONValue] = [:],
                     options: TaskSendOptions = TaskSendOptions(), expectResult: Bool = true) async throws
        -> AsyncResult
    {
        let backend = try await connections.resultBackend()
        var replyTo: String? = nil
        if expectResult, !options.ignoreResult, let rpc = backend as? RPCResultBackend {
            try await rpc.start()
            replyTo = rpc.replyQueue
        }
        let message = try await publish(name, args: args, kwargs: kwargs, options: options, replyTo: replyTo)
        return AsyncResult(id: message.id, backend: backend, app: self)
    }

    /// Routes, declares what the route needs, publishes with confirm, and announces task-sent
    /// when configured.
    func publish(_ name: String, routeName: String? = nil, args: [JSONValue], kwargs: [String: JSONValue],
                 options: TaskSendOptions, replyTo: String?) async throws -> TaskMessage {
        let route = TaskRouting.resolve(routeName ?? name, options: options, configuration: configuration)
        let transport = try await connections.transport()
        try await connections.prepare(route, on: transport)
        var options = options
        options.priority = route.priority
        let message = TaskMessage.build(name: name, args: args, kwargs: kwargs, options: options, replyTo: replyTo,
                                        defaultPriority: configuration.defaultPriority)
        // Stamped before the publish, not after its confirm as Celery stamps it: a worker may
        // start the task within that confirm's round trip, and sent must not come after started.
        let sentAt = Date()
        var (exchange, routingKey) = (route.exchange, route.routingKey)
        if let delay = NativeDelayedDelivery.delay(of: message, route: route, configuration: configuration, now: sentAt) {
            try await connections.prepareDelayedDelivery(route, bindingKey: delay.bindingKey, on: transport)
            exchange = NativeDelayedDelivery.entryExchange
            routingKey = NativeDelayedDelivery.routingKey(countdown: delay.seconds, routingKey: delay.bindingKey)
        }
        try await publishRetrying(message.brokerMessage(exchange: exchange, routingKey: routingKey), on: transport)
        if configuration.sendSentEvent {
            try await connections.publishSentEvent(for: message, route: route, sentAt: sentAt)
        }
        return message
    }

    /// A handle on a task's result by id; unknown ids are PENDING, as in Celery.
    public func result(_ id: String) async throws -> AsyncResult {
        AsyncResult(id: id, backend: try await connections.resultBackend(), app: self)
    }

    /// Empties queues (Celery's `purge`); returns the messages removed per queue.
    public func purge(queues: [String]) async throws -> [String: Int] {
        let transport = try await connections.transport()
        var removed: [String: Int] = [:]
        for queue in queues {
            removed[queue] = try await transport.purge(queue: queue)
        }
        return removed
    }

    /// The broker connection, for parts (events, control, workers) that need more than sending.
    public func transport() async throws -> any BrokerTransport {
        try await connections.transport()
    }

    /// A second broker connection, for a consumer's own messages out (a worker's events,
    /// results, retries and control replies). During a memory or disk alarm RabbitMQ stops reading from any
    /// connection that publishes; a consumer on that connection could then not even ack,
    /// and the queues that would free the memory stop draining. RabbitMQ advises a
    /// connection for each, and Celery's worker publishes on its own as well.
    public func publishingTransport() async throws -> any BrokerTransport {
        try await connections.publishingTransport()
    }

    public func resultBackend() async throws -> (any ResultBackend)? {
        try await connections.resultBackend()
    }

    public func close() async {
        await connections.close()
    }
}

extension App {
    /// A remote-control client on this app's broker connection.
    public func control() async throws -> ControlClient {
        try await connections.control()
    }

    /// Revokes a task on every worker (Celery's `revoke`); with `terminate`, a running task
    /// is killed where the pool can (prefork). Returns the workers' replies.
    @discardableResult
    public func revoke(_ taskID: String, terminate: Bool = false, signal: String = "SIGTERM",
                       timeout: Double = 1.0) async throws -> [PidboxReply] {
        try await control().broadcast(.revoke(taskID: taskID, terminate: terminate, signal: signal), timeout: timeout)
    }
}
