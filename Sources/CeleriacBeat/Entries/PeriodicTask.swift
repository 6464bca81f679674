import Celeriac
import Foundation

/// One entry of a beat schedule (Celery's `beat_schedule` item): which task, with what
/// arguments and routing, on what schedule.
public struct PeriodicTask: Sendable, Hashable {
    public var name: String
    public var task: String
    public var args: [JSONValue]
    public var kwargs: [String: JSONValue]
    public var schedule: BeatSchedule
    public var queue: String?
    public var exchange: String?
    public var routingKey: String?
    public var priority: Int?
    /// Seconds after it is sent that the task is no longer worth running.
    public var expires: Double?
    public var enabled: Bool
    /// Runs once, then disables itself (django-celery-beat's `one_off`).
    public var oneOff: Bool
    /// What it does about runs missed while no beat could send them; nil follows the beat's
    /// default (`DueEntries.catchUp`: once, as Celery).
    public var catchUp: CatchUp?

    public init(name: String, task: String, args: [JSONValue] = [], kwargs: [String: JSONValue] = [:],
                schedule: BeatSchedule, queue: String? = nil, exchange: String? = nil, routingKey: String? = nil,
                priority: Int? = nil, expires: Double? = nil, enabled: Bool = true, oneOff: Bool = false,
                catchUp: CatchUp? = nil) {
        self.name = name
        self.task = task
        self.args = args
        self.kwargs = kwargs
        self.schedule = schedule
        self.queue = queue
        self.exchange = exchange
        self.routingKey = routingKey
        self.priority = priority
        self.expires = expires
        self.enabled = enabled
        self.oneOff = oneOff
        self.catchUp = catchUp
    }

    /// How the task is sent: the entry's routing, its expiry counted from `sentAt`, and the
    /// `celery_beat_task` header Celery's beat puts on what it sends (Scheduler.apply_async).
    public func sendOptions(sentAt: Date) -> TaskSendOptions {
        var options = TaskSendOptions(queue: queue, exchange: exchange, routingKey: routingKey, priority: priority)
        options.expires = expires.map { sentAt.addingTimeInterval($0) }
        options.headers["celery_beat_task"] = true
        return options
    }
}

/// What the beat remembers of an entry between runs and restarts.
public struct PeriodicTaskState: Sendable, Hashable, Codable {
    /// When it last ran: the scheduled moment, so an interval does not drift.
    public var lastRunAt: Date?
    public var totalRunCount: Int
    /// Set by remote control, over the entry's own setting; nil when never changed.
    public var enabled: Bool?

    public init(lastRunAt: Date? = nil, totalRunCount: Int = 0, enabled: Bool? = nil) {
        self.lastRunAt = lastRunAt
        self.totalRunCount = totalRunCount
        self.enabled = enabled
    }
}
