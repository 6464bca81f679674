import NIOCore

/// The requests public API calls make; each runs on the connection's event loop.
extension AMQPConnectionHandler {
    func openChannel(for connection: AMQPConnection, promise: EventLoopPromise<AMQPChannel>) {
        guard closed.error == nil, let negotiated else {
            promise.fail(closed.error ?? .connectionClosed)
            return
        }
        let limit = negotiated.channelMax == 0 ? UInt16.max : negotiated.channelMax
        guard let id = (1...limit).first(where: { slots[$0] == nil }) else {
            promise.fail(AMQPClientError.tooManyChannels(limit: limit))
            return
        }
        let channel = AMQPChannel(id: id, connection: connection)
        slots[id] = ChannelSlot(channel: channel)
        let reply = promise.futureResult.eventLoop.makePromise(of: RPCReply.self)
        sendRPC(.channelOpen(.init()), on: id, expecting: [AMQP.Channel.OpenOk.self], purpose: .openChannel,
                promise: reply)
        reply.futureResult.map { _ in channel }.cascade(to: promise)
    }

    /// Sends a synchronous method and completes `promise` with its reply.
    func sendRPC(_ method: AMQPMethod, on id: UInt16, expecting replies: [any AMQPMethodPayload.Type],
                 purpose: PendingRPC.Purpose = .plain, promise: EventLoopPromise<RPCReply>) {
        guard let slot = slots[id] else {
            promise.fail(closed.error ?? .channelClosed(channel: id))
            return
        }
        if case .closing = slot.lifecycle {
            promise.fail(AMQPClientError.channelClosed(channel: id))
            return
        }
        guard let context else {
            promise.fail(closed.error ?? .connectionClosed)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 128)
        do {
            try buffer.writeAMQPFrame(.method(channel: id, method))
        } catch {
            promise.fail(AMQPClientError.invalidArgument(error))
            return
        }
        switch purpose {
        case .closeChannel: slot.lifecycle = .closing
        default: break
        }
        // Every unsettled message goes back: their tags are void from here on.
        if case .basicRecover = method { slot.unsettled.removeAll() }
        slot.pending.append(PendingRPC(expected: replies.map { ($0.classID, $0.methodID) }, purpose: purpose,
                                       promise: promise))
        write(buffer, promise: nil)
    }

    /// Publishes frames encoded off the loop. In confirm mode the message takes the next
    /// sequence number here, on the loop, so numbers follow the order on the wire.
    /// Writes messages published in a row on one channel; `confirms` has a place per message.
    func publish(_ frames: ByteBuffer, on id: UInt16, confirms: [EventLoopPromise<Void>?],
                 written: EventLoopPromise<Void>?) {
        guard let slot = slots[id], slot.lifecycle == .open else {
            let error = slots[id]?.channel.closed.error ?? closed.error ?? .channelClosed(channel: id)
            for confirm in confirms { confirm?.fail(error) }
            written?.fail(error)
            return
        }
        if slot.confirmMode {
            for confirm in confirms { _ = slot.confirms.published(waiter: confirm) }
        } else {
            for confirm in confirms { confirm?.fail(AMQPClientError.notInConfirmMode) }
        }
        write(frames, promise: written)
    }

    func enableConfirms(on id: UInt16, promise: EventLoopPromise<RPCReply>) {
        sendRPC(.confirmSelect(.init()), on: id, expecting: [AMQP.Confirm.SelectOk.self], promise: promise)
        // Messages published after the select are numbered from 1, whatever the reply's timing.
        slots[id]?.confirmMode = true
    }

    func waitForConfirms(on id: UInt16, promise: EventLoopPromise<Void>) {
        guard let slot = slots[id] else {
            promise.fail(closed.error ?? .channelClosed(channel: id))
            return
        }
        guard slot.confirmMode else {
            promise.fail(AMQPClientError.notInConfirmMode)
            return
        }
        slot.confirmDrainWaiters.append(promise)
        completeDrainWaitersIfSettled(slot)
    }

    /// A consumer whose sequence was dropped by its reader: cancel it without waiting.
    func abandonConsumer(tag: String, on id: UInt16) {
        guard let slot = slots[id], slot.consumers[tag] != nil, slot.lifecycle == .open else { return }
        let reply = context!.eventLoop.makePromise(of: RPCReply.self)
        sendRPC(.basicCancel(.init(consumerTag: tag)), on: id, expecting: [AMQP.Basic.CancelOk.self],
                purpose: .cancel(tag: tag), promise: reply)
        reply.futureResult.whenFailure { _ in }
    }

    /// connection.close; the socket closes when close-ok arrives, or after `timeout`.
    func closeConnection(promise: EventLoopPromise<Void>, timeout: TimeAmount) {
        guard let context, context.channel.isActive else {
            promise.succeed()
            return
        }
        closePromises.append(promise)
        guard closed.close(with: .connectionClosed) else { return }  // already closing
        send(.connectionClose(.init(replyCode: AMQPReplyCode.replySuccess.rawValue, replyText: "Goodbye",
                                    classID: 0, methodID: 0)), channel: 0)
        fail(with: .connectionClosed)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }
}
