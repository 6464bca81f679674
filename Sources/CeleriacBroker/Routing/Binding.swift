import AMQPProtocol

/// Where a binding leads: a queue, or another exchange (RabbitMQ's exchange-to-exchange
/// bindings).
enum BindingDestination: Sendable, Hashable {
    case queue(String)
    case exchange(String)

    var name: String {
        switch self {
        case .queue(let name), .exchange(let name): return name
        }
    }
}

/// One binding as a client declared it; two bindings are the same when all four parts are.
struct Binding: Sendable, Hashable {
    var source: String
    var destination: BindingDestination
    var routingKey: String
    var arguments: AMQPTable
}
