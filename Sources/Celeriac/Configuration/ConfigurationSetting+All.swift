import Foundation

extension ConfigurationSetting {
    /// Every setting Celeriac reads, by Celery's name.
    static let all: [String: ConfigurationSetting] = Dictionary(uniqueKeysWithValues: [
        .init(key: "broker_url", kind: .urlList) { $0.brokerURL = $1.stringValue! },
        .init(key: "broker_failover_strategy", kind: .choice(BrokerFailover.Strategy.allCases.map(\.rawValue))) {
            $0.brokerFailoverStrategy = BrokerFailover.Strategy(rawValue: $1.stringValue!)!
        },
        .init(key: "broker_heartbeat", kind: .integer(0...65_535)) { $0.brokerHeartbeat = $1.intValue! },
        .init(key: "broker_connection_timeout", kind: .optionalSeconds) { 
            $0.brokerConnectionTimeout = $1.doubleValue ?? CeleriacConfiguration.defaultBrokerConnectionTimeout
        },
        .init(key: "broker_connection_retry", kind: .bool) { $0.brokerConnectionRetry = $1.boolValue! },
        .init(key: "broker_connection_retry_on_startup", kind: .bool) { $0.brokerConnectionRetryOnStartup = $1.boolValue! },
        .init(key: "broker_connection_max_retries", kind: .optionalInteger(0...1_000_000)) {
            $0.brokerConnectionMaxRetries = $1.intValue
        },
        .init(key: "task_publish_retry", kind: .bool) { $0.taskPublishRetry = $1.boolValue! },
        .init(key: "result_backend", kind: .optionalString) { $0.resultBackend = $1.stringValue },
        .init(key: "task_default_queue", kind: .string) { $0.defaultQueue = $1.stringValue! },
        .init(key: "task_default_exchange", kind: .string) { $0.defaultExchange = $1.stringValue! },
        .init(key: "task_default_exchange_type", kind: .string) { $0.defaultExchangeType = $1.stringValue! },
        .init(key: "task_default_routing_key", kind: .string) { $0.defaultRoutingKey = $1.stringValue! },
        .init(key: "task_default_priority", kind: .optionalInteger(0...255)) { $0.defaultPriority = $1.intValue },
        .init(key: "task_default_queue_type", kind: .choice(QueueType.allCases.map(\.rawValue))) {
            $0.defaultQueueType = QueueType(rawValue: $1.stringValue!)!
        },
        .init(key: "task_create_missing_queue_type", kind: .choice(QueueType.allCases.map(\.rawValue))) {
            $0.missingQueueType = QueueType(rawValue: $1.stringValue!)!
        },
        .init(key: "task_create_missing_queue_exchange_type", kind: .optionalString) {
            $0.missingQueueExchangeType = $1.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        },
        .init(key: "task_queue_max_priority", kind: .optionalInteger(1...255)) { $0.queueMaxPriority = $1.intValue },
        .init(key: "task_routes", kind: .routes) { $0.routes = routes(from: $1) },
        .init(key: "beat_schedule", kind: .beatSchedule) { $0.beatSchedule = $1.objectValue ?? [:] },
        .init(key: "beat_max_loop_interval", kind: .optionalSeconds) { $0.beatMaxLoopInterval = $1.doubleValue },
        .init(key: "beat_catch_up", kind: .optionalString) { $0.beatCatchUp = $1.stringValue.flatMap { $0.isEmpty ? nil : $0 } },
        .init(key: "task_serializer", kind: .serializer) { _, _ in },
        .init(key: "result_serializer", kind: .serializer) { _, _ in },
        .init(key: "accept_content", kind: .serializer) { _, _ in },
        .init(key: "timezone", kind: .timezone) { $0.timezoneName = $1.stringValue! },
        .init(key: "worker_prefetch_multiplier", kind: .integer(0...65_535)) { $0.prefetchMultiplier = $1.intValue! },
        .init(key: "task_acks_late", kind: .bool) { $0.acksLate = $1.boolValue! },
        .init(key: "task_reject_on_worker_lost", kind: .bool) { $0.rejectOnWorkerLost = $1.boolValue! },
        .init(key: "result_expires", kind: .optionalSeconds) { $0.resultExpires = $1.doubleValue },
        .init(key: "result_extended", kind: .bool) { $0.resultExtended = $1.boolValue! },
        .init(key: "task_send_sent_event", kind: .bool) { $0.sendSentEvent = $1.boolValue! },
        .init(key: "task_soft_time_limit", kind: .optionalSeconds) { $0.taskDefaults.softTimeLimit = $1.doubleValue },
        .init(key: "task_time_limit", kind: .optionalSeconds) { $0.taskDefaults.timeLimit = $1.doubleValue },
        .init(key: "task_default_rate_limit", kind: .optionalString) { $0.taskDefaults.rateLimit = $1.stringValue },
        .init(key: "task_max_retries", kind: .optionalInteger(0...1_000_000)) { $0.taskDefaults.maxRetries = $1.intValue },
        .init(key: "task_default_retry_delay", kind: .seconds) { $0.taskDefaults.retryDelay = $1.doubleValue! },
    ].map { ($0.key, $0) })

    private static func routes(from value: JSONValue) -> [TaskRoute] {
        (value.objectValue ?? [:]).keys.sorted().map { pattern in
            let route = value[pattern]!
            return TaskRoute(pattern: pattern, queue: route["queue"]?.stringValue,
                             exchange: route["exchange"]?.stringValue, routingKey: route["routing_key"]?.stringValue,
                             priority: route["priority"]?.intValue)
        }
    }
}
