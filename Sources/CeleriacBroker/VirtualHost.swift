import AMQPProtocol

/// One virtual host: its exchanges and queues, and the rules RabbitMQ applies when clients
/// declare, bind, delete and publish. Pure state: no sockets, so it is tested with values.
final class VirtualHost: QueueHost {
    let name: String
    let clock: any BrokerClock
    /// Where durable definitions and persistent messages go; nil keeps everything in memory.
    let store: BrokerStore?
    private(set) var exchanges: [String: Exchange] = [:]
    private(set) var queues: [String: MessageQueue] = [:]

    init(name: String, clock: any BrokerClock, store: BrokerStore? = nil) {
        self.name = name
        self.clock = clock
        self.store = store
        // The default exchange and the amq.* ones every RabbitMQ vhost has.
        for (exchangeName, type) in [("", ExchangeType.direct), ("amq.direct", .direct), ("amq.fanout", .fanout),
                                     ("amq.topic", .topic), ("amq.headers", .headers), ("amq.match", .headers)] {
            exchanges[exchangeName] = Exchange(name: exchangeName, type: type, durable: true, autoDelete: false,
                                               isInternal: false, arguments: [:])
        }
    }

    // MARK: Exchanges

    func declareExchange(_ declare: AMQP.Exchange.Declare) throws(AMQPException) {
        if let existing = exchanges[declare.exchange] {
            if declare.passive { return }
            let type = try ExchangeType(declared: declare.type)
            guard existing.isEquivalent(type: type, durable: declare.durable, autoDelete: declare.autoDelete,
                                        isInternal: declare.internal, arguments: declare.arguments) else {
                throw .preconditionFailed(inequivalence(of: existing, with: declare, type: type))
            }
            return
        }
        if declare.passive { throw .notFound("no exchange '\(declare.exchange)' in vhost '\(name)'") }
        if declare.exchange.hasPrefix("amq.") {
            throw .accessRefused("exchange name '\(declare.exchange)' contains reserved prefix 'amq.*'")
        }
        let type = try ExchangeType(declared: declare.type)
        exchanges[declare.exchange] = Exchange(name: declare.exchange, type: type, durable: declare.durable,
                                               autoDelete: declare.autoDelete, isInternal: declare.internal,
                                               arguments: declare.arguments)
        if declare.durable {
            store?.record(.exchangeDeclared(vhost: name, name: declare.exchange, type: type, autoDelete: declare.autoDelete,
                                            isInternal: declare.internal, arguments: declare.arguments))
        }
    }

    func deleteExchange(_ exchangeName: String, ifUnused: Bool) throws(AMQPException) {
        try checkNotReserved(exchangeName)
        // RabbitMQ answers delete-ok for an exchange that does not exist.
        guard let exchange = exchanges[exchangeName] else { return }
        if ifUnused, !exchange.bindings.isEmpty {
            throw .preconditionFailed("exchange '\(exchangeName)' in vhost '\(name)' in use")
        }
        removeExchange(exchange)
    }

    func exchange(named exchangeName: String) throws(AMQPException) -> Exchange {
        guard let exchange = exchanges[exchangeName] else {
            throw .notFound("no exchange '\(exchangeName)' in vhost '\(name)'")
        }
        return exchange
    }

    private func removeExchange(_ exchange: Exchange) {
        exchanges[exchange.name] = nil
        if exchange.durable { store?.record(.exchangeDeleted(vhost: name, name: exchange.name)) }
        for other in exchanges.values { other.unbindAll(to: .exchange(exchange.name)) }
        deleteAutoDeleteExchanges()
    }

    private func checkNotReserved(_ exchangeName: String) throws(AMQPException) {
        if exchangeName.isEmpty || exchangeName.hasPrefix("amq.") {
            throw .accessRefused("operation not permitted on exchange '\(exchangeName)' in vhost '\(name)'")
        }
    }

