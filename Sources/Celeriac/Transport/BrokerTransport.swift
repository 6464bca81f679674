import Foundation

/// The core's whole view of a broker: declare, publish (confirmed), consume with ack, purge.
/// AMQP is one implementation (`AMQPTransport`); a Redis transport with kombu's key layout
/// would be another, so nothing here names an AMQP type.
public protocol BrokerTransport: Sendable {
    func declare(_ exchange: ExchangeDeclaration) async throws
    /// Declares (or with `passive`, only checks) a queue; returns its ready and consumer counts.
    @discardableResult
    func declare(_ queue: QueueDeclaration) async throws -> QueueCounts
    func bind(queue: String, exchange: String, routingKey: String) async throws
    /// Routes what reaches `source` on to `destination` (RabbitMQ's exchange-to-exchange binding).
    func bind(exchange destination: String, to source: String, routingKey: String) async throws
    /// Publishes and waits for the broker to take responsibility for the message. A message
    /// that no queue would receive is an error, not a silent drop.
    func publish(_ message: BrokerMessage) async throws
    /// Publishes without waiting for the broker's confirm, for messages that are best effort
    /// (events, which Celery sends the same way): returns once the message is on its way.
    /// A confirm can take as long as the slowest queue it is routed to — on a cluster, a
    /// queue on a node cut off by a partition, until the cluster counts that node as down.
    func publishBestEffort(_ message: BrokerMessage) async throws
    /// The queue's messages; each must be acked or rejected unless `noAck`.
    func consume(queue: String, prefetch: Int, noAck: Bool) async throws -> AsyncThrowingStream<ReceivedMessage, any Error>
    /// The queue's messages, push-style: `onMessage` is called for each as it arrives, on the
    /// transport's own thread, so it must hand the message on and return at once (the worker
    /// saves a task hop per message this way). `onEnd` is called once: nil after
    /// `BrokerConsumer.cancel()`, else the error that ended consuming.
    func consume(queue: String, prefetch: Int, noAck: Bool,
                 onMessage: @escaping @Sendable (ReceivedMessage) -> Void,
                 onEnd: @escaping @Sendable ((any Error)?) -> Void) async throws -> BrokerConsumer
    /// Removes the ready messages of a queue; returns how many.
    func purge(queue: String) async throws -> Int
    func close() async
    /// The broker the connection is on now (`host:port/vhost`), for a failover list; nil
    /// when the transport cannot say.
    func currentBroker() async -> String?
}

extension BrokerTransport {
    /// For transports without an unconfirmed way to publish.
    public func publishBestEffort(_ message: BrokerMessage) async throws {
        try await publish(message)
    }
}

extension BrokerTransport {
    public func currentBroker() async -> String? { nil }
}

extension BrokerTransport {
    /// Makes sure a task queue exists: one that does is used as it is — redeclaring it with
    /// other arguments (say, no x-max-priority where the workers set one) would make
    /// RabbitMQ refuse with 406 — else it is declared as Celery declares task queues.
    public func ensureTaskQueue(_ name: String, shape: TaskQueueShape) async throws {
        var existing = QueueDeclaration.taskQueue(name, maxPriority: nil)
        existing.passive = true
        do {
            try await declare(existing)
        } catch BrokerError.notFound {
            try await declare(.taskQueue(name, shape: shape))
        }
    }
}

/// A push-style consumer (see `BrokerTransport.consume(queue:prefetch:noAck:onMessage:onEnd:)`).
public struct BrokerConsumer: Sendable {
    private let stop: @Sendable () async -> Void

    public init(stop: @escaping @Sendable () async -> Void) {
        self.stop = stop
    }

    /// Stops deliveries. Messages already delivered stay unacked until settled; their channel
    /// closes after the last one is.
    public func cancel() async { await stop() }
}

extension BrokerTransport {
    /// Push-style consuming over the stream, for transports without a faster way.
    public func consume(queue: String, prefetch: Int, noAck: Bool,
                        onMessage: @escaping @Sendable (ReceivedMessage) -> Void,
                        onEnd: @escaping @Sendable ((any Error)?) -> Void) async throws -> BrokerConsumer {
        let stream = try await consume(queue: queue, prefetch: prefetch, noAck: noAck)
        let pump = Task {
            do {
                for try await message in stream { onMessage(message) }
                onEnd(nil)
            } catch {
                onEnd(error)
            }
        }
        return BrokerConsumer { pump.cancel() }
    }
}

public struct QueueCounts: Sendable, Hashable {
    public var messages: Int
    public var consumers: Int
}

