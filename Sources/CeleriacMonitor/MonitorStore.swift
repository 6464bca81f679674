import Celeriac
import Foundation
import NIOConcurrencyHelpers

/// The monitor's model behind a lock: the event feed and pollers write it from their tasks,
/// the terminal's drawing thread reads just what one frame needs. A lock rather than an actor
/// so a frame is drawn without hopping onto the cooperative pool.
public final class MonitorStore: Sendable {
    private let model: NIOLockedValueBox<MonitorModel>
    private let lastIndexBuild = NIOLockedValueBox(-Double.infinity)
    private let observer = NIOLockedValueBox<(@Sendable (TaskEventUpdate, TaskRecord?) -> Void)?>(nil)

    public init(maximumTasks: Int = 100_000) {
        model = NIOLockedValueBox(MonitorModel(maximumTasks: maximumTasks))
    }

    /// Reads under the lock; keep `body` short (a frame's rows, not a full scan).
    public func read<T>(_ body: (MonitorModel) throws -> T) rethrows -> T {
        try model.withLockedValue { try body($0) }
    }

    func update<T, Failure: Error>(_ body: (inout MonitorModel) throws(Failure) -> T) throws(Failure) -> T {
        try model.withLockedValue { model in
            Result { () throws(Failure) in try body(&model) }
        }.get()
    }

    public func apply(_ event: CeleryEvent) {
        let observer = observer.withLockedValue { $0 }
        let record = update { model -> TaskRecord? in
            model.apply(event)
            return observer == nil ? nil : event.task.flatMap { model.cluster.tasks[$0.uuid] }
        }
        if let observer, let update = TaskEventUpdate(event) { observer(update, record) }
    }

    /// Decodes one message from the event exchange and merges its events; when an entry is
    /// not an event, the ones before it are merged and the error names it. (The event feed
    /// decodes and merges on two threads instead: `EventPipeline`.)
    public func apply(message body: UnsafeRawBufferPointer, routingKey: String,
                      decoder: inout EventStreamDecoder) throws(CeleryEventError) {
        let (events, failure) = DecodedEvents.decoding(body, routingKey: routingKey, with: &decoder)
        apply(events)
        if let failure { throw failure }
    }

    /// Merges decoded events under one lock; the observer hears of them after it.
    func apply(_ events: DecodedEvents) {
        guard let observer = observer.withLockedValue({ $0 }) else {
            update { $0.apply(events) }
            return
        }
        var observed: [(TaskEventUpdate, TaskRecord?)] = []
        update { $0.apply(events) { observed.append(($0, $1)) } }
        for (update, record) in observed { observer(update, record) }  // outside the lock
    }

    /// Called after each task event with the task it touched (as merged), outside the lock:
    /// the exporter counts events and runtimes here.
    public func observeEvents(_ body: @escaping @Sendable (TaskEventUpdate, TaskRecord?) -> Void) {
        observer.withLockedValue { $0 = body }
    }

    /// Shows `text` in the status line.
    public func post(_ kind: StatusMessage.Kind, _ text: String) {
        update {
            $0.status = StatusMessage(kind, text, at: Date().timeIntervalSince1970)
            $0.changed()
        }
    }

    /// Sets what the Tasks screen lists; the index follows within a moment (`refreshTaskIndex`).
    public func setTaskQuery(_ query: TaskQuery) {
        update {
            guard $0.taskQuery != query else { return }
            $0.taskQuery = query
            $0.changed()
        }
    }

    /// Rebuilds the task index if the query or the tasks changed. The tasks are copied out
    /// under the lock (copy-on-write, O(1)) and filtered and sorted outside it, so neither the
    /// event feed nor a frame waits for the sort. With many tasks, rebuilds for new events are
    /// spaced `minimumInterval` apart.
    public func refreshTaskIndex(now: Double, minimumInterval: Double = 1.0) {
        let job: (TaskQuery, TaskTable, Int)? = read { model in
            let stale = model.taskIndex.builtAt != model.cluster.version
            let queryChanged = model.taskIndex.query != model.taskQuery || model.taskIndex.builtAt < 0
            guard queryChanged || (stale && (model.cluster.tasks.count < 10_000
                                             || now - lastIndexBuild.withLockedValue { $0 } >= minimumInterval))
            else { return nil }
            return (model.taskQuery, model.cluster.tasks, model.cluster.version)
        }
        guard let (query, tasks, version) = job else { return }
        let index = TaskIndex.build(query, from: tasks, version: version)
        lastIndexBuild.withLockedValue { $0 = now }
        update {
            guard $0.taskQuery == query else { return }  // asked for another meanwhile: next round
            $0.taskIndex = index
            $0.changed()
        }
    }

    func setConnection(_ status: ConnectionStatus) {
        update {
            $0.connection = status
            $0.changed()
        }
    }
}
