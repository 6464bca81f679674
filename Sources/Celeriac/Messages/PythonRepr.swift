/// Python's `repr()` of JSON-shaped values, for the `argsrepr`/`kwargsrepr` headers and the
/// repr strings in events, which monitors (Flower, `celery events`, our dashboard) show.
extension JSONValue {
    public var pythonRepr: String {
        switch self {
        case .null: return "None"
        case .bool(let value): return value ? "True" : "False"
        case .int(let value): return String(value)
        case .bigInteger(let digits): return digits
        case .double(let value):
            if value.isNaN { return "nan" }
            if value.isInfinite { return value < 0 ? "-inf" : "inf" }
            return "\(value)"
        case .string(let value): return Self.pythonStringRepr(value)
        case .array(let values): return "[" + values.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .object(let object):
            return "{" + object.keys.sorted().map { "\(Self.pythonStringRepr($0)): \(object[$0]!.pythonRepr)" }
                .joined(separator: ", ") + "}"
        }
    }

    /// A tuple's repr, as Celery writes `argsrepr`: "(2, 3)", "(1,)", "()".
    public static func pythonTupleRepr(_ values: [JSONValue]) -> String {
        if values.count == 1 { return "(\(values[0].pythonRepr),)" }
        return "(" + values.map(\.pythonRepr).joined(separator: ", ") + ")"
    }

    /// Single quotes unless the text holds a single quote and no double one, as Python does.
    static func pythonStringRepr(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where Character(scalar) == quote: out += "\\" + String(quote)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.append(quote)
        return out
    }

    /// Celery truncates reprs to 1024 characters (`argsrepr_maxsize`), ending them with "...".
    static func truncatedRepr(_ text: String, limit: Int = 1024) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 3)) + "..."
    }
}
