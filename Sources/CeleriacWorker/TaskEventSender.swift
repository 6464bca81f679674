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
        send("task-received", [
            "uuid": .string(message.id), "name": .string(message.taskName),
            "args": .string(message.argsRepr ?? JSONValue.pythonTupleRepr(message.args)),
            "kwargs": .string(message.kwargsRepr ?? JSONValue.object(message.kwargs).pythonRepr),
            "root_id": .string(message.rootID ?? message.id),
            "parent_id": message.parentID.map(JSONValue.string) ?? .null,
            "retries": .int(message.retries),
            "eta": message.headers["eta"] ?? .null, "expires": message.headers["expires"] ?? .null,
        ])
    }

    func started(_ id: String) {
        send("task-started", ["uuid": .string(id)])
    }

    func succeeded(_ id: String, result: JSONValue, runtime: Double) {
        send("task-succeeded", ["uuid": .string(id), "result": .string(result.pythonRepr), "runtime": .double(runtime)])
    }

    func failed(_ id: String, error: CeleryError) {
        send("task-failed", ["uuid": .string(id), "exception": .string(error.pythonRepr),
                                   "traceback": .string(error.traceback ?? "")])
    }

    func retried(_ id: String, error: CeleryError) {
        send("task-retried", ["uuid": .string(id), "exception": .string(error.pythonRepr),
                                    "traceback": .string(error.traceback ?? "")])
    }

    /// `terminatedBy` is the signal a terminate sent, or 0 for a cooperative cancellation.
    func revoked(_ id: String, expired: Bool, terminatedBy signal: Int32? = nil) {
        send("task-revoked", ["uuid": .string(id), "terminated": .bool(signal != nil),
                                    "signum": signal.map { .int(Int($0)) } ?? .null, "expired": .bool(expired)])
    }

    /// A custom state from `updateState` (Celeriac's extension; Celery sends none).
    func progress(_ id: String, state: TaskState, meta: JSONValue) {
        send("task-progress", ["uuid": .string(id), "state": .string(state.rawValue), "meta": meta])
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

    /// Stamped now, sent soon in a batch with its neighbours.
    private func send(_ type: String, _ fields: [String: JSONValue]) {
        guard state.eventsEnabled else { return }
        buffer.add(publisher.event(type, fields: fields))
    }
}
