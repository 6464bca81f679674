/// The reply codes of connection.close, channel.close and basic.return.
/// Soft errors (3xx, 40x) close a channel; hard errors (320, 402, 5xx) close the connection.
public struct AMQPReplyCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let replySuccess = AMQPReplyCode(200)
    public static let contentTooLarge = AMQPReplyCode(311)
    public static let noRoute = AMQPReplyCode(312)
    public static let noConsumers = AMQPReplyCode(313)
    public static let connectionForced = AMQPReplyCode(320)
    public static let invalidPath = AMQPReplyCode(402)
    public static let accessRefused = AMQPReplyCode(403)
    public static let notFound = AMQPReplyCode(404)
    public static let resourceLocked = AMQPReplyCode(405)
    public static let preconditionFailed = AMQPReplyCode(406)
    public static let frameError = AMQPReplyCode(501)
    public static let syntaxError = AMQPReplyCode(502)
    public static let commandInvalid = AMQPReplyCode(503)
    public static let channelError = AMQPReplyCode(504)
    public static let unexpectedFrame = AMQPReplyCode(505)
    public static let resourceError = AMQPReplyCode(506)
    public static let notAllowed = AMQPReplyCode(530)
    public static let notImplemented = AMQPReplyCode(540)
    public static let internalError = AMQPReplyCode(541)

    /// Whether this code closes the whole connection rather than one channel.
    public var isHardError: Bool {
        switch rawValue {
        case 320, 402, 501...541: return true
        default: return false
        }
    }

    /// The spec's name, e.g. "PRECONDITION_FAILED".
    public var name: String {
        switch rawValue {
        case 200: return "REPLY_SUCCESS"
        case 311: return "CONTENT_TOO_LARGE"
        case 312: return "NO_ROUTE"
        case 313: return "NO_CONSUMERS"
        case 320: return "CONNECTION_FORCED"
        case 402: return "INVALID_PATH"
        case 403: return "ACCESS_REFUSED"
        case 404: return "NOT_FOUND"
        case 405: return "RESOURCE_LOCKED"
        case 406: return "PRECONDITION_FAILED"
        case 501: return "FRAME_ERROR"
        case 502: return "SYNTAX_ERROR"
        case 503: return "COMMAND_INVALID"
        case 504: return "CHANNEL_ERROR"
        case 505: return "UNEXPECTED_FRAME"
        case 506: return "RESOURCE_ERROR"
        case 530: return "NOT_ALLOWED"
        case 540: return "NOT_IMPLEMENTED"
        case 541: return "INTERNAL_ERROR"
        default: return "UNKNOWN"
        }
    }

    public var description: String { "\(rawValue) \(name)" }
}
