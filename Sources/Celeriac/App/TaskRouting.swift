/// Where one task message goes: the call's options, then `task_routes`, then the defaults.
/// Celery publishes default-queue tasks through the default exchange "" with the queue name
/// as routing key (see the captured task messages), and so do we.
struct TaskRouting: Sendable, Hashable {
    var exchange: String
    var routingKey: String
    /// The queue to declare before sending, when the route names one.
    var queue: String?
    var priority: Int?

    static func resolve(_ name: String, options: TaskSendOptions, configuration: CeleriacConfiguration) -> TaskRouting {
        let route = configuration.route(for: name)
        let queue = options.queue ?? route?.queue
        let exchange = options.exchange ?? route?.exchange
        let priority = options.priority ?? route?.priority ?? configuration.defaultPriority
        if let exchange, !exchange.isEmpty {
            let key = options.routingKey ?? route?.routingKey ?? queue ?? configuration.defaultRoutingKey
            return TaskRouting(exchange: exchange, routingKey: key, queue: queue, priority: priority)
        }
        let target = queue ?? options.routingKey ?? configuration.defaultQueue
        return TaskRouting(exchange: "", routingKey: target, queue: target, priority: priority)
    }
}
