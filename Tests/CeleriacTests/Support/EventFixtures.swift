import Foundation
import Testing

@testable import Celeriac

/// One captured Celery 5.7 event message from Tests/Fixtures/celery-amqp, as a consumer of the
/// `celeryev` exchange would receive it.
struct EventFixtureMessage: Sendable {
    var fileName: String
    var exchange: String
    var routingKey: String
    var contentType: String?
    var headers: [String: JSONValue]
    var body: [UInt8]

    /// The events the message carries, decoded by the code under test.
    func events() throws -> [CeleryEvent] {
        try EventMessage.decode(routingKey: routingKey, body: body, contentType: contentType)
    }
}

/// Loads the captured event messages (`event-*.json`, `chord-phase-event-*.json`).
enum EventFixtures {
    /// The names of every event fixture file, sorted.
    static func fileNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: CeleryFixture.directory.path)
            .filter { ($0.hasPrefix("event-") || $0.hasPrefix("chord-phase-event-")) && $0.hasSuffix(".json") }
            .sorted()
    }

    /// Every event fixture message.
    static func all() throws -> [EventFixtureMessage] {
        try fileNames().map { try load($0) }
    }

    /// One fixture by file name, read through the shared loader.
    static func load(_ fileName: String) throws -> EventFixtureMessage {
        let message = try CeleryFixture.load(fileName).message
        return EventFixtureMessage(fileName: fileName, exchange: message.exchange, routingKey: message.routingKey,
                                   contentType: message.properties.contentType,
                                   headers: message.properties.headers, body: message.body)
    }

    /// The events of one fixture file.
    static func events(_ fileName: String) throws -> [CeleryEvent] {
        try load(fileName).events()
    }

    /// The only event of a single-event fixture file.
    static func event(_ fileName: String) throws -> CeleryEvent {
        let found = try Self.events(fileName)
        try #require(found.count == 1, "\(fileName) holds \(found.count) events")
        return found[0]
    }
}
