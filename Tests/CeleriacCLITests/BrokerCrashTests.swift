import AMQPClient
import Celeriac
import CeleriacTestSupport
import Foundation
import NIOCore
import Testing

/// `celeriac broker` killed with SIGKILL and started again on the same data dir loses
/// nothing it confirmed, and hands out nothing twice.
// Serialized: each test starts and kills brokers and writes tens of MiB with fsync; run
// together, they slow each other enough to upset the timing the worker test relies on.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct BrokerCrashTests {
    let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("celeriac-crash-\(UUID().uuidString)").path

    @Test func confirmedPersistentMessagesSurviveKillAndRestartIntact() async throws {
        let count = 2000
        let first = try await BrokerProcess.start(dataDirectory: dataDirectory)
        defer { first.killIfRunning() }
        do {
            let connection = try await AMQPConnection.connect(url: first.url)
            let channel = try await connection.openChannel()
            try await channel.exchangeDeclare("orders", type: "direct", durable: true)
            try await channel.queueDeclare("crash", durable: true)
            try await channel.queueBind("crash", exchange: "orders", routingKey: "new")
            try await channel.confirmSelect()
            for index in 0..<count {
                try await channel.publish(ByteBuffer(string: "message \(index)"), exchange: "orders", routingKey: "new",
                                          properties: AMQPBasicProperties(headers: ["index": .int64(Int64(index))], deliveryMode: 2))
            }
            try await channel.waitForConfirms()
            // Half of them consumed and acked before the crash: those must not come back.
            var consumed = try await channel.consume(queue: "crash").makeAsyncIterator()
            for _ in 0..<(count / 2) { try #require(try await consumed.next()).ack() }
            // Acks are not confirmed; a passive declare after them is answered only after the
            // broker has read them.
            #expect(try await channel.queueDeclare("crash", passive: true).messageCount <= count / 2)
        }
        try await first.kill9()

        let second = try await BrokerProcess.start(dataDirectory: dataDirectory)
        defer { second.killIfRunning() }
        let (connection, channel, deliveries) = try await drain("crash", from: second)
        var seen: [Int] = []
        for delivery in deliveries {
            let body = String(buffer: delivery.body)
            #expect(delivery.properties.headers?["index"] == .int64(Int64(body.dropFirst(8))!))
            seen.append(Int(body.dropFirst(8))!)
        }
        #expect(seen.count == count / 2, "\(second.log)")
        #expect(seen == Array((count / 2)..<count))  // the rest, in order, each once
        // The exchange and the binding came back too.
        try await channel.confirmSelect()
        try await channel.publishConfirmed(ByteBuffer(string: "after"), exchange: "orders", routingKey: "new", mandatory: true)
        #expect(try await channel.queueDeclare("crash", passive: true).messageCount == 1)
        try await connection.close()
        try await second.stop()
    }

    /// Disk use follows the live messages: segments of which one message is left are
    /// rewritten, and what is left is still there, whole, after a kill -9.
    @Test func mostlyAckedSegmentsAreCompactedAndTheirLiveMessagesSurviveACrash() async throws {
        let count = 420, size = 64 << 10  // about 26 MiB: three full 8 MiB segments and a fourth
        let kept: Set<Int> = [0, 150, 300]
        let first = try await BrokerProcess.start(dataDirectory: dataDirectory, extraArguments: ["--compaction-interval", "1"])
        defer { first.killIfRunning() }
        do {
            let connection = try await AMQPConnection.connect(url: first.url)
            let channel = try await connection.openChannel()
            try await channel.queueDeclare("compact", durable: true)
            try await channel.confirmSelect()
            for index in 0..<count {
                let body = "\(index) " + String(repeating: "\(index % 10)", count: size)
                try await channel.publish(ByteBuffer(string: body), exchange: "", routingKey: "compact",
                                          properties: AMQPBasicProperties(deliveryMode: 2))
            }
            try await channel.waitForConfirms()
            try await channel.basicQos(prefetchCount: 500)
            var consumed = try await channel.consume(queue: "compact").makeAsyncIterator()
            for index in 0..<count {
                let delivery = try #require(try await consumed.next())
                if !kept.contains(index) { try delivery.ack() }
            }
            #expect(try await channel.queueDeclare("compact", passive: true).messageCount == 0)
            try await connection.close()  // the three unacked go back to the queue
        }
        try await waitFor("compacted segment", count: kept.count, in: first.logFile)
        let stored = try FileManager.default.subpathsOfDirectory(atPath: "\(dataDirectory)/queues").reduce(0) { total, path in
            total + ((try? FileManager.default.attributesOfItem(atPath: "\(dataDirectory)/queues/\(path)")[.size] as? Int) ?? 0)
        }
        #expect(stored < 1 << 20, "\(stored) bytes stored for three messages of 64 KiB")
        try await first.kill9()

        let second = try await BrokerProcess.start(dataDirectory: dataDirectory)
        defer { second.killIfRunning() }
        let (connection, _, deliveries) = try await drain("compact", from: second)
        var seen: [Int] = []
        for delivery in deliveries {
            let body = String(buffer: delivery.body)
            let index = Int(body.prefix { $0 != " " })!
            #expect(body == "\(index) " + String(repeating: "\(index % 10)", count: size))
            seen.append(index)
        }
        #expect(seen == kept.sorted(), "\(second.log)")
        try await connection.close()
        try await second.stop()
    }

    /// Late-acked tasks in flight when the broker dies: the worker keeps running them and
    /// drops those still waiting for a slot, connects again once the broker is back, and the
    /// broker (which never saw their acks) hands them out again — every task ends with a
    /// stored SUCCESS, and only the ones that were running ran twice.
    @Test func aWorkerFinishesLateAckTasksAfterTheBrokerIsKilledAndRestarted() async throws {
        let first = try await BrokerProcess.start(dataDirectory: dataDirectory)
        defer { first.killIfRunning() }
        let results = "db+sqlite:///\(dataDirectory)-results.db"
        let workerLog = "\(dataDirectory)-worker.log"
        let worker = try BackgroundProcess(
            "/bin/bash",
            arguments: [PythonCluster.interop.appendingPathComponent("run_until_eof.sh").path, CeleriacBinary.url.path,
                        "worker", "-A", "demo", "-b", first.url, "--result-backend", results, "-Q", "restarts",
                        "-c", "2", "-P", "async", "-n", "restart@%h"],
            logFile: workerLog)
        defer { worker.stop() }
        try await waitFor("ready", in: workerLog)
        // Sent together from one client, so all four are in the worker's hands at the kill.
        var configuration = CeleriacConfiguration()
        configuration.brokerURL = first.url
        configuration.resultBackend = results
        let client = App(configuration)
        var ids: [String] = []
        for _ in 0..<4 {
            var options = TaskSendOptions()
            options.queue = "restarts"
            // Long enough that none can finish (and be acked) before the kill, however slowly
            // the four arrive on a busy machine.
            ids.append(try await client.send("demo.sleep", args: [4], options: options, expectResult: false).id)
        }
        await client.close()
        try await waitFor("received", count: 4, in: workerLog)
        try await first.kill9()

        let second = try await BrokerProcess.start(dataDirectory: dataDirectory, port: first.port)
        defer { second.killIfRunning() }
        try await waitFor("Connected to the broker again", in: workerLog)
        // Two ran in the two slots, two waited for one: those are dropped with the
        // connection, as Celery's consumer drops them, instead of running twice.
        try await waitFor("2 received tasks that had not started are left to the broker", in: workerLog)
        // Their acks died with the connection, so the broker hands all four out again: the
        // two that ran run a second time (at least once, as with Celery), the others once.
        try await waitFor("succeeded", count: 6, in: workerLog, seconds: 60)
        for id in ids {
            let result = try await CeleriacBinary.runDetached(["result", id, "--wait", "--timeout", "60",
                                                               "--result-backend", results, "-b", second.url])
            #expect(result.stdout.hasPrefix("SUCCESS"), "\(id): exit \(result.status): \(result.stdout) \(result.stderr)")
        }
        let connection = try await AMQPConnection.connect(url: second.url)
        let channel = try await connection.openChannel()
        #expect(try await channel.queueDeclare("restarts", passive: true).messageCount == 0)
        let runs = try String(contentsOfFile: workerLog, encoding: .utf8).components(separatedBy: "succeeded").count - 1
        #expect(runs == 6, "the tasks waiting for a slot ran on the lost connection too: \(runs) runs")
        try await connection.close()
        try await second.stop()
    }

    /// Everything left in `queue` after a restart, taken with basic.get, in order.
    private func drain(_ queue: String, from broker: BrokerProcess) async throws
        -> (AMQPConnection, AMQPChannel, [AMQPDelivery])
    {
        let connection = try await AMQPConnection.connect(url: broker.url)
        let channel = try await connection.openChannel()
        var deliveries: [AMQPDelivery] = []
        while let delivery = try await channel.get(queue: queue, noAck: true) { deliveries.append(delivery) }
        return (connection, channel, deliveries)
    }

    /// Waits until `text` appears `count` times in the log (the worker has no other signal).
    private func waitFor(_ text: String, count: Int = 1, in path: String, seconds: Double = 30) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let log = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            if log.components(separatedBy: text).count - 1 >= count { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("'\(text)' did not appear \(count) times in \(path): \((try? String(contentsOfFile: path, encoding: .utf8)) ?? "")")
        throw BrokerProcessError("timed out")
    }
}
