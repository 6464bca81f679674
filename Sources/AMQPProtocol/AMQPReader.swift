import NIOCore

/// Reads AMQP's types — integers, strings, property flags, field tables — straight from a
/// frame's bytes. Each ByteBuffer read costs a runtime exclusivity check on the buffer's
/// storage and a bounds check of its own, and a publish is some twenty such reads before its
/// headers (a Celery message's are sixty more), so the frame decoder takes the bytes once and
/// this reader checks its own bounds. Every read still checks that its bytes are there:
/// hostile input throws, never traps.
struct AMQPReader {
    private let bytes: UnsafeRawBufferPointer
    /// How many bytes have been read.
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Bytes left to read.
    var remaining: Int { bytes.count - offset }

    // MARK: The domains of method arguments and properties

    mutating func octet() throws(AMQPProtocolError) -> UInt8 { try integer(UInt8.self, "an octet") }
    mutating func short() throws(AMQPProtocolError) -> UInt16 { try integer(UInt16.self, "a short") }
    mutating func long() throws(AMQPProtocolError) -> UInt32 { try integer(UInt32.self, "a long") }
    mutating func longLong() throws(AMQPProtocolError) -> UInt64 { try integer(UInt64.self, "a long-long") }

    mutating func shortString() throws(AMQPProtocolError) -> String {
        let length = Int(try octet())
        return try text(length: length, before: bytes.count, what: "a short string")
    }

    /// Long strings are declared as bytes; the ones AMQP methods carry (mechanisms, locales,
    /// the PLAIN response) are text, and invalid UTF-8 is repaired rather than refused.
    mutating func longString() throws(AMQPProtocolError) -> String {
        String(decoding: try span(lengthPrefixed: "a long string", before: bytes.count), as: UTF8.self)
    }

    /// The 16-bit property flags, following continuation words (bit 0) if a peer sends any.
    mutating func propertyFlags() throws(AMQPProtocolError) -> UInt16 {
        let first = try short()
        var word = first
        while word & 1 != 0 {
            word = try short()
        }
        return first & ~1
    }

    mutating func table() throws(AMQPProtocolError) -> AMQPTable { try table(depth: 0) }

    // MARK: Field tables

    mutating func table(depth: Int) throws(AMQPProtocolError) -> AMQPTable {
        guard depth < maximumTableNesting else { throw .tableNestedTooDeeply(limit: maximumTableNesting) }
        let length = Int(try integer(UInt32.self, "a long"))
        guard length <= bytes.count - offset else { throw .truncated("a field table") }
        let end = offset + length
        var table = AMQPTable()
        // About one entry per 16 bytes (Celery's headers): grown once, not doubled from one.
        table.reserveCapacity(min(length / 16, 64))
        while offset < end {
            let keyLength = Int(try integer(UInt8.self, "an octet", before: end))
            let key = try text(length: keyLength, before: end, what: "a field table key")
            table[key] = try value(depth: depth + 1, before: end)
        }
        return table
    }

    mutating func value(depth: Int) throws(AMQPProtocolError) -> AMQPFieldValue {
        try value(depth: depth, before: bytes.count)
    }

