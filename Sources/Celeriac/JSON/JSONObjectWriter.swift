/// Writes one JSON object straight to bytes, field by field in the order given. For messages
/// sent at a high rate (a worker's task events, three per task), where building a dictionary
/// only to serialize it costs more than the message itself. Keys must not repeat.
public struct JSONObjectWriter: Sendable {
    private var bytes: [UInt8]

    public init(capacity: Int = 320) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    public mutating func field(_ key: String, _ value: JSONValue) {
        writeKey(key)
        value.write(to: &bytes)
    }

    public mutating func field(_ key: String, _ value: String) {
        writeKey(key)
        JSONValue.writeString(value, to: &bytes)
    }

    public mutating func field(_ key: String, _ value: Int) {
        writeKey(key)
        JSONValue.writeInteger(value, to: &bytes)
    }

    public mutating func field(_ key: String, _ value: Double) {
        writeKey(key)
        bytes.append(contentsOf: JSONValue.format(value).utf8)
    }

    /// The object, closed.
    public consuming func finished() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private mutating func writeKey(_ key: String) {
        if bytes.count > 1 { bytes.append(contentsOf: ", ".utf8) }
        JSONValue.writeString(key, to: &bytes)
        bytes.append(contentsOf: ": ".utf8)
    }
}
