import Celeriac
import Foundation

/// The most recent events, for the Events screen: a ring, so a busy cluster costs constant
/// memory, holding the events themselves — only the lines on screen are ever formatted.
/// Task events are kept as the JSON they came in, copied into a ring of bytes (no
/// allocation per event), and read again only when shown.
public struct EventLog: Sendable {
    enum Entry: Sendable {
        case event(CeleryEvent)
        /// Bytes `start..<start+count` of everything ever written to `bytes`.
        case json(start: Int, count: Int)
    }

    public let capacity: Int
    private var events: [Entry] = []
    private var start = 0
    /// Lines ever added; a paused view remembers this to stay where it was.
    public private(set) var total = 0
    /// Room for `capacity` events of 1 KiB; a larger one is kept as a parsed event.
    private var bytes: [UInt8]
    private var written = 0

    public init(capacity: Int = 2000) {
        self.capacity = max(1, capacity)
        bytes = [UInt8](repeating: 0, count: self.capacity * 1024)
    }

    mutating func add(_ event: CeleryEvent) { add(.event(event)) }

    /// A task event as the JSON it came in.
    mutating func add(json: UnsafeRawBufferPointer) {
        guard json.count <= bytes.count / 8 else {
            if let event = try? CeleryEvent(JSONValue(parsing: json)) { add(.event(event)) }
            return
        }
        var position = written % bytes.count
        if position + json.count > bytes.count {
            written += bytes.count - position  // the tail is too short: start over at the front
            position = 0
        }
        bytes.withUnsafeMutableBytes { ring in
            UnsafeMutableRawBufferPointer(rebasing: ring[position..<position + json.count]).copyMemory(from: json)
        }
        add(.json(start: written, count: json.count))
        written += json.count
    }

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
        return (first..<available).map { line(for: events[(start + $0) % events.count]) }
    }

    private func line(for entry: Entry) -> String {
        switch entry {
        case .event(let event): return Self.line(for: event)
        case .json(let first, let count):
            guard first >= written - bytes.count else { return "(event no longer held)" }
            let position = first % bytes.count
            let json = bytes[position..<position + count]
            // Only JSON the decoder read as an event is kept, so this parse succeeds.
            guard let event = try? CeleryEvent(JSONValue(parsing: json)) else {
                return String(decoding: json, as: UTF8.self)
            }
            return Self.line(for: event)
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
