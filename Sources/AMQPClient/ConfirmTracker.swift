/// Publisher confirms on one channel: every message published after confirm.select gets the
/// next sequence number, and the broker acks or nacks them, singly or "up to and including"
/// (multiple). The tracker pairs those answers with whoever waits; it holds values only.
struct ConfirmTracker<Waiter> {
    enum Outcome: Equatable {
        case acked
        case nacked
        case returned(AMQPReturnedMessage)
    }

    private(set) var nextSequence: UInt64 = 1
    /// Outstanding messages in publishing order (sequence numbers only grow).
    private var outstanding: [(sequence: UInt64, waiter: Waiter?)] = []
    private var head = 0
    /// A basic.return arrives just before the ack of the same message (RabbitMQ's order).
    private var pendingReturn: AMQPReturnedMessage?
    private(set) var nackedSinceLastDrain = false

    var outstandingCount: Int { outstanding.count - head }

    mutating func published(waiter: Waiter?) -> UInt64 {
        let sequence = nextSequence
        nextSequence += 1
        outstanding.append((sequence, waiter))
        return sequence
    }

    mutating func returned(_ message: AMQPReturnedMessage) {
        pendingReturn = message
    }

    /// Settles the messages an ack or nack names; returns the waiters to complete.
    mutating func settle(deliveryTag: UInt64, multiple: Bool, acked: Bool) -> [(Waiter, Outcome)] {
        if !acked { nackedSinceLastDrain = true }
        var settled: [(Waiter, Outcome)] = []
        let returned = pendingReturn
        pendingReturn = nil
        func outcome() -> Outcome {
            if !acked { return .nacked }
            if !multiple, let returned { return .returned(returned) }
            return .acked
        }
        if multiple || deliveryTag == 0 {
            while head < outstanding.count, deliveryTag == 0 || outstanding[head].sequence <= deliveryTag {
                if let waiter = outstanding[head].waiter { settled.append((waiter, outcome())) }
                head += 1
            }
        } else if let index = indexOf(deliveryTag) {
            if let waiter = outstanding[index].waiter { settled.append((waiter, outcome())) }
            if index == head {
                head += 1
            } else {
                outstanding.remove(at: index)
            }
        }
        compact()
        return settled
    }

    /// Every outstanding waiter, for failing them when the channel closes.
    mutating func removeAll() -> [Waiter] {
        let waiters = outstanding[head...].compactMap(\.waiter)
        outstanding.removeAll()
        head = 0
        return waiters
    }

    mutating func resetNackFlag() { nackedSinceLastDrain = false }

    private func indexOf(_ sequence: UInt64) -> Int? {
        var low = head
        var high = outstanding.count - 1
        while low <= high {
            let mid = (low + high) / 2
            let value = outstanding[mid].sequence
            if value == sequence { return mid }
            if value < sequence { low = mid + 1 } else { high = mid - 1 }
        }
        return nil
    }

    private mutating func compact() {
        if head > 1024 && head * 2 > outstanding.count {
            outstanding.removeFirst(head)
            head = 0
        } else if head == outstanding.count {
            outstanding.removeAll(keepingCapacity: true)
            head = 0
        }
    }
}
