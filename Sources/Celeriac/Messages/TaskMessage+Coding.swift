import Foundation

extension TaskMessage {
    /// Reads a task from a broker message, refusing what is not protocol v2 JSON.
    public init(_ message: BrokerMessage) throws(TaskMessageError) {
        let type = message.properties.contentType
        guard type == "application/json" else { throw .unsupportedContentType(type) }
        let headers = message.properties.headers
        guard headers["task"] != nil else { throw .protocolVersion1 }
        guard let id = headers["id"] else { throw .missingHeader("id") }
        guard case .string = id else {
            throw .invalidHeader(name: "id", value: id.serialized, expected: "a task id string")
        }
        guard case .string = headers["task"]! else {
            throw .invalidHeader(name: "task", value: headers["task"]!.serialized, expected: "a task name string")
        }
        let body: JSONValue
        do {
            body = try JSONValue(parsing: message.body)
        } catch {
            throw .invalidBody("\(error)")
        }
        guard let parts = body.arrayValue, parts.count == 3 else {
            throw .invalidBody("expected a list of three elements, got \(String(body.serialized.prefix(80)))")
        }
        guard let args = parts[0].arrayValue else { throw .invalidBody("args must be a list") }
        guard let kwargs = parts[1].objectValue else { throw .invalidBody("kwargs must be an object") }
        let embed: TaskEmbed
        do {
            embed = try TaskEmbed(json: parts[2])
        } catch {
            throw .invalidBody("embed: \(error)")
        }
        var properties = message.properties
        properties.headers = [:]
        self.init(headers: headers, args: args, kwargs: kwargs, embed: embed, properties: properties)
    }

    /// The body bytes: `[args, kwargs, embed]`.
    public var body: [UInt8] {
        JSONValue.array([.array(args), .object(kwargs), embed.json]).serializedBytes
    }

    /// The broker message that carries this task to `routingKey` through `exchange`.
    public func brokerMessage(exchange: String = "", routingKey: String) -> BrokerMessage {
        var properties = self.properties
        properties.headers = headers
        return BrokerMessage(exchange: exchange, routingKey: routingKey, properties: properties, body: body)
    }
}

extension TaskEmbed {
    init(json: JSONValue) throws(SignatureError) {
        guard case .object(var object) = json else {
            if json.isNull { self.init(); return }
            throw .notAnObject(json.serialized)
        }
        func signatures(_ key: String) throws(SignatureError) -> [Signature]? {
            guard let value = object.removeValue(forKey: key), !value.isNull else { return nil }
            guard let list = value.arrayValue else { throw .notAList(key: key) }
            var result: [Signature] = []
            for element in list { result.append(try Signature(json: element)) }
            return result
        }
        let callbacks = try signatures("callbacks")
        let errbacks = try signatures("errbacks")
        let chain = try signatures("chain")
        var chord: Signature? = nil
        if let value = object.removeValue(forKey: "chord"), !value.isNull { chord = try Signature(json: value) }
        self.init(callbacks: callbacks, errbacks: errbacks, chain: chain, chord: chord, other: object)
    }

    /// The embed as Celery writes it: all four keys, null where empty.
    public var json: JSONValue {
        var object = other
        object["callbacks"] = callbacks.map { .array($0.map(\.json)) } ?? .null
        object["errbacks"] = errbacks.map { .array($0.map(\.json)) } ?? .null
        object["chain"] = chain.map { .array($0.map(\.json)) } ?? .null
        object["chord"] = chord?.json ?? .null
        return .object(object)
    }
}
