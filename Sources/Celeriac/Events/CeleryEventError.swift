/// Why a message on the event exchange is not a Celery event; each case names what a sender sent.
public enum CeleryEventError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The event is not a JSON object; `found` says what it was ("a list", "a string").
    case notAnObject(found: String)
    /// The object has no `type` field, the one field every Celery event has.
    case missingType
    /// `type` is not a non-empty string; `found` says what it was.
    case invalidType(found: String)
    /// The message was serialized as something other than JSON (pickle, yaml, msgpack).
    case unsupportedContentType(String, routingKey: String)
    /// The body is not valid JSON.
    case invalidJSON(JSONParseError, routingKey: String)
    /// The body is JSON but neither an event object nor a list of them.
    case invalidBody(found: String, routingKey: String)
    /// One event in the message is malformed; `index` is its position in a batch, nil for a single event.
    indirect case invalidEvent(routingKey: String, index: Int?, reason: CeleryEventError)

    public var description: String {
        switch self {
        case .notAnObject(let found):
            return "an event must be a JSON object with a 'type' field; this one is \(found)"
        case .missingType:
            return "event has no 'type' field (every Celery event names its type, e.g. 'task-sent')"
        case .invalidType(let found):
            return "event 'type' must be a non-empty string like 'task-sent'; this one is \(found)"
        case .unsupportedContentType(let type, let routingKey):
            return "event message '\(routingKey)' has content type '\(type)'; Celeriac reads only "
                + "application/json events (set event_serializer='json', Celery's default)"
        case .invalidJSON(let error, let routingKey):
            return "event message '\(routingKey)' is not valid JSON: \(error)"
        case .invalidBody(let found, let routingKey):
            return "event message '\(routingKey)' body is \(found); expected an event object "
                + "or, for a batch such as 'task.multi', a list of event objects"
        case .invalidEvent(let routingKey, let index, let reason):
            let which = index.map { "event #\($0) of message '\(routingKey)'" } ?? "event message '\(routingKey)'"
            return "\(which): \(reason)"
        }
    }

    /// Names a JSON value's kind for the messages above.
    public static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .bigInteger, .double: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}
