import AMQPProtocol
import NIOCore
import Testing

@Suite("Frame decoding")
struct FrameDecodingTests {
    static let declare = AMQPMethod.queueDeclare(.init(queue: "celery", durable: true,
                                                        arguments: ["x-max-priority": .int8(10)]))

    @Test func partialInputReturnsNilAndConsumesNothing() throws {
        var whole = ByteBuffer()
        try whole.writeAMQPFrame(.method(channel: 3, Self.declare))
        let bytes = wireBytes(whole)
        let decoder = AMQPFrameDecoder()
        var input = ByteBuffer()
        for (index, byte) in bytes.enumerated() {
            input.writeInteger(byte)
            let frame = try decoder.decodeFrame(from: &input)
            if index < bytes.count - 1 {
                #expect(frame == nil, "after \(index + 1) of \(bytes.count) bytes")
                #expect(input.readableBytes == index + 1, "after \(index + 1) of \(bytes.count) bytes")
            } else {
                #expect(frame == .method(channel: 3, Self.declare))
                #expect(input.readableBytes == 0)
            }
        }
    }

    @Test func framesFollowingEachOtherDecodeInOrder() throws {
        var input = ByteBuffer()
        try input.writeAMQPFrame(.heartbeat)
        try input.writeAMQPFrame(.method(channel: 1, .queueDeclareOk(.init(queue: "q", messageCount: 2, consumerCount: 1))))
        try input.writeAMQPFrame(.body(channel: 2, ByteBuffer(string: "abc")))
        input.writeBytes([0x03, 0x00])  // the start of a fourth frame
        let frames = try decodeAllFrames(&input)
        let expected: [AMQPFrame] = [
            .heartbeat,
            .method(channel: 1, .queueDeclareOk(.init(queue: "q", messageCount: 2, consumerCount: 1))),
            .body(channel: 2, ByteBuffer(string: "abc")),
        ]
        #expect(frames == expected)
        #expect(wireBytes(input) == [0x03, 0x00])
    }

    @Test func heartbeatFrameIsEightBytesOnChannelZero() throws {
        var wire = ByteBuffer()
        try wire.writeAMQPFrame(.heartbeat)
        #expect(wireBytes(wire) == [0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xCE])
        let frame = try AMQPFrameDecoder().decodeFrame(from: &wire)
        #expect(frame == .heartbeat)
        #expect(frame?.channel == 0)
    }

    @Test func bodyFrameCarriesItsBytesVerbatim() throws {
        var wire = handBuiltFrame(type: 3, channel: 7, payload: [0x61, 0xCE, 0x00])
        let frame = try AMQPFrameDecoder().decodeFrame(from: &wire)
        #expect(frame == .body(channel: 7, ByteBuffer(bytes: [0x61, 0xCE, 0x00])))

        var empty = handBuiltFrame(type: 3, channel: 7, payload: [])
        let emptyFrame = try AMQPFrameDecoder().decodeFrame(from: &empty)
        #expect(emptyFrame == .body(channel: 7, ByteBuffer()))
    }

    /// A peer announcing a huge frame is refused from the 7-byte header alone, before the
    /// decoder would buffer any of it.
    @Test func oversizedFrameIsRefusedBeforeItsPayloadArrives() throws {
        let decoder = AMQPFrameDecoder(maximumFrameSize: 4096)
        var header = ByteBuffer(bytes: [0x03, 0x00, 0x01, 0x00, 0x00, 0x13, 0x88])  // 5000-byte body
        let error = protocolError { try decoder.decodeFrame(from: &header) }
        #expect(error == .frameTooLarge(size: 5008, limit: 4096))
        #expect(error?.replyCode == .frameError)
        #expect(error?.replyCode.rawValue == 501)

        // 4088 + 8 = 4096 exactly is allowed: the decoder waits for the rest.
        var atLimit = ByteBuffer(bytes: [0x03, 0x00, 0x01, 0x00, 0x00, 0x0F, 0xF8])
        let waiting = try decoder.decodeFrame(from: &atLimit)
        #expect(waiting == nil)
        atLimit.writeRepeatingByte(0x2A, count: 4088)
        atLimit.writeInteger(AMQP.frameEnd)
        let frame = try decoder.decodeFrame(from: &atLimit)
        #expect(frame == .body(channel: 1, ByteBuffer(repeating: 0x2A, count: 4088)))
    }

    @Test func zeroFrameMaxMeansNoLimit() throws {
        var wire = ByteBuffer()
        try wire.writeAMQPFrame(.body(channel: 1, ByteBuffer(repeating: 7, count: 200_000)))
        var copy = wire
        let refused = protocolError { try AMQPFrameDecoder().decodeFrame(from: &copy) }
        #expect(refused == .frameTooLarge(size: 200_008, limit: AMQPFrameDecoder.defaultMaximumFrameSize))
        let frame = try AMQPFrameDecoder(maximumFrameSize: 0).decodeFrame(from: &wire)
        #expect(frame == .body(channel: 1, ByteBuffer(repeating: 7, count: 200_000)))
    }

#if os(macOS) || os(Linux)
    /// A size field near UInt32.max must be refused like any oversized frame. Run in a child
    /// process because the failure mode is a trap (the reported size, size + 8, overflows).
    @Test func sizeNearUInt32MaxIsRefusedWithoutTrapping() async {
        await #expect(processExitsWith: .success) {
            for size in [UInt32.max, UInt32.max - 7] {
                for limit in [AMQPFrameDecoder.defaultMaximumFrameSize, 0] {
                    var buffer = ByteBuffer()
                    buffer.writeInteger(UInt8(1))
                    buffer.writeInteger(UInt16(0))
                    buffer.writeInteger(size)
                    let error = protocolError { try AMQPFrameDecoder(maximumFrameSize: limit).decodeFrame(from: &buffer) }
                    guard case .frameTooLarge? = error else { fatalError("not refused: \(String(describing: error))") }
                }
            }
        }
    }
