/// The last few strings met, each with a number: for the names every task event repeats
/// (worker hostnames, task names), found by one compare instead of a hash and a dictionary
/// probe. Direct-mapped by length and last byte, so a clash only costs a miss, after which
/// the caller asks its dictionary and remembers the answer here.
struct RecentStrings: Sendable {
    private static let slotCount = 16
    private var keys = [String?](repeating: nil, count: slotCount)
    private var values = [Int](repeating: 0, count: slotCount)

    func value(for key: String) -> Int? {
        let slot = Self.slot(key)
        return keys[slot] == key ? values[slot] : nil
    }

    mutating func remember(_ key: String, _ value: Int) {
        let slot = Self.slot(key)
        keys[slot] = key
        values[slot] = value
    }

    mutating func removeAll() {
        for slot in keys.indices { keys[slot] = nil }
    }

    private static func slot(_ key: String) -> Int {
        let utf8 = key.utf8
        return (utf8.count &* 31 &+ Int(utf8.last ?? 0)) & (slotCount - 1)
    }
}
