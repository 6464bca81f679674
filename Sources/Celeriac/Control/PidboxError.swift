/// Why a message is not a pidbox request or reply, or a reply is not what its method returns.
public enum PidboxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The message is not JSON-serialized; kombu's mailbox accepts only JSON.
    case unsupportedContentType(String?)
    /// The body does not parse as JSON.
    case invalidJSON(String)
    /// The body parsed, but is not a JSON object (shown shortened).
    case bodyNotAnObject(String)
    /// A request lacks a field Celery always sends.
    case missingField(String)
    /// A field has the wrong JSON type.
    case invalidField(name: String, value: String, expected: String)
    /// A reply body names other than exactly one node.
    case replyNodeCount(Int)
    /// The worker answered `{"error": message}`.
    case workerError(String)
    /// A reply does not have the shape its control method returns.
    case unexpectedReply(method: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .unsupportedContentType(let type):
            return "pidbox message has content type '\(type ?? "none")'; Celery's mailbox accepts only application/json"
        case .invalidJSON(let reason):
            return "pidbox message body is not JSON: \(reason)"
        case .bodyNotAnObject(let preview):
            return "pidbox message body is \(preview); a request must be an object with 'method' and 'arguments', a reply an object {node: reply}"
        case .missingField(let name):
            return "pidbox request has no '\(name)' field, which Celery always sends"
        case .invalidField(let name, let value, let expected):
            return "pidbox request field '\(name)' is \(value); expected \(expected)"
        case .replyNodeCount(let count):
            return "pidbox reply names \(count) nodes; a worker replies {node: reply} with exactly one"
        case .workerError(let message):
            return "the worker answered with an error: \(message)"
        case .unexpectedReply(let method, let value, let expected):
            return "'\(method)' reply is \(value); expected \(expected)"
        }
    }
}

extension JSONValue {
    /// The value's JSON, cut short for an error message.
    var pidboxPreview: String {
        let text = serialized
        return text.count > 80 ? String(text.prefix(80)) + "…" : text
    }
}
