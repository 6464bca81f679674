import Foundation
import Testing
@testable import Celeriac

@Suite struct PidboxReplyTests {
    @Test(arguments: ControlFixture.names(containing: "control-reply-"))
    func everyReplyFixtureDecodes(name: String) throws {
        let fixture = try ControlFixture.load(name)
        let reply = try PidboxReply(fixture.brokerMessage)
        #expect(reply.node == "fixw@vm")
        #expect(reply.reply == fixture.body["fixw@vm"])
        #expect(reply.ticket == fixture.headers["ticket"]?.stringValue)
        #expect(reply.clock == fixture.headers["clock"]?.intValue)
        // Encoding gives back what the worker sent.
        #expect(reply.body == fixture.body)
        #expect(reply.headers == fixture.headers)
        let message = reply.brokerMessage(to: PidboxReplyAddress(routingKey: fixture.routingKey))
        #expect(message.exchange == fixture.exchange)
        #expect(message.routingKey == fixture.routingKey)
        #expect(message.properties.deliveryMode == fixture.properties["delivery_mode"]?.intValue)
        #expect(message.properties.priority == fixture.properties["priority"]?.intValue)
        #expect(message.properties.contentType == fixture.properties["content_type"]?.stringValue)
        #expect(try PidboxReply(message) == reply)
    }

    @Test(arguments: ControlFixture.names(containing: "control-reply-"))
    func replyAnswersTheCapturedRequest(name: String) throws {
        let reply = try PidboxReply(ControlFixture.load(name).brokerMessage)
        let requestFixture = try ControlFixture.load(name.replacingOccurrences(of: "control-reply-", with: "control-request-"))
        let request = try PidboxRequest(requestFixture.brokerMessage)
        #expect(reply.answers(request))
        // The reply travels with the request's reply key as its routing key.
        #expect(try ControlFixture.load(name).routingKey == request.replyTo?.routingKey)
        #expect(!reply.answers(PidboxRequest.ping().replying(to: PidboxReplyAddress(routingKey: "k"))))
    }

    @Test func fixturesAreFound() {
        #expect(ControlFixture.names(containing: "control-reply-").count == 23)
        #expect(ControlFixture.names(containing: "control-request-").count == 26)
    }

    @Test func requestBuildsItsReply() throws {
        let address = PidboxReplyAddress(routingKey: "98f871d7-828c-3fcc-a383-d3468a1322c7")
        let request = PidboxRequest.ping().replying(to: address, ticket: "61ab5773-a8c7-451f-bacb-c0c12f2e1093")
        let reply = try #require(request.reply(from: "fixw@vm", ["ok": "pong"], clock: 3))
        let fixture = try ControlFixture.load("control-reply-ping-1.json")
        #expect(reply.body == fixture.body)
        #expect(reply.headers == fixture.headers)
        #expect(reply.brokerMessage(to: address).routingKey == fixture.routingKey)
    }

    @Test func untaggedReplyIsTakenAsAnAnswer() throws {
        let reply = try PidboxReply(decoding: Array(#"{"celery@a": {"ok": "pong"}}"#.utf8), headers: [:])
        #expect(reply.ticket == nil)
        #expect(reply.clock == 0)
        #expect(reply.headers == ["clock": 0])
        #expect(reply.answers(PidboxRequest.ping().replying(to: PidboxReplyAddress(routingKey: "k"))))
    }

    @Test func nullReplyIsKept() throws {
        let reply = try PidboxReply(decoding: Array(#"{"celery@a": null}"#.utf8), headers: ["ticket": "t"])
        #expect(reply.reply == .null)
        #expect(reply.ticket == "t")
    }

    @Test func malformedRepliesAreRefused() {
        #expect(throws: PidboxError.replyNodeCount(2)) {
            try PidboxReply(decoding: Array(#"{"a@h": 1, "b@h": 2}"#.utf8), headers: [:])
        }
        #expect(throws: PidboxError.replyNodeCount(0)) {
            try PidboxReply(decoding: Array("{}".utf8), headers: [:])
        }
        #expect(throws: PidboxError.bodyNotAnObject(#"["pong"]"#)) {
            try PidboxReply(decoding: Array(#"["pong"]"#.utf8), headers: [:])
        }
        #expect(throws: PidboxError.self) {
            try PidboxReply(decoding: Array("not json".utf8), headers: [:])
        }
        #expect(throws: PidboxError.self) {
            try PidboxReply(decoding: Array(#"{"a@h": 1}"#.utf8), headers: ["ticket": 5])
        }
    }
}
