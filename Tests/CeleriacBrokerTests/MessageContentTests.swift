import AMQPProtocol
@testable import CeleriacBroker
import NIOCore
import Testing

struct MessageContentTests {
    /// A queued message keeps its headers encoded only (decoded, they would take several
    /// times the room), yet every property, headers included, reads back as it was published.
    @Test func headersStayEncodedAndReadBackWhole() throws {
        let properties = AMQPBasicProperties(contentType: "application/json",
                                             headers: ["task": "demo.add", "retries": .int32(2), "argsrepr": "(1, 2)"],
                                             deliveryMode: 2, priority: 3, expiration: "6000", timestamp: 1_764_200_000)
        var encoded = ByteBuffer()
        try properties.encode(into: &encoded)
        let content = MessageContent(exchange: "celery", routingKey: "celery", properties: properties,
                                     encodedProperties: encoded, body: ByteBuffer(string: "[[1, 2], {}, {}]"))
        #expect(content.headerless.headers == nil)
        #expect(content.headerless.priority == 3 && content.headerless.timestamp == 1_764_200_000)
        #expect(content.isPersistent)
        #expect(try content.expirationMilliseconds() == 6000)
        #expect(content.properties == properties)
    }
}
