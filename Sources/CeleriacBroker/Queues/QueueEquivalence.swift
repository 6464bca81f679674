import AMQPProtocol

/// RabbitMQ's check that a redeclare asks for the queue that exists: durable, exclusive,
/// auto-delete and the arguments must match, or the channel closes with 406 naming the
/// first difference.
enum QueueEquivalence {
    struct Difference {
        var name: String
        var received: String
        var current: String
    }

    static func difference(_ queue: MessageQueue, _ declare: AMQP.Queue.Declare, owner: ObjectIdentifier) -> Difference? {
        if queue.durable != declare.durable {
            return Difference(name: "durable", received: "'\(declare.durable)'", current: "'\(queue.durable)'")
        }
        if (queue.exclusiveOwner != nil) != declare.exclusive {
            return Difference(name: "exclusive", received: "'\(declare.exclusive)'", current: "'\(queue.exclusiveOwner != nil)'")
        }
        if queue.autoDelete != declare.autoDelete {
            return Difference(name: "auto_delete", received: "'\(declare.autoDelete)'", current: "'\(queue.autoDelete)'")
        }
        for key in Set(queue.arguments.keys).union(declare.arguments.keys).sorted()
        where queue.arguments[key] != declare.arguments[key] {
            return Difference(name: key, received: describe(declare.arguments[key]), current: describe(queue.arguments[key]))
        }
        return nil
    }

    private static func describe(_ value: AMQPFieldValue?) -> String {
        guard let value else { return "none" }
        if let number = value.intValue { return "the value '\(number)' of type '\(typeName(value))'" }
        return "the value '\(value)' of type '\(typeName(value))'"
    }

    private static func typeName(_ value: AMQPFieldValue) -> String {
        switch value {
        case .string: return "longstr"
        case .bool: return "bool"
        case .int8, .uint8, .int16, .uint16: return "short"
        case .int32, .uint32: return "signedint"
        case .int64: return "long"
        default: return "\(Character(UnicodeScalar(value.typeCode)))"
        }
    }
}
