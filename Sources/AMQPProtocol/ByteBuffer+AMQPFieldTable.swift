import NIOCore

/// Real peers nest a few levels (Celery's headers reach three); this bound keeps a hostile
/// frame from recursing until the stack overflows.
let maximumTableNesting = 64

extension ByteBuffer {
    public mutating func readAMQPTable() throws(AMQPProtocolError) -> AMQPTable {
        try readAMQPTable(depth: 0)
    }

    mutating func readAMQPTable(depth: Int) throws(AMQPProtocolError) -> AMQPTable {
        try readFields { (reader: inout AMQPReader) throws(AMQPProtocolError) in try reader.table(depth: depth) }
    }

    public mutating func readAMQPFieldValue() throws(AMQPProtocolError) -> AMQPFieldValue {
        try readFields { (reader: inout AMQPReader) throws(AMQPProtocolError) in try reader.value(depth: 0) }
    }

    /// Keys are written in sorted order so the same table always encodes to the same bytes.
    public mutating func writeAMQPTable(_ table: AMQPTable) throws(AMQPProtocolError) {
        let lengthIndex = writerIndex
        writeInteger(UInt32(0))
        for key in table.keys.sorted() {
            try writeAMQPShortString(key)
            try writeAMQPFieldValue(table[key]!)
        }
        setInteger(UInt32(writerIndex - lengthIndex - 4), at: lengthIndex)
    }

    public mutating func writeAMQPFieldValue(_ value: AMQPFieldValue) throws(AMQPProtocolError) {
        writeInteger(value.typeCode)
        switch value {
        case .bool(let v): writeInteger(UInt8(v ? 1 : 0))
        case .int8(let v): writeInteger(v)
        case .uint8(let v): writeInteger(v)
        case .int16(let v): writeInteger(v)
        case .uint16(let v): writeInteger(v)
        case .int32(let v): writeInteger(v)
        case .uint32(let v): writeInteger(v)
        case .int64(let v): writeInteger(v)
        case .float(let v): writeInteger(v.bitPattern)
        case .double(let v): writeInteger(v.bitPattern)
        case .decimal(let scale, let v):
            writeInteger(scale)
            writeInteger(v)
        case .string(let v): writeAMQPLongString(v)
        case .bytes(let v):
            writeInteger(UInt32(v.count))
            writeBytes(v)
        case .timestamp(let v): writeInteger(v)
        case .table(let v): try writeAMQPTable(v)
        case .array(let values):
            let lengthIndex = writerIndex
            writeInteger(UInt32(0))
            for element in values { try writeAMQPFieldValue(element) }
            setInteger(UInt32(writerIndex - lengthIndex - 4), at: lengthIndex)
        case .void: break
        }
    }
}
