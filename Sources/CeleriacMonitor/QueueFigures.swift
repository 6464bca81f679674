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
