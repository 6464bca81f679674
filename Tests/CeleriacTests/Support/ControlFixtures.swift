import Foundation
@testable import Celeriac

/// One captured pidbox message from `Tests/Fixtures/celery-amqp` (see INDEX.md there).
struct ControlFixture: Sendable {
    let name: String
    let exchange: String
    let routingKey: String
    let properties: JSONValue
    let headers: [String: JSONValue]
    /// The body as JSON (the parsed value when `body_encoding` is json).
    let body: JSONValue
    /// The body bytes as they travelled (re-serialized JSON, or the base64-decoded bytes).
    let bodyBytes: [UInt8]

    /// File names (without directory) containing `fragment`, sorted.
    static func names(containing fragment: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: CeleryFixture.directory.path)) ?? []
        return files.filter { $0.hasSuffix(".json") && $0.contains(fragment) }.sorted()
    }

    static func load(_ name: String) throws -> ControlFixture {
        let fixture = try CeleryFixture.load(name)
        let bytes = fixture.message.body
        let properties = fixture.json["properties"] ?? .object([:])
        return ControlFixture(name: name, exchange: fixture.message.exchange, routingKey: fixture.message.routingKey,
                              properties: properties, headers: fixture.message.properties.headers,
                              body: (try? JSONValue(parsing: bytes)) ?? .null, bodyBytes: bytes)
    }

    /// The message as the core receives it.
    var brokerMessage: BrokerMessage {
        BrokerMessage(exchange: exchange, routingKey: routingKey,
                      properties: MessageProperties(contentType: properties["content_type"]?.stringValue,
                                                    contentEncoding: properties["content_encoding"]?.stringValue,
                                                    headers: headers,
                                                    deliveryMode: properties["delivery_mode"]?.intValue,
                                                    priority: properties["priority"]?.intValue),
                      body: bodyBytes)
    }

    /// The control method in the file name: `control-request-add_consumer-1.json` → "add_consumer".
    var method: String {
        var stem = name
        if stem.hasSuffix(".json") { stem.removeLast(5) }
        for prefix in ["chord-phase-", "control-request-", "control-reply-"] where stem.hasPrefix(prefix) {
            stem.removeFirst(prefix.count)
        }
        if let dash = stem.lastIndex(of: "-") { stem = String(stem[..<dash]) }
        return stem
    }
}
