import AMQPProtocol
import Foundation

/// JSON for the management API: Foundation's serializer over plain dictionaries, with the
/// field-table values converted the way RabbitMQ renders them.
enum ManagementJSON {
    static func encode(_ value: Any) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]))
            ?? Data("null".utf8)
        return Array(data)
    }

    static func decodeObject(_ bytes: [UInt8]) throws(AdministrationError) -> [String: Any] {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw .invalidBody("expected a JSON object")
        }
        return object
    }

    static func table(_ table: AMQPTable) -> [String: Any] { table.mapValues(value) }

    static func value(_ value: AMQPFieldValue) -> Any {
        if let integer = value.intValue { return integer }  // every integer width, and timestamps
        switch value {
        case .bool(let v): return v
        case .float(let v): return Double(v)
        case .double(let v): return v
        case .decimal(let scale, let v): return Double(v) / pow(10, Double(scale))
        case .string(let v): return v
        case .bytes(let v): return String(decoding: v, as: UTF8.self)
        case .table(let v): return self.table(v)
        case .array(let v): return v.map(self.value)
        case .void: return NSNull()
        default: return NSNull()  // the integers, answered above
        }
    }

    /// `{"rate": x}`, the shape of every `*_details` field.
    static func details(_ rate: Double) -> [String: Any] { ["rate": (rate * 10).rounded() / 10] }
}
