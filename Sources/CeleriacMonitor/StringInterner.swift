import Celeriac

/// Hands out one shared String per distinct text for the few values every event repeats
/// (worker hostnames, task names): no allocation or UTF-8 check per event, and a million
/// held tasks share a handful of strings. A small direct-mapped table: a collision only
/// costs a new String, never a wrong one.
struct StringInterner: Sendable {
    private static let slotCount = 256
    /// Texts longer than this are not interned (they are rare, and copies are cheap next to them).
    private static let longest = 64
    /// Each slot's bytes, `longest` apart, beside its String and length: compared in place.
    private var bytes = [UInt8](repeating: 0, count: slotCount * longest)
    private var lengths = [Int](repeating: -1, count: slotCount)
    private var strings = [String](repeating: "", count: slotCount)

    /// The string for `token`; nil when its bytes are not valid UTF-8.
    mutating func string(_ token: JSONKey) -> String? {
        token.withBytes { text -> String? in
            guard !text.isEmpty else { return "" }
            guard text.count <= Self.longest else { return JSONReader.string(text) }
            let slot = Self.slot(text)
            if lengths[slot] == text.count {
                let same = bytes.withUnsafeBytes { stored in
                    sameBytes(stored.baseAddress! + slot * Self.longest, text.baseAddress!, count: text.count)
                }
                if same { return strings[slot] }
            }
            guard let made = JSONReader.string(text) else { return nil }
            bytes.withUnsafeMutableBytes { stored in
                (stored.baseAddress! + slot * Self.longest).copyMemory(from: text.baseAddress!, byteCount: text.count)
            }
            lengths[slot] = text.count
            strings[slot] = made
            return made
        }
    }

    /// A slot from the length and the first and last bytes: hostnames and task names of one
    /// cluster differ there (worker1@…, proj.tasks.add), and a clash only costs a String.
    private static func slot(_ bytes: UnsafeRawBufferPointer) -> Int {
        var word = UInt64(bytes.count)
        if bytes.count >= 8 {
            word ^= bytes.loadUnaligned(as: UInt64.self)
            word ^= bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self) &* 31
        } else {
            for byte in bytes { word = word &* 257 &+ UInt64(byte) }
        }
        word = (word ^ (word >> 29)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: (word ^ (word >> 32)) & UInt64(slotCount - 1))
    }
}
