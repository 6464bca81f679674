import Foundation
import Testing
@testable import Celeriac

@Suite struct PidboxRequestTests {
    @Test(arguments: ControlFixture.names(containing: "control-request-"))
    func everyRequestFixtureDecodes(name: String) throws {
        let fixture = try ControlFixture.load(name)
        let request = try PidboxRequest(fixture.brokerMessage)
        #expect(request.method == fixture.method)
        #expect(request.arguments == fixture.body["arguments"]?.objectValue)
        #expect(request.destination == nil)
        #expect(request.pattern == nil)
        #expect(request.matcher == nil)
        #expect(request.ticket == fixture.body["ticket"]?.stringValue)
        let replyKey = try #require(fixture.body["reply_to"]?["routing_key"]?.stringValue)
        #expect(request.replyTo == PidboxReplyAddress(exchange: "reply.celery.pidbox", routingKey: replyKey))
        #expect(request.clock == fixture.headers["clock"]?.intValue)
        #expect(request.expires == fixture.headers["expires"]?.doubleValue)
        // Encoding gives back what Celery sent.
        #expect(request.body == fixture.body)
        #expect(try JSONValue(parsing: request.bodyBytes) == fixture.body)
        #expect(Set(request.headers.keys) == Set(fixture.headers.keys))
        #expect(request.headers["expires"]?.doubleValue == fixture.headers["expires"]?.doubleValue)
        #expect(request.isAddressed(to: "fixw@vm"))
    }

    @Test(arguments: ControlFixture.names(containing: "control-request-"))
    func brokerMessageHasCelerysProperties(name: String) throws {
        let fixture = try ControlFixture.load(name)
        let message = try PidboxRequest(fixture.brokerMessage).brokerMessage()
        #expect(message.exchange == fixture.exchange)
        #expect(message.routingKey == fixture.routingKey)
        #expect(message.properties.contentType == fixture.properties["content_type"]?.stringValue)
        #expect(message.properties.contentEncoding == fixture.properties["content_encoding"]?.stringValue)
        #expect(message.properties.deliveryMode == fixture.properties["delivery_mode"]?.intValue)
        #expect(message.properties.priority == fixture.properties["priority"]?.intValue)
        #expect(message.properties.correlationID == nil)
        #expect(message.properties.replyTo == nil)
        #expect(try PidboxRequest(message) == PidboxRequest(fixture.brokerMessage))
    }

    @Test func castCarriesNoTicketOrReplyAddress() throws {
        let cast = PidboxRequest.ping()
        #expect(cast.body["ticket"] == nil)
        #expect(cast.body["reply_to"] == nil)
        #expect(cast.headers == ["clock": 0, "expires": 0])
        #expect(cast.reply(from: "a@h", ["ok": "pong"]) == nil)
        let decoded = try PidboxRequest(decoding: cast.bodyBytes, headers: cast.headers)
        #expect(decoded == cast)
    }

