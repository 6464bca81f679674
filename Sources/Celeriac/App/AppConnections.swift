import Foundation

/// The app's live connections, opened on first use and shared by every call.
actor AppConnections {
    let configuration: CeleriacConfiguration
    private var openTransport: (any BrokerTransport)?
    private var backend: (any ResultBackend)?
    private var backendMade = false
    private var preparedQueues: Set<String> = []
    private var controlClient: ControlClient?
    private var eventPublisher: EventPublisher?

    init(configuration: CeleriacConfiguration) {
        self.configuration = configuration
    }

    func transport() async throws -> any BrokerTransport {
        if let openTransport { return openTransport }
        let transport = try await AMQPTransport(url: configuration.brokerURL)
        openTransport = transport
        return transport
    }

    /// The configured backend; nil when none is set.
    func resultBackend() async throws -> (any ResultBackend)? {
        if backendMade { return backend }
        backend = try await ResultBackends.make(configuration: configuration, transport: { try await self.transport() })
        backendMade = true
        return backend
    }

    func control() async throws -> ControlClient {
        if let controlClient { return controlClient }
        let client = ControlClient(transport: try await transport())
        controlClient = client
        return client
    }

    /// Declares the target queue once per app, as Celery's producer does, so a task sent
    /// before any worker started waits in its queue instead of vanishing.
    func prepare(_ route: TaskRouting, on transport: any BrokerTransport) async throws {
        guard let queue = route.queue, !preparedQueues.contains(queue) else { return }
        try await transport.ensureTaskQueue(queue, maxPriority: configuration.queueMaxPriority)
        if !route.exchange.isEmpty {
            try await transport.declare(ExchangeDeclaration(name: route.exchange))
            try await transport.bind(queue: queue, exchange: route.exchange, routingKey: route.routingKey)
        }
        preparedQueues.insert(queue)
    }

    /// task-sent, as a client with `task_send_sent_event` announces each task.
    func publishSentEvent(for message: TaskMessage, route: TaskRouting) async throws {
        if eventPublisher == nil {
            eventPublisher = EventPublisher(transport: try await transport(),
                                            hostname: message.origin ?? TaskMessage.defaultOrigin)
        }
        try await eventPublisher!.publish("task-sent", fields: [
            "uuid": .string(message.id), "name": .string(message.taskName),
            "args": .string(message.argsRepr ?? "()"), "kwargs": .string(message.kwargsRepr ?? "{}"),
            "retries": .int(message.retries), "eta": message.headers["eta"] ?? .null,
            "expires": message.headers["expires"] ?? .null, "queue": .string(route.queue ?? route.routingKey),
            "exchange": .string(route.exchange), "routing_key": .string(route.routingKey),
            "root_id": .string(message.rootID ?? message.id),
            "parent_id": message.parentID.map(JSONValue.string) ?? .null,
        ])
    }

    func close() async {
        await backend?.close()
        await openTransport?.close()
        openTransport = nil
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
        if url.lowercased().hasPrefix("db+sqlite:") {
            return try SQLiteResultBackend(url: url, expires: configuration.resultExpires)
        }
        throw ResultError.unsupportedBackend(url)
    }
}
