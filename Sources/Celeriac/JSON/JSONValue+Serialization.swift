extension JSONValue {
    /// Compact JSON with object keys sorted, so equal values serialize to equal bytes.
    /// Non-ASCII text is written as UTF-8 (kombu accepts both that and \u escapes).
    public var serialized: String {
        var out = ""
        write(to: &out)
        return out
    }

    public var serializedBytes: [UInt8] { Array(serialized.utf8) }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .bigInteger(let digits): out += digits
        case .double(let value): out += Self.format(value)
        case .string(let value): Self.writeString(value, to: &out)
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += ", " }
                value.write(to: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { out += ", " }
                Self.writeString(key, to: &out)
                out += ": "
                object[key]!.write(to: &out)
            }
            out += "}"
        }
    }

    /// Python's repr of a float: always a '.', an exponent or a special literal.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        let text = "\(value)"
        return text
    }

    static func writeString(_ string: String, to out: inout String) {
        out += "\""
        // Most strings need no escape: copied whole, not scalar by scalar.
        guard string.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            out += string
            out += "\""
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
