import NIOCore

extension AMQPConnectionHandler {
    /// An ack of a channel's oldest deliveries, held while the next settlement may extend it.
    struct AckRun {
        var channel: UInt16
        var throughTag: UInt64
        var count = 1
    }

    /// Writes what the outbox held, in order, except that consecutive acks of a channel's
    /// oldest deliveries leave as one `basic.ack multiple` naming the last of them.
    func drain(_ entries: [Outbox.Entry]) {
        var run: AckRun?
        for entry in entries {
            switch entry {
            case .publish(let publish):
                if let pending = run, pending.channel == publish.channel {
                    write(pending)
                    run = nil
                }
                self.publish(publish.frames, on: publish.channel, confirms: publish.confirms, written: publish.written)
            case .settle(let settlement):
                settle(settlement, run: &run)
            }
        }
        if let run { write(run) }
    }

    private func settle(_ settlement: Outbox.Settlement, run: inout AckRun?) {
        // A closed channel's deliveries went back to their queues with it.
        guard let slot = slots[settlement.channel], slot.lifecycle == .open else { return }
        let tag = settlement.deliveryTag
        let extendsRun: Bool
        switch settlement.kind {
        case .ack(multiple: false):
            extendsRun = slot.unsettled.settle(tag) == .oldest
        case .ack(multiple: true), .nack(multiple: true, _):
            slot.unsettled.settle(through: tag)
            extendsRun = false
        case .nack(multiple: false, _), .reject:
            _ = slot.unsettled.settle(tag)
            extendsRun = false
        }
        if let pending = run, !extendsRun || pending.channel != settlement.channel {
            write(pending)
            run = nil
        }
        if extendsRun {
            run = AckRun(channel: settlement.channel, throughTag: tag, count: (run?.count ?? 0) + 1)
            return
        }
        switch settlement.kind {
        case .ack(let multiple):
            send(.basicAck(.init(deliveryTag: tag, multiple: multiple)), channel: settlement.channel)
        case .nack(let multiple, let requeue):
            send(.basicNack(.init(deliveryTag: tag, multiple: multiple, requeue: requeue)), channel: settlement.channel)
        case .reject(let requeue):
            send(.basicReject(.init(deliveryTag: tag, requeue: requeue)), channel: settlement.channel)
        }
    }

    /// Every tag below the run's last is settled in the run or was already: `multiple` acks
    /// exactly the run's own. A run of one goes out as the plain ack it was.
    private func write(_ run: AckRun) {
        send(.basicAck(.init(deliveryTag: run.throughTag, multiple: run.count > 1)), channel: run.channel)
    }
}