public struct ExchangeDeclaration: Sendable, Hashable {
    public var name: String
    public var type: String
    public var durable: Bool
    public var autoDelete: Bool

    public init(name: String, type: String = "direct", durable: Bool = true, autoDelete: Bool = false) {
        self.name = name
        self.type = type
        self.durable = durable
        self.autoDelete = autoDelete
    }
}

public struct QueueDeclaration: Sendable, Hashable {
    public var name: String
    public var durable: Bool
    public var exclusive: Bool
    public var autoDelete: Bool
    public var passive: Bool
    public var arguments: [String: JSONValue]

    public init(name: String, durable: Bool = true, exclusive: Bool = false, autoDelete: Bool = false,
                passive: Bool = false, arguments: [String: JSONValue] = [:]) {
        self.name = name
        self.durable = durable
        self.exclusive = exclusive
        self.autoDelete = autoDelete
        self.passive = passive
        self.arguments = arguments
    }

    /// A task queue as Celery's workers declare it: durable, with `x-max-priority` only when
    /// configured (RabbitMQ refuses a redeclare whose arguments differ).
    public static func taskQueue(_ name: String, maxPriority: Int?) -> QueueDeclaration {
        taskQueue(name, shape: TaskQueueShape(maxPriority: maxPriority))
    }

    /// A task queue of the configured type: durable, with the shape's arguments.
    public static func taskQueue(_ name: String, shape: TaskQueueShape) -> QueueDeclaration {
        QueueDeclaration(name: name, arguments: shape.arguments)
    }

    /// The rpc:// reply queue of one client, in Celery's shape (topology.txt in the fixtures):
    /// durable, auto-delete, and gone after a day unused.
    public static func rpcReplies(_ name: String) -> QueueDeclaration {
        QueueDeclaration(name: name, durable: true, autoDelete: true, arguments: ["x-expires": 86_400_000])
    }

    /// A monitor's own event queue (`celeryev.<uuid>`): events older than 5 s are dropped and
    /// the queue goes a minute after its monitor.
    public static func eventMonitor(_ name: String = "celeryev." + UUID().uuidString.lowercased()) -> QueueDeclaration {
        QueueDeclaration(name: name, durable: false, exclusive: true, autoDelete: true,
                         arguments: ["x-message-ttl": 5000, "x-expires": 60000])
    }
}

/// A delivered message and the means to settle it.
public struct ReceivedMessage: Sendable {
    public var message: BrokerMessage
    public var redelivered: Bool
    let settle: @Sendable (Settlement) throws -> Void

    public enum Settlement: Sendable {
        case ack
        case reject(requeue: Bool)
    }

    public init(message: BrokerMessage, redelivered: Bool, settle: @escaping @Sendable (Settlement) throws -> Void) {
        self.message = message
        self.redelivered = redelivered
        self.settle = settle
    }

    public func ack() throws { try settle(.ack) }
    public func reject(requeue: Bool) throws { try settle(.reject(requeue: requeue)) }
}

/// What went wrong talking to the broker, in words a user can act on.
public enum BrokerError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreachable(url: String, reason: String)
    /// No queue is bound for this exchange and routing key.
    case unroutable(exchange: String, routingKey: String)
    case refused(reason: String)
    /// The queue or exchange does not exist (AMQP 404).
    case notFound(reason: String)
    case connectionLost(reason: String)
    case invalidURL(url: String, reason: String)

    public var description: String {
        switch self {
        case .unreachable(let url, let reason): return "cannot reach the broker at \(url): \(reason)"
        case .unroutable(let exchange, let key):
            let target = exchange.isEmpty ? "queue '\(key)'" : "exchange '\(exchange)' with routing key '\(key)'"
            return "no queue receives messages for \(target); check the route or start a worker that declares it"
        case .refused(let reason): return "the broker refused the request: \(reason)"
        case .notFound(let reason): return "not found on the broker: \(reason)"
        case .connectionLost(let reason): return "the broker connection was lost: \(reason)"
        case .invalidURL(let url, let reason): return "broker URL \(url) is invalid: \(reason)"
        }
    }

    /// Another connection holds an exclusive queue (AMQP 405, whose reply text both RabbitMQ
    /// and celeriac broker begin with the code's name): a lease taken, or a mailbox whose
    /// former holder has died and the broker has not yet counted as gone.
    public var isExclusiveQueueHeldElsewhere: Bool {
        guard case .refused(let reason) = self else { return false }
        return reason.hasPrefix("RESOURCE_LOCKED")
    }
}
