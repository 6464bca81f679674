/// A typed view of a `worker-*` event's fields (worker-online, worker-heartbeat, worker-offline
/// all carry the same set in Celery 5.7, the fixtures agree with the spec page). A monitor
/// reads `freq` to decide when a silent worker is offline.
public struct WorkerEventFields: Sendable, Hashable {
    /// All the event's fields, raw, for anything not typed below.
    public let fields: [String: JSONValue]

    /// Wraps a worker event's fields.
    public init(fields: [String: JSONValue]) {
        self.fields = fields
    }

    /// Seconds between heartbeats (2.0 by default, a float on the wire).
    public var freq: Double? { fields["freq"]?.doubleValue }
    /// The worker implementation, `py-celery` for Celery.
    public var swIdent: String? { fields["sw_ident"]?.stringValue }
    /// The implementation's version, e.g. `5.7.0`.
    public var swVer: String? { fields["sw_ver"]?.stringValue }
    /// The worker's operating system, e.g. `Linux`.
    public var swSys: String? { fields["sw_sys"]?.stringValue }
    /// How many tasks the worker is executing right now.
    public var active: Int? { fields["active"]?.intValue }
    /// How many tasks the worker has finished since it started.
    public var processed: Int? { fields["processed"]?.intValue }
    /// The host's 1, 5 and 15 minute load averages; nil when absent or not a list of numbers.
    public var loadavg: [Double]? {
        guard let values = fields["loadavg"]?.arrayValue else { return nil }
        let numbers = values.compactMap(\.doubleValue)
        return numbers.count == values.count ? numbers : nil
    }
}

extension CeleryEvent {
    /// The worker fields of a `worker-*` event; nil for other events.
    public var worker: WorkerEventFields? {
        isWorkerEvent ? WorkerEventFields(fields: fields) : nil
    }
}