    /// A value that must end by `end`, the close of the table or array holding it.
    private mutating func value(depth: Int, before end: Int) throws(AMQPProtocolError) -> AMQPFieldValue {
        let type = try integer(UInt8.self, "an octet", before: end)
        switch type {
        case UInt8(ascii: "t"): return .bool(try integer(UInt8.self, "an octet", before: end) != 0)
        case UInt8(ascii: "b"): return .int8(Int8(bitPattern: try integer(UInt8.self, "an octet", before: end)))
        case UInt8(ascii: "B"): return .uint8(try integer(UInt8.self, "an octet", before: end))
        // 's' is RabbitMQ's signed short; py-amqp spells the same thing 'U'.
        case UInt8(ascii: "s"), UInt8(ascii: "U"): return .int16(Int16(bitPattern: try integer(UInt16.self, "a short", before: end)))
        case UInt8(ascii: "u"): return .uint16(try integer(UInt16.self, "a short", before: end))
        case UInt8(ascii: "I"): return .int32(Int32(bitPattern: try integer(UInt32.self, "a long", before: end)))
        case UInt8(ascii: "i"): return .uint32(try integer(UInt32.self, "a long", before: end))
        // 'l' is RabbitMQ's signed 64-bit; py-amqp writes large ints as signed 'L'.
        case UInt8(ascii: "l"), UInt8(ascii: "L"): return .int64(Int64(bitPattern: try integer(UInt64.self, "a long-long", before: end)))
        case UInt8(ascii: "f"): return .float(Float(bitPattern: try integer(UInt32.self, "a long", before: end)))
        case UInt8(ascii: "d"): return .double(Double(bitPattern: try integer(UInt64.self, "a long-long", before: end)))
        case UInt8(ascii: "D"):
            let scale = try integer(UInt8.self, "an octet", before: end)
            return .decimal(scale: scale, value: Int32(bitPattern: try integer(UInt32.self, "a long", before: end)))
        case UInt8(ascii: "S"):
            let raw = try span(lengthPrefixed: "a long string value", before: end)
            // Binary data in an 'S' value keeps its bytes rather than being repaired.
            if let string = Self.utf8String(raw) { return .string(string) }
            return .bytes(Array(raw))
        case UInt8(ascii: "x"): return .bytes(Array(try span(lengthPrefixed: "a byte array value", before: end)))
        case UInt8(ascii: "T"): return .timestamp(try integer(UInt64.self, "a long-long", before: end))
        case UInt8(ascii: "F"):
            return .table(try nested(before: end) { (reader: inout Self) throws(AMQPProtocolError) in try reader.table(depth: depth) })
        case UInt8(ascii: "A"):
            return .array(try nested(before: end) { (reader: inout Self) throws(AMQPProtocolError) in try reader.array(depth: depth) })
        case UInt8(ascii: "V"): return .void
        default: throw .unknownFieldType(type)
        }
    }

    mutating func array(depth: Int) throws(AMQPProtocolError) -> [AMQPFieldValue] {
        guard depth < maximumTableNesting else { throw .tableNestedTooDeeply(limit: maximumTableNesting) }
        let length = Int(try integer(UInt32.self, "a long"))
        guard length <= bytes.count - offset else { throw .truncated("a field array") }
        let end = offset + length
        var values: [AMQPFieldValue] = []
        while offset < end {
            values.append(try value(depth: depth + 1, before: end))
        }
        return values
    }

    /// A nested table or array, which must end inside the one holding it (by `end`): read on
    /// a reader of its own over the rest of the outer one's bytes.
    private mutating func nested<T>(before end: Int, _ read: (inout Self) throws(AMQPProtocolError) -> T)
        throws(AMQPProtocolError) -> T
    {
        var inner = AMQPReader(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
        let value = try read(&inner)
        offset += inner.offset
        return value
    }

    private mutating func integer<T: FixedWidthInteger>(_ type: T.Type, _ what: String, before end: Int? = nil)
        throws(AMQPProtocolError) -> T
    {
        let size = MemoryLayout<T>.size
        guard size <= (end ?? bytes.count) - offset else { throw .truncated(what) }
        defer { offset += size }
        return T(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// A long (32-bit) length, then that many bytes.
    private mutating func span(lengthPrefixed what: String, before end: Int) throws(AMQPProtocolError) -> UnsafeRawBufferPointer {
        let length = Int(try integer(UInt32.self, "a long", before: end))
        guard length <= end - offset else { throw .truncated(what) }
        defer { offset += length }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])
    }

    private mutating func text(length: Int, before end: Int, what: String) throws(AMQPProtocolError) -> String {
        guard length <= end - offset else { throw .truncated(what) }
        defer { offset += length }
        guard let string = Self.utf8String(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])) else {
            throw .invalidUTF8(what)
        }
        return string
    }

    /// The bytes as text, or nil when they are not UTF-8. ASCII (nearly every header) is
    /// valid as it is; the generic validator is slow.
    static func utf8String(_ raw: UnsafeRawBufferPointer) -> String? {
        let bytes = raw.bindMemory(to: UInt8.self)
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }
}

extension ByteBuffer {
    /// Runs `read` over the readable bytes and moves past what it read.
    mutating func readFields<T>(_ read: (inout AMQPReader) throws(AMQPProtocolError) -> T) throws(AMQPProtocolError) -> T {
        let outcome: Result<(T, Int), AMQPProtocolError> = withUnsafeReadableBytes { raw in
            var reader = AMQPReader(raw)
            do throws(AMQPProtocolError) {
                return .success((try read(&reader), reader.offset))
            } catch {
                return .failure(error)
            }
        }
        let (value, consumed) = try outcome.get()
        moveReaderIndex(forwardBy: consumed)
        return value
    }
}
