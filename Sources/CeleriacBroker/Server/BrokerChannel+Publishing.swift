import AMQPProtocol
import NIOCore

/// basic.publish, mandatory returns and publisher confirms.
extension BrokerChannel {
    func selectConfirms(_ select: AMQP.Confirm.Select) throws(AMQPException) {
        confirmMode = true
        if !select.noWait { send(.confirmSelectOk(.init())) }
    }

    /// `encodedProperties`: the properties as the publisher sent them, when the decoder kept
    /// them; otherwise they are encoded here, once, for every delivery to share.
    func publish(_ message: AMQPContentAssembler.Message, encodedProperties: ByteBuffer? = nil) throws(AMQPException) {
        guard case .basicPublish(let publish) = message.method else {
            throw .commandInvalid("\(message.method.name) carries content only from the server")
        }
        if publish.immediate {
            throw AMQPException.notImplemented("immediate=true").caused(by: message.method)
        }
        do {
            try requirePublish(to: publish.exchange)
        } catch {
            throw error.caused(by: message.method)
        }
        let properties = message.header.properties
        if let userID = properties.userID, userID != connection.user?.name {
            throw AMQPException.preconditionFailed("user_id property set to '\(userID)' but authenticated user was '\(connection.user?.name ?? "")'").caused(by: message.method)
        }
        let queues: [MessageQueue]
        if publish.exchange.isEmpty, let last = lastDirectRoute, !last.queues[0].isRemoved, last.routingKey == publish.routingKey {
            queues = last.queues
        } else {
            do {
                queues = try virtualHost.route(exchange: publish.exchange, routingKey: publish.routingKey,
                                               headers: properties.headers)
            } catch {
                throw error.caused(by: message.method)
            }
            if publish.exchange.isEmpty, queues.count == 1 {
                lastDirectRoute = (publish.routingKey, queues)
            }
        }
        let content = MessageContent(exchange: publish.exchange, routingKey: publish.routingKey, properties: properties,
                                     encodedProperties: encodedProperties ?? Self.encode(properties), body: message.body)
        let messageTTL: UInt64?
        do {
            messageTTL = try content.expirationMilliseconds()
        } catch {
            throw error.caused(by: message.method)
        }
        if confirmMode { publishSequence += 1 }
        var accepted = true
        if queues.isEmpty {
            if publish.mandatory {
                connection.sendMessage(.basicReturn(.init(replyCode: AMQPReplyCode.noRoute.rawValue, replyText: "NO_ROUTE",
                                                          exchange: publish.exchange, routingKey: publish.routingKey)),
                                       content: content, on: number)
            }
        } else {
            for queue in queues where !queue.enqueue(content, messageTTL: messageTTL) { accepted = false }
        }
        guard confirmMode else { return }
        if content.isPersistent, let storage = virtualHost.store?.storage, queues.contains(where: { $0.store != nil }) {
            let sequence = publishSequence
            heldConfirms.append((sequence, accepted, false))
            storage.afterDurable { [weak self] in self?.messagesOnDisk(upTo: sequence) }
        } else if !heldConfirms.isEmpty {
            heldConfirms.append((publishSequence, accepted, true))
        } else {
            confirm(publishSequence, accepted: accepted)
        }
    }

    /// The store says everything up to `sequence` is durable: answer, in order, what waited.
    /// Sequences grow along the buffer, so the answers are a run from its front — up to
    /// `sequence`, and on through what needed no disk — and nothing behind it is visited
    /// (this runs once per persistent message; a scan of the whole buffer made a group
    /// commit of n messages cost n² steps).
    func messagesOnDisk(upTo sequence: UInt64) {
        while let first = heldConfirms.first, first.sequence <= sequence || first.onDisk {
            heldConfirms.removeFirst()
            confirm(first.sequence, accepted: first.accepted)
        }
    }

    /// Marks a publish as confirmed (or refused: a full queue with x-overflow
    /// reject-publish); the answers go out with the next write, one frame per run.
    func confirm(_ sequence: UInt64, accepted: Bool) {
        if pendingConfirms.isEmpty { connection.confirmsDue(on: self) }
        if let last = pendingConfirms.last, last.accepted == accepted {
            pendingConfirms[pendingConfirms.count - 1].upTo = sequence
        } else {
            pendingConfirms.append((sequence, accepted))
        }
    }

    /// Writes one basic.ack (or basic.nack) per run of equal answers, `multiple` when the
    /// run covers more than one publish.
    func writeConfirms() {
        for run in pendingConfirms {
            let multiple = run.upTo - lastConfirmWritten > 1
            if run.accepted {
                send(.basicAck(.init(deliveryTag: run.upTo, multiple: multiple)))
            } else {
                send(.basicNack(.init(deliveryTag: run.upTo, multiple: multiple, requeue: false)))
            }
            lastConfirmWritten = run.upTo
        }
        pendingConfirms = []
    }

    private static func encode(_ properties: AMQPBasicProperties) -> ByteBuffer {
        var buffer = ByteBuffer()
        // Decoded from the wire a moment ago, so it encodes.
        try! properties.encode(into: &buffer)
        return buffer
    }
}
