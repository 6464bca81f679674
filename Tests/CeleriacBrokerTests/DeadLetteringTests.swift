import AMQPProtocol
import NIOCore
@testable import CeleriacBroker
import Testing

/// TTL, x-max-length and dead-lettering, with a hand-wound clock: expiry happens by timer,
/// with no consumer reading the queue.
struct DeadLetteringTests {
    let clock = ManualClock()
    let vhost: VirtualHost
    let connection = ManualClock()  // any object: an owner identity that stays alive
    var owner: ObjectIdentifier { ObjectIdentifier(connection) }

    init() {
        vhost = VirtualHost(name: "/", clock: clock)
    }

    func declare(_ name: String, _ arguments: AMQPTable = [:]) throws -> MessageQueue {
        try vhost.declareQueue(.init(queue: name, arguments: arguments), owner: owner)
    }

    func publish(_ body: String, to queue: MessageQueue, expiration: String? = nil) throws {
        var content = MessageContentFixture.make(body, routingKey: queue.name)
        if let expiration {
            let properties = AMQPBasicProperties(expiration: expiration)
            var encoded = ByteBuffer()
            try properties.encode(into: &encoded)
            content = MessageContent(exchange: "", routingKey: queue.name, properties: properties, encodedProperties: encoded,
                                     body: content.body)
        }
        queue.enqueue(content, messageTTL: try content.expirationMilliseconds())
    }

    @Test func expiredMessagesAreDeadLetteredByTimerWithXDeath() throws {
        let graveyard = try declare("graveyard")
        let jobs = try declare("jobs", ["x-message-ttl": .int32(1000), "x-dead-letter-exchange": .string(""),
                                        "x-dead-letter-routing-key": .string("graveyard")])
        try publish("a", to: jobs)
        clock.advance(milliseconds: 500)
        try publish("b", to: jobs, expiration: "200")
        #expect(jobs.messageCount == 2)
        clock.advance(milliseconds: 600)  // a is due at 1000 ms; b (700) waited behind it, as in RabbitMQ
        #expect(jobs.messageCount == 0)
        #expect(graveyard.messageCount == 2)
        let dead = try #require(graveyard.take(noAck: true))
        let death = try #require(dead.content.properties.headers?["x-death"])
        guard case .array(let entries) = death, case .table(let entry)? = entries.first else {
            Issue.record("x-death is not a list of tables: \(death)")
            return
        }
        #expect(entry["reason"] == .string("expired"))
        #expect(entry["queue"] == .string("jobs"))
        #expect(entry["count"] == .int64(1))
        #expect(entry["routing-keys"] == .array([.string("jobs")]))
        #expect(dead.content.properties.headers?["x-first-death-reason"] == .string("expired"))
        let second = try #require(graveyard.take(noAck: true))
        #expect(second.content.properties.expiration == nil)  // moved into x-death, not applied again
    }

    @Test func aPerMessageExpirationAloneExpiresAndABadOneIsRefused() throws {
        let queue = try declare("plain")
        try publish("soon", to: queue, expiration: "100")
        clock.advance(milliseconds: 99)
        #expect(queue.messageCount == 1)
        clock.advance(milliseconds: 1)
        #expect(queue.messageCount == 0)
        #expect(throws: AMQPException.self) { try publish("bad", to: queue, expiration: "-5") }
    }

    @Test func maxLengthDropsTheHeadOrRefusesThePublish() throws {
        let overflow = try declare("overflow")
        let capped = try declare("capped", ["x-max-length": .int32(2), "x-dead-letter-exchange": .string(""),
                                            "x-dead-letter-routing-key": .string("overflow")])
        for body in ["1", "2", "3"] { try publish(body, to: capped) }
        #expect(capped.messageCount == 2)
        #expect(String(buffer: try #require(capped.take(noAck: true)).content.body) == "2")
        #expect(String(buffer: try #require(overflow.take(noAck: true)).content.body) == "1")

        let strict = try declare("strict", ["x-max-length": .int32(1), "x-overflow": .string("reject-publish")])
        #expect(strict.enqueue(MessageContentFixture.make("kept"), messageTTL: nil))
        #expect(!strict.enqueue(MessageContentFixture.make("refused"), messageTTL: nil))
        #expect(strict.messageCount == 1)
    }

    @Test func anUnusedQueueWithXExpiresIsDeleted() throws {
        _ = try declare("fleeting", ["x-expires": .int32(1000)])
        clock.advance(milliseconds: 900)
        _ = try declare("fleeting", ["x-expires": .int32(1000)])  // a redeclare counts as use
        clock.advance(milliseconds: 900)
        #expect(vhost.queues["fleeting"] != nil)
        clock.advance(milliseconds: 200)
        #expect(vhost.queues["fleeting"] == nil)
    }

    @Test func aDeadLetterCycleWithoutRejectionIsDropped() throws {
        let loop = try declare("loop", ["x-message-ttl": .int32(10), "x-dead-letter-exchange": .string(""),
                                        "x-dead-letter-routing-key": .string("loop")])
        try publish("m", to: loop)
        clock.advance(milliseconds: 20)
        #expect(loop.messageCount == 0)
    }
}
