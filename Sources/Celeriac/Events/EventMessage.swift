/// How events travel on the `celeryev` topic exchange, both ways: Celery's dispatcher publishes a
/// worker event (and a client's task-sent) one per message with routing key = type with '-' as
/// '.', and buffers a worker's task events into `task.multi` messages whose body is a JSON list —
/// even a list of one, as most of the captured Celery 5.7 batches are (celery/events/dispatcher.py).
/// Celery's receiver accepts a list under any routing key, and so does `decode`.
public enum EventMessage {
    /// The exchange events are published to: a durable topic exchange.
    public static let exchange = "celeryev"

    /// The content type of every event message Celery sends by default.
    public static let contentType = "application/json"

    /// The routing key of a worker's batch of task events.
    public static let taskBatchRoutingKey = "task.multi"

    /// The routing key Celery publishes a single event under: `task-sent` → `task.sent`.
    public static func routingKey(forType type: String) -> String {
        String(type.map { $0 == "-" ? "." : $0 })
    }

    /// The routing key Celery publishes a buffered batch of one group under: `task` → `task.multi`.
    public static func batchRoutingKey(forGroup group: String) -> String {
        "\(group).multi"
    }

    /// Reads the events in one message from the event exchange: an object is one event, a list
    /// is a batch (whatever the routing key). Throws `CeleryEventError` for a non-JSON content
    /// type, a body that is not JSON, or any entry that is not an event. A missing content type
    /// is read as JSON, since the body must parse anyway.
    public static func decode(routingKey: String, body: [UInt8], contentType: String?) throws -> [CeleryEvent] {
        if let contentType, !isJSON(contentType) {
            throw CeleryEventError.unsupportedContentType(contentType, routingKey: routingKey)
        }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: body)
        } catch {
            throw CeleryEventError.invalidJSON(error, routingKey: routingKey)
        }
        switch value {
        case .object:
            return [try event(from: value, routingKey: routingKey, index: nil)]
        case .array(let entries):
            var events: [CeleryEvent] = []
            events.reserveCapacity(entries.count)
            for (index, entry) in entries.enumerated() {
                events.append(try event(from: entry, routingKey: routingKey, index: index))
            }
            return events
        default:
            throw CeleryEventError.invalidBody(found: CeleryEventError.describe(value), routingKey: routingKey)
        }
    }

    /// Builds the message that carries `events`: one event goes under its own routing key with an
    /// object body; several go as a list under `<group>.multi` of the first event's group (Celery
    /// batches only task events, so that is `task.multi`; keep one group per batch, since a
    /// worker's gossip queue binds `worker.#` and would miss worker events inside a batch).
    /// An empty list gives an empty `task.multi` batch. The `hostname` header names the sender,
    /// taken from the first event; publish with content type `application/json` and delivery mode 1.
    public static func encode(_ events: [CeleryEvent])
        -> (routingKey: String, body: [UInt8], headers: [String: JSONValue])
    {
        var headers: [String: JSONValue] = [:]
        if let hostname = events.first?.hostname { headers["hostname"] = .string(hostname) }
        if events.count == 1, let event = events.first {
            return (routingKey(forType: event.type), JSONValue.object(event.fields).serializedBytes, headers)
        }
        let group = events.first.map(\.group) ?? "task"
        let body = JSONValue.array(events.map { .object($0.fields) }).serializedBytes
        return (batchRoutingKey(forGroup: group), body, headers)
    }

    /// Reads one entry, naming its place in the message when it is not an event.
    private static func event(from value: JSONValue, routingKey: String, index: Int?) throws -> CeleryEvent {
        do {
            return try CeleryEvent(value)
        } catch let reason {
            throw CeleryEventError.invalidEvent(routingKey: routingKey, index: index, reason: reason)
        }
    }

    /// `application/json`, with or without parameters such as `; charset=utf-8`, or a `+json` type.
    public static func isJSON(_ contentType: String) -> Bool {
        let normalized = contentType.prefix { $0 != ";" }.filter { !$0.isWhitespace }.lowercased()
        return normalized == "application/json" || normalized.hasSuffix("+json")
    }
}
