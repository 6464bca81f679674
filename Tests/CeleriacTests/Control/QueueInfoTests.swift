import Foundation
import Testing
@testable import Celeriac

@Suite struct QueueInfoTests {
    @Test func capturedActiveQueues() throws {
        let reply = try PidboxReply(ControlFixture.load("control-reply-active_queues-1.json").brokerMessage).reply
        let queues = try QueueInfo.list(from: reply)
        #expect(queues.map(\.name) == ["celery", "fixq"])
        let celery = queues[0]
        #expect(celery.routingKey == "celery")
        #expect(celery.durable)
        #expect(!celery.exclusive)
        #expect(!celery.autoDelete)
        #expect(!celery.noAck)
        #expect(celery.queueArguments == ["x-max-priority": 10])
        #expect(celery.bindingArguments.isEmpty)
        #expect(celery.consumerArguments.isEmpty)
        #expect(celery.expires == nil)
        #expect(celery.messageTTL == nil)
        #expect(celery.maxPriority == nil)
        #expect(celery.raw["bindings"] == [])
        let exchange = try #require(celery.exchange)
        #expect(exchange.name == "celery")
        #expect(exchange.type == "direct")
        #expect(exchange.durable)
        #expect(!exchange.autoDelete)
        #expect(exchange.arguments.isEmpty)
        #expect(exchange.raw["delivery_mode"] == JSONValue.null)
        #expect(queues[1].exchange?.name == "fixq")
        #expect(queues[1].routingKey == "fixq")
    }

    @Test func refusesWhatIsNotAQueueList() {
        #expect(throws: PidboxError.self) { try QueueInfo.list(from: ["ok": "pong"]) }
        #expect(throws: PidboxError.self) { try QueueInfo.list(from: [["durable": true]]) }
        #expect(throws: PidboxError.workerError("x")) { try QueueInfo.list(from: ["error": "x"]) }
    }
}
