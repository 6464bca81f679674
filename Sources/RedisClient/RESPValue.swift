import NIOCore

/// A value of Redis's wire protocol, RESP2: what a command is sent as (an array of bulk
/// strings) and what every reply is.
public enum RESPValue: Sendable, Hashable {
    case simpleString(String)
    /// An error reply ("ERR unknown command …", "WRONGTYPE …"): the command failed, the
    /// connection is fine.
    case error(String)
    case integer(Int64)
    /// Binary-safe bytes; nil is Redis's null bulk string (a missing key's GET).
    case bulkString([UInt8]?)
    /// nil is the null array (a BLPOP that timed out).
    case array([RESPValue]?)

    /// A command as Redis expects it: an array of bulk strings.
    public static func command(_ name: String, _ arguments: [RESPArgument]) -> RESPValue {
        .array([.bulkString(Array(name.utf8))] + arguments.map { .bulkString($0.bytes) })
    }

    /// The text of a simple or bulk string; nil for anything else, or bytes that are not UTF-8.
    public var string: String? {
        switch self {
        case .simpleString(let text): return text
        case .bulkString(let bytes?): return String(validating: bytes, as: UTF8.self)
        default: return nil
        }
    }

    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): return bytes
        case .simpleString(let text): return Array(text.utf8)
        default: return nil
        }
    }

    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var array: [RESPValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    public var isNull: Bool {
        switch self {
        case .bulkString(nil), .array(nil): return true
        default: return false
        }
    }
}

/// One argument of a command: text or bytes, sent as a bulk string.
public struct RESPArgument: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    public var bytes: [UInt8]

    public init(_ text: String) { bytes = Array(text.utf8) }
    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ number: Int) { bytes = Array(String(number).utf8) }
    public init(stringLiteral value: String) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(value) }
}

extension ByteBuffer {
    /// Writes `value` in RESP2.
    public mutating func writeRESPValue(_ value: RESPValue) {
        switch value {
        case .simpleString(let text):
            writeRESPLine("+", text)
        case .error(let text):
            writeRESPLine("-", text)
        case .integer(let number):
            writeRESPLine(":", String(number))
        case .bulkString(nil):
            writeStaticString("$-1\r\n")
        case .bulkString(let bytes?):
            writeRESPLine("$", String(bytes.count))
            writeBytes(bytes)
            writeStaticString("\r\n")
        case .array(nil):
            writeStaticString("*-1\r\n")
        case .array(let values?):
            writeRESPLine("*", String(values.count))
            for value in values { writeRESPValue(value) }
        }
    }

    private mutating func writeRESPLine(_ prefix: StaticString, _ text: String) {
        writeStaticString(prefix)
        writeString(text)
        writeStaticString("\r\n")
    }
}
