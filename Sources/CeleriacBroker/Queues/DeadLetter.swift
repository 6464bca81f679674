import AMQPProtocol
import Foundation

/// Why a message left its queue for the dead-letter exchange, in RabbitMQ's words.
enum DeadLetterReason: String, Sendable {
    case expired
    case rejected
    case maxlen
}

/// The headers RabbitMQ puts on a dead-lettered message: `x-death`, newest entry first, one
/// entry per (queue, reason) with a count; the `x-first-death-*` trio, set once; and the
/// per-message `expiration` moved into the entry as `original-expiration`, so the message
/// does not expire again where it lands.
enum DeadLetter {
    static func properties(of content: MessageContent, reason: DeadLetterReason, queue: String, now: Date = Date())
        -> AMQPBasicProperties
    {
        var properties = content.properties
        var headers = properties.headers ?? [:]
        var deaths: [AMQPFieldValue] = []
        if case .array(let existing)? = headers["x-death"] { deaths = existing }
        var entry: AMQPTable = [
            "reason": .string(reason.rawValue), "queue": .string(queue), "count": .int64(1),
            "time": .timestamp(UInt64(now.timeIntervalSince1970)), "exchange": .string(content.exchange),
            "routing-keys": .array([.string(content.routingKey)]),
        ]
        if let expiration = properties.expiration { entry["original-expiration"] = .string(expiration) }
        if let index = deaths.firstIndex(where: { Self.isEntry($0, queue: queue, reason: reason) }),
           case .table(let previous) = deaths[index] {
            let count = previous["count"]?.intValue ?? 0
            entry["count"] = .int64(Int64(count + 1))
            deaths.remove(at: index)
        }
        deaths.insert(.table(entry), at: 0)
        headers["x-death"] = .array(deaths)
        if headers["x-first-death-reason"] == nil {
            headers["x-first-death-reason"] = .string(reason.rawValue)
            headers["x-first-death-queue"] = .string(queue)
            headers["x-first-death-exchange"] = .string(content.exchange)
        }
        properties.headers = headers
        properties.expiration = nil
        return properties
    }

    private static func isEntry(_ value: AMQPFieldValue, queue: String, reason: DeadLetterReason) -> Bool {
        guard case .table(let table) = value else { return false }
        return table["queue"] == .string(queue) && table["reason"] == .string(reason.rawValue)
    }
}
