import Celeriac

/// One queue's depth and traffic, from the management API or a passive declare.
public struct QueueFigures: Sendable, Hashable {
    public var name: String
    public var ready: Int
    /// nil when only a passive declare was possible (it counts ready messages only).
    public var unacknowledged: Int?
    public var consumers: Int
    public var publishRate: Double?
    public var deliverRate: Double?
    /// Age in seconds of the oldest ready message, when the broker tells its timestamp.
    public var oldestMessageAge: Double?

    /// The one row that stands for Celery's 28 native delayed delivery levels.
    public static let delayLevelsName = "celery_delayed_* (countdown tasks)"

    /// The levels folded into one row: what matters is how many countdown tasks wait in the
    /// broker, not how they spread over 28 queues. Other queues pass unchanged.
    public static func foldingDelayLevels(_ queues: [QueueFigures]) -> [QueueFigures] {
        let (levels, others) = (queues.filter { isDelayLevel($0.name) }, queues.filter { !isDelayLevel($0.name) })
        guard !levels.isEmpty else { return queues }
        func total(_ rate: KeyPath<QueueFigures, Double?>) -> Double? {
            let known = levels.compactMap { $0[keyPath: rate] }
            return known.isEmpty ? nil : known.reduce(0, +)
        }
        let unacknowledged = levels.compactMap(\.unacknowledged)
        return others + [QueueFigures(
            name: delayLevelsName, ready: levels.reduce(0) { $0 + $1.ready },
            unacknowledged: unacknowledged.isEmpty ? nil : unacknowledged.reduce(0, +),
            consumers: levels.reduce(0) { $0 + $1.consumers }, publishRate: total(\.publishRate),
            deliverRate: total(\.deliverRate), oldestMessageAge: levels.compactMap(\.oldestMessageAge).max())]
    }

    private static let delayLevelNames = Set((0..<NativeDelayedDelivery.levels).map(NativeDelayedDelivery.levelName))

    static func isDelayLevel(_ name: String) -> Bool { delayLevelNames.contains(name) }

    public init(name: String, ready: Int, unacknowledged: Int? = nil, consumers: Int, publishRate: Double? = nil,
                deliverRate: Double? = nil, oldestMessageAge: Double? = nil) {
        self.name = name
        self.ready = ready
        self.unacknowledged = unacknowledged
        self.consumers = consumers
        self.publishRate = publishRate
        self.deliverRate = deliverRate
        self.oldestMessageAge = oldestMessageAge
    }
}
