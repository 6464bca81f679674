import Celeriac

/// What the monitor knows of one worker, from its worker-* events.
public struct WorkerRecord: Sendable, Hashable, Codable {
    public let hostname: String
    /// Seconds between heartbeats the worker promised.
    public internal(set) var frequency: Double = 2
    public internal(set) var lastHeartbeat: Double?
    public internal(set) var active: Int?
    public internal(set) var processed: Int?
    public internal(set) var loadAverage: [Double] = []
    public internal(set) var software: String?
    public internal(set) var pid: Int?
    /// Set by worker-offline; cleared by the next online or heartbeat.
    public internal(set) var wentOffline = false

    /// Celery's HEARTBEAT_EXPIRE_WINDOW: a worker is gone when no heartbeat came for twice
    /// its frequency.
    public static let expireWindow = 2.0

    init(hostname: String) {
        self.hostname = hostname
    }

    /// Alive at `now` (epoch seconds): not offline, and heartbeating within the window.
    public func isAlive(at now: Double) -> Bool {
        guard !wentOffline, let lastHeartbeat else { return false }
        return now < lastHeartbeat + frequency * Self.expireWindow
    }

    /// Seconds since the last heartbeat.
    public func heartbeatAge(at now: Double) -> Double? {
        lastHeartbeat.map { now - $0 }
    }

    mutating func apply(_ event: CeleryEvent, fields worker: WorkerEventFields) {
        frequency = worker.freq ?? frequency
        active = worker.active ?? active
        processed = worker.processed ?? processed
        if let loadavg = worker.loadavg { loadAverage = loadavg }
        if let ident = worker.swIdent { software = [ident, worker.swVer].compactMap { $0 }.joined(separator: " ") }
        pid = event.pid ?? pid
        switch event.kind {
        case .workerOffline:
            wentOffline = true
        case .workerOnline, .workerHeartbeat:
            wentOffline = false
            // Out-of-order heartbeats never move the clock back.
            if let timestamp = event.timestamp, timestamp > (lastHeartbeat ?? 0) { lastHeartbeat = timestamp }
        default:
            break
        }
    }
}
