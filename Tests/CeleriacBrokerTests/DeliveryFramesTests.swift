import AMQPProtocol
@testable import CeleriacBroker
import NIOCore
import Testing

/// The broker writes basic.deliver in one pass over raw memory; the bytes must be exactly
/// what the general encoder writes for the same delivery.
struct DeliveryFramesTests {
    @Test(arguments: [(0, 4096), (16, 4096), (4088, 4096), (4089, 4096), (10_000, 4096), (10_000, 0)] as [(Int, UInt32)])
    func aDeliveryIsWrittenAsTheGeneralEncoderWritesIt(bodySize: Int, frameMax: UInt32) throws {
        let properties = AMQPBasicProperties(contentType: "application/json", headers: ["task": .string("demo.add")],
                                             deliveryMode: 2, priority: 3)
        var encoded = ByteBuffer()
        try properties.encode(into: &encoded)
        let body = ByteBuffer(bytes: (0..<bodySize).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let content = MessageContent(exchange: "celery", routingKey: "celery", properties: properties,
                                     encodedProperties: encoded, body: body)
        let deliver = AMQPMethod.basicDeliver(.init(consumerTag: "amq.ctag-é1", deliveryTag: 1 << 40, redelivered: true,
                                                    exchange: "celery", routingKey: "rk.ü"))
        var fast = ByteBuffer()
        fast.writeMessage(channel: 7, method: deliver, content: content, frameMax: frameMax)
        var general = ByteBuffer()
        try general.writeAMQPContent(channel: 7, method: deliver, properties: properties, body: body, maximumFrameSize: frameMax)
        #expect(fast == general)
    }
}
