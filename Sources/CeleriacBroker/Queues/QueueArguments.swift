import AMQPProtocol

/// The `x-` arguments of queue.declare that the broker acts on, checked as RabbitMQ checks
/// them: a wrong type or range is 406 PRECONDITION_FAILED naming the argument.
enum QueueArguments {
    /// RabbitMQ allows priorities 1…255 and recommends at most 10.
    static func maximumPriority(in arguments: AMQPTable) throws(AMQPException) -> UInt8 {
        guard let value = arguments["x-max-priority"] else { return 0 }
        guard let number = value.integerValue, (0...255).contains(number) else {
            throw .preconditionFailed("invalid arg 'x-max-priority' for queue: \(value); expected an integer from 0 to 255")
        }
        return UInt8(number)
    }
}

extension AMQPFieldValue {
    /// Any integer field type, widened; clients send numbers with whatever type their
    /// language prefers (pika: long, py-amqp: signed 32 or 64 bits).
    var integerValue: Int? {
        switch self {
        case .int8(let v): return Int(v)
        case .uint8(let v): return Int(v)
        case .int16(let v): return Int(v)
        case .uint16(let v): return Int(v)
        case .int32(let v): return Int(v)
        case .uint32(let v): return Int(v)
        case .int64(let v): return Int(v)
        default: return nil
        }
    }
}
