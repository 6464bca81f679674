@testable import Celeriac
import Foundation
import Testing

@Suite("Sending through RabbitMQ", .enabled(if: Peers.hasRabbitMQ), .timeLimit(.minutes(1)))
struct AppSendingTests {
    let app = App(Peers.configuration(resultBackend: nil))

    @Test func aRouteThatReachesNoQueueIsAnError() async throws {
        do {
            try await app.send("fix.add", args: [1, 2],
                               options: TaskSendOptions(exchange: "amq.direct", routingKey: "nobody-\(UUID())"))
            Issue.record("an unroutable task was accepted")
        } catch BrokerError.unroutable(let exchange, _) {
            #expect(exchange == "amq.direct")
        }
        await app.close()
    }

    @Test func aTaskSentBeforeAnyWorkerWaitsInItsQueue() async throws {
        let queue = "waiting-\(UUID().uuidString.prefix(8))"
        let result = try await app.send("fix.add", args: [1, 2], options: TaskSendOptions(queue: queue))
        let transport = try await app.transport()
        var passive = QueueDeclaration.taskQueue(queue, maxPriority: nil)
        passive.passive = true
        #expect(try await transport.declare(passive).messages == 1)
        let delivered = try await transport.consume(queue: queue, prefetch: 1, noAck: false)
        for try await received in delivered {
            let task = try TaskMessage(received.message)
            #expect(task.id == result.id)
            #expect(task.headers["lang"] == "swift")
            #expect(task.args == [1, 2])
            #expect(received.message.properties.correlationID == result.id)
            #expect(received.message.properties.replyTo == nil)  // no backend, no reply queue
            try received.ack()
            break
        }
        await app.close()
    }

    @Test func withoutABackendResultsSayHowToGetOne() async throws {
        let result = try await app.result("some-id")
        await #expect(throws: ResultError.noBackendConfigured) { try await result.state() }
    }
}
