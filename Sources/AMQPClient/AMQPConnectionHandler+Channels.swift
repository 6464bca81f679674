import NIOCore

extension AMQPConnectionHandler {
    /// A frame for channel 1 or above: methods, headers and bodies go through the channel's
    /// assembler, which refuses them out of order (505, a connection error by the spec).
    func handleChannelFrame(_ frame: AMQPFrame) throws(AMQPProtocolError) {
        // Frames for a channel we no longer know arrive after we closed it; they are dropped.
        guard let slot = slots[frame.channel] else { return }
        let output: AMQPContentAssembler.Output
        switch frame {
        case .method(_, let method):
            if slot.lifecycle == .closing {
                handleWhileClosing(slot, method)
                return
            }
            output = try slot.assembler.receiveMethod(method)
        case .header(_, let header):
            output = try slot.assembler.receiveHeader(header)
        case .body(_, let body):
            output = try slot.assembler.receiveBody(body)
        case .heartbeat:
            return
        }
        switch output {
        case .method(let method): handleChannelMethod(slot, method)
        case .message(let message): handleChannelMessage(slot, message)
        case .incomplete: break
        }
    }

    /// After we sent channel.close only close-ok (or a crossing channel.close) matters — and
    /// the replies to what was sent before the close, which the broker answers first: a
    /// consumer cancelled just before the close gets its cancel-ok ahead of the close-ok.
    private func handleWhileClosing(_ slot: ChannelSlot, _ method: AMQPMethod) {
        switch method {
        case .channelCloseOk:
            completeRPCsUpToClose(slot, with: method)
        case .channelClose:
            send(.channelCloseOk(.init()), channel: slot.channel.id)
            completeRPCsUpToClose(slot, with: .channelCloseOk(.init()))
        default:
            if let rpc = slot.pending.first, rpc.accepts(method) { completeRPC(slot, with: method) }
        }
    }

    /// Requests sent before the close that got no reply will never get one.
    private func completeRPCsUpToClose(_ slot: ChannelSlot, with closeOk: AMQPMethod) {
        while let rpc = slot.pending.first {
            if case .closeChannel = rpc.purpose { break }
            slot.pending.removeFirst()
            rpc.promise.fail(AMQPClientError.channelClosed(channel: slot.channel.id))
        }
        completeRPC(slot, with: closeOk)
    }

    private func handleChannelMethod(_ slot: ChannelSlot, _ method: AMQPMethod) {
        let id = slot.channel.id
        switch method {
        case .channelClose(let close):
            send(.channelCloseOk(.init()), channel: id)
            closeSlot(id, error: .channelClosedByServer(replyCode: AMQPReplyCode(close.replyCode),
                                                        replyText: close.replyText,
                                                        classID: close.classID, methodID: close.methodID))
        case .basicAck(let ack):
            settleConfirms(slot, deliveryTag: ack.deliveryTag, multiple: ack.multiple, acked: true)
        case .basicNack(let nack):
            settleConfirms(slot, deliveryTag: nack.deliveryTag, multiple: nack.multiple, acked: false)
        case .basicCancel(let cancel):
            // The broker cancels a consumer whose queue went away (consumer_cancel_notify).
            slot.noAckConsumers.remove(cancel.consumerTag)
            slot.consumers.removeValue(forKey: cancel.consumerTag)?
                .finish(throwing: AMQPClientError.consumerCancelledByServer(consumerTag: cancel.consumerTag))
        case .channelFlow(let flow):
            send(.channelFlowOk(.init(active: flow.active)), channel: id)
        default:
            completeRPC(slot, with: method)
        }
    }

