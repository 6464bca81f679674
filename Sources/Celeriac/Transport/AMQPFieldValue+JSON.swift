import AMQPClient

// Headers travel as AMQP field tables; the core sees JSON values. The mapping follows
// py-amqp, which encoded every captured Celery header: str → S, bool → t, int → I or l,
// float → d, None → V, list → A, dict → F.
extension AMQPFieldValue {
    init(json: JSONValue) {
        switch json {
        case .null: self = .void
        case .bool(let value): self = .bool(value)
        case .int(let value): self = .integer(value)
        case .bigInteger(let digits): self = .string(digits)  // AMQP has no wider integer
        case .double(let value): self = .double(value)
        case .string(let value): self = .string(value)
        case .array(let values): self = .array(values.map(AMQPFieldValue.init(json:)))
        case .object(let object): self = .table(object.mapValues(AMQPFieldValue.init(json:)))
        }
    }

    var json: JSONValue {
        switch self {
        case .bool(let value): return .bool(value)
        case .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .timestamp: return .int(intValue ?? 0)
        case .float(let value): return .double(Double(value))
        case .double(let value): return .double(value)
        case .decimal(let scale, let value):
            var result = Double(value)
            for _ in 0..<scale { result /= 10 }
            return .double(result)
        case .string(let value): return .string(value)
        case .bytes(let bytes): return .string(String(decoding: bytes, as: UTF8.self))
        case .table(let table): return .object(table.mapValues(\.json))
        case .array(let values): return .array(values.map(\.json))
        case .void: return .null
        }
    }
}

extension MessageProperties {
    init(amqp properties: AMQPBasicProperties) {
        self.init(contentType: properties.contentType, contentEncoding: properties.contentEncoding,
                  headers: (properties.headers ?? [:]).mapValues(\.json),
                  deliveryMode: properties.deliveryMode.map(Int.init), priority: properties.priority.map(Int.init),
                  correlationID: properties.correlationID, replyTo: properties.replyTo,
                  expiration: properties.expiration)
    }

    var amqp: AMQPBasicProperties {
        AMQPBasicProperties(contentType: contentType, contentEncoding: contentEncoding,
                            headers: headers.mapValues(AMQPFieldValue.init(json:)),
                            deliveryMode: deliveryMode.map { UInt8(clamping: $0) },
                            priority: priority.map { UInt8(clamping: $0) }, correlationID: correlationID,
                            replyTo: replyTo, expiration: expiration)
    }
}
