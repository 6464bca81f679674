import AMQPProtocol

/// exchange.* and queue.*: declaring, binding and deleting.
extension BrokerChannel {
    func declareExchange(_ declare: AMQP.Exchange.Declare) throws(AMQPException) {
        if !declare.passive { try require(.configure, on: .exchange(declare.exchange)) }
        try virtualHost.declareExchange(declare)
        if !declare.noWait { send(.exchangeDeclareOk(.init())) }
    }

    func deleteExchange(_ delete: AMQP.Exchange.Delete) throws(AMQPException) {
        try require(.configure, on: .exchange(delete.exchange))
        try virtualHost.deleteExchange(delete.exchange, ifUnused: delete.ifUnused)
        if !delete.noWait { send(.exchangeDeleteOk(.init())) }
    }

    func bindExchange(_ bind: AMQP.Exchange.Bind) throws(AMQPException) {
        try require(.write, on: .exchange(bind.destination))
        try require(.read, on: .exchange(bind.source))
        try virtualHost.bind(Binding(source: bind.source, destination: .exchange(bind.destination),
                                     routingKey: bind.routingKey, arguments: bind.arguments), from: owner)
        if !bind.noWait { send(.exchangeBindOk(.init())) }
    }

    func unbindExchange(_ unbind: AMQP.Exchange.Unbind) throws(AMQPException) {
        try require(.write, on: .exchange(unbind.destination))
        try require(.read, on: .exchange(unbind.source))
        try virtualHost.unbind(Binding(source: unbind.source, destination: .exchange(unbind.destination),
                                       routingKey: unbind.routingKey, arguments: unbind.arguments), from: owner)
        if !unbind.noWait { send(.exchangeUnbindOk(.init())) }
    }

    func declareQueue(_ declare: AMQP.Queue.Declare) throws(AMQPException) {
        var declare = declare
        if declare.passive, declare.queue.isEmpty { declare.queue = try queueName("") }
        if !declare.passive, !declare.queue.isEmpty { try require(.configure, on: .queue(declare.queue)) }
        let queue = try virtualHost.declareQueue(declare, owner: owner)
        lastDeclaredQueue = queue.name
        if !declare.noWait {
            send(.queueDeclareOk(.init(queue: queue.name, messageCount: UInt32(clamping: queue.messageCount),
                                       consumerCount: UInt32(clamping: queue.consumers.count))))
        }
    }

    func bindQueue(_ bind: AMQP.Queue.Bind) throws(AMQPException) {
        let name = try queueName(bind.queue)
        try require(.write, on: .queue(name))
        try require(.read, on: .exchange(bind.exchange))
        try virtualHost.bind(Binding(source: bind.exchange, destination: .queue(name),
                                     routingKey: bind.routingKey.isEmpty && bind.queue.isEmpty ? name : bind.routingKey,
                                     arguments: bind.arguments), from: owner)
        if !bind.noWait { send(.queueBindOk(.init())) }
    }

    func unbindQueue(_ unbind: AMQP.Queue.Unbind) throws(AMQPException) {
        let name = try queueName(unbind.queue)
        try require(.write, on: .queue(name))
        try require(.read, on: .exchange(unbind.exchange))
        try virtualHost.unbind(Binding(source: unbind.exchange, destination: .queue(name),
                                       routingKey: unbind.routingKey, arguments: unbind.arguments), from: owner)
        send(.queueUnbindOk(.init()))
    }

    func purgeQueue(_ purge: AMQP.Queue.Purge) throws(AMQPException) {
        let queue = try virtualHost.queue(named: try queueName(purge.queue), from: owner)
        try require(.read, on: .queue(queue.name))
        let count = queue.purge()
        if !purge.noWait { send(.queuePurgeOk(.init(messageCount: UInt32(clamping: count)))) }
    }

    func deleteQueue(_ delete: AMQP.Queue.Delete) throws(AMQPException) {
        try require(.configure, on: .queue(try queueName(delete.queue)))
        let count = try virtualHost.deleteQueue(try queueName(delete.queue), ifUnused: delete.ifUnused,
                                                ifEmpty: delete.ifEmpty, from: owner)
        if !delete.noWait { send(.queueDeleteOk(.init(messageCount: UInt32(clamping: count)))) }
    }
}
