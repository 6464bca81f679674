import AMQPProtocol
import Foundation
import NIOCore
import Testing

/// JSON as parsed from the fixtures. Decoding tries Bool before Int so `true` never becomes 1
/// (JSONDecoder refuses to read a number as a Bool and vice versa).
enum JSONValue: Codable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
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

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The field value py-amqp writes for this JSON value once Python has parsed it.
    var fieldValue: AMQPFieldValue {
        switch self {
        case .null: return .void
        case .bool(let value): return .bool(value)
        case .int(let value): return .integer(value)  // 'I' when it fits 32 bits, else 'L'
        case .double(let value): return .double(value)
        case .string(let value): return .string(value)
        case .array(let values): return .array(values.map(\.fieldValue))
        case .object(let fields): return .table(fields.mapValues(\.fieldValue))
        }
    }
}

@Suite("Captured Celery 5.7 messages")
struct CeleryFixtureTests {
    /// Tests/Fixtures/celery-amqp, shared by every test target that reads Celery's messages.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/celery-amqp")

    struct Fixture {
        var name: String
        var exchange: String
        var routingKey: String
        var properties: AMQPBasicProperties
        var body: [UInt8]
        var jsonBody: JSONValue?
    }

    /// Every JSON file in Fixtures, parsed; nil for files that are not AMQP messages.
    static func loadAll() throws -> [(name: String, fixture: Fixture?)] {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return try files.map { file in
            (name: file.lastPathComponent, fixture: try Self.load(file))
        }
    }

