import Celeriac
import Foundation

/// The worker's events, with the fields and types Celery's worker sends (see the captured
/// events in Tests/Fixtures): task events buffered and sent as `task.multi` batches, worker
/// events each under its own routing key. Sending is best effort: a lost event never fails
/// a task.
struct TaskEventSender: Sendable {
    let publisher: EventPublisher
    /// Sends only while events are enabled (-E, or enable_events at run time).
    let state: WorkerState
    private let buffer: EventBuffer

    init(publisher: EventPublisher, state: WorkerState) {
        self.publisher = publisher
        self.state = state
        buffer = EventBuffer(publisher: publisher)
    }

    func received(_ message: TaskMessage) {
        send("task-received") { event in
            event.field("uuid", message.id)
            event.field("name", message.taskName)
            event.field("args", message.argsRepr ?? JSONValue.pythonTupleRepr(message.args))
            event.field("kwargs", message.kwargsRepr ?? JSONValue.object(message.kwargs).pythonRepr)
            event.field("root_id", message.rootID ?? message.id)
            event.field("parent_id", message.parentID.map(JSONValue.string) ?? .null)
            event.field("retries", message.retries)
            event.field("eta", message.headers["eta"] ?? .null)
            event.field("expires", message.headers["expires"] ?? .null)
        }
    }

    func started(_ id: String) {
        send("task-started") { $0.field("uuid", id) }
    }

    func succeeded(_ id: String, result: JSONValue, runtime: Double) {
        send("task-succeeded") { event in
            event.field("uuid", id)
            event.field("result", result.pythonRepr)
            event.field("runtime", runtime)
        }
    }

    func failed(_ id: String, error: CeleryError) {
        send("task-failed") { event in
            event.field("uuid", id)
            event.field("exception", error.pythonRepr)
            event.field("traceback", error.traceback ?? "")
        }
    }

    func retried(_ id: String, error: CeleryError) {
        send("task-retried") { event in
            event.field("uuid", id)
            event.field("exception", error.pythonRepr)
            event.field("traceback", error.traceback ?? "")
        }
    }

    /// `terminatedBy` is the signal a terminate sent, or 0 for a cooperative cancellation.
    func revoked(_ id: String, expired: Bool, terminatedBy signal: Int32? = nil) {
        send("task-revoked") { event in
            event.field("uuid", id)
            event.field("terminated", .bool(signal != nil))
            event.field("signum", signal.map { .int(Int($0)) } ?? .null)
            event.field("expired", .bool(expired))
        }
    }

    /// A custom state from `updateState` (Celeriac's extension; Celery sends none).
    func progress(_ id: String, state: TaskState, meta: JSONValue) {
        send("task-progress") { event in
            event.field("uuid", id)
            event.field("state", state.rawValue)
            event.field("meta", meta)
        }
    }

    /// Returns once the task events sent so far have left for the broker.
    func published() async {
        await buffer.sent()
    }

    /// A worker event, after the task events before it (worker-offline comes last).
    func worker(_ type: String, _ fields: [String: JSONValue]) async {
        await buffer.sent()
        guard state.eventsEnabled else { return }
        try? await publisher.publish(type, fields: fields)
    }

    /// Stamped and written now, sent soon in a batch with its neighbours.
    private func send(_ type: String, _ fields: (inout JSONObjectWriter) -> Void) {
        guard state.eventsEnabled else { return }
        buffer.add(publisher.encodedEvent(type, fields))
    }
}
