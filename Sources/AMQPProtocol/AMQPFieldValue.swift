/// A field table: the `arguments` of declares and bindings, `headers` of a message,
/// client and server properties.
public typealias AMQPTable = [String: AMQPFieldValue]

/// One value in a field table or array. The type letters follow RabbitMQ's errata of the
/// 0-9-1 spec (which pika and RabbitMQ use), not the original spec text.
public enum AMQPFieldValue: Sendable, Hashable {
    case bool(Bool)              // t
    case int8(Int8)              // b
    case uint8(UInt8)            // B
    case int16(Int16)            // s  (py-amqp reads 'U')
    case uint16(UInt16)          // u
    case int32(Int32)            // I
    case uint32(UInt32)          // i
    case int64(Int64)            // l  (py-amqp writes 'L')
    case float(Float)            // f
    case double(Double)          // d
    case decimal(scale: UInt8, value: Int32) // D
    case string(String)          // S
    case bytes([UInt8])          // x
    case timestamp(UInt64)       // T, seconds since the epoch
    case table(AMQPTable)        // F
    case array([AMQPFieldValue]) // A
    case void                    // V

    /// The type octet this value is written with.
    public var typeCode: UInt8 {
        switch self {
        case .bool: return UInt8(ascii: "t")
        case .int8: return UInt8(ascii: "b")
        case .uint8: return UInt8(ascii: "B")
        case .int16: return UInt8(ascii: "s")
        case .uint16: return UInt8(ascii: "u")
        case .int32: return UInt8(ascii: "I")
        case .uint32: return UInt8(ascii: "i")
        case .int64: return UInt8(ascii: "l")
        case .float: return UInt8(ascii: "f")
        case .double: return UInt8(ascii: "d")
        case .decimal: return UInt8(ascii: "D")
        case .string: return UInt8(ascii: "S")
        case .bytes: return UInt8(ascii: "x")
        case .timestamp: return UInt8(ascii: "T")
        case .table: return UInt8(ascii: "F")
        case .array: return UInt8(ascii: "A")
        case .void: return UInt8(ascii: "V")
        }
    }
}

extension AMQPFieldValue {
    /// The value as a Swift integer, whichever integer width it travelled in.
    public var intValue: Int? {
        switch self {
        case .int8(let v): return Int(v)
        case .uint8(let v): return Int(v)
        case .int16(let v): return Int(v)
        case .uint16(let v): return Int(v)
        case .int32(let v): return Int(v)
        case .uint32(let v): return Int(v)
        case .int64(let v): return Int(v)
        case .timestamp(let v): return Int(exactly: v)
        default: return nil
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var tableValue: AMQPTable? {
        if case .table(let t) = self { return t }
        return nil
    }

    public var arrayValue: [AMQPFieldValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The smallest signed width that holds `value`, as py-amqp and pika choose.
    public static func integer(_ value: Int) -> AMQPFieldValue {
        if let small = Int32(exactly: value) { return .int32(small) }
        return .int64(Int64(value))
    }
}

extension AMQPFieldValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: AMQPFieldValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, AMQPFieldValue)...) {
        self = .table(AMQPTable(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .void }
}
