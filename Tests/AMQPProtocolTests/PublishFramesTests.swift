import AMQPProtocol
import NIOCore
import Testing

/// A client writes basic.publish through raw memory; the bytes must be the frames the
/// general encoder writes one by one.
struct PublishFramesTests {
    @Test(arguments: [0, 16, 4088, 4089, 10_000])
    func aPublishIsWrittenAsItsFramesAre(bodySize: Int) throws {
        let properties = AMQPBasicProperties(contentType: "application/json", headers: ["task": .string("demo.add")],
                                             deliveryMode: 2, priority: 3)
        let body = ByteBuffer(bytes: (0..<bodySize).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let publish = AMQPMethod.basicPublish(.init(exchange: "celery", routingKey: "rk.ü", mandatory: true))
        var fast = ByteBuffer(string: "before")
        try fast.writeAMQPContent(channel: 9, method: publish, properties: properties, body: body, maximumFrameSize: 4096)

        var frames = ByteBuffer(string: "before")
        try frames.writeAMQPFrame(.method(channel: 9, publish))
        try frames.writeAMQPFrame(.header(channel: 9, AMQPContentHeader(bodySize: UInt64(bodySize), properties: properties)))
        var remaining = body
        while remaining.readableBytes > 0 {
            try frames.writeAMQPFrame(.body(channel: 9, remaining.readSlice(length: min(4088, remaining.readableBytes))!))
        }
        #expect(fast == frames)
    }

    @Test func anOverlongRoutingKeyIsRefusedAndWritesNothing() {
        var buffer = ByteBuffer(string: "before")
        let publish = AMQPMethod.basicPublish(.init(exchange: "", routingKey: String(repeating: "k", count: 256)))
        #expect(throws: AMQPProtocolError.self) {
            try buffer.writeAMQPContent(channel: 1, method: publish, properties: AMQPBasicProperties(),
                                        body: ByteBuffer(string: "x"), maximumFrameSize: 4096)
        }
        #expect(buffer == ByteBuffer(string: "before"))
    }
}
