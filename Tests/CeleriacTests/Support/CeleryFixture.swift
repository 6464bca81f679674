@testable import Celeriac
import Foundation

/// One captured Celery 5.7 message from Tests/Fixtures/celery-amqp, as a BrokerMessage.
struct CeleryFixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/celery-amqp")

    var name: String
    var json: JSONValue
    var message: BrokerMessage

    /// Every fixture whose file name starts with `prefix`, sorted by name.
    static func all(_ prefix: String) throws -> [CeleryFixture] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
        return try names.map { try load($0) }
    }

    static func load(_ name: String) throws -> CeleryFixture {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        let json = try JSONValue(parsing: data)
        let properties = json["properties"]?.objectValue ?? [:]
        let body: [UInt8]
        if json["body_encoding"]?.stringValue == "base64" {
            body = Array(Data(base64Encoded: json["body"]?.stringValue ?? "") ?? Data())
        } else {
            body = json["body"]?.serializedBytes ?? []
        }
        let message = BrokerMessage(
            exchange: json["exchange"]?.stringValue ?? "",
            routingKey: json["routing_key"]?.stringValue ?? "",
            properties: MessageProperties(
                contentType: properties["content_type"]?.stringValue,
                contentEncoding: properties["content_encoding"]?.stringValue,
                headers: properties["headers"]?.objectValue ?? [:],
                deliveryMode: properties["delivery_mode"]?.intValue,
                priority: properties["priority"]?.intValue,
                correlationID: properties["correlation_id"]?.stringValue,
                replyTo: properties["reply_to"]?.stringValue,
                expiration: properties["expiration"]?.stringValue),
            body: body)
        return CeleryFixture(name: name, json: json, message: message)
    }
}