#endif

    @Test func wrongFrameEndOctetIsAFrameError() {
        var heartbeat = ByteBuffer(bytes: [0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])
        let error = protocolError { try AMQPFrameDecoder().decodeFrame(from: &heartbeat) }
        #expect(error == .missingFrameEnd(found: 0x00))
        #expect(error?.replyCode == .frameError)

        // A size one short puts the last payload byte where the end octet belongs.
        var body = ByteBuffer(bytes: [0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x61, 0x62, 0x63, 0xCE])
        let shifted = protocolError { try AMQPFrameDecoder().decodeFrame(from: &body) }
        #expect(shifted == .missingFrameEnd(found: 0x63))
    }

    @Test func unknownFrameTypeIsAFrameError() {
        var wire = handBuiltFrame(type: 4, channel: 0, payload: [])
        let error = protocolError { try AMQPFrameDecoder().decodeFrame(from: &wire) }
        #expect(error == .unknownFrameType(4))
        #expect(error?.replyCode.rawValue == 501)

        // A protocol header sent mid-stream is refused by its first octet, 'A'.
        var header = ByteBuffer(bytes: AMQP.protocolHeader)
        let headerError = protocolError { try AMQPFrameDecoder().decodeFrame(from: &header) }
        #expect(headerError == .unknownFrameType(0x41))
    }

    @Test func heartbeatOnAnotherChannelIsAFrameError() {
        var wire = handBuiltFrame(type: 8, channel: 3, payload: [])
        let error = protocolError { try AMQPFrameDecoder().decodeFrame(from: &wire) }
        #expect(error == .heartbeatOnChannel(3))
        #expect(error?.replyCode == .frameError)
    }

    @Test func unknownClassOrMethodIsCommandInvalid() {
        var unknownMethod = handBuiltFrame(type: 1, channel: 1, payload: [0x00, 0x0A, 0x00, 0x63])
        let error = protocolError { try AMQPFrameDecoder().decodeFrame(from: &unknownMethod) }
        #expect(error == .unknownMethod(classID: 10, methodID: 99))
        #expect(error?.replyCode.rawValue == 503)

        var unknownClass = handBuiltFrame(type: 1, channel: 1, payload: [0x00, 0x63, 0x00, 0x0A])
        let classError = protocolError { try AMQPFrameDecoder().decodeFrame(from: &unknownClass) }
        #expect(classError == .unknownMethod(classID: 99, methodID: 10))
    }

    @Test func methodFrameWithTrailingBytesIsASyntaxError() {
        // basic.qos-ok has no arguments; one byte follows it.
        var wire = handBuiltFrame(type: 1, channel: 1, payload: [0x00, 0x3C, 0x00, 0x0B, 0xAA])
        let error = protocolError { try AMQPFrameDecoder().decodeFrame(from: &wire) }
        #expect(error == .trailingBytes(method: "basic.qos-ok", count: 1))
        #expect(error?.replyCode == .syntaxError)
    }

    @Test(arguments: [
        [0x00, 0x0A, 0x00, 0x1E, 0x00, 0x01] as [UInt8],  // connection.tune cut after channel-max
        [0x00, 0x0A],  // only a class id
        [0x00, 0x3C, 0x00, 0x28, 0x00, 0x00, 0x05, 0x61],  // basic.publish, exchange name cut short
        [0x00, 0x32, 0x00, 0x0A, 0x00, 0x00, 0x01, 0x71, 0x00],  // queue.declare without its table
    ])
    func truncatedMethodArgumentsAreASyntaxError(_ payload: [UInt8]) {
        var wire = handBuiltFrame(type: 1, channel: 1, payload: payload)
        let error = protocolError { try AMQPFrameDecoder().decodeFrame(from: &wire) }
        guard case .truncated? = error else {
            Issue.record("expected .truncated, got \(String(describing: error))")
            return
        }
        #expect(error?.replyCode.rawValue == 502)
    }

    @Test func protocolHeaderIsCheckedAndConsumed() throws {
        var good = ByteBuffer(bytes: [0x41, 0x4D, 0x51, 0x50, 0x00, 0x00, 0x09, 0x01, 0x01])
        let accepted = try AMQPFrameDecoder.readProtocolHeader(from: &good)
        #expect(accepted)
        #expect(wireBytes(good) == [0x01])  // only the eight header bytes are consumed

        var short = ByteBuffer(bytes: [0x41, 0x4D, 0x51, 0x50, 0x00, 0x00, 0x09])
        let early = try AMQPFrameDecoder.readProtocolHeader(from: &short)
        #expect(!early)
        #expect(short.readableBytes == 7)

        var http = ByteBuffer(string: "HTTP/1.1 400 Bad Request")
        let error = protocolError { try AMQPFrameDecoder.readProtocolHeader(from: &http) }
        #expect(error == .invalidProtocolHeader(received: Array("HTTP/1.1".utf8)))
        #expect(error?.replyCode == .frameError)

        // AMQP 0-10's header differs only in its version octets.
        var otherVersion = ByteBuffer(bytes: [0x41, 0x4D, 0x51, 0x50, 0x01, 0x01, 0x00, 0x0A])
        let versionError = protocolError { try AMQPFrameDecoder.readProtocolHeader(from: &otherVersion) }
        #expect(versionError == .invalidProtocolHeader(received: [0x41, 0x4D, 0x51, 0x50, 0x01, 0x01, 0x00, 0x0A]))
    }
}
