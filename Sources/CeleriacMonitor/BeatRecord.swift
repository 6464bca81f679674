import Celeriac

/// A `celeriac beat` as its events tell it: its schedule from beat-online and
/// beat-heartbeat, the task each entry last sent from beat-sent, and whether it is alive.
public struct BeatRecord: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var name: String
        public var task: String
        /// The schedule in words, as the beat says it.
        public var schedule: String
        public var enabled: Bool
        public var lastRunAt: Double?
        public var nextRunAt: Double?
        public var totalRunCount: Int
        /// The id of the task it sent last, once a beat-sent was seen.
        public var lastTaskID: String?
        /// The schedule as `beat_edit` takes it ("every 30 s"); nil from a beat that does not say.
        public var spec: String? = nil
        public var args: [JSONValue] = []
        public var kwargs: [String: JSONValue] = [:]
    }

    public let hostname: String
    /// The schedule file it runs, which tells two beats on one host apart.
    public internal(set) var store: String?
    public internal(set) var entries: [Entry] = []
    /// When the beat was last heard from (its clock).
    public internal(set) var lastHeard: Double?
    public internal(set) var online = true
    /// Seconds between its heartbeats.
    public internal(set) var frequency = 5.0
    /// True when its entries can be edited while it runs (the database store).
    public internal(set) var editable = false

    init(hostname: String, store: String?) {
        self.hostname = hostname
        self.store = store
    }

    /// Alive while heartbeats keep coming: silence for three beats means it is gone.
    public func isAlive(at now: Double) -> Bool {
        online && (lastHeard.map { now - $0 < frequency * 3 } ?? false)
    }

    mutating func apply(_ event: CeleryEvent) {
        lastHeard = event.timestamp ?? lastHeard
        switch event.type {
        case "beat-online", "beat-heartbeat":
            online = true
            store = event["schedule_store"]?.stringValue ?? store
            frequency = event["freq"]?.doubleValue ?? frequency
            editable = event["editable"]?.boolValue ?? false
            let sent = Dictionary(entries.compactMap { entry in entry.lastTaskID.map { (entry.name, $0) } }) { first, _ in first }
            entries = (event["entries"]?.arrayValue ?? []).compactMap { item in
                guard let name = item["name"]?.stringValue else { return nil }
                return Entry(name: name, task: item["task"]?.stringValue ?? "?", schedule: item["schedule"]?.stringValue ?? "?",
                             enabled: item["enabled"]?.boolValue ?? true, lastRunAt: item["last_run_at"]?.doubleValue,
                             nextRunAt: item["next_run_at"]?.doubleValue,
                             totalRunCount: item["total_run_count"]?.intValue ?? 0, lastTaskID: sent[name],
                             spec: item["spec"]?.stringValue, args: item["args"]?.arrayValue ?? [],
                             kwargs: item["kwargs"]?.objectValue ?? [:])
            }
        case "beat-sent":
            guard let name = event["entry"]?.stringValue, let index = entries.firstIndex(where: { $0.name == name }) else { return }
            entries[index].lastTaskID = event["task_id"]?.stringValue
        case "beat-offline":
            online = false
        default:
            break
        }
    }
}

extension MonitorModel {
    mutating func applyBeatEvent(_ event: CeleryEvent) {
        guard let hostname = event.hostname else { return }
        let store = event["schedule_store"]?.stringValue
        beats[hostname + " " + (store ?? ""), default: BeatRecord(hostname: hostname, store: store)].apply(event)
        version &+= 1
    }

    /// Every beat's entries in drawing order, with the beat each belongs to.
    public var beatRows: [(beat: BeatRecord, entry: BeatRecord.Entry)] {
        beats.keys.sorted().flatMap { name in beats[name]!.entries.map { (beats[name]!, $0) } }
    }
}
