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
    /// The shape of task queue `name`, as Celery's `Queues` gives it: the default queue
    /// takes `task_default_queue_type`, any other `task_create_missing_queue_type`.
    public func taskQueueShape(for name: String) -> TaskQueueShape {
        TaskQueueShape(type: name == defaultQueue ? defaultQueueType : missingQueueType, maxPriority: queueMaxPriority)
    }

    /// The exchange task queue `name` is bound to, and its type: the default exchange for the
    /// default queue, one of the queue's own name for any other (`Queues.new_missing`).
    public func taskExchange(for name: String) -> ExchangeDeclaration {
        name == defaultQueue
            ? ExchangeDeclaration(name: defaultExchange, type: defaultExchangeType)
            : ExchangeDeclaration(name: name, type: missingQueueExchangeType ?? "direct")
    }

    /// The key task queue `name` is bound with: the default routing key for the default
    /// queue, the queue's own name for any other.
    public func taskRoutingKey(for name: String) -> String { name == defaultQueue ? defaultRoutingKey : name }

    /// Whether any task queue is a quorum queue: Celery's `detect_quorum_queues`, which
    /// turns native delayed delivery on.
    public var usesQuorumQueues: Bool { defaultQueueType == .quorum || missingQueueType == .quorum }
}
