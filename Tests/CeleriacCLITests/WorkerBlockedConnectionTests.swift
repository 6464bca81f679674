import AMQPClient
import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// rabbitmqctl for the test node, or `celeriac broker ctl` for the test broker.
private let nodeRabbitMQCtl = ProcessInfo.processInfo.environment["CELERIAC_TEST_RABBITMQCTL"]

/// Runs in Scripts/test.sh's node-wide pass, alone (its filter takes every suite named
/// `…BlockedConnectionTests`): a memory alarm blocks every publisher on the node, and would
/// stall the other tests' workers.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil && CeleriacBinary.managementURL != nil
                    && ProcessInfo.processInfo.environment["CELERIAC_TEST_NODE_WIDE"] == "1"
                    && nodeRabbitMQCtl != nil),
       .timeLimit(.minutes(2)))
struct WorkerBlockedConnectionTests {
    static func ctl(_ arguments: String...) async throws {
        let output = try await detached { try ChildProcess.run([nodeRabbitMQCtl!] + arguments) }
        try #require(output.status == 0, "\(arguments.joined(separator: " ")): \(output.stderr)")
    }

    /// During a memory alarm the broker stops reading from every connection that publishes.
    /// A worker sending events (-E) still starts, consumes and acks a queue of waiting tasks,
    /// because its events go out on a connection of their own; on one shared connection its
    /// first event would have stopped its acks, and its start, with it.
    @Test func aWorkerDrainsItsQueueWhileAMemoryAlarmHoldsItsEvents() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let (queue, _) = WorkerInteropTests.names("alarm")
            var configuration = CeleriacConfiguration()
            configuration.brokerURL = broker
            let client = App(configuration)
            var options = TaskSendOptions()
            options.queue = queue
            let tasks = 40  // five times the worker's prefetch: the queue drains only if acks arrive
            for _ in 0..<tasks { _ = try await client.send("demo.noop", options: options, expectResult: false) }
            await client.close()

            try await Self.ctl("set_vm_memory_high_watermark", "0")
            let (worker, log): (BackgroundProcess, String)
            var left = tasks
            do {
                (worker, log) = try await WorkerInteropTests.startReadyWorker(queue: queue, broker: broker, concurrency: 2)
                left = try await Self.waitUntilEmpty(queue, broker: broker)
            } catch {
                try await Self.ctl("set_vm_memory_high_watermark", "0.4")
                throw error
            }
            // Lifted before the worker stops: its last events, and the close of its blocked
            // connection, wait for the broker to read again.
            try await Self.ctl("set_vm_memory_high_watermark", "0.4")
            let status = try await detached { worker.stop() }
            let workerLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(left == 0, "\(left) of \(tasks) tasks still waited under the alarm\n\(workerLog.suffix(2000))")
            #expect(status == 0, "\(workerLog.suffix(1500))")
        }
    }

    /// The messages still ready in `queue` once it is empty or 30 s have passed, counted from a
    /// connection that publishes nothing, so the alarm never blocks it.
    static func waitUntilEmpty(_ queue: String, broker: String) async throws -> Int {
        let watcher = try await AMQPConnection.connect(url: broker)
        let channel = try await watcher.openChannel()
        var left = Int(try await channel.queueDeclare(queue, passive: true).messageCount)
        let deadline = ContinuousClock.now + .seconds(30)
        while left > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))  // the count, polled: the broker sends no event for it
            left = Int(try await channel.queueDeclare(queue, passive: true).messageCount)
        }
        try await watcher.close()
        return left
    }
}
