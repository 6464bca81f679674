import AMQPProtocol
import NIOCore
import Testing

@Suite("Field tables and values")
struct FieldTableTests {
    /// One value of each of the 17 cases, at the edges of their ranges where they have any.
    static let everyCase: AMQPTable = [
        "bool": .bool(true),
        "int8": .int8(-128),
        "uint8": .uint8(255),
        "int16": .int16(-32_768),
        "uint16": .uint16(65_535),
        "int32": .int32(Int32.min),
        "uint32": .uint32(UInt32.max),
        "int64": .int64(Int64.min),
        "float": .float(-1.5),
        "double": .double(3.141_592_653_589_793),
        "decimal": .decimal(scale: 3, value: -123_456),
        "string": .string("naïve ☃"),
        "bytes": .bytes([0x00, 0xFF, 0xCE, 0x41]),
        "timestamp": .timestamp(1_764_000_000),
        "table": .table(["inner": .table(["x": .int32(1), "no": .bool(false)]), "list": .array([.void])]),
        "array": .array([.int32(1), .string("two"), .array([.bool(false), .table([:])]), .void, .int64(-1)]),
        "void": .void,
    ]

    private func decodeValue(_ bytes: [UInt8]) -> Result<AMQPFieldValue, AMQPProtocolError> {
        var buffer = ByteBuffer(bytes: bytes)
        do throws(AMQPProtocolError) {
            return .success(try buffer.readAMQPFieldValue())
        } catch {
            return .failure(error)
        }
    }

    private func decodeTable(_ bytes: [UInt8]) -> Result<AMQPTable, AMQPProtocolError> {
        var buffer = ByteBuffer(bytes: bytes)
        do throws(AMQPProtocolError) {
            return .success(try buffer.readAMQPTable())
        } catch {
            return .failure(error)
        }
    }

    @Test func sampleCoversEveryTypeLetter() {
        let letters = Set(Self.everyCase.values.map(\.typeCode))
        #expect(letters == Set("tbBsuIilfdDSxTFAV".utf8))
    }

    @Test func everyValueCaseRoundTrips() throws {
        var buffer = ByteBuffer()
        try buffer.writeAMQPTable(Self.everyCase)
        let decoded = try buffer.readAMQPTable()
        #expect(decoded == Self.everyCase)
        #expect(buffer.readableBytes == 0)
    }

    @Test func eachValueRoundTripsOnItsOwn() throws {
        for (key, value) in Self.everyCase {
            var buffer = ByteBuffer()
            try buffer.writeAMQPFieldValue(value)
            #expect(buffer.getInteger(at: 0, as: UInt8.self) == value.typeCode, "\(key)")
            let decoded = try buffer.readAMQPFieldValue()
            #expect(decoded == value, "\(key)")
            #expect(buffer.readableBytes == 0, "\(key)")
        }
    }

