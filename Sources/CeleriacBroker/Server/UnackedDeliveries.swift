import NIOCore

/// A channel's deliveries awaiting ack, by delivery tag. Tags grow by one per delivery and
/// clients mostly ack in order, so entries sit in a ring indexed by `tag - firstTag`: an
/// ack is O(1), a `multiple` ack walks only what it settles.
struct UnackedDeliveries {
    struct Entry {
        let tag: UInt64
        let message: QueuedMessage
        let queue: MessageQueue
        /// nil for basic.get.
        let consumer: QueueConsumer?
    }

    private var entries = CircularBuffer<Entry?>()
    private var firstTag: UInt64 = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func append(_ entry: Entry) {
        if entries.isEmpty { firstTag = entry.tag }
        // Tags of no-ack deliveries leave holes.
        while firstTag + UInt64(entries.count) < entry.tag { entries.append(nil) }
        entries.append(entry)
        count += 1
    }

    mutating func remove(tag: UInt64) -> Entry? {
        guard tag >= firstTag, tag - firstTag < UInt64(entries.count) else { return nil }
        let index = entries.index(entries.startIndex, offsetBy: Int(tag - firstTag))
        guard let entry = entries[index] else { return nil }
        entries[index] = nil
        count -= 1
        trimSettled()
        return entry
    }

    /// Every entry up to and including `tag` (`multiple=true`); tag 0 means all.
    mutating func removeUpTo(tag: UInt64) -> [Entry] {
        var removed: [Entry] = []
        while let first = entries.first, tag == 0 || firstTag <= tag {
            if let entry = first { removed.append(entry) }
            entries.removeFirst()
            firstTag += 1
        }
        count -= removed.count
        trimSettled()
        return removed
    }

    mutating func removeAll() -> [Entry] { removeUpTo(tag: 0) }

    /// Whether `tag` is a delivery still awaiting its ack.
    func contains(tag: UInt64) -> Bool {
        guard tag >= firstTag, tag - firstTag < UInt64(entries.count) else { return false }
        return entries[entries.index(entries.startIndex, offsetBy: Int(tag - firstTag))] != nil
    }

    private mutating func trimSettled() {
        while let first = entries.first, first == nil {
            entries.removeFirst()
            firstTag += 1
        }
    }
}
