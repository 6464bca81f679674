/// What pidbox requests and replies share on the wire: JSON bodies that must be objects,
/// and the properties kombu publishes them with.
enum PidboxCoding {
    static func properties(headers: [String: JSONValue], deliveryMode: Int) -> MessageProperties {
        var properties = MessageProperties.json
        properties.headers = headers
        properties.deliveryMode = deliveryMode
        properties.priority = 0
        return properties
    }

    /// Refuses a delivered message that is not JSON (kombu may omit the type).
    static func checkContentType(of message: BrokerMessage) throws(PidboxError) {
        let type = message.properties.contentType
        guard type == nil || type == "application/json" else { throw .unsupportedContentType(type) }
    }

    static func object(from body: [UInt8]) throws(PidboxError) -> [String: JSONValue] {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: body)
        } catch {
            throw .invalidJSON("\(error)")
        }
        guard case .object(let object) = json else { throw .bodyNotAnObject(json.pidboxPreview) }
        return object
    }
}
