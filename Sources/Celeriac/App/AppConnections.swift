import Foundation

/// The app's live connections, opened on first use and shared by every call.
actor AppConnections {
    let configuration: CeleriacConfiguration
    private let connection = SharedAttempt<any BrokerTransport>()
    private let publishingConnection = SharedAttempt<any BrokerTransport>()
    private let backend = SharedAttempt<(any ResultBackend)?>()
    private let controlClient = SharedAttempt<ControlClient>()
    private var preparedQueues: [String: SharedAttempt<Void>] = [:]
    /// The delayed-delivery levels (under their entry exchange's name) and each queue's bindings.
    private var preparedDelays: [String: SharedAttempt<Void>] = [:]
    private let sentEvents = SharedAttempt<EventPublisher>()

    init(configuration: CeleriacConfiguration) {
        self.configuration = configuration
    }

    func transport() async throws -> any BrokerTransport {
        try await open(connection)
    }

    func publishingTransport() async throws -> any BrokerTransport {
        try await open(publishingConnection)
    }

    private func open(_ shared: SharedAttempt<any BrokerTransport>) async throws -> any BrokerTransport {
        let configuration = configuration
        return try await shared.value { try await AMQPTransport(configuration) }
    }

    /// The configured backend; nil when none is set.
    func resultBackend() async throws -> (any ResultBackend)? {
        let configuration = configuration
        return try await backend.value {
            try await ResultBackends.make(configuration: configuration, transport: { try await self.transport() })
        }
    }

    func control() async throws -> ControlClient {
        try await controlClient.value { ControlClient(transport: try await self.transport()) }
    }

    /// Declares the target queue once per app, as Celery's producer does, so a task sent
    /// before any worker started waits in its queue instead of vanishing. Concurrent sends
    /// to a new queue wait for the one declaration.
    func prepare(_ route: TaskRouting, on transport: any BrokerTransport) async throws {
        guard let queue = route.queue else { return }
        let preparation = preparedQueues[queue] ?? SharedAttempt()
        preparedQueues[queue] = preparation
        let shape = configuration.taskQueueShape(for: queue)
        try await preparation.value {
            try await transport.ensureTaskQueue(queue, shape: shape)
            if !route.exchange.isEmpty {
                try await transport.declare(ExchangeDeclaration(name: route.exchange))
                try await transport.bind(queue: queue, exchange: route.exchange, routingKey: route.routingKey)
            }
        }
    }

    /// The delayed-delivery levels and the bindings that bring a delayed task to its queue,
    /// once per app and queue: Celery leaves them to the worker, but a task sent before any
    /// worker started would then be lost when its delay ran out.
    func prepareDelayedDelivery(_ route: TaskRouting, bindingKey: String, on transport: any BrokerTransport) async throws {
        guard let queue = route.queue, let setup = NativeDelayedDelivery.Setup(configuration: configuration) else { return }
        let levels = preparedDelays[NativeDelayedDelivery.entryExchange] ?? SharedAttempt()
        preparedDelays[NativeDelayedDelivery.entryExchange] = levels
        try await levels.value { try await NativeDelayedDelivery.declareLevels(on: transport) }
        let binding = preparedDelays[queue] ?? SharedAttempt()
        preparedDelays[queue] = binding
        try await binding.value { try await setup.bind(queue, routingKey: bindingKey, on: transport) }
    }

    /// task-sent, as a client with `task_send_sent_event` announces each task.
    func publishSentEvent(for message: TaskMessage, route: TaskRouting, sentAt: Date) async throws {
        let hostname = message.origin ?? TaskMessage.defaultOrigin
        let publisher = try await sentEvents.value { EventPublisher(transport: try await self.transport(), hostname: hostname) }
        try await publisher.publish("task-sent", fields: [
            "uuid": .string(message.id), "name": .string(message.taskName),
            "args": .string(message.argsRepr ?? "()"), "kwargs": .string(message.kwargsRepr ?? "{}"),
            "retries": .int(message.retries), "eta": message.headers["eta"] ?? .null,
            "expires": message.headers["expires"] ?? .null, "queue": .string(route.queue ?? route.routingKey),
            "exchange": .string(route.exchange), "routing_key": .string(route.routingKey),
            "root_id": .string(message.rootID ?? message.id),
            "parent_id": message.parentID.map(JSONValue.string) ?? .null,
        ], at: sentAt)
    }

    func close() async {
        _ = await sentEvents.take()
        _ = await controlClient.take()
        await (await backend.take())??.close()
        await (await publishingConnection.take())?.close()
        await (await connection.take())?.close()
    }
}

/// Makes a result backend from its URL.
enum ResultBackends {
    static func make(configuration: CeleriacConfiguration,
                     transport: @Sendable () async throws -> any BrokerTransport) async throws -> (any ResultBackend)? {
        guard let url = configuration.resultBackend, !url.isEmpty else { return nil }
        if url == "rpc://" || url.hasPrefix("rpc://") {
            return RPCResultBackend(transport: try await transport())
        }
        if isSQLite(url) {
            return try SQLiteResultBackend(url: url, expires: configuration.resultExpires)
        }
        if isRedis(url) {
            return try RedisResultBackend(url: url, expires: configuration.resultExpires)
        }
        throw ResultError.unsupportedBackend(url)
    }

    static func isSQLite(_ url: String) -> Bool { url.lowercased().hasPrefix("db+sqlite:") }
    static func isRedis(_ url: String) -> Bool { url.lowercased().hasPrefix("redis://") || url.lowercased().hasPrefix("rediss://") }

}
