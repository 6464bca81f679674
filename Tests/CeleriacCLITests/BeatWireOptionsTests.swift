import Celeriac
import CeleriacTestSupport
import Foundation
import Synchronization
import Testing

/// An entry's routing and expiry on the wire: the message `celeriac beat` publishes for an
/// entry with exchange, routing_key, priority and expires, beside the one Celery 5.7's beat
/// publishes for the same entry (its own `Scheduler.apply_async`, run in Python against the
/// same broker) — both taken off the queue they were routed to and compared field by field.
extension BeatTests {
    /// Declares a direct exchange and a priority queue bound to it, then sends one run of an
    /// entry through Celery's beat code path; prints the task id.
    static let celeryBeatSend = """
        import json, sys
        from celery import Celery
        from celery.beat import ScheduleEntry, Scheduler
        from celery.schedules import schedule
        from kombu import Connection, Exchange, Queue

        broker, exchange, queue, routing_key = sys.argv[1:5]
        options = json.loads(sys.argv[5])
        with Connection(broker) as connection:
            channel = connection.channel()
            Exchange(exchange, type="direct", durable=True, channel=channel).declare()
            Queue(queue, Exchange(exchange, type="direct"), routing_key=routing_key, durable=True,
                  queue_arguments={"x-max-priority": 10}, channel=channel).declare()
        app = Celery("beatwire", broker=broker)
        app.conf.task_queue_max_priority = 10
        scheduler = Scheduler(app, lazy=True)
        entry = ScheduleEntry(name="routed", task="demo.add", schedule=schedule(60), args=[2, 3],
                              options=options, app=app)
        with app.producer_or_acquire() as producer:
            print(scheduler.apply_async(entry, producer=producer).id)
        """

    @Test func anEntrysRoutingAndExpiryReachTheMessageAsCeleryBeatSendsThem() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try Self.directory()
            let suffix = UUID().uuidString.prefix(8).lowercased()
            let (exchange, queue, routingKey) = ("beat-ex-\(suffix)", "beat-routed-\(suffix)", "beat.routed")
            let script = directory + "/celery_beat_send.py"
            try Self.celeryBeatSend.write(toFile: script, atomically: true, encoding: .utf8)
            let celeryBefore = Date()
            let celery = try await detached {
                try ChildProcess.run(["python3", script, broker, exchange, queue, routingKey,
                                      #"{"exchange": "\#(exchange)", "routing_key": "\#(routingKey)", "priority": 7, "expires": 60}"#])
            }
            let celeryAfter = Date()
            try #require(celery.status == 0, "\(celery.stderr.suffix(2000))")
            let celeryID = celery.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

            let config = directory + "/celeriac.toml"
            try """
                broker_url = "\(broker)"
                task_queue_max_priority = 10

                [beat_schedule.routed]
                task = "demo.add"
                schedule = 1
                args = [2, 3]
                exchange = "\(exchange)"
                routing_key = "\(routingKey)"
                priority = 7
                expires = 60
                """.write(toFile: config, atomically: true, encoding: .utf8)
            let log = directory + "/beat.log"
            let beat = try Self.startBeat(config: config, schedule: directory + "/schedule.json", log: log, pidFile: directory + "/beat.pid")
            defer { beat.stop() }
            try await Self.waitForSends(log, entry: "routed", count: 1)
            let sentLine = try await Self.waitForLine(log, containing: "beat: sent routed (demo.add[", after: 0)
            let celeriacID = try #require(sentLine.line.components(separatedBy: "demo.add[").last?.components(separatedBy: "]").first)
            let due = try #require(sentLine.line.components(separatedBy: " due ").last.flatMap(CeleryTime.parse))

            let tap = try await RawMessageTap(broker: broker, queue: queue)
            defer { tap.close() }
            let fromCelery = try await tap.waitFor(id: celeryID)
            let fromCeleriac = try await tap.waitFor(id: celeriacID)
            let both = "Celery's beat: \(fromCelery.exchange) \(fromCelery.routingKey) \(fromCelery.properties)\nceleriac beat: \(fromCeleriac.exchange) \(fromCeleriac.routingKey) \(fromCeleriac.properties)"

            for message in [fromCelery, fromCeleriac] {
                // Routed by the entry's exchange and key (the queue only has that binding).
                #expect(message.exchange == exchange && message.routingKey == routingKey, "\(both)")
                #expect(message.properties.priority == 7, "\(both)")
                #expect(message.properties.headers["task"] == "demo.add", "\(both)")
                // Celery marks what its beat sent (Scheduler.apply_async, Celery 5.3+).
                #expect(message.properties.headers["celery_beat_task"] == true, "\(both)")
            }
            // expires: the `expires` header, an ISO 8601 moment 60 s after the send, and the
            // broker's per-message TTL of 60,000 ms (Celery's send_task sets both).
            #expect(fromCelery.properties.expiration == "60000", "\(both)")
            let ttl = try #require(fromCeleriac.properties.expiration.flatMap { Int($0) }, "no per-message TTL: \(both)")
            #expect((59_000...60_000).contains(ttl), "\(both)")
            let celeryExpires = try #require(fromCelery.properties.headers["expires"]?.stringValue.flatMap(CeleryTime.parse), "\(both)")
            #expect(celeryExpires >= celeryBefore.addingTimeInterval(59.999) && celeryExpires <= celeryAfter.addingTimeInterval(60.001),
                    "\(both)")
            let expiresText = try #require(fromCeleriac.properties.headers["expires"]?.stringValue, "\(both)")
            let expires = try #require(CeleryTime.parse(expiresText), "unreadable expires \(expiresText)")
            // Sent at or after its due moment, and before its log line.
            #expect(expires >= due.addingTimeInterval(59.999) && expires <= sentLine.at.addingTimeInterval(60.001),
                    "expires \(expiresText), due \(CeleryTime.format(due)), logged \(sentLine.at)")
            #expect(expiresText.hasSuffix("+00:00") || expiresText.hasSuffix("Z"), "an aware UTC moment, as Celery's: \(expiresText)")
        }
    }
}

/// Every message delivered to one queue, whole: exchange, routing key, properties, body.
final class RawMessageTap: Sendable {
    private let app: App
    private let consumer: BrokerConsumer
    /// Filled on the transport's thread, read by the test.
    private final class Inbox: Sendable {
        let messages = Mutex<[BrokerMessage]>([])
    }
    private let received = Inbox()

    init(broker: String, queue: String) async throws {
        var configuration = CeleriacConfiguration()
        configuration.brokerURL = broker
        let app = App(configuration)
        let received = received
        consumer = try await app.transport().consume(queue: queue, prefetch: 100, noAck: true, onMessage: { delivery in
            let message = delivery.message
            received.messages.withLock { $0.append(message) }
        }, onEnd: { _ in })
        self.app = app
    }

    /// The message whose `id` header is `id`, already here or yet to come.
    func waitFor(id: String, timeout: Double = 10) async throws -> BrokerMessage {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            if let found = received.messages.withLock({ $0.first { $0.properties.headers["id"]?.stringValue == id } }) { return found }
            try await Task.sleep(for: .milliseconds(50))  // another process publishes: nothing to await here
        }
        throw TmuxError("no message with id \(id) within \(timeout) s; got \(received.messages.withLock { $0.map { $0.properties.headers["id"] ?? .null } })")
    }

    func close() {
        let (consumer, app) = (consumer, app)
        Task {
            await consumer.cancel()
            await app.close()
        }
    }
}
