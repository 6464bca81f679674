import NIOCore

/// Reads RESP2 values from bytes as they arrive: a value is returned only once it is whole,
/// and nothing is consumed until then. Input that is not RESP, or that asks for absurd sizes,
/// is an error — never a trap, never an unbounded allocation.
public struct RESPDecoder: Sendable {
    /// Redis's own default `proto-max-bulk-len`.
    public static let maximumBulkLength = 512 * 1024 * 1024
    public static let maximumArrayLength = 16 * 1024 * 1024
    public static let maximumDepth = 64
    /// A status, error or number line longer than this has lost its CRLF.
    public static let maximumLineLength = 64 * 1024

    public init() {}

    /// The next whole value, consumed from `buffer`; nil (and nothing consumed) when more
    /// bytes are needed.
    public func next(from buffer: inout ByteBuffer) throws(RESPError) -> RESPValue? {
        var cursor = buffer.readerIndex
        guard let value = try value(in: buffer, at: &cursor, depth: 0) else { return nil }
        buffer.moveReaderIndex(to: cursor)
        return value
    }

    private func value(in buffer: ByteBuffer, at cursor: inout Int, depth: Int) throws(RESPError) -> RESPValue? {
        guard depth <= Self.maximumDepth else { throw .protocolViolation("replies nested deeper than \(Self.maximumDepth)") }
        guard let marker = buffer.getInteger(at: cursor, as: UInt8.self) else { return nil }
        var next = cursor + 1
        guard let line = try self.line(in: buffer, at: &next) else { return nil }
        switch marker {
        case UInt8(ascii: "+"):
            cursor = next
            return .simpleString(line)
        case UInt8(ascii: "-"):
            cursor = next
            return .error(line)
        case UInt8(ascii: ":"):
            guard let number = Int64(line) else { throw .protocolViolation("integer reply '\(line.prefix(40))' is not a number") }
            cursor = next
            return .integer(number)
        case UInt8(ascii: "$"):
            let length = try Self.length(line, what: "bulk string", maximum: Self.maximumBulkLength)
            guard length >= 0 else {
                cursor = next
                return .bulkString(nil)
            }
            guard buffer.writerIndex - next >= length + 2 else { return nil }
            guard buffer.getInteger(at: next + length, as: UInt8.self) == UInt8(ascii: "\r"),
                  buffer.getInteger(at: next + length + 1, as: UInt8.self) == UInt8(ascii: "\n")
            else { throw .protocolViolation("a bulk string of \(length) bytes does not end in CRLF") }
            let bytes = buffer.getBytes(at: next, length: length) ?? []
            cursor = next + length + 2
            return .bulkString(bytes)
        case UInt8(ascii: "*"):
            let count = try Self.length(line, what: "array", maximum: Self.maximumArrayLength)
            guard count >= 0 else {
                cursor = next
                return .array(nil)
            }
            var elements: [RESPValue] = []
            elements.reserveCapacity(min(count, 1024))  // a count is a claim until the elements come
            for _ in 0..<count {
                guard let element = try value(in: buffer, at: &next, depth: depth + 1) else { return nil }
                elements.append(element)
            }
            cursor = next
            return .array(elements)
        default:
            throw .protocolViolation("unknown reply type byte 0x\(String(marker, radix: 16)); is this a Redis server?")
        }
    }

    /// The text up to the next CRLF, moving `cursor` past it; nil when the CRLF has not come.
    private func line(in buffer: ByteBuffer, at cursor: inout Int) throws(RESPError) -> String? {
        let available = buffer.writerIndex - cursor
        let searched = min(available, Self.maximumLineLength + 2)
        guard let view = buffer.viewBytes(at: cursor, length: searched),
              let carriageReturn = view.firstIndex(of: UInt8(ascii: "\r"))
        else {
            if available > Self.maximumLineLength { throw .protocolViolation("a reply line runs past \(Self.maximumLineLength) bytes") }
            return nil
        }
        let end = carriageReturn + 1
        guard end < view.endIndex else {  // the \n is still to come, unless the line is too long
            if available > searched { throw .protocolViolation("a reply line runs past \(Self.maximumLineLength) bytes") }
            return nil
        }
        guard view[end] == UInt8(ascii: "\n") else { throw .protocolViolation("a reply line has CR without LF") }
        let text = String(decoding: view[view.startIndex..<carriageReturn], as: UTF8.self)
        cursor += (end + 1) - view.startIndex
        return text
    }

    private static func length(_ line: String, what: String, maximum: Int) throws(RESPError) -> Int {
        guard let length = Int(line), length >= -1 else {
            throw .protocolViolation("\(what) length '\(line.prefix(40))' is not a length")
        }
        guard length <= maximum else { throw .protocolViolation("\(what) of \(length) exceeds the limit of \(maximum)") }
        return length
    }
}

/// What can go wrong talking to Redis, in words a user can act on.
public enum RESPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bytes from the server are not RESP: the connection is closed.
    case protocolViolation(String)
    /// Redis answered the command with an error reply.
    case server(String)
    case connectionClosed(String)
    case unreachable(address: String, reason: String)
    case invalidURL(url: String, reason: String)

    public var description: String {
        switch self {
        case .protocolViolation(let detail): return "Redis sent bytes that are not RESP: \(detail)"
        case .server(let message): return "Redis refused the command: \(message)"
        case .connectionClosed(let reason): return "the Redis connection closed: \(reason)"
        case .unreachable(let address, let reason):
            return "cannot reach Redis at \(address): \(reason); is redis-server running there, and the URL right?"
        case .invalidURL(let url, let reason): return "Redis URL \(url) is invalid: \(reason)"
        }
    }
}