    @Test func tablesEncodeWithSortedKeysAndExactBytes() throws {
        var buffer = ByteBuffer()
        try buffer.writeAMQPTable(["b": .void, "a": .int32(1)])
        #expect(wireBytes(buffer) == [
            0x00, 0x00, 0x00, 0x0A,  // 10 bytes of entries
            0x01, 0x61, 0x49, 0x00, 0x00, 0x00, 0x01,  // "a" → 'I' 1
            0x01, 0x62, 0x56,  // "b" → 'V'
        ])

        buffer.clear()
        try buffer.writeAMQPFieldValue(.array([.bool(true), .int16(-2)]))
        #expect(wireBytes(buffer) == [0x41, 0x00, 0x00, 0x00, 0x05, 0x74, 0x01, 0x73, 0xFF, 0xFE])
    }

    // py-amqp writes Python ints beyond 32 bits as 'L' (signed 64) and reads 'U' as a signed short.
    @Test func pyAMQPTypeLettersDecode() {
        #expect(decodeValue([0x4C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE]) == .success(.int64(-2)))
        #expect(decodeValue([0x4C, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]) == .success(.int64(1 << 40)))
        #expect(decodeValue([0x6C, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]) == .success(.int64(Int64.min)))
        #expect(decodeValue([0x55, 0xFF, 0xFE]) == .success(.int16(-2)))
        #expect(decodeValue([0x73, 0x80, 0x00]) == .success(.int16(Int16.min)))
    }

    @Test func longStringsThatAreNotUTF8StayBytes() {
        #expect(decodeValue([0x53, 0x00, 0x00, 0x00, 0x02, 0xC3, 0xA9]) == .success(.string("é")))
        #expect(decodeValue([0x53, 0x00, 0x00, 0x00, 0x02, 0xC3, 0x28]) == .success(.bytes([0xC3, 0x28])))
        #expect(decodeValue([0x53, 0x00, 0x00, 0x00, 0x00]) == .success(.string("")))
    }

    @Test func unknownTypeLetterIsASyntaxError() throws {
        #expect(decodeValue([0x5A, 0x00]) == .failure(.unknownFieldType(0x5A)))
        // The same letter inside a table, behind a valid entry.
        let result = decodeTable([0x00, 0x00, 0x00, 0x06, 0x01, 0x61, 0x56, 0x01, 0x62, 0x5A])
        #expect(result == .failure(.unknownFieldType(0x5A)))
        #expect(AMQPProtocolError.unknownFieldType(0x5A).replyCode.rawValue == 502)
    }

    @Test func realisticNestingDecodes() throws {
        var value: AMQPFieldValue = .string("bottom")
        for level in 0..<10 {
            value = level.isMultiple(of: 2) ? .table(["n": value]) : .array([value, .void])
        }
        var buffer = ByteBuffer()
        try buffer.writeAMQPTable(["root": value])
        let decoded = try buffer.readAMQPTable()
        #expect(decoded == ["root": value])
    }

    /// A hostile peer could nest until the decoder's recursion overflows the stack.
    @Test func tablesNestedOneHundredDeepAreRefused() throws {
        var value: AMQPFieldValue = .void
        for _ in 0..<100 { value = .table(["n": value]) }
        var buffer = ByteBuffer()
        try buffer.writeAMQPTable(["root": value])
        let error = protocolError { try buffer.readAMQPTable() }
        guard case .tableNestedTooDeeply? = error else {
            Issue.record("expected .tableNestedTooDeeply, got \(String(describing: error))")
            return
        }
        #expect(error?.replyCode == .syntaxError)
    }

    @Test func arraysNestedOneHundredDeepAreRefused() throws {
        var value: AMQPFieldValue = .void
        for _ in 0..<100 { value = .array([value]) }
        var buffer = ByteBuffer()
        try buffer.writeAMQPFieldValue(value)
        let error = protocolError { try buffer.readAMQPFieldValue() }
        guard case .tableNestedTooDeeply? = error else {
            Issue.record("expected .tableNestedTooDeeply, got \(String(describing: error))")
            return
        }
    }

    @Test(arguments: [
        // The declared length runs past the end of the buffer.
        [0x00, 0x00, 0x00, 0x0A, 0x01, 0x61, 0x56] as [UInt8],
        // A value runs past the end of its table even though the buffer holds more bytes.
        [0x00, 0x00, 0x00, 0x03, 0x01, 0x61, 0x49, 0x00, 0x00, 0x00, 0x07],
        // A key longer than what is left of the table.
        [0x00, 0x00, 0x00, 0x02, 0x05, 0x61],
        // Not even the length.
        [0x00, 0x00, 0x01],
        // A long string value longer than its table.
        [0x00, 0x00, 0x00, 0x08, 0x01, 0x61, 0x53, 0x00, 0x00, 0x00, 0x09, 0x78],
        // A nested table longer than the table holding it, the buffer holding more bytes.
        [0x00, 0x00, 0x00, 0x07, 0x01, 0x61, 0x46, 0x00, 0x00, 0x00, 0x03, 0x01, 0x62, 0x56],
        // A nested array longer than the table holding it, the buffer holding more bytes.
        [0x00, 0x00, 0x00, 0x07, 0x01, 0x61, 0x41, 0x00, 0x00, 0x00, 0x01, 0x56],
    ])
    func truncatedTablesAreSyntaxErrors(_ bytes: [UInt8]) {
        let result = decodeTable(bytes)
        guard case .failure(let error) = result, case .truncated = error else {
            Issue.record("expected .truncated, got \(result)")
            return
        }
        #expect(error.replyCode == .syntaxError)
    }

    @Test func tableKeysMustBeUTF8() {
        let result = decodeTable([0x00, 0x00, 0x00, 0x03, 0x01, 0xFF, 0x56])
        guard case .failure(.invalidUTF8) = result else {
            Issue.record("expected .invalidUTF8, got \(result)")
            return
        }
    }

    @Test func literalsBuildTheValuesPyAMQPWouldSend() {
        let t: AMQPTable = ["a": 1, "b": "x", "c": true, "d": nil, "e": [1, 2], "f": 1.5, "g": ["h": 5_000_000_000]]
        #expect(t["a"] == AMQPFieldValue.int32(1))
        #expect(t["b"] == AMQPFieldValue.string("x"))
        #expect(t["c"] == AMQPFieldValue.bool(true))
        #expect(t["d"] == AMQPFieldValue.void)
        #expect(t["e"] == AMQPFieldValue.array([.int32(1), .int32(2)]))
        #expect(t["f"] == AMQPFieldValue.double(1.5))
        #expect(t["g"] == AMQPFieldValue.table(["h": .int64(5_000_000_000)]))
        #expect(t.count == 7)
    }

    @Test func integersTakeTheSmallestSignedWidth() {
        #expect(AMQPFieldValue.integer(Int(Int32.max)) == .int32(Int32.max))
        #expect(AMQPFieldValue.integer(Int(Int32.min)) == .int32(Int32.min))
        #expect(AMQPFieldValue.integer(Int(Int32.max) + 1) == .int64(Int64(Int32.max) + 1))
        #expect(AMQPFieldValue.integer(Int(Int32.min) - 1) == .int64(Int64(Int32.min) - 1))
    }

    @Test func accessorsReadTheirOwnCaseOnly() {
        #expect(AMQPFieldValue.uint32(UInt32.max).intValue == 4_294_967_295)
        #expect(AMQPFieldValue.int8(-3).intValue == -3)
        #expect(AMQPFieldValue.timestamp(7).intValue == 7)
        #expect(AMQPFieldValue.timestamp(UInt64.max).intValue == nil)
        #expect(AMQPFieldValue.string("7").intValue == nil)
        #expect(AMQPFieldValue.string("s").stringValue == "s")
        #expect(AMQPFieldValue.bytes([0x73]).stringValue == nil)
        #expect(AMQPFieldValue.bool(false).boolValue == false)
        #expect(AMQPFieldValue.int32(0).boolValue == nil)
        #expect(AMQPFieldValue.table(["k": .void]).tableValue == ["k": .void])
        #expect(AMQPFieldValue.array([.void]).arrayValue == [.void])
        #expect(AMQPFieldValue.void.arrayValue == nil)
    }
}
