import Foundation
import NIOConcurrencyHelpers
import Synchronization

/// Sends events to the `celeryev` topic exchange, as a Celery client (task-sent) or worker
/// (worker-*, task-*) does. Several task events may go as one `task.multi` batch.
public struct EventPublisher: Sendable {
    public let transport: any BrokerTransport
    /// The sender's name, put in each event and in the message's `hostname` header.
    public let hostname: String
    /// Shared with whatever else the sender stamps (a worker's control replies), as Celery's
    /// app has one clock.
    public let clock: LamportClock
    private let utcOffset = UTCOffset()

    public init(transport: any BrokerTransport, hostname: String, clock: LamportClock = LamportClock()) {
        self.transport = transport
        self.hostname = hostname
        self.clock = clock
    }

    /// Publishes events of one type group; fields `hostname`, `timestamp`, `utcoffset`, `pid`
    /// and `clock` are filled in. Nobody listening is normal, not an error.
    public func publish(_ type: String, fields: [String: JSONValue], at timestamp: Date = Date()) async throws {
        try await publish([event(type, fields: fields, at: timestamp)])
    }

    public func publish(_ events: [CeleryEvent]) async throws {
        guard !events.isEmpty else { return }
        try await send(EventMessage.encode(events))
    }

    /// Publishes task events already in wire form (`encodedEvent`) as a `task.multi` list,
    /// even when there is one, as Celery's worker batches them (the captured events are all
    /// batches).
    public func publish(batch events: [EncodedEvent]) async throws {
        guard !events.isEmpty else { return }
        var body: [UInt8] = [UInt8(ascii: "[")]
        body.reserveCapacity(events.reduce(2) { $0 + $1.json.count + 2 })
        for (index, event) in events.enumerated() {
            if index > 0 { body.append(contentsOf: ", ".utf8) }
            body.append(contentsOf: event.json)
        }
        body.append(UInt8(ascii: "]"))
        try await send((EventMessage.taskBatchRoutingKey, body, ["hostname": .string(hostname)]))
    }

    private func send(_ encoded: (routingKey: String, body: [UInt8], headers: [String: JSONValue])) async throws {
        try await transport.declare(ExchangeDeclaration(name: EventMessage.exchange, type: "topic"))
        var properties = MessageProperties.json
        properties.headers = encoded.headers
        properties.deliveryMode = 1  // events are transient, as Celery sends them
        // Unconfirmed, as Celery sends events: an event is worth no wait for the broker, and
        // nobody listening (unroutable) is normal.
        try await transport.publishBestEffort(BrokerMessage(exchange: EventMessage.exchange, routingKey: encoded.routingKey,
                                                            properties: properties, body: encoded.body))
    }

    /// An event stamped as Celery stamps them (at `timestamp`, by default now).
    public func event(_ type: String, fields: [String: JSONValue], at timestamp: Date = Date()) -> CeleryEvent {
        CeleryEvent(type: type, hostname: hostname, timestamp: timestamp.timeIntervalSince1970,
                    utcoffset: -Double(TimeZone.current.secondsFromGMT()) / 3600,
                    pid: Self.pid, clock: clock.tick(), fields: fields)
    }

    /// A task event stamped as `event(_:fields:)` stamps it, written straight to its wire
    /// form: `write` adds the event's own fields.
    public func encodedEvent(_ type: String, _ write: (inout JSONObjectWriter) -> Void) -> EncodedEvent {
        var writer = JSONObjectWriter()
        write(&writer)
        writer.field("type", type)
        writer.field("hostname", hostname)
        let now = Date().timeIntervalSince1970
        writer.field("timestamp", timestamp: now)
        writer.field("utcoffset", json: utcOffset.json(at: now))
        writer.field("pid", Self.pid)
        writer.field("clock", clock.tick())
        return EncodedEvent(json: writer.finished())
    }

    private static let pid = Int(ProcessInfo.processInfo.processIdentifier)
}

/// The sender's offset from UTC as events carry it (hours west, a float, as Celery's
/// `utcoffset()`), looked up at most once a minute rather than for every event: it changes
/// only with daylight saving time.
final class UTCOffset: Sendable {
    private let cached = NIOLockedValueBox((validUntil: 0.0, json: [UInt8]()))

    func json(at now: Double) -> [UInt8] {
        cached.withLockedValue { cached in
            if now >= cached.validUntil {
                let hours = -Double(TimeZone.current.secondsFromGMT()) / 3600
                cached = (now + 60, Array(JSONValue.format(hours).utf8))
            }
            return cached.json
        }
    }
}

/// One event as a JSON object, ready to go in a batch.
public struct EncodedEvent: Sendable {
    public let json: [UInt8]
}

/// Celery's Lamport clock: every event and control reply carries the next value.
public final class LamportClock: Sendable {
    /// An atomic, not a lock: every event of every thread ticks it, and a contended lock
    /// costs a sleep and a wake-up.
    private let value = Atomic<Int>(0)

    public init() {}

    public func tick() -> Int {
        value.add(1, ordering: .relaxed).newValue
    }
}
