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
        try readFields { (reader: inout AMQPReader) throws(AMQPProtocolError) in try reader.shortString() }
    }

    /// Long strings are declared as bytes; invalid UTF-8 is repaired rather than refused.
    public mutating func readAMQPLongString() throws(AMQPProtocolError) -> String {
        try readFields { (reader: inout AMQPReader) throws(AMQPProtocolError) in try reader.longString() }
    }

    /// The 16-bit property flags, following continuation words (bit 0) if a peer sends any.
    public mutating func readAMQPPropertyFlags() throws(AMQPProtocolError) -> UInt16 {
        try readFields { (reader: inout AMQPReader) throws(AMQPProtocolError) in try reader.propertyFlags() }
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
