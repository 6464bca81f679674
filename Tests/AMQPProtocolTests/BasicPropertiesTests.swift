import AMQPProtocol
import NIOCore
import Testing

@Suite("Basic properties and content headers")
struct BasicPropertiesTests {
    static let allFourteen = AMQPBasicProperties(
        contentType: "application/json",
        contentEncoding: "utf-8",
        headers: ["task": .string("fix.add"), "retries": .int32(0), "timelimit": .array([.void, .void]),
                  "stamps": .table([:])],
        deliveryMode: 2,
        priority: 9,
        correlationID: "a6af2e67-958f-4e0e-85da-b825d9c17dbc",
        replyTo: "cf013868-220f-3b38-b4f1-20286fcd0fec",
        expiration: "60000",
        messageID: "message-1",
        timestamp: 1_764_000_000,
        type: "task",
        userID: "guest",
        appID: "celeriac",
        clusterID: "cluster-1"
    )

    /// Encodes, checks the flags word, decodes and checks nothing is left over.
    private func roundTrip(_ properties: AMQPBasicProperties, expectedFlags: UInt16,
                           sourceLocation: SourceLocation = #_sourceLocation) throws {
        var buffer = ByteBuffer()
        try properties.encode(into: &buffer)
        let flags = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self)
        #expect(flags == expectedFlags, sourceLocation: sourceLocation)
        let decoded = try AMQPBasicProperties(decoding: &buffer)
        #expect(decoded == properties, sourceLocation: sourceLocation)
        #expect(buffer.readableBytes == 0, sourceLocation: sourceLocation)
    }

    @Test func allFourteenPropertiesRoundTrip() throws {
        // Bits 15 (content-type) down to 2 (cluster-id); bit 1 is reserved, bit 0 is "more flags".
        try roundTrip(Self.allFourteen, expectedFlags: 0xFFFC)
    }

    @Test func noPropertiesIsJustAZeroFlagsWord() throws {
        var buffer = ByteBuffer()
        try AMQPBasicProperties().encode(into: &buffer)
        #expect(wireBytes(buffer) == [0x00, 0x00])
        try roundTrip(AMQPBasicProperties(), expectedFlags: 0)
    }

    @Test func aFewPropertiesRoundTrip() throws {
        let some = AMQPBasicProperties(contentType: "text/plain", headers: ["k": .string("v")], deliveryMode: 1)
        try roundTrip(some, expectedFlags: 0x8000 | 0x2000 | 0x1000)
        let tail = AMQPBasicProperties(priority: 0, timestamp: 0, appID: "")
        try roundTrip(tail, expectedFlags: 0x0800 | 0x0040 | 0x0008)
    }

    @Test func eachPropertyOwnsItsFlagBit() throws {
        let singles: [(AMQPBasicProperties, UInt16)] = [
            (AMQPBasicProperties(contentType: "t"), 1 << 15),
            (AMQPBasicProperties(contentEncoding: "e"), 1 << 14),
            (AMQPBasicProperties(headers: [:]), 1 << 13),
            (AMQPBasicProperties(deliveryMode: 2), 1 << 12),
            (AMQPBasicProperties(priority: 1), 1 << 11),
            (AMQPBasicProperties(correlationID: "c"), 1 << 10),
            (AMQPBasicProperties(replyTo: "r"), 1 << 9),
            (AMQPBasicProperties(expiration: "1"), 1 << 8),
            (AMQPBasicProperties(messageID: "m"), 1 << 7),
            (AMQPBasicProperties(timestamp: 1), 1 << 6),
            (AMQPBasicProperties(type: "t"), 1 << 5),
            (AMQPBasicProperties(userID: "u"), 1 << 4),
            (AMQPBasicProperties(appID: "a"), 1 << 3),
            (AMQPBasicProperties(clusterID: "c"), 1 << 2),
        ]
        for (properties, bit) in singles {
            try roundTrip(properties, expectedFlags: bit)
        }
    }

    @Test func emptyHeadersStayPresentRatherThanBecomingNil() throws {
        var buffer = ByteBuffer()
        try AMQPBasicProperties(headers: [:]).encode(into: &buffer)
        #expect(wireBytes(buffer) == [0x20, 0x00, 0x00, 0x00, 0x00, 0x00])
        let decoded = try AMQPBasicProperties(decoding: &buffer)
        #expect(decoded.headers == AMQPTable())
    }

    @Test func handBuiltFirstAndLastPropertyDecode() throws {
        // content-type "a" (bit 15) and cluster-id "z" (bit 2), in that order after the flags.
        let bytes: [UInt8] = [0x80, 0x04, 0x01, 0x61, 0x01, 0x7A]
        var buffer = ByteBuffer(bytes: bytes)
        let decoded = try AMQPBasicProperties(decoding: &buffer)
        #expect(decoded == AMQPBasicProperties(contentType: "a", clusterID: "z"))
        #expect(buffer.readableBytes == 0)

        var encoded = ByteBuffer()
        try AMQPBasicProperties(contentType: "a", clusterID: "z").encode(into: &encoded)
        #expect(wireBytes(encoded) == bytes)
    }

    @Test func handBuiltOctetAndTimestampPropertiesDecode() throws {
        let bytes: [UInt8] = [
            0x18, 0x40,  // delivery-mode, priority, timestamp
            0x02, 0x09,
            0x00, 0x00, 0x00, 0x00, 0x69, 0x23, 0x2E, 0x00,  // 1_763_913_216
        ]
        var buffer = ByteBuffer(bytes: bytes)
        let decoded = try AMQPBasicProperties(decoding: &buffer)
        #expect(decoded == AMQPBasicProperties(deliveryMode: 2, priority: 9, timestamp: 0x6923_2E00))
    }

    /// Bit 0 announces another flags word; the basic class defines no properties there, so the
    /// words are read past and the properties of the first word follow.
    @Test func continuationFlagWordsAreSkipped() throws {
        var buffer = ByteBuffer(bytes: [0x80, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x61])
        let decoded = try AMQPBasicProperties(decoding: &buffer)
        #expect(decoded == AMQPBasicProperties(contentType: "a"))
        #expect(buffer.readableBytes == 0)
    }

    @Test func announcedButMissingPropertyIsTruncated() {
        var buffer = ByteBuffer(bytes: [0x80, 0x00, 0x05, 0x61])
        let error = protocolError { try AMQPBasicProperties(decoding: &buffer) }
        guard case .truncated? = error else {
            Issue.record("expected .truncated, got \(String(describing: error))")
            return
        }
        #expect(error?.replyCode == .syntaxError)
    }

    @Test func shortStringPropertyMustBeUTF8() {
        var buffer = ByteBuffer(bytes: [0x80, 0x00, 0x02, 0xC3, 0x28])
        let error = protocolError { try AMQPBasicProperties(decoding: &buffer) }
        guard case .invalidUTF8? = error else {
            Issue.record("expected .invalidUTF8, got \(String(describing: error))")
            return
        }
        #expect(error?.replyCode == .syntaxError)
    }

    @Test func contentHeaderFrameHasTheSpecifiedByteLayout() throws {
        let header = AMQPContentHeader(bodySize: 5, properties: AMQPBasicProperties(deliveryMode: 2))
        let expected: [UInt8] = [
            0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0F,  // header frame, channel 1, 15-byte payload
            0x00, 0x3C, 0x00, 0x00,  // class basic (60), weight 0
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,  // body size
            0x10, 0x00, 0x02,  // flags (delivery-mode), delivery-mode 2
            0xCE,
        ]
        var wire = ByteBuffer()
        try wire.writeAMQPFrame(.header(channel: 1, header))
        #expect(wireBytes(wire) == expected)
        let decoded = try AMQPFrameDecoder().decodeFrame(from: &wire)
        #expect(decoded == .header(channel: 1, header))
    }

    @Test func contentHeaderWithAllPropertiesRoundTrips() throws {
        let header = AMQPContentHeader(bodySize: UInt64(UInt32.max) + 1, properties: Self.allFourteen)
        var wire = ByteBuffer()
        try wire.writeAMQPFrame(.header(channel: 65_535, header))
        let decoded = try AMQPFrameDecoder().decodeFrame(from: &wire)
        #expect(decoded == .header(channel: 65_535, header))
    }

    @Test func onlyTheBasicClassCarriesContent() {
        // A header frame for class queue (50): weight, body size and an empty flags word.
        var wire = handBuiltFrame(type: 2, channel: 1, payload: [0x00, 0x32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0])
        let error = protocolError { try AMQPFrameDecoder().decodeFrame(from: &wire) }
        #expect(error == .unsupportedContentClass(50))
        #expect(error?.replyCode == .commandInvalid)
    }

    @Test func overlongPropertyIsRefusedWhenEncoding() {
        var buffer = ByteBuffer()
        let error = protocolError {
            try AMQPBasicProperties(correlationID: String(repeating: "c", count: 300)).encode(into: &buffer)
        }
        #expect(error == .shortStringTooLong(length: 300, prefix: String(repeating: "c", count: 32)))
    }

    /// The properties share one box until a copy changes: then it has a box of its own.
    @Test func aCopyThatChangesLeavesTheOriginalAsItWas() {
        let original = AMQPBasicProperties(contentType: "application/json", headers: ["task": .string("demo.add")])
        var copy = original
        #expect(copy == original)
        copy.headers?["task"] = .string("demo.mul")
        copy.priority = 3
        #expect(original.headers?["task"] == .string("demo.add"))
        #expect(original.priority == nil)
        #expect(copy.headers?["task"] == .string("demo.mul"))
        #expect(copy != original)
        let rebuilt = AMQPBasicProperties(contentType: "application/json", headers: ["task": .string("demo.add")])
        #expect(rebuilt == original)
        #expect(Set([rebuilt, original]).count == 1)
    }
}

