import Celeriac
import Foundation

/// The most recent events, for the Events screen: a ring, so a busy cluster costs constant
/// memory, holding the events themselves — only the lines on screen are ever formatted (task
/// events as the JSON they came in, read again only then).
public struct EventLog: Sendable {
    enum Entry: Sendable {
        case event(CeleryEvent)
        case json([UInt8])
    }

    public let capacity: Int
    private var events: [Entry] = []
    private var start = 0
    /// Lines ever added; a paused view remembers this to stay where it was.
    public private(set) var total = 0

    public init(capacity: Int = 2000) {
        self.capacity = max(1, capacity)
    }

    mutating func add(_ event: CeleryEvent) { add(.event(event)) }

    /// A task event as the JSON it came in.
    mutating func add(json: [UInt8]) { add(.json(json)) }

    private mutating func add(_ event: Entry) {
        total += 1
        if events.count < capacity {
            events.append(event)
        } else {
            events[start] = event
            start = (start + 1) % capacity
        }
    }

    /// Up to `count` lines ending at the `total`-th line ever added (nil: the latest), oldest first.
    public func lines(last count: Int, endingAt end: Int? = nil) -> [String] {
        let endIndex = min(end ?? total, total)
        let available = min(events.count, events.count - (total - endIndex))
        guard available > 0, count > 0 else { return [] }
        let first = max(0, available - count)
        return (first..<available).map { Self.line(for: events[(start + $0) % events.count]) }
    }

    private static func line(for entry: Entry) -> String {
        switch entry {
        case .event(let event): return line(for: event)
        case .json(let json):
            // The fast path only keeps JSON it read as an event, so this parse succeeds.
            guard let event = try? CeleryEvent(JSONValue(parsing: json)) else {
                return String(decoding: json, as: UTF8.self)
            }
            return line(for: event)
        }
    }

    /// "12:00:01.123 fixw@vm task-succeeded uuid=… result='5'"
    public static func line(for event: CeleryEvent) -> String {
        let time = event.timestamp.map { Self.clock($0) } ?? "--:--:--"
        return [time, event.hostname ?? "-", event.type, fields(of: event)].joined(separator: " ")
    }

    /// The fields beyond the envelope, sorted, as `name=repr` — what `celery events --dump` shows.
    public static func fields(of event: CeleryEvent) -> String {
        let skipped: Set<String> = ["type", "hostname", "timestamp", "utcoffset", "pid", "clock", "local_received"]
        return event.fields.keys.filter { !skipped.contains($0) }.sorted()
            .map { "\($0)=\(event.fields[$0]!.pythonRepr)" }.joined(separator: " ")
    }

    /// Local time of day of `epoch`, "14:02:33", or "14:02:33.123" with milliseconds.
    public static func clock(_ epoch: Double, milliseconds: Bool = true) -> String {
        var t = time_t(epoch.rounded(.down))
        var parts = tm()
        localtime_r(&t, &parts)
        let time = String(format: "%02d:%02d:%02d", parts.tm_hour, parts.tm_min, parts.tm_sec)
        guard milliseconds else { return time }
        let millis = Int((epoch - Double(t)) * 1000)
        return time + String(format: ".%03d", max(0, min(999, millis)))
    }
}
