import AMQPClient
import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// A quorum queue's delivery limit and dead-lettering, set by a RabbitMQ policy as Celery's
/// docs advise, hold with Celeriac's worker: an acks_late task whose worker dies under it
/// goes back to the queue and runs again (the redelivery carries RabbitMQ's
/// x-delivery-count, which the worker must take in its stride), and once the limit is
/// passed RabbitMQ dead-letters the message intact instead of redelivering it for ever.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil && CeleriacBinary.managementURL != nil
           && CeleriacBinary.environment["CELERIAC_TEST_BROKER"] != "celeriac"),  // quorum queues are RabbitMQ's
       .timeLimit(.minutes(3)))
struct QuorumDeliveryLimitTests {
    @Test func aTaskPastTheDeliveryLimitIsDeadLetteredIntact() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let vhost = try AMQPConnectionConfiguration(url: broker).virtualHost
            let queue = "limited-\(UUID().uuidString.prefix(8).lowercased())"
            try await ManagementAdmin(url: CeleriacBinary.managementURL!).setPolicy(
                "limit", vhost: vhost, pattern: "^limited-", applyTo: "queues",
                definition: #"{"delivery-limit": 1, "dead-letter-exchange": "dead"}"#)

            var configuration = try CeleriacConfiguration.load(file: nil, environment: [:], flags: ["broker_url": broker])
            configuration.missingQueueType = .quorum  // the test's own queue is not the default one
            let app = App(configuration)
            defer { Task { await app.close() } }
            let transport = try await app.transport()
            try await transport.declare(ExchangeDeclaration(name: "dead", type: "fanout"))
            try await transport.declare(QueueDeclaration(name: "dead-letters"))
            try await transport.bind(queue: "dead-letters", exchange: "dead", routingKey: "")

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("limit-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let config = directory + "/celeriac.toml"
            try """
                task_create_missing_queue_type = "quorum"
                task_acks_late = true
                """.write(toFile: config, atomically: true, encoding: .utf8)
            let sent = try await app.send("demo.sleep", args: [60], options: TaskSendOptions(queue: queue), expectResult: false)

            // Two deliveries, each ended by killing the worker mid-task: the limit of one
            // failed delivery is then passed.
            var logs: [String] = []
            for attempt in 1...2 {
                let pidFile = directory + "/worker-\(attempt).pid"
                let (worker, log) = try await WorkerInteropTests.startReadyWorker(queue: queue, broker: broker,
                                                                                  extra: ["--config", config, "--pidfile", pidFile])
                defer { worker.stop() }
                logs.append(log)
                _ = try await WorkerInteropTests.waitForLog(log, toContain: "demo.sleep[\(sent.id)] received")
                kill(try await BeatTests.pid(in: pidFile), SIGKILL)
            }

            let deadLetter = try await Self.firstMessage(of: "dead-letters", on: transport)
            let task = try TaskMessage(deadLetter)
            #expect(task.id == sent.id && task.taskName == "demo.sleep" && task.args == [60])
            let death = deadLetter.properties.headers["x-death"]?.arrayValue?.first
            #expect(death?["queue"]?.stringValue == queue, "x-death: \(String(describing: death))")
            #expect(death?["reason"]?.stringValue == "delivery_limit", "x-death: \(String(describing: death))")
            let left = try await transport.declare(QueueDeclaration(name: queue, passive: true))
            #expect(left.messages == 0, "the message is still in its queue after the limit")
        }
    }

    /// The first message of `queue`, waiting for RabbitMQ to dead-letter it.
    static func firstMessage(of queue: String, on transport: any BrokerTransport) async throws -> BrokerMessage {
        let messages = try await transport.consume(queue: queue, prefetch: 1, noAck: true)
        return try await withThrowingTaskGroup(of: BrokerMessage?.self) { group in
            group.addTask {
                for try await delivery in messages { return delivery.message }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(20))  // the deadline, not a wait for an event
                return nil
            }
            defer { group.cancelAll() }
            guard let message = try await group.next() ?? nil else {
                throw WorkerTestError("nothing was dead-lettered to \(queue) within 20 s")
            }
            return message
        }
    }
}
