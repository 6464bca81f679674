import Celeriac
import Foundation

/// A task the worker hands a prefork child: the message as it arrived (headers, properties,
/// body) and where it came from. The payload is the JSON of everything but the body, its
/// length first, then the body's own bytes, so the child decodes the message exactly as the
/// worker did.
struct ChildJob: Sendable {
    var message: TaskMessage
    var delivery: DeliveryInfo

    var frame: PoolFrame {
        let meta: JSONValue = [
            "headers": .object(message.headers),
            "correlation_id": message.properties.correlationID.map(JSONValue.string) ?? .null,
            "reply_to": message.properties.replyTo.map(JSONValue.string) ?? .null,
            "priority": message.properties.priority.map(JSONValue.int) ?? .null,
            "delivery": [
                "exchange": delivery.exchange.map(JSONValue.string) ?? .null,
                "routing_key": delivery.routingKey.map(JSONValue.string) ?? .null,
                "priority": delivery.priority.map(JSONValue.int) ?? .null,
                "redelivered": delivery.redelivered.map(JSONValue.bool) ?? .null,
            ],
        ]
        let metaBytes = meta.serializedBytes
        let length = UInt32(metaBytes.count)
        let payload = [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF),
                       UInt8(length & 0xFF)] + metaBytes + message.body
        return PoolFrame(kind: .run, payload: payload)
    }

    init(message: TaskMessage, delivery: DeliveryInfo) {
        self.message = message
        self.delivery = delivery
    }

    init(frame: PoolFrame) throws {
        let payload = frame.payload
        guard payload.count >= 4 else { throw ChildProtocolError("a run frame shorter than its header") }
        let length = payload[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard payload.count >= 4 + length else { throw ChildProtocolError("a run frame shorter than its metadata") }
        let meta = try JSONValue(parsing: payload[4..<4 + length])
        let properties = MessageProperties(contentType: "application/json", contentEncoding: "utf-8",
                                           headers: meta["headers"]?.objectValue ?? [:],
                                           priority: meta["priority"]?.intValue,
                                           correlationID: meta["correlation_id"]?.stringValue,
                                           replyTo: meta["reply_to"]?.stringValue)
        let broker = BrokerMessage(routingKey: "", properties: properties, body: Array(payload[(4 + length)...]))
        message = try TaskMessage(broker)
        delivery = DeliveryInfo(json: meta["delivery"] ?? .null)
    }
}

/// How a task ended in a child, and how much memory the child holds afterwards (for
/// `--max-memory-per-child`).
struct ChildOutcome: Sendable {
    var taskID: String
    var outcome: TaskOutcome
    /// The child's resident set after the task, in KiB.
    var residentKiB: Int

    var frame: PoolFrame {
        var object: [String: JSONValue] = ["id": .string(taskID), "rss_kib": .int(residentKiB)]
        switch outcome {
        case .success(let result):
            object["kind"] = "success"
            object["result"] = result
        case .failure(let error):
            object["kind"] = "failure"
            object["error"] = Self.json(error)
        case .retry(let plan):
            object["kind"] = "retry"
            object["error"] = Self.json(plan.error)
            object["retries"] = .int(plan.retries)
            object["countdown"] = plan.countdown.map(JSONValue.double) ?? .null
            object["eta"] = plan.eta.map { .double($0.timeIntervalSince1970) } ?? .null
        case .rejected(let requeue, let reason):
            object["kind"] = "rejected"
            object["requeue"] = .bool(requeue)
            object["error"] = reason.map(Self.json) ?? .null
        case .ignored:
            object["kind"] = "ignored"
        case .replaced(let signature):
            object["kind"] = "replaced"
            object["signature"] = signature.json
        }
        return PoolFrame(kind: .outcome, payload: JSONValue.object(object).serializedBytes)
    }

    init(taskID: String, outcome: TaskOutcome, residentKiB: Int) {
        self.taskID = taskID
        self.outcome = outcome
        self.residentKiB = residentKiB
    }

    init(frame: PoolFrame) throws {
        let object = try JSONValue(parsing: frame.payload)
        taskID = object["id"]?.stringValue ?? ""
        residentKiB = object["rss_kib"]?.intValue ?? 0
        let error = object["error"].flatMap(Self.error)
        switch object["kind"]?.stringValue {
        case "success": outcome = .success(object["result"] ?? .null)
        case "failure":
            guard let error else { throw ChildProtocolError("a failure outcome without an error") }
            outcome = .failure(error)
        case "retry":
            guard let error else { throw ChildProtocolError("a retry outcome without an error") }
            outcome = .retry(TaskRetryPlan(countdown: object["countdown"]?.doubleValue,
                                           eta: object["eta"]?.doubleValue.map(Date.init(timeIntervalSince1970:)),
                                           error: error, retries: object["retries"]?.intValue ?? 0))
        case "rejected": outcome = .rejected(requeue: object["requeue"]?.boolValue ?? false, reason: error)
        case "ignored": outcome = .ignored
        case "replaced":
            guard let json = object["signature"], let signature = try? Signature(json: json) else {
                throw ChildProtocolError("a replaced outcome without a signature")
            }
            outcome = .replaced(signature)
        case let kind: throw ChildProtocolError("an outcome of unknown kind \(kind ?? "null")")
        }
    }

    private static func json(_ error: CeleryError) -> JSONValue {
        var object = error.json.objectValue ?? [:]
        object["traceback"] = error.traceback.map(JSONValue.string) ?? .null
        return .object(object)
    }

    private static func error(_ json: JSONValue) -> CeleryError? {
        CeleryError(json: json, traceback: json["traceback"]?.stringValue)
    }
}

/// A custom state a task in a child reported, for the worker to store and announce.
struct ChildProgress: Sendable {
    var taskID: String
    var state: TaskState
    var meta: JSONValue

    var frame: PoolFrame {
        PoolFrame(kind: .progress, payload: JSONValue.object(["id": .string(taskID), "state": .string(state.rawValue),
                                                              "meta": meta]).serializedBytes)
    }

    init(taskID: String, state: TaskState, meta: JSONValue) {
        self.taskID = taskID
        self.state = state
        self.meta = meta
    }

    init(frame: PoolFrame) throws {
        let object = try JSONValue(parsing: frame.payload)
        guard let id = object["id"]?.stringValue, let state = object["state"]?.stringValue else {
            throw ChildProtocolError("a progress frame without id and state")
        }
        taskID = id
        self.state = TaskState(state)
        meta = object["meta"] ?? .null
    }
}

struct ChildProtocolError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
