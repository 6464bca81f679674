/// Task id → position in `TaskTable`'s array: an open-addressing table that keeps each
/// id's 64-bit hash, so a probe compares integers and only a full hash match compares the
/// id itself. (A Dictionary<String, Int> stores no hashes: each probe compares 36-byte
/// strings, and every lookup pays for a seeded SipHash over them.)
struct TaskIDIndex: Sendable {
    /// A hash and the position it leads to, side by side: one cache line per probe.
    private struct Slot {
        /// 0 marks an empty slot; real hashes are never 0.
        var hash: UInt64
        var position: Int32
    }

    private var slots: [Slot]
    private var mask: Int
    private(set) var count = 0
    /// Per-table random seed: ids come from the network, and a fixed hash would let a sender
    /// pick ids that all land in one probe chain.
    private let seed = UInt64.random(in: 1...UInt64.max)

    init() {
        slots = Array(repeating: Slot(hash: 0, position: 0), count: 16)
        mask = 15
    }

    func hash(_ id: String) -> UInt64 {
        var id = id
        return id.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    /// The same hash as for the String of these UTF-8 bytes.
    func hash(_ utf8: UnsafeRawBufferPointer) -> UInt64 { Self.hash(utf8, seed: seed) }

    /// The position of `id` (hashed as `hash`); `idAt` reads the id stored at a position.
    func find(_ id: String, hash: UInt64, idAt: (Int) -> String) -> Int? {
        find(hash: hash) { idAt($0) == id }
    }

    /// The position whose entry has `hash` and for which `isMatch` holds.
    func find(hash: UInt64, isMatch: (Int) -> Bool) -> Int? {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot].hash != 0 {
            if slots[slot].hash == hash, isMatch(Int(slots[slot].position)) { return Int(slots[slot].position) }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Adds an id known to be absent.
    mutating func insert(hash: UInt64, position: Int) {
        if (count + 1) * 2 > slots.count { grow() }
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot].hash != 0 { slot = (slot + 1) & mask }
        slots[slot] = Slot(hash: hash, position: Int32(position))
        count += 1
    }

    /// Points the entry for the record at `old` to `new` (the table moved it).
    mutating func move(hash: UInt64, from old: Int, to new: Int) {
        guard let slot = slot(hash: hash, position: old) else { return }
        slots[slot].position = Int32(new)
    }

    /// Removes the entry for the record at `position`, shifting later entries of the probe
    /// chain back so lookups never stop at a hole.
    mutating func remove(hash: UInt64, position: Int) {
        guard var hole = slot(hash: hash, position: position) else { return }
        slots[hole].hash = 0
        count -= 1
        var next = (hole + 1) & mask
        while slots[next].hash != 0 {
            let home = Int(truncatingIfNeeded: slots[next].hash) & mask
            // Move it back if its home is not in the cyclic range (hole, next].
            let staysPut = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if !staysPut {
                slots[hole] = slots[next]
                slots[next].hash = 0
                hole = next
            }
            next = (next + 1) & mask
        }
    }

    private func slot(hash: UInt64, position: Int) -> Int? {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot].hash != 0 {
            if slots[slot].hash == hash, slots[slot].position == Int32(position) { return slot }
            slot = (slot + 1) & mask
        }
        return nil
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(hash: 0, position: 0), count: old.count * 2)
        mask = slots.count - 1
        count = 0
        for slot in old where slot.hash != 0 {
            insert(hash: slot.hash, position: Int(slot.position))
        }
    }

    /// A fast 64-bit hash: 8 bytes at a time, multiply and fold; never 0.
    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        var hash = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        var offset = 0
        while offset + 8 <= bytes.count {
            hash = mix(hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            tail |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        hash = mix(hash ^ tail)
        return hash == 0 ? 1 : hash
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var value = value &* 0xBF58_476D_1CE4_E5B9
        value ^= value >> 31
        return value &* 0x94D0_49BB_1331_11EB
    }
}
