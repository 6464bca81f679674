@testable import Celeriac
@testable import CeleriacMonitor
import Foundation
import Testing

/// The two-thread event path must leave exactly the state the one-thread path leaves.
@Suite struct EventPipelineTests {
    /// A stream of task events for `tasks` tasks from three workers, one event per message,
    /// with a batch message and a worker heartbeat among them.
    static func messages(tasks: Int) -> [String] {
        var messages: [String] = []
        for index in 0..<tasks {
            let id = "p-\(index)"
            let worker = "w\(index % 3)@h"
            let time = 1_764_000_000.0 + Double(index)
            messages.append(#"{"type": "task-received", "uuid": "\#(id)", "root_id": "\#(id)", "name": "t.n\#(index % 4)", "hostname": "\#(worker)", "timestamp": \#(time), "args": "(\#(index),)"}"#)
            messages.append(#"[{"type": "task-started", "uuid": "\#(id)", "hostname": "\#(worker)", "timestamp": \#(time + 0.1)}, {"type": "task-\#(index % 5 == 4 ? "failed" : "succeeded")", "uuid": "\#(id)", "hostname": "\#(worker)", "timestamp": \#(time + 0.2), "runtime": 0.1, "exception": "ValueError('x')"}]"#)
            if index % 50 == 0 {
                messages.append(#"{"type": "worker-heartbeat", "hostname": "\#(worker)", "timestamp": \#(time), "freq": 2.0, "active": 1, "processed": \#(index)}"#)
            }
        }
        return messages
    }

    static func submitAll(_ messages: [String], to pipeline: EventPipeline) throws {
        for text in messages {
            try Array(text.utf8).withUnsafeBytes { try pipeline.submit($0, routingKey: "task.multi") }
        }
    }

    @Test(arguments: [1, 7, 16_384])
    func mergesWhatTheOneThreadPathMerges(largestBatch: Int) throws {
        let messages = Self.messages(tasks: 600)
        let piped = MonitorStore(maximumTasks: 500)  // past the bound, so eviction runs too
        let pipeline = EventPipeline(store: piped, largestBatch: largestBatch)
        try Self.submitAll(messages, to: pipeline)
        pipeline.drain()
        let direct = MonitorStore(maximumTasks: 500)
        var decoder = EventStreamDecoder()
        for text in messages {
            try Array(text.utf8).withUnsafeBytes { try direct.apply(message: $0, routingKey: "task.multi", decoder: &decoder) }
        }
        let (pipedTasks, pipedCounts, pipedEvents, pipedLog) = piped.read {
            ($0.cluster.tasks.values.sorted { $0.sequence < $1.sequence }, $0.cluster.countsByState,
             $0.cluster.eventCount, $0.eventLog.lines(last: 20))
        }
        let (directTasks, directCounts, directEvents, directLog) = direct.read {
            ($0.cluster.tasks.values.sorted { $0.sequence < $1.sequence }, $0.cluster.countsByState,
             $0.cluster.eventCount, $0.eventLog.lines(last: 20))
        }
        #expect(pipedTasks.count == 500)
        #expect(pipedTasks == directTasks)
        #expect(pipedCounts == directCounts && pipedCounts[.failure] == 100)
        #expect(pipedEvents == directEvents)
        #expect(pipedLog == directLog)
        pipeline.finish()
    }

    /// A bad entry ends its message there and is reported to the submitter; the events
    /// before it, and every later message, are merged.
    @Test func aBadMessageIsReportedAndTheRestMerged() throws {
        let store = MonitorStore()
        let pipeline = EventPipeline(store: store)
        let bad = #"[{"type": "task-received", "uuid": "b1", "name": "n"}, 7, {"type": "task-received", "uuid": "b2"}]"#
        #expect(throws: CeleryEventError.self) {
            try Array(bad.utf8).withUnsafeBytes { try pipeline.submit($0, routingKey: "task.multi") }
        }
        #expect(throws: CeleryEventError.self) {
            try Array("not json".utf8).withUnsafeBytes { try pipeline.submit($0, routingKey: "task.multi") }
        }
        try Self.submitAll([#"{"type": "task-started", "uuid": "b3", "hostname": "w@h"}"#], to: pipeline)
        pipeline.finish()
        let (first, second, third) = store.read { ($0.cluster.tasks["b1"], $0.cluster.tasks["b2"], $0.cluster.tasks["b3"]) }
        #expect(first?.name == "n")
        #expect(second == nil)
        #expect(third?.state == .started)
    }

    /// The exporter's observer hears of every task event, with the task as merged.
    @Test func theObserverHearsEveryTaskEvent() throws {
        let store = MonitorStore()
        let heard = NIOLockedCounter()
        store.observeEvents { update, record in
            if record?.id == update.uuid { heard.add() }
        }
        let pipeline = EventPipeline(store: store, largestBatch: 3)
        try Self.submitAll(Self.messages(tasks: 40), to: pipeline)
        pipeline.finish()
        #expect(heard.value == 40 * 3)
    }
}

/// A count several threads may add to.
final class NIOLockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
