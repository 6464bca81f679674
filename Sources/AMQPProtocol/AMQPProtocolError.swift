/// Bytes that are not valid AMQP 0-9-1. Each case knows the reply code a peer closes the
/// connection with (`replyCode`), so a server can answer hostile input by the book.
public enum AMQPProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The peer did not open with "AMQP 0 0 9 1"; `received` is what it sent.
    case invalidProtocolHeader(received: [UInt8])
    /// A frame type octet other than 1, 2, 3 or 8.
    case unknownFrameType(UInt8)
    /// A frame larger than the negotiated frame-max.
    case frameTooLarge(size: UInt64, limit: UInt32)
    /// The octet after the payload was not 0xCE.
    case missingFrameEnd(found: UInt8)
    /// A heartbeat frame must travel on channel 0.
    case heartbeatOnChannel(UInt16)
    /// A field ran past the end of its frame or table.
    case truncated(String)
    /// A method frame's payload had bytes left after its last argument.
    case trailingBytes(method: String, count: Int)
    /// A class/method id pair this protocol does not define.
    case unknownMethod(classID: UInt16, methodID: UInt16)
    /// A field table value type octet no broker or client defines.
    case unknownFieldType(UInt8)
    /// Tables nested deeper than a real peer ever sends.
    case tableNestedTooDeeply(limit: Int)
    /// A short string longer than 255 bytes cannot be encoded.
    case shortStringTooLong(length: Int, prefix: String)
    /// A short string or table key that is not UTF-8.
    case invalidUTF8(String)
    /// A content header for a class other than basic (60).
    case unsupportedContentClass(UInt16)
    /// A frame that cannot come next on its channel (a body with no header, a method mid-content).
    case unexpectedFrame(String)
    /// Body frames that add up to more than the header announced.
    case bodyLargerThanAnnounced(announced: UInt64, received: UInt64)
    /// A message body above the receiver's limit.
    case messageTooLarge(size: UInt64, limit: UInt64)

    /// The code a peer closes the connection with when it receives these bytes.
    public var replyCode: AMQPReplyCode {
        switch self {
        case .invalidProtocolHeader, .unknownFrameType, .frameTooLarge, .missingFrameEnd, .heartbeatOnChannel:
            return .frameError
        case .truncated, .trailingBytes, .unknownFieldType, .tableNestedTooDeeply, .shortStringTooLong,
             .invalidUTF8:
            return .syntaxError
        case .unknownMethod, .unsupportedContentClass:
            return .commandInvalid
        case .unexpectedFrame:
            return .unexpectedFrame
        case .bodyLargerThanAnnounced:
            return .frameError
        case .messageTooLarge:
            return .preconditionFailed
        }
    }

    public var description: String {
        switch self {
        case .invalidProtocolHeader(let bytes):
            return "the peer did not send the AMQP 0-9-1 protocol header (got \(bytes)); is this an AMQP server on that port?"
        case .unknownFrameType(let type):
            return "unknown frame type \(type); AMQP 0-9-1 defines 1 (method), 2 (header), 3 (body) and 8 (heartbeat)"
        case .frameTooLarge(let size, let limit):
            return "frame of \(size) bytes exceeds the negotiated frame-max of \(limit) bytes"
        case .missingFrameEnd(let found):
            return "frame did not end with 0xCE (found 0x\(String(found, radix: 16))); the stream is out of step"
        case .heartbeatOnChannel(let channel):
            return "heartbeat frame on channel \(channel); heartbeats must use channel 0"
        case .truncated(let what):
            return "\(what) runs past the end of its frame"
        case .trailingBytes(let method, let count):
            return "\(method) carried \(count) bytes after its last argument"
        case .unknownMethod(let classID, let methodID):
            return "unknown method (class \(classID), method \(methodID))"
        case .unknownFieldType(let type):
            return "unknown field table value type '\(Unicode.Scalar(type))' (0x\(String(type, radix: 16)))"
        case .tableNestedTooDeeply(let limit):
            return "field tables nested more than \(limit) levels deep"
        case .shortStringTooLong(let length, let prefix):
            return "short string of \(length) bytes (\"\(prefix)…\") exceeds AMQP's 255-byte limit; shorten the name"
        case .invalidUTF8(let what):
            return "\(what) is not valid UTF-8"
        case .unsupportedContentClass(let classID):
            return "content header for class \(classID); only basic (60) carries content"
        case .unexpectedFrame(let what):
            return "unexpected frame: \(what)"
        case .bodyLargerThanAnnounced(let announced, let received):
            return "body frames carried \(received) bytes but the content header announced \(announced)"
        case .messageTooLarge(let size, let limit):
            return "message body of \(size) bytes is larger than the limit of \(limit) bytes"
        }
    }
}
