import Celeriac
import Synchronization

/// A task admitted to run, shared by the closures that accept, run, give back or discard it:
/// they hold one reference rather than each a copy of the message, the task and the delivery.
final class AdmittedTask: Sendable {
    let message: TaskMessage
    let task: RegisteredTask
    let delivery: ReceivedMessage
    let queue: String
    /// Whether the pool's accept acked the message already (early ack). Set before the run
    /// reads it, often on another thread.
    private let acked = Atomic<Bool>(false)

    init(message: TaskMessage, task: RegisteredTask, delivery: ReceivedMessage, queue: String) {
        self.message = message
        self.task = task
        self.delivery = delivery
        self.queue = queue
    }

    var acknowledged: Bool {
        get { acked.load(ordering: .acquiring) }
        set { acked.store(newValue, ordering: .releasing) }
    }
}
