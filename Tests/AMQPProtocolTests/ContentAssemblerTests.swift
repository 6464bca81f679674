import AMQPProtocol
import NIOCore
import Testing

@Suite("Content frames and message assembly")
struct ContentAssemblerTests {
    static let publish = AMQPMethod.basicPublish(.init(exchange: "celery", routingKey: "celery"))
    static let properties = AMQPBasicProperties(contentType: "application/octet-stream", headers: ["n": .int32(1)],
                                                deliveryMode: 2)

    /// A body whose bytes depend on their position, so a reordered or dropped frame shows.
    static func patternedBody(count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
    }

    static func header(bodySize: UInt64) -> AMQPContentHeader {
        AMQPContentHeader(bodySize: bodySize, properties: properties)
    }

    @Test func largeBodyIsSplitToFrameMaxAndReassembled() throws {
        let body = Self.patternedBody(count: 300 * 1024)
        var wire = ByteBuffer()
        try wire.writeAMQPContent(channel: 9, method: Self.publish, properties: Self.properties,
                                  body: ByteBuffer(bytes: body), maximumFrameSize: 4096)

        // A decoder held to the same frame-max accepts every frame written for it.
        let frames = try decodeAllFrames(&wire, decoder: AMQPFrameDecoder(maximumFrameSize: 4096))
        #expect(wire.readableBytes == 0)
        let bodySizes = frames.compactMap { frame -> Int? in
            if case .body(_, let chunk) = frame { return chunk.readableBytes }
            return nil
        }
        // 307,200 bytes = 75 full frames of 4096 - 8 = 4088 bytes and 600 left over.
        #expect(bodySizes.count == 76)
        let fullFrames = bodySizes.dropLast().filter { $0 == 4088 }.count
        #expect(fullFrames == 75)
        #expect(bodySizes.last == 600)
        #expect(frames.count == 78)
        let channels = Set(frames.map(\.channel))
        let expectedChannels: Set<UInt16> = [9]
        #expect(channels == expectedChannels)
        #expect(frames.first == .method(channel: 9, Self.publish))
        #expect(frames.dropFirst().first == .header(channel: 9, Self.header(bodySize: 307_200)))

        var assembler = AMQPContentAssembler()
        var outputs: [AMQPContentAssembler.Output] = []
        for frame in frames {
            outputs.append(try assembler.receive(frame))
        }
        let incompleteCount = outputs.filter { $0 == .incomplete }.count
        #expect(incompleteCount == frames.count - 1)
        guard case .message(let message)? = outputs.last else {
            Issue.record("the last body frame did not complete the message: \(String(describing: outputs.last))")
            return
        }
        #expect(message.method == Self.publish)
        #expect(message.header == Self.header(bodySize: 307_200))
        #expect(message.header.properties == Self.properties)
        #expect(wireBytes(message.body) == body)
        #expect(!assembler.isAssembling)
    }

    @Test func bodyFillingWholeFramesEndsWithoutAnEmptyFrame() throws {
        var wire = ByteBuffer()
        try wire.writeAMQPContent(channel: 1, method: Self.publish, properties: Self.properties,
                                  body: ByteBuffer(bytes: Self.patternedBody(count: 2 * 4088)), maximumFrameSize: 4096)
        let frames = try decodeAllFrames(&wire, decoder: AMQPFrameDecoder(maximumFrameSize: 4096))
        #expect(frames.count == 4)
    }

    @Test func zeroFrameMaxWritesTheBodyInOneFrame() throws {
        let body = Self.patternedBody(count: 300 * 1024)
        var wire = ByteBuffer()
        try wire.writeAMQPContent(channel: 1, method: Self.publish, properties: Self.properties,
                                  body: ByteBuffer(bytes: body), maximumFrameSize: 0)
        let frames = try decodeAllFrames(&wire, decoder: AMQPFrameDecoder(maximumFrameSize: 0))
        #expect(frames.count == 3)
        #expect(frames.last == .body(channel: 1, ByteBuffer(bytes: body)))
    }

    @Test func emptyBodyCompletesAtTheHeader() throws {
        var wire = ByteBuffer()
        try wire.writeAMQPContent(channel: 2, method: Self.publish, properties: Self.properties, body: ByteBuffer(),
                                  maximumFrameSize: 4096)
        let frames = try decodeAllFrames(&wire)
        let expected: [AMQPFrame] = [.method(channel: 2, Self.publish), .header(channel: 2, Self.header(bodySize: 0))]
        #expect(frames == expected)

        var assembler = AMQPContentAssembler()
        let afterMethod = try assembler.receive(frames[0])
        #expect(afterMethod == .incomplete)
        #expect(assembler.isAssembling)
        let afterHeader = try assembler.receive(frames[1])
        guard case .message(let message) = afterHeader else {
            Issue.record("an empty body did not complete at the header: \(afterHeader)")
            return
        }
        #expect(message.method == Self.publish)
        #expect(message.header == Self.header(bodySize: 0))
        #expect(message.body.readableBytes == 0)
        #expect(!assembler.isAssembling)
    }

    @Test func methodsWithoutContentPassStraightThrough() throws {
        var assembler = AMQPContentAssembler()
        let ack = AMQPMethod.basicAck(.init(deliveryTag: 3, multiple: true))
        let output = try assembler.receiveMethod(ack)
        #expect(output == .method(ack))
        #expect(!assembler.isAssembling)
    }

