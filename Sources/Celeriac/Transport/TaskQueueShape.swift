/// `task_default_queue_type`: classic queues, or RabbitMQ's replicated quorum queues.
public enum QueueType: String, Sendable, Hashable, CaseIterable {
    case classic, quorum
}

/// How task queues are declared, from the configuration: their type and, for classic
/// queues, `x-max-priority`. Client and worker declare the same shape, since RabbitMQ
/// refuses a redeclaration whose arguments differ.
public struct TaskQueueShape: Sendable, Hashable {
    public var type: QueueType
    public var maxPriority: Int?

    public init(type: QueueType = .classic, maxPriority: Int? = nil) {
        self.type = type
        self.maxPriority = maxPriority
    }

    /// The queue arguments: `x-queue-type` for quorum (which takes no `x-max-priority`),
    /// `x-max-priority` for a classic queue that has one.
    public var arguments: [String: JSONValue] {
        switch type {
        case .quorum: return ["x-queue-type": "quorum"]
        case .classic: return maxPriority.map { ["x-max-priority": .int($0)] } ?? [:]
        }
    }
}

extension CeleriacConfiguration {
    public var taskQueueShape: TaskQueueShape { TaskQueueShape(type: defaultQueueType, maxPriority: queueMaxPriority) }
}
