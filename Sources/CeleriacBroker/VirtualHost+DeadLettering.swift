import AMQPProtocol
import NIOCore

/// Dead-lettering as RabbitMQ does it: a message expired, rejected without requeue or
/// pushed out by x-max-length is republished to the queue's x-dead-letter-exchange, with
/// x-dead-letter-routing-key or its own routing key, carrying x-death. A dead-letter
/// exchange that does not exist drops the message silently, as in RabbitMQ.
extension VirtualHost {
    func deadLetter(_ message: QueuedMessage, reason: DeadLetterReason, from queue: MessageQueue) {
        guard let exchangeName = queue.settings.deadLetterExchange else { return }
        let content = message.content
        let routingKey = queue.settings.deadLetterRoutingKey ?? content.routingKey
        let properties = DeadLetter.properties(of: content, reason: reason, queue: queue.name)
        guard var targets = try? route(exchange: exchangeName, routingKey: routingKey, headers: properties.headers) else {
            return
        }
        // A message that would come back to the queue it just expired from, with nobody
        // having rejected it, would cycle for ever; RabbitMQ drops it, and so do we.
        if reason != .rejected { targets.removeAll { $0 === queue } }
        guard !targets.isEmpty else { return }
        var encoded = ByteBuffer()
        // Decoded from the wire and only given headers of known types, so it encodes.
        try! properties.encode(into: &encoded)
        let deadLettered = MessageContent(exchange: exchangeName, routingKey: routingKey, properties: properties,
                                          encodedProperties: encoded, body: content.body)
        for target in targets { target.enqueue(deadLettered, messageTTL: nil) }
    }
}