    @Test func bodyWithoutAHeaderIsAnUnexpectedFrame() throws {
        var fresh = AMQPContentAssembler()
        let error = #expect(throws: AMQPProtocolError.self) { try fresh.receiveBody(ByteBuffer(string: "x")) }
        guard case .unexpectedFrame? = error else {
            Issue.record("expected .unexpectedFrame, got \(String(describing: error))")
            return
        }
        #expect(error?.replyCode == .unexpectedFrame)
        #expect(error?.replyCode.rawValue == 505)

        // Still unexpected after the method, while the header is awaited.
        var awaitingHeader = AMQPContentAssembler()
        _ = try awaitingHeader.receiveMethod(Self.publish)
        let early = #expect(throws: AMQPProtocolError.self) { try awaitingHeader.receiveBody(ByteBuffer(string: "x")) }
        #expect(early?.replyCode == .unexpectedFrame)
    }

    @Test func headerWithoutAMethodIsAnUnexpectedFrame() {
        var assembler = AMQPContentAssembler()
        let error = #expect(throws: AMQPProtocolError.self) { try assembler.receiveHeader(Self.header(bodySize: 1)) }
        #expect(error?.replyCode == .unexpectedFrame)
    }

    @Test func methodInTheMiddleOfContentIsAnUnexpectedFrame() throws {
        var assembler = AMQPContentAssembler()
        _ = try assembler.receiveMethod(Self.publish)
        _ = try assembler.receiveHeader(Self.header(bodySize: 10))
        _ = try assembler.receiveBody(ByteBuffer(string: "abcd"))
        let error = #expect(throws: AMQPProtocolError.self) {
            try assembler.receiveMethod(.basicAck(.init(deliveryTag: 1)))
        }
        guard case .unexpectedFrame(let what)? = error else {
            Issue.record("expected .unexpectedFrame, got \(String(describing: error))")
            return
        }
        #expect(what.contains("basic.ack"))
        #expect(error?.replyCode.rawValue == 505)

        // A second content-carrying method before the first one's header is refused too.
        var twoPublishes = AMQPContentAssembler()
        _ = try twoPublishes.receiveMethod(Self.publish)
        let second = #expect(throws: AMQPProtocolError.self) { try twoPublishes.receiveMethod(Self.publish) }
        #expect(second?.replyCode == .unexpectedFrame)
    }

    @Test func bodyLargerThanAnnouncedIsRefused() throws {
        var oneFrame = AMQPContentAssembler()
        _ = try oneFrame.receiveMethod(Self.publish)
        _ = try oneFrame.receiveHeader(Self.header(bodySize: 5))
        #expect(throws: AMQPProtocolError.bodyLargerThanAnnounced(announced: 5, received: 6)) {
            try oneFrame.receiveBody(ByteBuffer(string: "123456"))
        }
        #expect(!oneFrame.isAssembling)

        // The overflow is caught across frames, not only within one.
        var twoFrames = AMQPContentAssembler()
        _ = try twoFrames.receiveMethod(Self.publish)
        _ = try twoFrames.receiveHeader(Self.header(bodySize: 5))
        let partial = try twoFrames.receiveBody(ByteBuffer(string: "123"))
        #expect(partial == .incomplete)
        let error = #expect(throws: AMQPProtocolError.bodyLargerThanAnnounced(announced: 5, received: 7)) {
            try twoFrames.receiveBody(ByteBuffer(string: "4567"))
        }
        #expect(error?.replyCode == .frameError)
    }

    @Test func headerAboveMaximumBodySizeIsRefusedBeforeAnyBody() throws {
        var assembler = AMQPContentAssembler(maximumBodySize: 1000)
        _ = try assembler.receiveMethod(Self.publish)
        let error = #expect(throws: AMQPProtocolError.messageTooLarge(size: 1001, limit: 1000)) {
            try assembler.receiveHeader(Self.header(bodySize: 1001))
        }
        #expect(error?.replyCode == .preconditionFailed)
        #expect(!assembler.isAssembling)

        // Exactly the limit is fine.
        _ = try assembler.receiveMethod(Self.publish)
        let atLimit = try assembler.receiveHeader(Self.header(bodySize: 1000))
        #expect(atLimit == .incomplete)
        let done = try assembler.receiveBody(ByteBuffer(repeating: 1, count: 1000))
        guard case .message(let message) = done else {
            Issue.record("a body of exactly the limit did not complete: \(done)")
            return
        }
        #expect(message.body.readableBytes == 1000)
    }

    /// A message is written whole or not at all, so a failed publish leaves the buffer usable.
    @Test func failedContentWriteLeavesNothingBehind() {
        var wire = ByteBuffer(bytes: [0xAB])
        let longKey = AMQPMethod.basicPublish(.init(exchange: "e", routingKey: String(repeating: "k", count: 256)))
        let keyError = protocolError {
            try wire.writeAMQPContent(channel: 1, method: longKey, properties: Self.properties,
                                      body: ByteBuffer(string: "body"), maximumFrameSize: 4096)
        }
        #expect(keyError == .shortStringTooLong(length: 256, prefix: String(repeating: "k", count: 32)))
        #expect(wireBytes(wire) == [0xAB])

        // The method frame is fine here; the header fails and the method frame is taken back.
        let longType = AMQPBasicProperties(contentType: String(repeating: "t", count: 256))
        let headerError = protocolError {
            try wire.writeAMQPContent(channel: 1, method: Self.publish, properties: longType,
                                      body: ByteBuffer(string: "body"), maximumFrameSize: 4096)
        }
        #expect(headerError == .shortStringTooLong(length: 256, prefix: String(repeating: "t", count: 32)))
        #expect(wireBytes(wire) == [0xAB])
    }
}
