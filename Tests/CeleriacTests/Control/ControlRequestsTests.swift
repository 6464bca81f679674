import Foundation
import Testing
@testable import Celeriac

@Suite struct ControlRequestsTests {
    /// What a Celery client called to produce each captured request, as a builder call.
    static func builder(for fixtureName: String) -> PidboxRequest {
        switch fixtureName {
        case "control-request-active-1.json": return .active()
        case "control-request-active_queues-1.json": return .activeQueues()
        case "control-request-add_consumer-1.json": return .addConsumer(queue: "fixq2")
        case "control-request-autoscale-1.json": return .autoscale(max: 4, min: 1)
        case "control-request-cancel_consumer-1.json": return .cancelConsumer(queue: "fixq2")
        case "control-request-clock-1.json": return .clock()
        case "control-request-conf-1.json": return .conf()
        case "control-request-disable_events-1.json": return .disableEvents()
        case "control-request-enable_events-1.json": return .enableEvents()
        case "control-request-hello-1.json", "chord-phase-control-request-hello-1.json":
            return .hello(fromNode: "fixw@vm")
        case "control-request-ping-1.json": return .ping()
        case "control-request-pool_grow-1.json": return .poolGrow(n: 1)
        case "control-request-pool_shrink-1.json": return .poolShrink(n: 1)
        case "control-request-query_task-1.json": return .queryTask(ids: ["0c36ccd1-9241-45cf-b11f-f2ce3470f863"])
        case "control-request-rate_limit-1.json": return .rateLimit(taskName: "fix.add", rateLimit: "10/m")
        case "control-request-registered-1.json": return .registered()
        case "control-request-report-1.json": return .report()
        case "control-request-reserved-1.json": return .reserved()
        case "control-request-revoke-1.json":
            return .revoke(taskID: "2a3862e5-0316-4587-a4eb-14938ae02e72", terminate: true)
        case "control-request-revoke-2.json": return .revoke(taskID: "5a64c29f-8769-43b6-8317-f725e71ffac6")
        case "control-request-revoked-1.json": return .revoked()
        case "control-request-scheduled-1.json": return .scheduled()
        case "control-request-shutdown-1.json": return .shutdown()
        case "control-request-stats-1.json": return .stats()
        case "control-request-time_limit-1.json": return .timeLimit(taskName: "fix.add", soft: 5, hard: 10)
        default: return PidboxRequest(method: "no builder for \(fixtureName)")
        }
    }

    /// The ticket and reply key are random per call; everything else must be Celery's.
    static func normalised(_ body: JSONValue) -> JSONValue {
        guard case .object(var object) = body else { return body }
        if object["ticket"] != nil { object["ticket"] = "TICKET" }
        if case .object(var replyTo)? = object["reply_to"] {
            replyTo["routing_key"] = "REPLY-KEY"
            object["reply_to"] = .object(replyTo)
        }
        return .object(object)
    }

    @Test(arguments: ControlFixture.names(containing: "control-request-"))
    func builderProducesCelerysBody(name: String) throws {
        let fixture = try ControlFixture.load(name)
        let address = PidboxTopology.celery.replyAddress(for: PidboxTopology.newReplyKey())
        let request = Self.builder(for: name).replying(to: address, timeout: 1.0)
        #expect(request.method == fixture.method)
        #expect(Self.normalised(request.body) == Self.normalised(fixture.body))
        #expect(Set(request.headers.keys) == Set(fixture.headers.keys))
        #expect(request.headers["clock"]?.intValue != nil)
        #expect(request.headers["expires"]?.doubleValue != nil)
        let message = request.brokerMessage()
        #expect(message.exchange == fixture.exchange)
        #expect(message.routingKey == fixture.routingKey)
        #expect(message.properties.deliveryMode == fixture.properties["delivery_mode"]?.intValue)
    }

    @Test func everyCapturedMethodHasABuilder() {
        let names = ControlFixture.names(containing: "control-request-")
        #expect(names.count >= 24)
        for name in names {
            #expect(!Self.builder(for: name).method.hasPrefix("no builder"), "\(name)")
        }
    }

    @Test func revokeOfSeveralTasksSendsAList() {
        let request = PidboxRequest.revoke(taskIDs: ["a", "b"], terminate: true, signal: "SIGKILL")
        #expect(request.arguments == ["task_id": ["a", "b"], "terminate": true, "signal": "SIGKILL"])
    }

    @Test func fractionalTimeLimitsStayFractionalAndMissingOnesAreNull() {
        let request = PidboxRequest.timeLimit(taskName: "fix.add", soft: 2.5)
        #expect(request.arguments == ["task_name": "fix.add", "soft": 2.5, "hard": .null])
    }

    @Test func addConsumerOptionsMergeIntoTheArguments() {
        let request = PidboxRequest.addConsumer(queue: "q", exchange: "ex", exchangeType: "topic", routingKey: "k.#",
                                                options: ["queue_durable": false], destination: ["celery@a"])
        #expect(request.arguments == ["queue": "q", "exchange": "ex", "exchange_type": "topic",
                                      "routing_key": "k.#", "queue_durable": false])
        #expect(request.body["destination"] == ["celery@a"])
    }

    @Test func activeSafeAndRateLimitOff() {
        #expect(PidboxRequest.active(safe: true).arguments == ["safe": true])
        #expect(PidboxRequest.rateLimit(taskName: "t", rateLimit: nil).arguments == ["task_name": "t", "rate_limit": .null])
    }
}
