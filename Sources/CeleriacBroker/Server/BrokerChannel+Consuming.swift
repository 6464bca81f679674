import AMQPProtocol

/// basic.qos, consume, cancel, get, ack, nack, reject, recover and channel.flow.
extension BrokerChannel {
    enum Outcome {
        case ack
        case reject(requeue: Bool)
    }

    func setPrefetch(_ qos: AMQP.Basic.Qos) throws(AMQPException) {
        guard qos.prefetchSize == 0 else {
            throw .notImplemented("prefetch_size=\(qos.prefetchSize); only prefetch_count is supported, as in RabbitMQ")
        }
        if qos.global {
            // Applies at once to every consumer on the channel (RabbitMQ's semantics), so a
            // Celery worker raising its window for ETA tasks gets the room immediately.
            channelPrefetch = Int(qos.prefetchCount)
        } else {
            consumerPrefetch = Int(qos.prefetchCount)
        }
        send(.basicQosOk(.init()))
        resumeDeliveries()
    }

    func startConsumer(_ consume: AMQP.Basic.Consume) throws(AMQPException) {
        let queue = try virtualHost.queue(named: try queueName(consume.queue), from: owner)
        try require(.read, on: .queue(queue.name))
        let tag = consume.consumerTag.isEmpty ? ServerGeneratedName.consumerTag() : consume.consumerTag
        guard consumers[tag] == nil else {
            throw .notAllowed("attempt to reuse consumer tag '\(tag)'")
        }
        let consumer = QueueConsumer(tag: tag, channel: self, queue: queue, noAck: consume.noAck,
                                     isExclusive: consume.exclusive, prefetchLimit: consumerPrefetch)
        // consume-ok must reach the client before the first delivery.
        if !consume.noWait { send(.basicConsumeOk(.init(consumerTag: tag))) }
        consumers[tag] = consumer
        do {
            try queue.add(consumer)
        } catch {
            consumers[tag] = nil
            throw error
        }
    }

    func cancelConsumer(_ cancel: AMQP.Basic.Cancel) {
        // Deliveries already made stay unacked on the channel, as in RabbitMQ.
        if let consumer = consumers.removeValue(forKey: cancel.consumerTag) { detach(consumer) }
        if !cancel.noWait { send(.basicCancelOk(.init(consumerTag: cancel.consumerTag))) }
    }

    func getMessage(_ get: AMQP.Basic.Get) throws(AMQPException) {
        let queue = try virtualHost.queue(named: try queueName(get.queue), from: owner)
        try require(.read, on: .queue(queue.name))
        guard let message = queue.take(noAck: get.noAck) else {
            send(.basicGetEmpty(.init(clusterID: "")))
            return
        }
        let tag = nextDeliveryTag
        nextDeliveryTag += 1
        if !get.noAck { unacked.append(.init(tag: tag, message: message, queue: queue, consumer: nil)) }
        let content = message.content
        connection.sendMessage(.basicGetOk(.init(deliveryTag: tag, redelivered: message.redelivered,
                                                 exchange: content.exchange, routingKey: content.routingKey,
                                                 messageCount: UInt32(clamping: queue.messageCount))),
                               content: content, on: number)
    }

    func settle(tag: UInt64, multiple: Bool, outcome: Outcome) throws(AMQPException) {
        let entries: [UnackedDeliveries.Entry]
        if multiple {
            guard tag < nextDeliveryTag else { throw .preconditionFailed("unknown delivery tag \(tag)") }
            entries = unacked.removeUpTo(tag: tag)
        } else {
            guard let entry = unacked.remove(tag: tag) else { throw .preconditionFailed("unknown delivery tag \(tag)") }
            entries = [entry]
        }
        switch outcome {
        case .ack:
            for entry in entries { entry.queue.settled(entry.message, by: entry.consumer, acked: true) }
        case .reject(requeue: true):
            requeue(entries)
        case .reject(requeue: false):
            for entry in entries {
                entry.queue.settled(entry.message, by: entry.consumer, acked: false)
                if virtualHost.queues[entry.queue.name] === entry.queue {
                    virtualHost.deadLetter(entry.message, reason: .rejected, from: entry.queue)
                }
            }
        }
        // The settled consumers, and with a channel-wide window every consumer, have room.
        if channelPrefetch > 0 {
            resumeDeliveries()
        } else {
            for entry in entries { entry.queue.dispatch() }
        }
    }

    /// basic.recover: every unacked delivery goes back to its queue, redelivered.
    func recoverUnacked() {
        requeue(unacked.removeAll())
    }

    func setFlow(_ active: Bool) {
        flowActive = active
        send(.channelFlowOk(.init(active: active)))
        if active { resumeDeliveries() }
    }
}
