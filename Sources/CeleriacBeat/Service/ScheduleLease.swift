/// One half of "one active beat per schedule". The beat checks each of its leases before it
/// sends; while any is held elsewhere it waits as a standby.
public protocol ScheduleLease: Sendable {
    /// What the log calls it, e.g. "the broker lease celeriac.beat.lease.schedule".
    var description: String { get }
    /// True when this beat holds the lease now (taking it, or renewing it, if it can).
    func holds() async throws -> Bool
    /// Seconds between renewals for a lease that runs out unless renewed; nil for one that lasts.
    var renewalInterval: Double? { get }
    /// Gives the lease up as the beat stops, so a standby takes over at once.
    func release() async
}

/// The database store's lease row: taken and renewed by the beat that sends, for `ttl`
/// seconds at a time. A holder that dies stops renewing, and a standby takes over once the
/// row runs out — within `ttl` plus one look.
public struct DatabaseLease: ScheduleLease {
    public let store: DatabaseScheduleStore
    public let name: String
    public let holder: String
    public let ttl: Double

    /// The lease's length: long enough that a busy host never loses it between two renewals
    /// (the beat renews every second), short enough that a standby takes over soon.
    public static let defaultTTL = 10.0

    /// The row a beat takes on its store: one schedule per database file.
    public static let defaultName = "schedule"

    public init(store: DatabaseScheduleStore, name: String = defaultName, holder: String, ttl: Double = defaultTTL) {
        self.store = store
        self.name = name
        self.holder = holder
        self.ttl = ttl
    }

    public var description: String { "the lease row of \(store.location)" }

    /// A third of its length: two renewals may fail (a busy disk) before it is lost.
    public var renewalInterval: Double? { ttl / 3 }

    public func holds() async throws -> Bool {
        try await store.holdLease(name, holder: holder, ttl: ttl)
    }

    public func release() async {
        try? await store.releaseLease(name, holder: holder)
    }
}
