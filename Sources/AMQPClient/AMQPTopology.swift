/// One declaration a recovering connection repeats after every reconnect, in order.
public enum AMQPTopologyDeclaration: Sendable, Hashable {
    case exchange(name: String, type: String = "direct", durable: Bool = false, autoDelete: Bool = false,
                  arguments: AMQPTable = [:])
    case queue(name: String, durable: Bool = false, exclusive: Bool = false, autoDelete: Bool = false,
               arguments: AMQPTable = [:])
    case queueBinding(queue: String, exchange: String, routingKey: String = "", arguments: AMQPTable = [:])
    case exchangeBinding(destination: String, source: String, routingKey: String = "", arguments: AMQPTable = [:])

    func apply(on channel: AMQPChannel) async throws {
        switch self {
        case .exchange(let name, let type, let durable, let autoDelete, let arguments):
            try await channel.exchangeDeclare(name, type: type, durable: durable, autoDelete: autoDelete,
                                              arguments: arguments)
        case .queue(let name, let durable, let exclusive, let autoDelete, let arguments):
            try await channel.queueDeclare(name, durable: durable, exclusive: exclusive, autoDelete: autoDelete,
                                           arguments: arguments)
        case .queueBinding(let queue, let exchange, let routingKey, let arguments):
            try await channel.queueBind(queue, exchange: exchange, routingKey: routingKey, arguments: arguments)
        case .exchangeBinding(let destination, let source, let routingKey, let arguments):
            try await channel.exchangeBind(destination: destination, source: source, routingKey: routingKey,
                                           arguments: arguments)
        }
    }
}
