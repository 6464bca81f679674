import NIOCore

// The AMQP domain types over ByteBuffer. Every read checks the bytes it needs are there and
// throws `.truncated` otherwise: decoding hostile input must never trap.
extension ByteBuffer {
    @inlinable
    public mutating func readAMQPOctet() throws(AMQPProtocolError) -> UInt8 {
        guard let value = readInteger(as: UInt8.self) else { throw .truncated("an octet") }
        return value
    }

    @inlinable
    public mutating func readAMQPShort() throws(AMQPProtocolError) -> UInt16 {
        guard let value = readInteger(as: UInt16.self) else { throw .truncated("a short") }
        return value
    }

    @inlinable
    public mutating func readAMQPLong() throws(AMQPProtocolError) -> UInt32 {
        guard let value = readInteger(as: UInt32.self) else { throw .truncated("a long") }
        return value
    }

    @inlinable
    public mutating func readAMQPLongLong() throws(AMQPProtocolError) -> UInt64 {
        guard let value = readInteger(as: UInt64.self) else { throw .truncated("a long-long") }
        return value
    }

    public mutating func readAMQPShortString() throws(AMQPProtocolError) -> String {
        let length = Int(try readAMQPOctet())
        return try readAMQPUTF8(length: length, what: "a short string")
    }

    /// Long strings are declared as bytes; the ones AMQP methods carry (mechanisms, locales,
    /// the PLAIN response) are text, and invalid UTF-8 is repaired rather than refused.
    public mutating func readAMQPLongString() throws(AMQPProtocolError) -> String {
        let length = Int(try readAMQPLong())
        guard let bytes = readSlice(length: length) else { throw .truncated("a long string") }
        return bytes.withUnsafeReadableBytes { String(decoding: $0, as: UTF8.self) }
    }

    mutating func readAMQPUTF8(length: Int, what: String) throws(AMQPProtocolError) -> String {
        guard let bytes = readSlice(length: length) else { throw .truncated(what) }
        guard let string = bytes.validUTF8String else { throw .invalidUTF8(what) }
        return string
    }

    /// The readable bytes as text, or nil when they are not UTF-8. Over the raw bytes, not
    /// the generic byte view: this runs for every header key and value of every message.
    var validUTF8String: String? {
        withUnsafeReadableBytes(FieldTableReader.utf8String)
    }

    /// The 16-bit property flags, following continuation words (bit 0) if a peer sends any.
    public mutating func readAMQPPropertyFlags() throws(AMQPProtocolError) -> UInt16 {
        let first = try readAMQPShort()
        var word = first
        while word & 1 != 0 {
            word = try readAMQPShort()
        }
        return first & ~1
    }

    public mutating func writeAMQPShortString(_ string: String) throws(AMQPProtocolError) {
        let length = string.utf8.count
        guard length <= 255 else {
            throw .shortStringTooLong(length: length, prefix: String(string.prefix(32)))
        }
        writeInteger(UInt8(length))
        writeString(string)
    }

    public mutating func writeAMQPLongString(_ string: String) {
        writeInteger(UInt32(string.utf8.count))
        writeString(string)
    }
}
