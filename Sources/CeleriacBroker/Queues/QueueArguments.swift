import AMQPProtocol

/// The `x-` arguments of queue.declare that the broker acts on, checked as RabbitMQ checks
/// them: a wrong type or range is 406 PRECONDITION_FAILED naming the argument. Others are
/// kept and reported but change nothing, as RabbitMQ does with arguments it does not know.
struct QueueArguments: Sendable, Hashable {
    enum Overflow: String, Sendable, Hashable {
        case dropHead = "drop-head"
        case rejectPublish = "reject-publish"
        case rejectPublishDeadLetter = "reject-publish-dlx"
    }

    var maximumPriority: UInt8 = 0
    /// x-message-ttl, in milliseconds.
    var messageTTL: UInt64?
    /// x-expires: the queue is deleted after this many milliseconds unused.
    var expires: UInt64?
    var maximumLength: Int?
    var overflow = Overflow.dropHead
    var deadLetterExchange: String?
    var deadLetterRoutingKey: String?

    init() {}

    /// About 35 years in milliseconds: far past any real TTL, and safe in nanosecond sums.
    static let longestMessageTTL = 1 << 40

    init(validating arguments: AMQPTable) throws(AMQPException) {
        if let value = arguments["x-max-priority"] {
            // RabbitMQ allows priorities up to 255 and recommends at most 10.
            maximumPriority = UInt8(try Self.integer(value, "x-max-priority", in: 0...255))
        }
        if let value = arguments["x-message-ttl"] {
            // Past 2³² ms, as RabbitMQ takes it: Celery's delayed-delivery level 27 holds 2²⁷ s.
            messageTTL = UInt64(try Self.integer(value, "x-message-ttl", in: 0...Self.longestMessageTTL))
        }
        if let value = arguments["x-expires"] {
            expires = UInt64(try Self.integer(value, "x-expires", in: 1...Int(UInt32.max)))
        }
        if let value = arguments["x-max-length"] {
            maximumLength = try Self.integer(value, "x-max-length", in: 0...Int.max)
        }
        if let value = arguments["x-overflow"] {
            guard case .string(let text) = value, let overflow = Overflow(rawValue: text) else {
                throw .preconditionFailed("invalid arg 'x-overflow' for queue: \(value); expected drop-head, reject-publish or reject-publish-dlx")
            }
            self.overflow = overflow
        }
        if let value = arguments["x-dead-letter-exchange"] {
            guard case .string(let text) = value else {
                throw .preconditionFailed("invalid arg 'x-dead-letter-exchange' for queue: \(value); expected a string")
            }
            deadLetterExchange = text
        }
        if let value = arguments["x-dead-letter-routing-key"] {
            guard case .string(let text) = value else {
                throw .preconditionFailed("invalid arg 'x-dead-letter-routing-key' for queue: \(value); expected a string")
            }
            guard deadLetterExchange != nil else {
                throw .preconditionFailed("invalid arg 'x-dead-letter-routing-key': it needs x-dead-letter-exchange as well")
            }
            deadLetterRoutingKey = text
        }
    }

    private static func integer(_ value: AMQPFieldValue, _ name: String, in range: ClosedRange<Int>) throws(AMQPException) -> Int {
        guard let number = value.intValue, range.contains(number) else {
            throw .preconditionFailed("invalid arg '\(name)' for queue: \(value); expected an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }
}
