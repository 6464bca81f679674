import Foundation
import Testing
@testable import Celeriac

@Suite struct TaskInfoTests {
    static func reply(_ name: String) throws -> JSONValue {
        try PidboxReply(ControlFixture.load(name).brokerMessage).reply
    }

    /// `Request.info()` for a running task (celery/worker/request.py), plus a field Celery may add later.
    static let runningTask = """
        {"id": "0c36ccd1-9241-45cf-b11f-f2ce3470f863", "name": "fix.sleep", "args": [3], "kwargs": {},
         "type": "fix.sleep", "hostname": "fixw@vm", "time_start": 1795561675.25, "acknowledged": true,
         "delivery_info": {"exchange": "", "routing_key": "celery", "priority": 5, "redelivered": false},
         "worker_pid": 7713, "future_field": 1}
        """

    /// The same task before it runs.
    static let waitingTask = """
        {"id": "f95a3fa5-6035-45dc-bfd1-1b102d986726", "name": "fix.add", "args": [2, 3], "kwargs": {},
         "type": "fix.add", "hostname": "fixw@vm", "time_start": null, "acknowledged": false,
         "delivery_info": {"exchange": "", "routing_key": "fixq", "priority": 9, "redelivered": false},
         "worker_pid": null}
        """

    @Test func capturedListsAreEmpty() throws {
        #expect(try TaskInfo.list(from: Self.reply("control-reply-active-1.json")).isEmpty)
        #expect(try TaskInfo.list(from: Self.reply("control-reply-reserved-1.json"), method: "reserved").isEmpty)
        #expect(try ScheduledTask.list(from: Self.reply("control-reply-scheduled-1.json")).isEmpty)
        #expect(try QueriedTask.byID(from: Self.reply("control-reply-query_task-1.json")).isEmpty)
    }

    @Test func runningTaskInfo() throws {
        let info = try TaskInfo(json: JSONValue(parsing: Self.runningTask))
        #expect(info.id == "0c36ccd1-9241-45cf-b11f-f2ce3470f863")
        #expect(info.name == "fix.sleep")
        #expect(info.args == [3])
        #expect(info.kwargs == [:])
        #expect(info.type == "fix.sleep")
        #expect(info.hostname == "fixw@vm")
        #expect(info.timeStart == 1795561675.25)
        #expect(info.acknowledged)
        #expect(info.deliveryInfo == DeliveryInfo(exchange: "", routingKey: "celery", priority: 5, redelivered: false))
        #expect(info.workerPID == 7713)
        #expect(info.raw["future_field"] == 1)
    }

    @Test func waitingTaskInfo() throws {
        let info = try TaskInfo(json: JSONValue(parsing: Self.waitingTask))
        #expect(info.timeStart == nil)
        #expect(!info.acknowledged)
        #expect(info.workerPID == nil)
        #expect(info.deliveryInfo?.routingKey == "fixq")
        #expect(info.deliveryInfo?.priority == 9)
    }

    @Test func activeListOfTasks() throws {
        let reply = try JSONValue(parsing: "[\(Self.runningTask), \(Self.waitingTask)]")
        let tasks = try TaskInfo.list(from: reply)
        #expect(tasks.map(\.name) == ["fix.sleep", "fix.add"])
    }

    @Test func scheduledEntryWrapsTheRequest() throws {
        let reply = try JSONValue(parsing: """
            [{"eta": "2026-11-24T23:08:36.500000+00:00", "priority": 6, "request": \(Self.waitingTask)}]
            """)
        let entry = try #require(try ScheduledTask.list(from: reply).first)
        #expect(entry.eta == "2026-11-24T23:08:36.500000+00:00")
        #expect(entry.etaDate == Date(timeIntervalSince1970: 1_795_561_716.5))
        #expect(entry.priority == 6)
        #expect(entry.request.id == "f95a3fa5-6035-45dc-bfd1-1b102d986726")
        #expect(entry.raw["request"]?["args"] == [2, 3])
    }

    @Test func queriedTasksByID() throws {
        let reply = try JSONValue(parsing: """
            {"0c36ccd1-9241-45cf-b11f-f2ce3470f863": ["active", \(Self.runningTask)]}
            """)
        let tasks = try QueriedTask.byID(from: reply)
        let task = try #require(tasks["0c36ccd1-9241-45cf-b11f-f2ce3470f863"])
        #expect(task.state == "active")
        #expect(task.info.workerPID == 7713)
    }

    @Test func malformedEntriesAreRefused() {
        #expect(throws: PidboxError.self) { try TaskInfo(json: ["name": "fix.add"]) }
        #expect(throws: PidboxError.self) { try TaskInfo.list(from: ["ok": "pong"]) }
        #expect(throws: PidboxError.workerError("no")) { try TaskInfo.list(from: ["error": "no"]) }
        #expect(throws: PidboxError.self) { try ScheduledTask(json: ["eta": .null]) }
        #expect(throws: PidboxError.self) { try QueriedTask(json: ["active"]) }
    }
}
