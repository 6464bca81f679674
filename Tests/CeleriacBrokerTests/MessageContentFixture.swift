import AMQPProtocol
@testable import CeleriacBroker
import NIOCore

enum MessageContentFixture {
    static func make(_ body: String, priority: UInt8? = nil, routingKey: String = "q") -> MessageContent {
        let properties = AMQPBasicProperties(priority: priority)
        var encoded = ByteBuffer()
        try! properties.encode(into: &encoded)
        return MessageContent(exchange: "", routingKey: routingKey, properties: properties, encodedProperties: encoded,
                              body: ByteBuffer(string: body))
    }
}

/// A channel that records what it is given, with a switch for its own room.
final class RecordingChannel: DeliveryChannel {
    var open = true
    var delivered: [(consumer: String, body: String, redelivered: Bool)] = []
    var cancelled: [String] = []

    var canTakeDelivery: Bool { open }

    func deliver(_ message: QueuedMessage, from queue: MessageQueue, to consumer: QueueConsumer) {
        delivered.append((consumer.tag, String(buffer: message.content.body), message.redelivered))
    }

    func queueCancelled(_ consumer: QueueConsumer) { cancelled.append(consumer.tag) }
}
