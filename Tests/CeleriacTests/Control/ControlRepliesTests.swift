import Foundation
import Testing
@testable import Celeriac

@Suite struct ControlRepliesTests {
    static func reply(_ name: String) throws -> JSONValue {
        try PidboxReply(ControlFixture.load(name).brokerMessage).reply
    }

    @Test func outcomesReadAsCeleryWroteThem() throws {
        let expected: [(String, ControlOutcome)] = [
            ("control-reply-ping-1.json", .ok("pong")),
            ("control-reply-revoke-1.json", .ok("terminate: 2a3862e5-0316-4587-a4eb-14938ae02e72")),
            ("control-reply-revoke-2.json", .ok("tasks {'5a64c29f-8769-43b6-8317-f725e71ffac6'} flagged as revoked")),
            ("control-reply-rate_limit-1.json", .ok("new rate limit set successfully")),
            ("control-reply-time_limit-1.json", .ok("time limits set successfully")),
            ("control-reply-autoscale-1.json", .ok("autoscale now max=4 min=1")),
            ("control-reply-add_consumer-1.json", .ok("add consumer fixq2")),
            ("control-reply-cancel_consumer-1.json", .ok("no longer consuming from fixq2")),
            ("control-reply-enable_events-1.json", .ok("task events already enabled")),
            ("control-reply-disable_events-1.json", .ok("task events already disabled")),
            ("control-reply-pool_grow-1.json",
             .error("pool_grow is not supported with autoscale. Adjust autoscale range instead.")),
            ("control-reply-pool_shrink-1.json",
             .error("pool_shrink is not supported with autoscale. Adjust autoscale range instead.")),
        ]
        for (name, outcome) in expected {
            #expect(try ControlOutcome(reply: Self.reply(name)) == outcome, "\(name)")
        }
    }

    @Test func outcomeHelpers() throws {
        let ping = try ControlOutcome(reply: Self.reply("control-reply-ping-1.json"))
        #expect(ping.isOK)
        #expect(ping.message == "pong")
        let grow = try ControlOutcome(reply: Self.reply("control-reply-pool_grow-1.json"))
        #expect(!grow.isOK)
        #expect(grow.message.hasPrefix("pool_grow is not supported"))
        #expect(try ControlOutcome(reply: ["ok": 3]) == .ok("3"))
        #expect(throws: PidboxError.self) { try ControlOutcome(reply: ["pong"]) }
    }

    @Test func reportIsAnOutcomeWithTheBugReport() throws {
        let report = try ControlOutcome(reply: Self.reply("control-reply-report-1.json"))
        #expect(report.isOK)
        #expect(report.message.hasPrefix("\nsoftware -> celery:5.7.0 (collider) kombu:5.7.0"))
        #expect(report.message.contains("result_backend: 'rpc://'"))
    }

    @Test func registeredTaskNames() throws {
        let names = try ControlReply.registeredTasks(Self.reply("control-reply-registered-1.json"))
        #expect(names == ["fix.add", "fix.fail", "fix.mul", "fix.reject", "fix.retry", "fix.sleep", "fix.xsum"])
    }

    @Test func revokedTaskIDs() throws {
        let ids = try ControlReply.revokedTaskIDs(Self.reply("control-reply-revoked-1.json"))
        #expect(ids == ["f95a3fa5-6035-45dc-bfd1-1b102d986726"])
    }

    @Test func clockValue() throws {
        #expect(try ControlReply.clock(Self.reply("control-reply-clock-1.json")) == 91)
        #expect(throws: PidboxError.self) { try ControlReply.clock(["ok": "pong"]) }
    }

    @Test func configurationSettings() throws {
        let settings = try ControlReply.configuration(Self.reply("control-reply-conf-1.json"))
        #expect(settings["result_backend"] == "rpc://")
        #expect(settings["task_default_priority"] == 5)
        #expect(settings["task_queue_max_priority"] == 10)
        #expect(settings["deprecated_settings"] == JSONValue.null)
        #expect(settings["include"] == ["fixapp", "celery.app.builtins"])
        #expect(settings["broker_url"] == "amqp://guest:********@127.0.0.1:27672//")
    }

    @Test func errorRepliesBecomeWorkerErrors() {
        let error: JSONValue = ["error": "KeyError('nope')"]
        #expect(throws: PidboxError.workerError("KeyError('nope')")) { try ControlReply.registeredTasks(error) }
        #expect(throws: PidboxError.workerError("KeyError('nope')")) { try ControlReply.configuration(error) }
        #expect(throws: PidboxError.workerError("KeyError('nope')")) { try HelloReply(reply: error) }
        #expect(throws: PidboxError.self) { try ControlReply.revokedTaskIDs(["a", 1]) }
    }

    @Test func helloReplyReadsCelerysRevokedData() throws {
        let reply = try HelloReply(reply: [
            "revoked": ["b-id": [1_795_561_600.5, "b-id"], "a-id": [1_795_561_601.25, "a-id"]],
            "clock": 17,
        ])
        #expect(reply.revoked == ["a-id", "b-id"])
        #expect(reply.clock == 17)
        let listed = try HelloReply(reply: ["revoked": ["x"], "clock": 2])
        #expect(listed.revoked == ["x"])
        #expect(throws: PidboxError.self) { try HelloReply(reply: .null) }
    }
}