    static func load(_ file: URL) throws -> Fixture? {
        let name = file.lastPathComponent
        let top = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: file))
        guard case .object(let fields) = top, case .object(let properties)? = fields["properties"] else { return nil }
        let body: [UInt8]
        var jsonBody: JSONValue?
        switch fields["body_encoding"]?.stringValue {
        case "json"?:
            let value = try #require(fields["body"], "\(name)")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            body = Array(try encoder.encode(value))
            jsonBody = value
        case "base64"?:
            let text = try #require(fields["body"]?.stringValue, "\(name)")
            body = Array(try #require(Data(base64Encoded: text), "\(name)"))
        case let other:
            Issue.record("\(name): unknown body_encoding \(String(describing: other))")
            return nil
        }
        return Fixture(
            name: name,
            exchange: try #require(fields["exchange"]?.stringValue, "\(name)"),
            routingKey: try #require(fields["routing_key"]?.stringValue, "\(name)"),
            properties: try basicProperties(properties, file: name),
            body: body,
            jsonBody: jsonBody
        )
    }

    static func basicProperties(_ json: [String: JSONValue], file: String) throws -> AMQPBasicProperties {
        var properties = AMQPBasicProperties()
        for (key, value) in json {
            switch (key, value) {
            case ("content_type", .string(let s)): properties.contentType = s
            case ("content_encoding", .string(let s)): properties.contentEncoding = s
            case ("headers", .object(let table)): properties.headers = table.mapValues(\.fieldValue)
            case ("delivery_mode", .int(let n)): properties.deliveryMode = try #require(UInt8(exactly: n), "\(file)")
            case ("priority", .int(let n)): properties.priority = try #require(UInt8(exactly: n), "\(file)")
            case ("correlation_id", .string(let s)): properties.correlationID = s
            case ("reply_to", .string(let s)): properties.replyTo = s
            case ("expiration", .string(let s)): properties.expiration = s
            case ("message_id", .string(let s)): properties.messageID = s
            case ("timestamp", .int(let n)): properties.timestamp = try #require(UInt64(exactly: n), "\(file)")
            case ("type", .string(let s)): properties.type = s
            case ("user_id", .string(let s)): properties.userID = s
            case ("app_id", .string(let s)): properties.appID = s
            case ("cluster_id", .string(let s)): properties.clusterID = s
            default: Issue.record("\(file): property \(key) = \(value) is not mapped")
            }
        }
        return properties
    }

    /// Writes the message as a publish would and reads it back as a broker would.
    static func sendAndReceive(_ fixture: Fixture) throws -> AMQPContentAssembler.Message? {
        let publish = AMQPMethod.basicPublish(.init(exchange: fixture.exchange, routingKey: fixture.routingKey))
        var wire = ByteBuffer()
        try wire.writeAMQPContent(channel: 1, method: publish, properties: fixture.properties,
                                  body: ByteBuffer(bytes: fixture.body), maximumFrameSize: 131_072)
        let decoder = AMQPFrameDecoder(maximumFrameSize: 131_072)
        var assembler = AMQPContentAssembler()
        var messages: [AMQPContentAssembler.Message] = []
        while let frame = try decoder.decodeFrame(from: &wire) {
            #expect(frame.channel == 1, "\(fixture.name)")
            let output = try assembler.receive(frame)
            if case .message(let message) = output { messages.append(message) }
        }
        #expect(wire.readableBytes == 0, "\(fixture.name)")
        #expect(messages.count == 1, "\(fixture.name)")
        return messages.first
    }

    @Test func everyCapturedMessageSurvivesTheWire() throws {
        var processed = 0
        var skipped: [String] = []
        for (name, fixture) in try Self.loadAll() {
            guard let fixture else {
                skipped.append(name)
                continue
            }
            let received = try #require(try Self.sendAndReceive(fixture), "\(name)")
            let expectedMethod = AMQPMethod.basicPublish(.init(exchange: fixture.exchange, routingKey: fixture.routingKey))
            #expect(received.method == expectedMethod, "\(name)")
            #expect(received.header.bodySize == UInt64(fixture.body.count), "\(name)")
            #expect(received.header.properties == fixture.properties, "\(name)")
            #expect(wireBytes(received.body) == fixture.body, "\(name)")
            if let jsonBody = fixture.jsonBody {
                let reparsed = try JSONDecoder().decode(JSONValue.self, from: Data(wireBytes(received.body)))
                #expect(reparsed == jsonBody, "\(name)")
            }
            processed += 1
        }
        #expect(processed > 100)
        // Only the result-backend records are not messages.
        let unexpectedSkips = skipped.filter { !$0.hasPrefix("redis-result-meta-") }
        #expect(unexpectedSkips.isEmpty, "\(unexpectedSkips)")
        #expect(skipped.count == 3)
    }

    @Test func taskMessageHeadersDecodeAsCeleryWroteThem() throws {
        let file = Self.directory.appendingPathComponent("task-fix_add-1.json")
        let fixture = try #require(try Self.load(file))
        let received = try #require(try Self.sendAndReceive(fixture))
        let properties = received.header.properties
        let headers = try #require(properties.headers)

        #expect(headers["task"] == AMQPFieldValue.string("fix.add"))
        #expect(headers["id"] == AMQPFieldValue.string("a6af2e67-958f-4e0e-85da-b825d9c17dbc"))
        #expect(headers["timelimit"] == AMQPFieldValue.array([.void, .void]))
        #expect(headers["retries"] == AMQPFieldValue.int32(0))
        #expect(headers["ignore_result"] == AMQPFieldValue.bool(false))
        #expect(headers["stamps"] == AMQPFieldValue.table([:]))
        #expect(headers["eta"] == AMQPFieldValue.void)
        #expect(headers.count == 19)
        #expect(properties.priority == 5)
        #expect(properties.deliveryMode == 2)
        #expect(properties.contentType == "application/json")
        #expect(properties.contentEncoding == "utf-8")
        #expect(properties.correlationID == "a6af2e67-958f-4e0e-85da-b825d9c17dbc")
        #expect(properties.replyTo == "cf013868-220f-3b38-b4f1-20286fcd0fec")
        #expect(properties.expiration == nil)
        #expect(received.method == AMQPMethod.basicPublish(.init(exchange: "", routingKey: "celery")))
        // Protocol 2 body: [args, kwargs, embed].
        let body = try JSONDecoder().decode(JSONValue.self, from: Data(wireBytes(received.body)))
        guard case .array(let parts) = body, parts.count == 3 else {
            Issue.record("unexpected body \(body)")
            return
        }
        #expect(parts[0] == .array([.int(2), .int(3)]))
        #expect(parts[1] == .object([:]))
    }

    @Test func controlReplyAndExpiringTaskKeepTheirDetails() throws {
        let reply = try #require(try Self.load(Self.directory.appendingPathComponent("control-reply-ping-1.json")))
        #expect(reply.exchange == "reply.celery.pidbox")
        #expect(reply.properties.deliveryMode == 1)
        #expect(reply.properties.priority == 0)
        #expect(reply.properties.headers?["clock"] == AMQPFieldValue.int32(3))
        #expect(reply.properties.headers?["ticket"] == AMQPFieldValue.string("61ab5773-a8c7-451f-bacb-c0c12f2e1093"))

        // The per-message TTL travels as a string property, as kombu sets it.
        let expiring = try #require(try Self.load(Self.directory.appendingPathComponent("task-fix_add-4.json")))
        let received = try #require(try Self.sendAndReceive(expiring))
        #expect(received.header.properties.expiration == "60000")
        #expect(received.header.properties.headers?["expires"]
            == AMQPFieldValue.string("2026-11-24T23:08:36.721096+00:00"))
    }
}
