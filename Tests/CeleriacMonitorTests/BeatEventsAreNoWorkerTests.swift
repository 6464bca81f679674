@testable import Celeriac
@testable import CeleriacMonitor
import Testing

/// A beat's events (beat-online, beat-heartbeat, beat-sent, beat-offline — Celeriac's
/// extension on `celeryev`) never make a worker: not in the cluster state, so not in the
/// dashboard's worker list, its counts or the exporter's worker gauges. Celery's own
/// `events.State` skips them the same way: it makes workers only of the "worker" group.
@Suite struct BeatEventsAreNoWorkerTests {
    static let host = "beat.schedule@vm"

    /// The four events as a beat on the wire publishes them (captured from `celeriac beat`
    /// and shortened), with the routing keys it uses.
    static let messages: [(routingKey: String, body: String)] = [
        ("beat.online", #"{"clock": 1, "entries": [{"enabled": true, "last_run_at": null, "name": "add", "next_run_at": null, "schedule": "every 2 s", "task": "demo.add", "total_run_count": 0}], "editable": false, "freq": 5.0, "hostname": "beat.schedule@vm", "pid": 4242, "schedule_store": "/tmp/s.json", "timestamp": 1795703057.28, "type": "beat-online", "utcoffset": -0.0}"#),
        ("beat.heartbeat", #"{"clock": 2, "entries": [{"enabled": true, "last_run_at": 1795703059.28, "name": "add", "next_run_at": 1795703061.28, "schedule": "every 2 s", "task": "demo.add", "total_run_count": 1}], "editable": false, "freq": 5.0, "hostname": "beat.schedule@vm", "pid": 4242, "schedule_store": "/tmp/s.json", "timestamp": 1795703059.31, "type": "beat-heartbeat", "utcoffset": -0.0}"#),
        ("beat.sent", #"{"clock": 3, "entry": "add", "schedule_store": "/tmp/s.json", "hostname": "beat.schedule@vm", "pid": 4242, "scheduled_at": 1795703059.28, "task": "demo.add", "task_id": "aa5967d0-a39d-4030-8f17-ed6d8e259d88", "timestamp": 1795703059.30, "type": "beat-sent", "utcoffset": -0.0}"#),
        ("beat.offline", #"{"clock": 4, "hostname": "beat.schedule@vm", "pid": 4242, "schedule_store": "/tmp/s.json", "timestamp": 1795703060.00, "type": "beat-offline", "utcoffset": -0.0}"#),
    ]

    @Test func beatEventsFromTheWireMakeNoWorker() throws {
        let store = MonitorStore()
        var decoder = EventStreamDecoder()
        for (routingKey, body) in Self.messages {
            try Array(body.utf8).withUnsafeBytes { try store.apply(message: $0, routingKey: routingKey, decoder: &decoder) }
        }
        let (workers, tasks, beats) = store.read { ($0.cluster.workers, $0.cluster.tasks.count, $0.beats.count) }
        #expect(workers.isEmpty, "a beat became a worker: \(workers.keys.sorted())")
        #expect(tasks == 0, "beat-sent names a task id, but the task's own events make the task")
        #expect(beats == 1, "the beat is known as a beat")
    }

    /// The same events built by hand, with every field a worker event has (freq, sw_ident,
    /// active…): the type alone decides, so a beat's heartbeat never counts as a worker's.
    @Test func constructedBeatEventsMakeNoWorkerEvenWithWorkerFields() {
        var state = ClusterState()
        let workerish: [String: JSONValue] = ["freq": 5.0, "sw_ident": "celeriac", "sw_ver": "1.0", "sw_sys": "Linux",
                                              "active": 0, "processed": 3, "loadavg": [0.1, 0.2, 0.3]]
        for (index, type) in ["beat-online", "beat-heartbeat", "beat-sent", "beat-offline"].enumerated() {
            state.apply(CeleryEvent(type: type, hostname: Self.host, timestamp: 100 + Double(index), fields: workerish))
        }
        #expect(state.workers.isEmpty, "\(state.workers.keys.sorted())")
        // A worker event from the same host name would make one: the check is on the type.
        state.apply(CeleryEvent(type: "worker-heartbeat", hostname: "w1@vm", timestamp: 105, fields: workerish))
        #expect(state.workers.keys.sorted() == ["w1@vm"])
    }
}
