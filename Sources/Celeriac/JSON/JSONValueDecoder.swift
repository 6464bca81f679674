import Foundation

/// Decodes a `Decodable` straight from a parsed `JSONValue`. Task arguments arrive parsed
/// already; writing them out as text for `JSONDecoder` to parse again cost more than a small
/// task's own work. It keeps JSONDecoder's rules (an integral float is an Int, null is
/// `valueNotFound`, a wrong kind is `typeMismatch`) and its error types, so a bad argument
/// is named as before. The types JSONDecoder gives special forms (Data as base64, URL as a
/// string, Decimal as a number) still go through JSONDecoder; a Date is its own Double, as
/// JSONDecoder's default strategy reads it.
struct JSONValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, at codingPath: [any CodingKey]) throws -> T {
        if let primitive = try primitive(type, from: value, at: codingPath) { return primitive }
        if type == Data.self || type == URL.self || type == Decimal.self {
            return try foundationDecode(type, from: value, at: codingPath)
        }
        return try T(from: JSONValueDecoder(value: value, codingPath: codingPath))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        switch value {
        case .object(let object): return KeyedDecodingContainer(KeyedContainer<Key>(object: object, codingPath: codingPath))
        case .null: throw Self.null([String: Any].self, at: codingPath, "Cannot get keyed decoding container -- found null value instead")
        default: throw Self.mismatch([String: Any].self, found: value, at: codingPath)
        }
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .array(let list): return UnkeyedContainer(list: list, codingPath: codingPath)
        case .null: throw Self.null([Any].self, at: codingPath, "Cannot get unkeyed decoding container -- found null value instead")
        default: throw Self.mismatch([Any].self, found: value, at: codingPath)
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueContainer(value: value, codingPath: codingPath)
    }

    // MARK: Primitives

    /// The value as a Bool, String or number type; nil when `type` is none of those.
    private static func primitive<T>(_ type: T.Type, from value: JSONValue, at path: [any CodingKey]) throws -> T? {
        switch type {
        case is Bool.Type:
            guard case .bool(let flag) = value else { throw unexpected(type, found: value, at: path) }
            return flag as? T
        case is String.Type:
            guard case .string(let text) = value else { throw unexpected(type, found: value, at: path) }
            return text as? T
        case is Double.Type: return try double(value, type, at: path) as? T
        case is Float.Type:
            let number = try double(value, type, at: path)
            guard number.isNaN || number.isInfinite || abs(number) <= Double(Float.greatestFiniteMagnitude) else {
                throw notRepresentable(value, as: type, at: path)
            }
            return Float(number) as? T
        case is Int.Type: return try integer(value, as: Int.self, at: path) as? T
        case is Int8.Type: return try integer(value, as: Int8.self, at: path) as? T
        case is Int16.Type: return try integer(value, as: Int16.self, at: path) as? T
        case is Int32.Type: return try integer(value, as: Int32.self, at: path) as? T
        case is Int64.Type: return try integer(value, as: Int64.self, at: path) as? T
        case is UInt.Type: return try integer(value, as: UInt.self, at: path) as? T
        case is UInt8.Type: return try integer(value, as: UInt8.self, at: path) as? T
        case is UInt16.Type: return try integer(value, as: UInt16.self, at: path) as? T
        case is UInt32.Type: return try integer(value, as: UInt32.self, at: path) as? T
        case is UInt64.Type: return try integer(value, as: UInt64.self, at: path) as? T
        default: return nil
        }
    }

    private static func double(_ value: JSONValue, _ type: Any.Type, at path: [any CodingKey]) throws -> Double {
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        case .bigInteger(let digits): return Double(digits) ?? .nan
        default: throw unexpected(type, found: value, at: path)
        }
    }

    /// An integer, also from a float with no fraction (`2.0`), as JSONDecoder reads one.
    private static func integer<T: FixedWidthInteger>(_ value: JSONValue, as type: T.Type, at path: [any CodingKey]) throws -> T {
        let converted: T?
        switch value {
        case .int(let number): converted = T(exactly: number)
        case .double(let number): converted = T(exactly: number)
        case .bigInteger(let digits): converted = T(digits)
        default: throw unexpected(type, found: value, at: path)
        }
        guard let converted else { throw notRepresentable(value, as: type, at: path) }
        return converted
    }

    /// Data, URL and Decimal as JSONDecoder reads them, with errors placed at `path`.
    private static func foundationDecode<T: Decodable>(_ type: T.Type, from value: JSONValue, at path: [any CodingKey]) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(value.serialized.utf8))
        } catch let error as DecodingError {
            throw error.placed(under: path)
        }
    }

    // MARK: Errors, worded as JSONDecoder words them

    static func unexpected(_ type: Any.Type, found value: JSONValue, at path: [any CodingKey]) -> DecodingError {
        if case .null = value { return null(type, at: path, "Cannot get value of type \(type) -- found null value instead") }
        return mismatch(type, found: value, at: path)
    }

    static func mismatch(_ type: Any.Type, found value: JSONValue, at path: [any CodingKey]) -> DecodingError {
        .typeMismatch(type, .init(codingPath: path, debugDescription: "Expected to decode \(type) but found \(value.kindDescription) instead."))
    }

    static func null(_ type: Any.Type, at path: [any CodingKey], _ description: String) -> DecodingError {
        .valueNotFound(type, .init(codingPath: path, debugDescription: description))
    }

    static func notRepresentable(_ value: JSONValue, as type: Any.Type, at path: [any CodingKey]) -> DecodingError {
        .dataCorrupted(.init(codingPath: path, debugDescription: "Parsed JSON number <\(value.serialized)> does not fit in \(type)."))
    }
}

/// An index in an array, as a coding key.
struct JSONIndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { return nil }
}

private extension JSONValue {
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .int, .bigInteger, .double: "number"
        case .string: "a string"
        case .array: "an array"
        case .object: "a dictionary"
        }
    }
}

private extension DecodingError {
    /// This error, its coding path starting at `prefix` (it came from decoding a part alone).
    func placed(under prefix: [any CodingKey]) -> DecodingError {
        guard !prefix.isEmpty else { return self }
        func moved(_ context: Context) -> Context {
            Context(codingPath: prefix + context.codingPath, debugDescription: context.debugDescription, underlyingError: context.underlyingError)
        }
        if case .typeMismatch(let type, let context) = self { return .typeMismatch(type, moved(context)) }
        if case .valueNotFound(let type, let context) = self { return .valueNotFound(type, moved(context)) }
        if case .keyNotFound(let key, let context) = self { return .keyNotFound(key, moved(context)) }
        if case .dataCorrupted(let context) = self { return .dataCorrupted(moved(context)) }
        return self
    }
}
