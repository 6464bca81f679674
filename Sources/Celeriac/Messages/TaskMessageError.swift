/// Why a message cannot be a Celery task; each says what a sender must change.
public enum TaskMessageError: Error, Sendable, Hashable, CustomStringConvertible {
    case unsupportedContentType(String?)
    case protocolVersion1
    case missingHeader(String)
    case invalidHeader(name: String, value: String, expected: String)
    case invalidBody(String)

    public var description: String {
        switch self {
        case .unsupportedContentType(let type):
            return "task message has content type '\(type ?? "none")'; Celeriac accepts only application/json (set task_serializer='json' and accept_content=['json'])"
        case .protocolVersion1:
            return "task message has no 'task' header: it is Celery protocol v1; send with task_protocol=2 (the default since Celery 4)"
        case .missingHeader(let name):
            return "task message lacks the '\(name)' header that protocol v2 requires"
        case .invalidHeader(let name, let value, let expected):
            return "task header '\(name)' is \(value); expected \(expected)"
        case .invalidBody(let reason):
            return "task body is not [args, kwargs, embed]: \(reason)"
        }
    }
}
