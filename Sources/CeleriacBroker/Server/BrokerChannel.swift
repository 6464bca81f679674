import AMQPProtocol
import NIOCore

/// One AMQP channel on a client connection: its consumers and their prefetch windows, the
/// deliveries awaiting ack, publisher confirms, and the message being published.
final class BrokerChannel: DeliveryChannel {
    let number: UInt16
    unowned let connection: BrokerConnection
    let virtualHost: VirtualHost

    var assembler: AMQPContentAssembler
    var consumers: [String: QueueConsumer] = [:]
    var unacked = UnackedDeliveries()
    var nextDeliveryTag: UInt64 = 1
    /// basic.qos global=false: the window of consumers started after it.
    var consumerPrefetch = 0
    /// basic.qos global=true: one window shared by every consumer on the channel.
    var channelPrefetch = 0
    /// channel.flow from the client: false pauses deliveries.
    var flowActive = true
    /// The queue last declared here; an empty queue name in later methods means it.
    var lastDeclaredQueue: String?

    var confirmMode = false
    var publishSequence: UInt64 = 0
    /// Answers to publishes not written yet: runs of acks or nacks, each up to a sequence number.
    var pendingConfirms: [(upTo: UInt64, accepted: Bool)] = []
    var lastConfirmWritten: UInt64 = 0
    /// Answers held back until persistent messages are on disk; later answers wait behind
    /// them, because a confirm with `multiple` covers everything before it.
    var heldConfirms = CircularBuffer<(sequence: UInt64, accepted: Bool, onDisk: Bool)>()

    /// Exchanges this channel was found allowed to publish to.
    var publishableExchanges: Set<String> = []
    var lastPublishableExchange: String?
    /// The queue the last publish to the default exchange went to, kept until that queue is
    /// removed: a publisher mostly sends to one queue, and its name is compared instead of
    /// hashed, with no array made per message. (A queue declared under that name later is a
    /// new queue; the old one is removed first.)
    var lastDirectRoute: (routingKey: String, queues: [MessageQueue])?

    /// We sent channel.close and wait for close-ok; frames until then are dropped.
    private(set) var isClosing = false

    init(number: UInt16, connection: BrokerConnection, virtualHost: VirtualHost) {
        self.number = number
        self.connection = connection
        self.virtualHost = virtualHost
        assembler = AMQPContentAssembler(maximumBodySize: connection.state.configuration.maximumMessageSize)
    }

    var owner: ObjectIdentifier { connection.id }

    // MARK: Frames

    func receive(_ method: AMQPMethod) throws(AMQPException) {
        let output: AMQPContentAssembler.Output
        do {
            output = try assembler.receiveMethod(method)
        } catch {
            throw AMQPException(error.replyCode, String(describing: error))
        }
        switch output {
        case .method(let method): try handle(method)
        case .message(let message): try publish(message)
        case .incomplete: break
        }
    }

    func receive(_ header: AMQPContentHeader) throws(AMQPException) {
        try publishIfComplete { () throws(AMQPProtocolError) in try assembler.receiveHeader(header) }
    }

    func receive(_ body: ByteBuffer) throws(AMQPException) {
        try publishIfComplete { () throws(AMQPProtocolError) in try assembler.receiveBody(body) }
    }

    /// Feeds a content frame to the assembler and publishes the message it completes.
    private func publishIfComplete(_ step: () throws(AMQPProtocolError) -> AMQPContentAssembler.Output)
        throws(AMQPException)
    {
        let output: AMQPContentAssembler.Output
        do {
            output = try step()
        } catch {
            throw AMQPException(error.replyCode, String(describing: error))
        }
        if case .message(let message) = output { try publish(message) }
    }

    func send(_ method: AMQPMethod) { connection.send(method, on: number) }

    // MARK: Closing

    /// Closes this channel for a soft error: channel.close now, resources released at once.
    func close(with error: AMQPException) {
        connection.logger.info("closing channel \(number): \(error.replyText)")
        send(.channelClose(.init(replyCode: error.code.rawValue, replyText: error.replyText,
                                 classID: error.classID, methodID: error.methodID)))
        isClosing = true
        release()
    }

    /// Cancels the consumers and returns unacknowledged messages to their queues, in the
    /// order they were delivered, marked redelivered.
    func release() {
        for consumer in consumers.values { detach(consumer) }
        consumers = [:]
        requeue(unacked.removeAll())
        assembler = AMQPContentAssembler(maximumBodySize: connection.state.configuration.maximumMessageSize)
    }

    func detach(_ consumer: QueueConsumer) {
        let queue = consumer.queue
        if queue.remove(consumer) { virtualHost.removeQueue(queue) }
    }

    func requeue(_ entries: [UnackedDeliveries.Entry]) {
        guard !entries.isEmpty else { return }
        var byQueue: [ObjectIdentifier: (queue: MessageQueue, messages: [QueuedMessage])] = [:]
        var order: [ObjectIdentifier] = []
        for entry in entries {
            entry.queue.settled(entry.message, by: entry.consumer, acked: false, requeued: true)
            let key = ObjectIdentifier(entry.queue)
            if byQueue[key] == nil { order.append(key) }
            byQueue[key, default: (entry.queue, [])].messages.append(entry.message)
        }
        for key in order {
            let (queue, messages) = byQueue[key]!
            // A queue deleted meanwhile takes nothing back.
            if virtualHost.queues[queue.name] === queue { queue.requeue(messages) }
        }
    }

    // MARK: DeliveryChannel

    var canTakeDelivery: Bool {
        !isClosing && flowActive && (channelPrefetch == 0 || unacked.count < channelPrefetch) && connection.canWrite
    }

    func deliver(_ message: QueuedMessage, from queue: MessageQueue, to consumer: QueueConsumer) {
        let tag = nextDeliveryTag
        nextDeliveryTag += 1
        if !consumer.noAck {
            unacked.append(.init(tag: tag, message: message, queue: queue, consumer: consumer))
        }
        let content = message.content
        connection.sendMessage(.basicDeliver(.init(consumerTag: consumer.tag, deliveryTag: tag,
                                                   redelivered: message.redelivered, exchange: content.exchange,
                                                   routingKey: content.routingKey)),
                               content: content, on: number)
    }

    func queueCancelled(_ consumer: QueueConsumer) {
        guard consumers.removeValue(forKey: consumer.tag) != nil else { return }
        send(.basicCancel(.init(consumerTag: consumer.tag, noWait: true)))
    }

    /// Room came back (an ack, a larger window, a drained socket): the queues this
    /// channel consumes from may deliver again.
    func resumeDeliveries() {
        for consumer in consumers.values { consumer.queue.dispatch() }
    }
}
