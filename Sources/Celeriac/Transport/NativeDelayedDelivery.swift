import Foundation

/// Celery 5.5+'s native delayed delivery, for quorum queues (kombu's
/// `native_delayed_delivery`): instead of a worker holding a countdown task unacked until it
/// is due, the broker holds it. 28 levels of topic exchange and queue, level n keeping a
/// message 2ⁿ seconds (x-message-ttl) before dead-lettering it to level n−1 and, after
/// level 0, to `celery_delayed_delivery`. A countdown is written as 28 binary digits in
/// front of the routing key: at each level a 1 routes the message into that level's queue
/// (a wait), a 0 on to the next exchange. Delivered, it reaches the task queue through the
/// `#.<routing key>` bindings the worker makes.
public enum NativeDelayedDelivery {
    public static let levels = 28
    public static let deliveryExchange = "celery_delayed_delivery"
    /// Where clients publish a delayed task.
    public static let entryExchange = levelName(levels - 1)

    public static func levelName(_ level: Int) -> String { "celery_delayed_\(level)" }

    /// Whole seconds a task waits in the broker, when it goes by delayed delivery: as Celery's
    /// client decides it — quorum task queues, a target queue whose exchange is not direct
    /// (direct exchanges cannot take the `#.` bindings), and a countdown of 1 s or more.
    /// With the seconds comes the key the target queue is bound with, which the delayed
    /// routing key ends in.
    static func delay(of message: TaskMessage, route: TaskRouting, configuration: CeleriacConfiguration,
                      now: Date) -> (seconds: Int, bindingKey: String)? {
        guard let queue = route.queue, let setup = Setup(configuration: configuration), setup.reaches(queue),
              let eta = message.eta else { return nil }
        let seconds = Int(eta.timeIntervalSince(now))  // truncated, as Celery's int(countdown)
        guard seconds >= 1 && seconds < 1 << levels else { return nil }
        return (seconds, route.exchange.isEmpty ? configuration.taskRoutingKey(for: queue) : route.routingKey)
    }

    /// `countdown` whole seconds (1 or more, below 2²⁸) as kombu's `calculate_routing_key`
    /// writes them in front of `routingKey`.
    public static func routingKey(countdown: Int, routingKey: String) -> String {
        let bits = String(countdown, radix: 2)
        let padded = String(repeating: "0", count: max(0, levels - bits.count)) + bits
        return padded.map(String.init).joined(separator: ".") + "." + routingKey
    }

    /// The levels, as Celery's worker declares them at start when it consumes quorum queues.
    public static func declareLevels(on transport: any BrokerTransport, queueType: QueueType = .quorum) async throws {
        var waitKey = "1.#"
        for level in stride(from: levels - 1, through: 0, by: -1) {
            let name = levelName(level)
            try await transport.declare(ExchangeDeclaration(name: name, type: "topic"))
            var arguments: [String: JSONValue] = [
                "x-queue-type": .string(queueType.rawValue), "x-overflow": "reject-publish",
                "x-message-ttl": .int((1 << level) * 1000),
                "x-dead-letter-exchange": .string(level > 0 ? levelName(level - 1) : deliveryExchange),
            ]
            if queueType == .quorum { arguments["x-dead-letter-strategy"] = "at-least-once" }
            try await transport.declare(QueueDeclaration(name: name, arguments: arguments))
            try await transport.bind(queue: name, exchange: name, routingKey: waitKey)
            waitKey = "*." + waitKey
        }
        var passKey = "0.#"
        for level in stride(from: levels - 1, through: 1, by: -1) {
            try await transport.bind(exchange: levelName(level - 1), to: levelName(level), routingKey: passKey)
            passKey = "*." + passKey
        }
        try await transport.declare(ExchangeDeclaration(name: deliveryExchange, type: "topic"))
        try await transport.bind(exchange: deliveryExchange, to: levelName(0), routingKey: passKey)
    }

    /// Lets delayed messages for `routingKey` reach `queue` through its (topic or fanout)
    /// `exchange`, as Celery's worker binds each queue it consumes.
    public static func bind(queue: String, exchange: String, routingKey: String, on transport: any BrokerTransport) async throws {
        let key = routingKey.hasPrefix("#") ? routingKey : "#." + routingKey
        try await transport.bind(exchange: exchange, to: deliveryExchange, routingKey: key)
        try await transport.bind(queue: queue, exchange: exchange, routingKey: key)
    }

    /// What a client and a worker declare for each task queue, from the configuration: nil
    /// when no task queue is a quorum queue (Celery's `detect_quorum_queues`).
    public struct Setup: Sendable, Hashable {
        let configuration: CeleriacConfiguration

        public init?(configuration: CeleriacConfiguration) {
            guard configuration.usesQuorumQueues else { return nil }
            self.configuration = configuration
        }

        /// Whether delayed tasks can reach `queue`: not through a direct exchange, which
        /// cannot take the `#.` bindings.
        public func reaches(_ queue: String) -> Bool { configuration.taskExchange(for: queue).type != "direct" }

        /// The queue's exchange, its binding, and the `#.` bindings from the delivery
        /// exchange; nothing for a queue behind a direct exchange (false), as kombu skips it.
        @discardableResult
        public func bind(_ queue: String, routingKey: String? = nil, on transport: any BrokerTransport) async throws -> Bool {
            guard reaches(queue) else { return false }
            let exchange = configuration.taskExchange(for: queue)
            let key = routingKey ?? configuration.taskRoutingKey(for: queue)
            try await transport.declare(exchange)
            try await transport.bind(queue: queue, exchange: exchange.name, routingKey: key)
            try await NativeDelayedDelivery.bind(queue: queue, exchange: exchange.name, routingKey: key, on: transport)
            return true
        }
    }
}