    private func inequivalence(of existing: Exchange, with declare: AMQP.Exchange.Declare, type: ExchangeType) -> String {
        let (argument, received, current): (String, String, String) =
            existing.type != type ? ("type", type.rawValue, existing.type.rawValue)
            : existing.durable != declare.durable ? ("durable", "\(declare.durable)", "\(existing.durable)")
            : existing.autoDelete != declare.autoDelete ? ("auto_delete", "\(declare.autoDelete)", "\(existing.autoDelete)")
            : existing.isInternal != declare.internal ? ("internal", "\(declare.internal)", "\(existing.isInternal)")
            : ("arguments", "\(declare.arguments)", "\(existing.arguments)")
        return "inequivalent arg '\(argument)' for exchange '\(existing.name)' in vhost '\(name)': received '\(received)' but current is '\(current)'"
    }

    // MARK: Queues

    /// Declares (or finds, when passive or already there) a queue; returns it.
    func declareQueue(_ declare: AMQP.Queue.Declare, owner: ObjectIdentifier) throws(AMQPException) -> MessageQueue {
        if let existing = queues[declare.queue] {
            try checkAccess(to: existing, from: owner)
            if declare.passive { return existing }
            if let argument = QueueEquivalence.difference(existing, declare, owner: owner) {
                throw .preconditionFailed("inequivalent arg '\(argument.name)' for queue '\(existing.name)' in vhost '\(name)': received \(argument.received) but current is \(argument.current)")
            }
            existing.touch()
            return existing
        }
        if declare.passive { throw .notFound("no queue '\(declare.queue)' in vhost '\(name)'") }
        let queueName = declare.queue.isEmpty ? ServerGeneratedName.queue() : declare.queue
        if !declare.queue.isEmpty, declare.queue.hasPrefix("amq.") {
            throw .accessRefused("queue name '\(declare.queue)' contains reserved prefix 'amq.*'")
        }
        let queue = try MessageQueue(name: queueName, durable: declare.durable, autoDelete: declare.autoDelete,
                                     exclusiveOwner: declare.exclusive ? owner : nil, arguments: declare.arguments,
                                     host: self)
        // An exclusive queue dies with its connection, so it is never kept across restarts.
        if declare.durable, !declare.exclusive, let store {
            do {
                queue.store = try store.queueStore(vhost: name, queue: queueName)
            } catch {
                throw .init(.internalError, "cannot store queue '\(queueName)': \(error)")
            }
            store.record(.queueDeclared(vhost: name, name: queueName, autoDelete: declare.autoDelete,
                                        arguments: declare.arguments))
        }
        queues[queueName] = queue
        return queue
    }

    /// The queue a connection may use: 404 if missing, 405 if another connection owns it.
    func queue(named queueName: String, from owner: ObjectIdentifier) throws(AMQPException) -> MessageQueue {
        guard let queue = queues[queueName] else { throw .notFound("no queue '\(queueName)' in vhost '\(name)'") }
        try checkAccess(to: queue, from: owner)
        return queue
    }

    /// Deletes the queue; returns how many messages it held.
    func deleteQueue(_ queueName: String, ifUnused: Bool, ifEmpty: Bool, from owner: ObjectIdentifier)
        throws(AMQPException) -> Int
    {
        // RabbitMQ answers delete-ok with 0 for a queue that does not exist.
        guard let queue = queues[queueName] else { return 0 }
        try checkAccess(to: queue, from: owner)
        if ifUnused, !queue.consumers.isEmpty {
            throw .preconditionFailed("queue '\(queueName)' in vhost '\(name)' in use")
        }
        if ifEmpty, queue.messageCount > 0 {
            throw .preconditionFailed("queue '\(queueName)' in vhost '\(name)' is not empty")
        }
        let count = queue.messageCount
        removeQueue(queue)
        return count
    }

    func removeQueue(_ queue: MessageQueue) {
        guard queues[queue.name] === queue else { return }
        queues[queue.name] = nil
        queue.isRemoved = true
        queue.cancelAllConsumers()
        if let queueStore = queue.store {
            store?.record(.queueDeleted(vhost: name, name: queue.name))
            queue.store = nil
            queueStore.removeAll()
        }
        _ = queue.purge()
        for exchange in exchanges.values { exchange.unbindAll(to: .queue(queue.name)) }
        deleteAutoDeleteExchanges()
    }

    /// An exclusive queue's connection closed: its queues go with it.
    func connectionClosed(_ owner: ObjectIdentifier) {
        for queue in queues.values where queue.exclusiveOwner == owner { removeQueue(queue) }
    }

