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

    public mutating func field(_ key: StaticString, _ value: JSONValue) {
        writeKey(key)
        value.write(to: &bytes)
    }

    public mutating func field(_ key: StaticString, _ value: String) {
        writeKey(key)
        JSONValue.writeString(value, to: &bytes)
    }

    public mutating func field(_ key: StaticString, _ value: Int) {
        writeKey(key)
        JSONValue.writeInteger(value, to: &bytes)
    }

    public mutating func field(_ key: StaticString, _ value: Double) {
        writeKey(key)
        bytes.append(contentsOf: JSONValue.format(value).utf8)
    }

    /// Seconds since the epoch with microseconds (`1764143123.042117`), written without
    /// going through a String: every event carries one.
    public mutating func field(_ key: StaticString, timestamp: Double) {
        writeKey(key)
        guard timestamp.isFinite, timestamp >= 0, timestamp < 1e12 else {
            bytes.append(contentsOf: JSONValue.format(timestamp).utf8)
            return
        }
        let microseconds = Int((timestamp * 1_000_000).rounded())
        JSONValue.writeInteger(microseconds / 1_000_000, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        var fraction = microseconds % 1_000_000
        var divisor = 100_000
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
    }

    /// A value already in JSON form, written as it is.
    public mutating func field(_ key: StaticString, json: [UInt8]) {
        writeKey(key)
        bytes.append(contentsOf: json)
    }

    /// The object, closed.
    public consuming func finished() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private mutating func writeKey(_ key: StaticString) {
        if bytes.count > 1 {
            bytes.append(UInt8(ascii: ","))
            bytes.append(UInt8(ascii: " "))
        }
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        bytes.append(UInt8(ascii: " "))
    }
}
