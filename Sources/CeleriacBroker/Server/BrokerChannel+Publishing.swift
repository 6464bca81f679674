import AMQPProtocol
import NIOCore

/// basic.publish, mandatory returns and publisher confirms.
extension BrokerChannel {
    func selectConfirms(_ select: AMQP.Confirm.Select) throws(AMQPException) {
        confirmMode = true
        if !select.noWait { send(.confirmSelectOk(.init())) }
    }

    func publish(_ message: AMQPContentAssembler.Message) throws(AMQPException) {
        guard case .basicPublish(let publish) = message.method else {
            throw .commandInvalid("\(message.method.name) carries content only from the server")
        }
        if publish.immediate {
            throw AMQPException.notImplemented("immediate=true").caused(by: message.method)
        }
        let properties = message.header.properties
        if let userID = properties.userID, userID != connection.user?.name {
            throw AMQPException.preconditionFailed("user_id property set to '\(userID)' but authenticated user was '\(connection.user?.name ?? "")'").caused(by: message.method)
        }
        let queues: [MessageQueue]
        do {
            queues = try virtualHost.route(exchange: publish.exchange, routingKey: publish.routingKey,
                                           headers: properties.headers)
        } catch {
            throw error.caused(by: message.method)
        }
        let content = MessageContent(exchange: publish.exchange, routingKey: publish.routingKey, properties: properties,
                                     encodedProperties: Self.encode(properties), body: message.body)
        if confirmMode { publishSequence += 1 }
        if queues.isEmpty {
            if publish.mandatory {
                connection.sendMessage(.basicReturn(.init(replyCode: AMQPReplyCode.noRoute.rawValue, replyText: "NO_ROUTE",
                                                          exchange: publish.exchange, routingKey: publish.routingKey)),
                                       content: content, on: number)
            }
        } else {
            for queue in queues { queue.enqueue(QueuedMessage(content: content)) }
        }
        if confirmMode { confirm(publishSequence) }
    }

    /// Marks a publish as confirmed; the ack goes out with the next write, one for the lot.
    func confirm(_ sequence: UInt64) {
        if confirmedUpTo == lastConfirmWritten { connection.confirmsDue(on: self) }
        confirmedUpTo = sequence
    }

    /// Writes one basic.ack for everything confirmed since the last one (multiple when it
    /// covers more than one publish).
    func writeConfirms() {
        guard confirmedUpTo > lastConfirmWritten else { return }
        let multiple = confirmedUpTo - lastConfirmWritten > 1
        send(.basicAck(.init(deliveryTag: confirmedUpTo, multiple: multiple)))
        lastConfirmWritten = confirmedUpTo
    }

    private static func encode(_ properties: AMQPBasicProperties) -> ByteBuffer {
        var buffer = ByteBuffer()
        // Decoded from the wire a moment ago, so it encodes.
        try! properties.encode(into: &buffer)
        return buffer
    }
}
