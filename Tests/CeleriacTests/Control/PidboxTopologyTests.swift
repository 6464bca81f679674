import Testing
@testable import Celeriac

/// Facts from `fixtures/celery-amqp/topology.txt` (a Celery 5.7 worker named fixw@vm) and
/// from the captured requests and replies.
@Suite struct PidboxTopologyTests {
    @Test func exchanges() {
        let topology = PidboxTopology.celery
        #expect(topology.exchange == PidboxExchange(name: "celery.pidbox", type: "fanout"))
        #expect(!topology.exchange.durable)
        #expect(!topology.exchange.autoDelete)
        #expect(topology.replyExchange == PidboxExchange(name: "reply.celery.pidbox", type: "direct"))
        #expect(!topology.replyExchange.durable)
    }

    @Test func nodeQueue() {
        let queue = PidboxTopology.celery.nodeQueue(for: "fixw@vm")
        #expect(queue.name == "fixw@vm.celery.pidbox")
        #expect(queue.exchange == "celery.pidbox")
        #expect(queue.routingKey == "")
        #expect(!queue.durable)
        #expect(queue.exclusive)
        #expect(queue.autoDelete)
        #expect(queue.arguments == ["x-expires": 10000, "x-message-ttl": 300000])
    }

    @Test func replyQueueIsNamedAfterItsKey() {
        let key = "62eeeac9-8a05-3cd2-aaab-5a1a6ba89807"
        let queue = PidboxTopology.celery.replyQueue(for: key)
        #expect(queue.name == "62eeeac9-8a05-3cd2-aaab-5a1a6ba89807.reply.celery.pidbox")
        #expect(queue.exchange == "reply.celery.pidbox")
        #expect(queue.routingKey == key)
        #expect(queue.exclusive && queue.autoDelete && !queue.durable)
        #expect(PidboxTopology.celery.replyAddress(for: key) == PidboxReplyAddress(routingKey: key))
    }

    @Test func replyKeysLookLikeKombus() throws {
        let key = PidboxTopology.newReplyKey()
        #expect(key.count == 36)
        #expect(key == key.lowercased())
        #expect(key != PidboxTopology.newReplyKey())
        // Captured requests name a bare uuid as the reply key, and replies are routed by it.
        let request = try ControlFixture.load("control-request-ping-1.json")
        #expect(request.body["reply_to"]?["routing_key"] == "98f871d7-828c-3fcc-a383-d3468a1322c7")
        #expect(try ControlFixture.load("control-reply-ping-1.json").routingKey == "98f871d7-828c-3fcc-a383-d3468a1322c7")
    }

    @Test func otherNamespace() {
        let topology = PidboxTopology(namespace: "myapp", queueMessageTTL: 60_000, queueExpires: 5_000)
        #expect(topology.exchange.name == "myapp.pidbox")
        #expect(topology.replyExchange.name == "reply.myapp.pidbox")
        #expect(topology.nodeQueue(for: "w@h").name == "w@h.myapp.pidbox")
        #expect(topology.queueArguments == ["x-expires": 5000, "x-message-ttl": 60000])
        #expect(PidboxRequest.ping().brokerMessage(topology: topology).exchange == "myapp.pidbox")
    }
}
