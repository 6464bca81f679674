/// Why bytes are not the JSON a Celery message carries; `offset` points at the mistake.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public var offset: Int

    public init(reason: String, offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSONValue {
    /// Nesting beyond this is refused rather than recursed into: input comes from the network.
    public static let maximumDepth = 512

    /// Parses one JSON document (RFC 8259, plus Python's NaN, Infinity and -Infinity).
    public init(parsing text: String) throws(JSONParseError) {
        var text = text
        self = try text.withUTF8 { utf8 in
            Result { () throws(JSONParseError) in try JSONValue(parsing: UnsafeRawBufferPointer(utf8)) }
        }.get()
    }

    public init<Bytes: Collection<UInt8>>(parsing bytes: Bytes) throws(JSONParseError) {
        let parsed: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in try JSONValue(parsing: UnsafeRawBufferPointer(buffer)) }
        }
        if let parsed {
            self = try parsed.get()
            return
        }
        self = try Array(bytes).withUnsafeBytes { raw in
            Result { () throws(JSONParseError) in try JSONValue(parsing: raw) }
        }.get()
    }

    public init(parsing bytes: UnsafeRawBufferPointer) throws(JSONParseError) {
        var reader = JSONReader(bytes)
        self = try reader.readValue()
        try reader.expectEnd()
    }
}
