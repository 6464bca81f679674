import AMQPProtocol

/// RabbitMQ's permission checks: configure to declare or delete a resource, write to
/// publish to an exchange or bind to a queue, read to consume, get, purge, or bind from an
/// exchange. A refusal is 403 ACCESS_REFUSED on the channel. The default exchange is
/// checked under its RabbitMQ name, amq.default.
extension BrokerChannel {
    enum Resource {
        case queue(String)
        case exchange(String)

        var description: String {
            switch self {
            case .queue(let name): return "queue '\(name)'"
            case .exchange(let name): return "exchange '\(name.isEmpty ? "amq.default" : name)'"
            }
        }

        var name: String {
            switch self {
            case .queue(let name): return name
            case .exchange(let name): return name.isEmpty ? "amq.default" : name
            }
        }
    }

    func require(_ access: Permission.Access, on resource: Resource) throws(AMQPException) {
        let user = connection.user
        guard let permission = user?.permissions[virtualHost.name] else {
            throw .accessRefused("access to \(resource.description) in vhost '\(virtualHost.name)' refused for user '\(user?.name ?? "")'")
        }
        guard permission.allows(access, on: resource.name) else {
            throw .accessRefused("\(access.rawValue) access to \(resource.description) in vhost '\(virtualHost.name)' refused for user '\(user?.name ?? "")'")
        }
    }

    /// The write check of a publish, remembered per exchange for the channel's life, as
    /// RabbitMQ caches its checks: publishing is the hot path.
    func requirePublish(to exchange: String) throws(AMQPException) {
        // A publisher mostly sends to one exchange: compared before the set is hashed.
        if exchange == lastPublishableExchange { return }
        if !publishableExchanges.contains(exchange) {
            try require(.write, on: .exchange(exchange))
            publishableExchanges.insert(exchange)
        }
        lastPublishableExchange = exchange
    }
}