    private func checkAccess(to queue: MessageQueue, from owner: ObjectIdentifier) throws(AMQPException) {
        if let exclusiveOwner = queue.exclusiveOwner, exclusiveOwner != owner {
            throw .resourceLocked("cannot obtain exclusive access to locked queue '\(queue.name)' in vhost '\(name)'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.")
        }
    }

    func queueExpired(_ queue: MessageQueue) {
        removeQueue(queue)
    }

    func storageFailed(_ error: StorageError, in queue: MessageQueue) {
        store?.storage.logger.error("queue '\(queue.name)' in vhost '\(name)' keeps a message in memory only: \(error)")
    }

    // MARK: Bindings

    func bind(_ binding: Binding, from owner: ObjectIdentifier) throws(AMQPException) {
        let source = try exchange(named: binding.source)
        try checkDestination(binding, from: owner)
        if try source.bind(binding), isDurable(binding) { store?.record(.bound(vhost: name, binding)) }
    }

    /// RabbitMQ keeps a binding across restarts when both its ends are durable.
    func isDurable(_ binding: Binding) -> Bool {
        guard exchanges[binding.source]?.durable == true else { return false }
        switch binding.destination {
        case .queue(let queueName): return queues[queueName]?.store != nil
        case .exchange(let exchangeName): return exchanges[exchangeName]?.durable == true
        }
    }

    func unbind(_ binding: Binding, from owner: ObjectIdentifier) throws(AMQPException) {
        let source = try exchange(named: binding.source)
        try checkDestination(binding, from: owner)
        // RabbitMQ answers unbind-ok for a binding that does not exist.
        let durable = isDurable(binding)
        if source.unbind(binding) {
            if durable { store?.record(.unbound(vhost: name, binding)) }
            deleteAutoDeleteExchanges()
        }
    }

    private func checkDestination(_ binding: Binding, from owner: ObjectIdentifier) throws(AMQPException) {
        if binding.source.isEmpty {
            throw .accessRefused("operation not permitted on the default exchange")
        }
        switch binding.destination {
        case .queue(let queueName): _ = try queue(named: queueName, from: owner)
        case .exchange(let exchangeName):
            if exchangeName.isEmpty { throw .accessRefused("operation not permitted on the default exchange") }
            _ = try exchange(named: exchangeName)
        }
    }

    /// An auto-delete exchange goes when its last binding (as a source) goes.
    private func deleteAutoDeleteExchanges() {
        while let unused = exchanges.values.first(where: { $0.autoDelete && $0.bindings.isEmpty && $0.hadBindings }) {
            removeExchange(unused)
        }
    }

    // MARK: Routing

    /// The queues a message published to `exchangeName` reaches, each once, following
    /// exchange-to-exchange bindings without looping.
    func route(exchange exchangeName: String, routingKey: String, headers: @autoclosure () -> AMQPTable?)
        throws(AMQPException) -> [MessageQueue]
    {
        if exchangeName.isEmpty {
            return queues[routingKey].map { [$0] } ?? []
        }
        let first = try exchange(named: exchangeName)
        if first.isInternal {
            throw .accessRefused("cannot publish to internal exchange '\(exchangeName)' in vhost '\(name)'")
        }
        var destinations: [BindingDestination] = []
        first.route(routingKey: routingKey, headers: headers(), into: &destinations)
        // The common case: queues only, usually one.
        if destinations.count == 1, case .queue(let queueName) = destinations[0] {
            return queues[queueName].map { [$0] } ?? []
        }
        var result: [MessageQueue] = []
        var seenQueues: Set<String> = []
        var seenExchanges: Set<String> = [exchangeName]
        var index = 0
        while index < destinations.count {
            defer { index += 1 }
            switch destinations[index] {
            case .queue(let queueName):
                if seenQueues.insert(queueName).inserted, let queue = queues[queueName] { result.append(queue) }
            case .exchange(let next):
                if seenExchanges.insert(next).inserted, let exchange = exchanges[next] {
                    exchange.route(routingKey: routingKey, headers: headers(), into: &destinations)
                }
            }
        }
        return result
    }
}
