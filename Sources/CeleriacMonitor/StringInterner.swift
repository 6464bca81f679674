import Celeriac

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hands out one shared String per distinct text for the few values every event repeats
/// (worker hostnames, task names): no allocation or UTF-8 check per event, and a million
/// held tasks share a handful of strings. A small direct-mapped table: a collision only
/// costs a new String, never a wrong one.
struct StringInterner {
    private var slots: [String?] = Array(repeating: nil, count: 256)

    /// The string for `token`; nil when its bytes are not valid UTF-8.
    mutating func string(_ token: JSONKey) -> String? {
        token.withBytes { bytes -> String? in
            guard !bytes.isEmpty else { return "" }
            guard bytes.count <= 128 else { return JSONReader.string(bytes) }
            let slot = Self.slot(bytes)
            if var cached = slots[slot], cached.utf8.count == bytes.count {
                let same = cached.withUTF8 { sameBytes($0.baseAddress!, bytes.baseAddress!, count: bytes.count) }
                if same { return cached }
            }
            guard let made = JSONReader.string(bytes) else { return nil }
            slots[slot] = made
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
        return Int(truncatingIfNeeded: (word ^ (word >> 32)) & 0xFF)
    }
}
