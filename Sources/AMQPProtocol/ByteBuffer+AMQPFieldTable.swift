import NIOCore

/// Real peers nest a few levels (Celery's headers reach three); this bound keeps a hostile
/// frame from recursing until the stack overflows.
let maximumTableNesting = 64

extension ByteBuffer {
    public mutating func readAMQPTable() throws(AMQPProtocolError) -> AMQPTable {
        try readAMQPTable(depth: 0)
    }

    mutating func readAMQPTable(depth: Int) throws(AMQPProtocolError) -> AMQPTable {
        guard depth < maximumTableNesting else { throw .tableNestedTooDeeply(limit: maximumTableNesting) }
        let length = Int(try readAMQPLong())
        guard var slice = readSlice(length: length) else { throw .truncated("a field table") }
        var table = AMQPTable()
        // About one entry per 16 bytes (Celery's headers): grown once, not doubled from one.
        table.reserveCapacity(min(length / 16, 64))
        while slice.readableBytes > 0 {
            let keyLength = Int(try slice.readAMQPOctet())
            let key = try slice.readAMQPUTF8(length: keyLength, what: "a field table key")
            table[key] = try slice.readAMQPFieldValue(depth: depth + 1)
        }
        return table
    }

    mutating func readAMQPFieldArray(depth: Int) throws(AMQPProtocolError) -> [AMQPFieldValue] {
        guard depth < maximumTableNesting else { throw .tableNestedTooDeeply(limit: maximumTableNesting) }
        let length = Int(try readAMQPLong())
        guard var slice = readSlice(length: length) else { throw .truncated("a field array") }
        var values: [AMQPFieldValue] = []
        while slice.readableBytes > 0 {
            values.append(try slice.readAMQPFieldValue(depth: depth + 1))
        }
        return values
    }

    public mutating func readAMQPFieldValue() throws(AMQPProtocolError) -> AMQPFieldValue {
        try readAMQPFieldValue(depth: 0)
    }

    mutating func readAMQPFieldValue(depth: Int) throws(AMQPProtocolError) -> AMQPFieldValue {
        let type = try readAMQPOctet()
        switch type {
        case UInt8(ascii: "t"): return .bool(try readAMQPOctet() != 0)
        case UInt8(ascii: "b"): return .int8(Int8(bitPattern: try readAMQPOctet()))
        case UInt8(ascii: "B"): return .uint8(try readAMQPOctet())
        // 's' is RabbitMQ's signed short; py-amqp spells the same thing 'U'.
        case UInt8(ascii: "s"), UInt8(ascii: "U"): return .int16(Int16(bitPattern: try readAMQPShort()))
        case UInt8(ascii: "u"): return .uint16(try readAMQPShort())
        case UInt8(ascii: "I"): return .int32(Int32(bitPattern: try readAMQPLong()))
        case UInt8(ascii: "i"): return .uint32(try readAMQPLong())
        // 'l' is RabbitMQ's signed 64-bit; py-amqp writes large ints as signed 'L'.
        case UInt8(ascii: "l"), UInt8(ascii: "L"): return .int64(Int64(bitPattern: try readAMQPLongLong()))
        case UInt8(ascii: "f"): return .float(Float(bitPattern: try readAMQPLong()))
        case UInt8(ascii: "d"): return .double(Double(bitPattern: try readAMQPLongLong()))
        case UInt8(ascii: "D"):
            let scale = try readAMQPOctet()
            return .decimal(scale: scale, value: Int32(bitPattern: try readAMQPLong()))
        case UInt8(ascii: "S"):
            let length = Int(try readAMQPLong())
            guard let bytes = readSlice(length: length) else { throw .truncated("a long string value") }
            // Binary data in an 'S' value keeps its bytes rather than being repaired.
            if let string = bytes.validUTF8String { return .string(string) }
            return .bytes(Array(bytes.readableBytesView))
        case UInt8(ascii: "x"):
            let length = Int(try readAMQPLong())
            guard let bytes = readBytes(length: length) else { throw .truncated("a byte array value") }
            return .bytes(bytes)
        case UInt8(ascii: "T"): return .timestamp(try readAMQPLongLong())
        case UInt8(ascii: "F"): return .table(try readAMQPTable(depth: depth))
        case UInt8(ascii: "A"): return .array(try readAMQPFieldArray(depth: depth))
        case UInt8(ascii: "V"): return .void
        default: throw .unknownFieldType(type)
        }
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