    func handleChannelMessage(_ slot: ChannelSlot, _ message: AMQPContentAssembler.Message) {
        switch message.method {
        case .basicDeliver(let deliver):
            let consumer = slot.consumer(tagged: deliver.consumerTag)
            if !consumer.noAck { slot.unsettled.delivered(deliver.deliveryTag) }
            guard let sink = consumer.sink else { return }
            sink.deliver(AMQPDelivery(deliveryTag: deliver.deliveryTag, redelivered: deliver.redelivered,
                                    exchange: deliver.exchange, routingKey: deliver.routingKey,
                                    consumerTag: deliver.consumerTag, properties: message.header.properties,
                                    body: message.body, channel: slot.channel))
        case .basicReturn(let returned):
            let message = AMQPReturnedMessage(replyCode: AMQPReplyCode(returned.replyCode),
                                              replyText: returned.replyText, exchange: returned.exchange,
                                              routingKey: returned.routingKey,
                                              properties: message.header.properties, body: message.body)
            if slot.confirmMode { slot.confirms.returned(message) }
            slot.channel.returnsContinuation.yield(message)
        default:
            guard let rpc = slot.pending.first, rpc.accepts(message.method) else {
                failProtocol(.unexpectedFrame("\(message.method.name) with content that nothing asked for"))
                return
            }
            slot.pending.removeFirst()
            if case .basicGetOk(let ok) = message.method, case .get(noAck: false) = rpc.purpose {
                slot.unsettled.delivered(ok.deliveryTag)
            }
            rpc.promise.succeed(.message(message))
        }
    }

    /// Pairs a reply with the oldest waiting request on the channel.
    private func completeRPC(_ slot: ChannelSlot, with method: AMQPMethod) {
        guard let rpc = slot.pending.first else {
            failProtocol(.unexpectedFrame("\(method.name) that nothing asked for"))
            return
        }
        slot.pending.removeFirst()
        guard rpc.accepts(method) else {
            let expected = rpc.expected.map { AMQPClientError.methodName($0.0, $0.1) }.joined(separator: " or ")
            rpc.promise.fail(AMQPClientError.unexpectedReply(expected: expected, received: method.name))
            return
        }
        switch rpc.purpose {
        case .plain:
            break
        case .openChannel:
            slot.lifecycle = .open
        case .closeChannel:
            rpc.promise.succeed(.method(method))
            closeSlot(slot.channel.id, error: .channelClosed(channel: slot.channel.id))
            return
        case .consume(let tag, let noAck, let sink):
            slot.consumers[tag] = sink
            if noAck { slot.noAckConsumers.insert(tag) }
        case .get:
            break
        case .cancel(let tag):
            slot.noAckConsumers.remove(tag)
            slot.consumers.removeValue(forKey: tag)?.finish()
        }
        rpc.promise.succeed(.method(method))
    }

    private func settleConfirms(_ slot: ChannelSlot, deliveryTag: UInt64, multiple: Bool, acked: Bool) {
        for (waiter, outcome) in slot.confirms.settle(deliveryTag: deliveryTag, multiple: multiple, acked: acked) {
            switch outcome {
            case .acked:
                waiter.succeed()
            case .nacked:
                waiter.fail(AMQPClientError.publishNacked(deliveryTag: deliveryTag))
            case .returned(let message):
                waiter.fail(AMQPClientError.unroutable(replyCode: message.replyCode, replyText: message.replyText,
                                                      exchange: message.exchange, routingKey: message.routingKey))
            }
        }
        completeDrainWaitersIfSettled(slot)
    }

    func completeDrainWaitersIfSettled(_ slot: ChannelSlot) {
        guard slot.confirms.outstandingCount == 0, !slot.confirmDrainWaiters.isEmpty else { return }
        let nacked = slot.confirms.nackedSinceLastDrain
        slot.confirms.resetNackFlag()
        for waiter in slot.confirmDrainWaiters {
            if nacked {
                waiter.fail(AMQPClientError.publishNacked(deliveryTag: 0))
            } else {
                waiter.succeed()
            }
        }
        slot.confirmDrainWaiters.removeAll()
    }

    /// Ends one channel: its waiters, consumers and confirm waiters all fail with `error`.
    func closeSlot(_ id: UInt16, error: AMQPClientError) {
        guard let slot = slots.removeValue(forKey: id) else { return }
        slot.channel.closed.close(with: error)
        for rpc in slot.pending { rpc.promise.fail(error) }
        slot.pending.removeAll()
        for (_, sink) in slot.consumers {
            switch error {
            case .channelClosed, .connectionClosed: sink.finish()  // we closed it: a normal end
            default: sink.finish(throwing: error)
            }
        }
        slot.consumers.removeAll()
        for waiter in slot.confirms.removeAll() { waiter.fail(error) }
        for waiter in slot.confirmDrainWaiters { waiter.fail(error) }
        slot.confirmDrainWaiters.removeAll()
        slot.channel.returnsContinuation.finish()
    }
}
