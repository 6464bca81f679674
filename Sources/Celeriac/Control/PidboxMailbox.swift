/// A node's mailbox on the pidbox (kombu's `Node`): the `celery.pidbox` fanout exchange and
/// the reply exchange declared, the node's own queue `<node>.celery.pidbox` declared and
/// bound, and its requests consumed. Workers and beats both listen through one.
public enum PidboxMailbox {
    public static func open(for node: String, on transport: any BrokerTransport,
                            topology: PidboxTopology = .celery) async throws -> AsyncThrowingStream<ReceivedMessage, any Error> {
        for exchange in [topology.exchange, topology.replyExchange] {
            try await transport.declare(ExchangeDeclaration(name: exchange.name, type: exchange.type,
                                                            durable: exchange.durable, autoDelete: exchange.autoDelete))
        }
        let queue = topology.nodeQueue(for: node)
        try await transport.declare(QueueDeclaration(name: queue.name, durable: queue.durable, exclusive: queue.exclusive,
                                                     autoDelete: queue.autoDelete, arguments: queue.arguments))
        try await transport.bind(queue: queue.name, exchange: queue.exchange, routingKey: queue.routingKey)
        return try await transport.consume(queue: queue.name, prefetch: 0, noAck: true)
    }
}
