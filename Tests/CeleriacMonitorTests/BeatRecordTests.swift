@testable import Celeriac
@testable import CeleriacMonitor
import Testing

/// A beat's schedule from its events: heartbeats replace the entries, beat-sent names the
/// task each entry sent last, silence or beat-offline makes it gone.
@Suite struct BeatRecordTests {
    static func event(_ type: String, at timestamp: Double, _ fields: [String: JSONValue] = [:]) -> CeleryEvent {
        CeleryEvent(type: type, hostname: "beat@host", timestamp: timestamp, fields: fields)
    }

    static let schedule: [String: JSONValue] = [
        "schedule_store": "/var/beat.json", "freq": 5,
        "entries": [["name": "add", "task": "demo.add", "schedule": "every 10 s", "enabled": true,
                     "last_run_at": 100, "next_run_at": 110, "total_run_count": 4]],
    ]

    /// A beat on the database store says so, and gives each entry's spec and arguments, which
    /// the dashboard's edit form starts from; an older beat's heartbeat leaves them empty.
    @Test func anEditableBeatGivesWhatTheFormNeeds() {
        var model = MonitorModel()
        var editable = Self.schedule
        editable["editable"] = true
        editable["entries"] = [["name": "add", "task": "demo.add", "schedule": "every 10 s", "spec": "every 10 s",
                                "args": [2, 3], "kwargs": ["z": 1], "enabled": true, "total_run_count": 0]]
        model.apply(Self.event("beat-heartbeat", at: 100, editable))
        let beat = model.beats.values.first
        #expect(beat?.editable == true)
        #expect(beat?.entries.first?.spec == "every 10 s" && beat?.entries.first?.args == [2, 3]
                && beat?.entries.first?.kwargs == ["z": 1])
        model.apply(Self.event("beat-heartbeat", at: 105, Self.schedule))
        #expect(model.beats.values.first?.editable == false && model.beats.values.first?.entries.first?.spec == nil)
    }

    @Test func theScheduleAndTheLastSentTaskComeFromTheEvents() {
        var model = MonitorModel()
        model.apply(Self.event("beat-online", at: 100, Self.schedule))
        model.apply(Self.event("beat-sent", at: 110, ["entry": "add", "task": "demo.add", "task_id": "t-1", "scheduled_at": 110,
                                                      "schedule_store": "/var/beat.json"]))
        model.apply(Self.event("beat-heartbeat", at: 111, Self.schedule))
        let beat = model.beats.values.first
        #expect(beat?.store == "/var/beat.json" && beat?.entries.count == 1)
        #expect(beat?.entries.first?.lastTaskID == "t-1", "a heartbeat keeps the task last sent")
        #expect(model.beatRows.map(\.entry.name) == ["add"] && model.beatRows.first?.entry.nextRunAt == 110)
        #expect(beat?.isAlive(at: 120) == true)
        #expect(beat?.isAlive(at: 127) == false, "three heartbeats missed")
        model.apply(Self.event("beat-offline", at: 121, ["schedule_store": "/var/beat.json"]))
        #expect(model.beats.count == 1 && model.beats.values.first?.isAlive(at: 121) == false)
        model.apply(Self.event("beat-online", at: 122, ["schedule_store": "/var/other.json", "entries": []]))
        #expect(model.beats.count == 2, "a second beat on the same host, with its own schedule file")
    }

    /// The same, as the beat's messages arrive: through the monitor's event decoder.
    @Test func beatMessagesFromTheWireReachTheRecord() throws {
        let store = MonitorStore()
        var decoder = EventStreamDecoder()
        let messages = [
            ("beat.online", #"{"clock": 1, "entries": [{"enabled": true, "last_run_at": null, "name": "add", "next_run_at": null, "schedule": "every 2 s", "task": "demo.add", "total_run_count": 0}], "freq": 5.0, "hostname": "beat@vm", "pid": 1, "schedule_store": "/tmp/s.json", "timestamp": 1795703057.28, "type": "beat-online", "utcoffset": -0.0}"#),
            ("beat.sent", #"{"clock": 2, "entry": "add", "schedule_store": "/tmp/s.json", "hostname": "beat@vm", "pid": 1, "scheduled_at": 1795703059.28, "task": "demo.add", "task_id": "aa5967d0-a39d-4030-8f17-ed6d8e259d88", "timestamp": 1795703059.30, "type": "beat-sent", "utcoffset": -0.0}"#),
            ("beat.heartbeat", #"{"clock": 3, "entries": [{"enabled": true, "last_run_at": 1795703059.28, "name": "add", "next_run_at": 1795703061.28, "schedule": "every 2 s", "task": "demo.add", "total_run_count": 1}], "freq": 5.0, "hostname": "beat@vm", "pid": 1, "schedule_store": "/tmp/s.json", "timestamp": 1795703059.31, "type": "beat-heartbeat", "utcoffset": -0.0}"#),
        ]
        for (routingKey, text) in messages {
            try Array(text.utf8).withUnsafeBytes { try store.apply(message: $0, routingKey: routingKey, decoder: &decoder) }
        }
        let entry = store.read { $0.beatRows.first?.entry }
        #expect(entry?.lastTaskID == "aa5967d0-a39d-4030-8f17-ed6d8e259d88" && entry?.totalRunCount == 1)
    }
}
