import NIOCore

/// The delivery tags a channel has handed out for manual acknowledgement and not yet
/// settled, oldest first. A broker numbers a channel's deliveries 1, 2, 3…, and
/// `basic.ack multiple` settles every unsettled tag up to the one it names, so when a run of
/// acks settles the oldest tags in order the run can leave as one frame — the broker then
/// handles one ack where it would have handled many. Out of order, or for a tag not known
/// here, each settlement goes out as it was asked for.
struct UnsettledDeliveries {
    /// Ascending: deliveries arrive in tag order.
    private var tags = CircularBuffer<UInt64>(initialCapacity: 16)

    var count: Int { tags.count }

    mutating func delivered(_ tag: UInt64) {
        tags.append(tag)
    }

    enum Removal {
        /// It was the oldest: every tag below it is settled.
        case oldest
        /// Older ones are still unsettled.
        case later
        /// Not a tag this channel is waiting to settle.
        case unknown
    }

    /// Forgets `tag`, and says where it stood.
    mutating func settle(_ tag: UInt64) -> Removal {
        if tags.first == tag {
            tags.removeFirst()
            return .oldest
        }
        // Near the front, usually: settlements mostly follow deliveries.
        guard let index = tags.firstIndex(of: tag) else { return .unknown }
        tags.remove(at: index)
        return .later
    }

    /// Forgets every tag up to and including `tag` (a `multiple` settlement).
    mutating func settle(through tag: UInt64) {
        while let first = tags.first, first <= tag { tags.removeFirst() }
    }

    /// basic.recover gives every unsettled message back: their tags are void.
    mutating func removeAll() {
        tags.removeAll(keepingCapacity: true)
    }
}
