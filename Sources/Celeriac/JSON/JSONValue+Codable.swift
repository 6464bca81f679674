import Foundation

/// Bridges task arguments and results between Swift `Codable` types and `JSONValue`.
extension JSONValue {
    /// Encodes any `Encodable` (a task's arguments or result) as a JSON value.
    public init<T: Encodable>(encoding value: T) throws {
        // The common results skip the encoder: a round trip through JSON text costs more
        // than a no-op task. Optionals first, so a wrapped Int is not taken for a Double.
        if let optional = value as? any EncodableOptional {
            guard let wrapped = optional.wrappedEncodable else {
                self = .null
                return
            }
            self = try JSONValue(encoding: wrapped)
            return
        }
        switch value {
        case let value as JSONValue: self = value; return
        case let value as String: self = .string(value); return
        case let value as Int: self = .int(value); return
        case let value as Bool: self = .bool(value); return
        default: break
        }
        let data = try JSONEncoder().encode(value)
        self = try JSONValue(parsing: data)
    }

    /// Decodes this value into a Swift type, e.g. a task's typed arguments, by JSONDecoder's
    /// rules but without writing the value out as text first.
    public func decode<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try JSONValueDecoder.decode(type, from: self, at: [])
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .bigInteger(let digits): try container.encode(Decimal(string: digits) ?? 0)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

/// An Optional of any Encodable type, opened without knowing the wrapped type.
private protocol EncodableOptional {
    var wrappedEncodable: (any Encodable)? { get }
}

extension Optional: EncodableOptional where Wrapped: Encodable {
    fileprivate var wrappedEncodable: (any Encodable)? { self }
}