    @Test func replyingSetsTicketAddressAndDeadline() {
        let now = Date(timeIntervalSince1970: 1_795_561_660)
        let address = PidboxTopology.celery.replyAddress(for: "98f871d7-828c-3fcc-a383-d3468a1322c7")
        let request = PidboxRequest.ping().replying(to: address, ticket: "t-1", timeout: 1.5, now: now)
        #expect(request.ticket == "t-1")
        #expect(request.replyTo == address)
        #expect(request.expires == 1_795_561_661.5)
        #expect(request.headers["expires"] == .double(1_795_561_661.5))
        #expect(request.body["reply_to"] == ["exchange": "reply.celery.pidbox",
                                              "routing_key": "98f871d7-828c-3fcc-a383-d3468a1322c7"])
        #expect(!request.isExpired(at: now))
        #expect(request.isExpired(at: now.addingTimeInterval(2)))
        #expect(!PidboxRequest.ping().isExpired(at: now))
    }

    @Test func missingOptionalFieldsReadAsKombuReadsThem() throws {
        let request = try PidboxRequest(decoding: Array(#"{"method": "ping"}"#.utf8), headers: [:])
        #expect(request == PidboxRequest(method: "ping"))
        let nulls = try PidboxRequest(decoding: Array(#"{"method": "ping", "arguments": null}"#.utf8),
                                      headers: ["clock": "12"])
        #expect(nulls.arguments == [:])
        #expect(nulls.clock == 12)
    }

    // MARK: Addressing

    @Test func nilOrEmptyDestinationAddressesEveryNode() {
        #expect(PidboxRequest.ping().isAddressed(to: "celery@a"))
        #expect(PidboxRequest.ping(destination: []).isAddressed(to: "celery@a"))
    }

    @Test func destinationListAddressesOnlyItsNodes() {
        let request = PidboxRequest.ping(destination: ["celery@a", "celery@b"])
        #expect(request.isAddressed(to: "celery@a"))
        #expect(request.isAddressed(to: "celery@b"))
        #expect(!request.isAddressed(to: "celery@c"))
        #expect(!request.isAddressed(to: "celery@"))
    }

    @Test func patternNeedsAMatcherAndLosesToADestination() {
        var request = PidboxRequest.ping()
        request.pattern = "celery@*"
        #expect(request.isAddressed(to: "other@a"))  // no matcher: every node, as kombu
        request.matcher = "glob"
        #expect(request.isAddressed(to: "celery@a"))
        #expect(!request.isAddressed(to: "other@a"))
        request.matcher = "pcre"
        request.pattern = "cel"
        #expect(request.isAddressed(to: "celery@a"))
        #expect(!request.isAddressed(to: "xcelery@a"))
        request.matcher = "fuzzy"
        #expect(!request.isAddressed(to: "celery@a"))
        request.destination = ["other@a"]
        #expect(request.isAddressed(to: "other@a"))
        #expect(!request.isAddressed(to: "celery@a"))
    }

    // MARK: Errors

    @Test func bodyWithoutMethodIsRefused() {
        #expect(throws: PidboxError.missingField("method")) {
            try PidboxRequest(decoding: Array(#"{"arguments": {}, "destination": null}"#.utf8), headers: [:])
        }
        #expect(throws: PidboxError.missingField("method")) {
            try PidboxRequest(decoding: Array(#"{"method": null}"#.utf8), headers: [:])
        }
    }

    @Test func nonObjectBodiesAreRefused() {
        #expect(throws: PidboxError.bodyNotAnObject("[1, 2]")) {
            try PidboxRequest(decoding: Array("[1, 2]".utf8), headers: [:])
        }
        #expect(throws: PidboxError.bodyNotAnObject(#""ping""#)) {
            try PidboxRequest(decoding: Array(#""ping""#.utf8), headers: [:])
        }
    }

    @Test func badJSONAndWrongFieldTypesAreRefused() {
        #expect(throws: PidboxError.self) {
            try PidboxRequest(decoding: Array("{".utf8), headers: [:])
        }
        #expect(throws: PidboxError.invalidField(name: "method", value: "3", expected: "a command name string")) {
            try PidboxRequest(decoding: Array(#"{"method": 3}"#.utf8), headers: [:])
        }
        #expect(throws: PidboxError.self) {
            try PidboxRequest(decoding: Array(#"{"method": "ping", "destination": "celery@a"}"#.utf8), headers: [:])
        }
        #expect(throws: PidboxError.self) {
            try PidboxRequest(decoding: Array(#"{"method": "ping", "arguments": [1]}"#.utf8), headers: [:])
        }
        #expect(throws: PidboxError.self) {
            try PidboxRequest(decoding: Array(#"{"method": "ping", "reply_to": "q"}"#.utf8), headers: [:])
        }
    }

    @Test func nonJSONContentTypeIsRefused() {
        let message = BrokerMessage(exchange: "celery.pidbox", routingKey: "",
                                    properties: MessageProperties(contentType: "application/x-python-serialize"),
                                    body: Array(#"{"method": "ping"}"#.utf8))
        #expect(throws: PidboxError.unsupportedContentType("application/x-python-serialize")) {
            try PidboxRequest(message)
        }
    }

    @Test func errorDescriptionsSayWhatIsWrong() {
        #expect(PidboxError.missingField("method").description
            == "pidbox request has no 'method' field, which Celery always sends")
        #expect(PidboxError.bodyNotAnObject("[1, 2]").description.hasPrefix("pidbox message body is [1, 2];"))
        #expect(PidboxError.replyNodeCount(2).description.contains("exactly one"))
    }
}
