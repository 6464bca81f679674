import AMQPProtocol
import NIOCore
import Testing

/// The one-pass decoder for whole messages must give what frame-by-frame decoding and the
/// assembler give, and step aside (nil, nothing consumed) for everything it does not cover.
@Suite("Whole messages in one pass")
struct WholeMessageDecodingTests {
    static let publish = AMQPMethod.basicPublish(.init(exchange: "celery", routingKey: "celery"))
    static let properties = AMQPBasicProperties(contentType: "application/json", headers: ["task": .string("demo.add")],
                                                deliveryMode: 2, priority: 3)

    static func wire(_ body: String, channel: UInt16 = 3, frameMax: UInt32 = 131_072) throws -> ByteBuffer {
        var wire = ByteBuffer()
        try wire.writeAMQPContent(channel: channel, method: publish, properties: properties, body: ByteBuffer(string: body),
                                  maximumFrameSize: frameMax)
        return wire
    }

    /// What the frame-by-frame path makes of the same bytes.
    static func assembled(_ wire: ByteBuffer) throws -> AMQPContentAssembler.Message? {
        var bytes = wire
        var assembler = AMQPContentAssembler()
        var output = AMQPContentAssembler.Output.incomplete
        while let frame = try AMQPFrameDecoder().decodeFrame(from: &bytes) {
            switch frame {
            case .method(_, let method): output = try assembler.receiveMethod(method)
            case .header(_, let header): output = try assembler.receiveHeader(header)
            case .body(_, let body): output = try assembler.receiveBody(body)
            case .heartbeat: break
            }
        }
        if case .message(let message) = output { return message }
        return nil
    }

    @Test(arguments: ["{\"args\": [2, 3]}", ""])
    func aWholeMessageIsWhatTheAssemblerMakes(body: String) throws {
        var wire = try Self.wire(body)
        wire.writeString("next")  // what follows stays for the next read
        let expected = try #require(try Self.assembled(Self.wire(body)))
        let whole = try #require(AMQPFrameDecoder().decodeWholeMessage(from: &wire, maximumBodySize: 1 << 20))
        #expect(whole.channel == 3)
        #expect(whole.message == expected)
        var encoded = ByteBuffer()
        try Self.properties.encode(into: &encoded)
        #expect(whole.encodedProperties == encoded, "the property bytes exactly as sent")
        #expect(wire.readableBytes == 4 && wire.readString(length: 4) == "next")
    }

    @Test func partOfAMessageIsLeftForLater() throws {
        let wire = try Self.wire("hello")
        for length in [1, 7, 20, wire.readableBytes - 1] {
            var partial = wire.getSlice(at: 0, length: length)!
            #expect(AMQPFrameDecoder().decodeWholeMessage(from: &partial, maximumBodySize: 1 << 20) == nil)
            #expect(partial.readableBytes == length, "nothing consumed from \(length) bytes")
        }
    }

    @Test func whatItDoesNotCoverIsLeftToTheFrameDecoder() throws {
        // A body in several frames.
        var split = try Self.wire(String(repeating: "x", count: 100), frameMax: 64)
        #expect(AMQPFrameDecoder(maximumFrameSize: 64).decodeWholeMessage(from: &split, maximumBodySize: 1 << 20) == nil)
        // A method without content.
        var ack = ByteBuffer()
        try ack.writeAMQPFrame(.method(channel: 1, .basicAck(.init(deliveryTag: 1, multiple: false))))
        #expect(AMQPFrameDecoder().decodeWholeMessage(from: &ack, maximumBodySize: 1 << 20) == nil)
        // A body bigger than allowed: the assembler's error is the frame path's to give.
        var big = try Self.wire("0123456789")
        #expect(AMQPFrameDecoder().decodeWholeMessage(from: &big, maximumBodySize: 9) == nil)
        // A header on another channel than its method.
        var crossed = try Self.wire("a", channel: 1)
        crossed.setInteger(UInt16(2), at: Self.headerFrameOffset(crossed) + 1)
        #expect(AMQPFrameDecoder().decodeWholeMessage(from: &crossed, maximumBodySize: 1 << 20) == nil)
    }

    @Test func malformedBytesAreLeftForTheFrameDecoderToRefuse() throws {
        var broken = try Self.wire("hello")
        let bodyEnd = broken.writerIndex - 1
        broken.setInteger(UInt8(0), at: bodyEnd)  // the body frame's end octet
        #expect(AMQPFrameDecoder().decodeWholeMessage(from: &broken, maximumBodySize: 1 << 20) == nil)
        #expect(broken.readerIndex == 0)
        _ = try AMQPFrameDecoder().decodeFrame(from: &broken)
        _ = try AMQPFrameDecoder().decodeFrame(from: &broken)
        #expect(throws: AMQPProtocolError.self) { try AMQPFrameDecoder().decodeFrame(from: &broken) }
    }

    static func headerFrameOffset(_ wire: ByteBuffer) -> Int {
        Int(wire.getInteger(at: 3, as: UInt32.self)!) + 8
    }
}
