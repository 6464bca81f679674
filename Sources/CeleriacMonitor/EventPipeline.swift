import Celeriac
import Foundation

/// Decodes event messages on the caller's thread and merges them into the store on a thread
/// of its own, so a busy cluster's events use two cores: the next messages are read while
/// the last ones are merged. Messages that arrive while a merge runs are decoded into one
/// batch, which the merging thread takes whole when it is done — under load the batches
/// grow, when idle each message is merged at once.
///
/// Call `finish()` when done: it merges what is left and ends the thread.
public final class EventPipeline: @unchecked Sendable {
    // @unchecked: `pending`, `decoder`, the counters and `finishing` are only touched with
    // `condition` locked; `working` only by the merging thread.
    private let store: MonitorStore
    // Unchecked exclusivity: the lock already keeps accesses apart, and the runtime's own
    // check costs a thread-local lookup per access, several per event.
    private let condition = NSCondition()
    @exclusivity(unchecked) private var decoder = EventStreamDecoder()
    @exclusivity(unchecked) private var pending = DecodedEvents()
    @exclusivity(unchecked) private var working = DecodedEvents()
    /// Messages handed in, and how many of them are merged: `drain` waits for the two to meet.
    @exclusivity(unchecked) private var submitted = 0
    @exclusivity(unchecked) private var merged = 0
    private var finishing = false
    private var finished = false
    /// A batch this large waits for the merging thread to take it, so a decoder that runs
    /// ahead of the merge holds a bounded number of events, not the whole backlog.
    private let largestBatch: Int

    public init(store: MonitorStore, largestBatch: Int = 16_384) {
        self.store = store
        self.largestBatch = max(1, largestBatch)
        let thread = Thread { [self] in mergeUntilFinished() }
        thread.name = "celeriac-event-merge"
        thread.start()
    }

    /// Decodes one message from the event exchange for merging. When an entry is not an
    /// event, the ones before it are still merged and the error names it.
    public func submit(_ body: UnsafeRawBufferPointer, routingKey: String) throws(CeleryEventError) {
        condition.lock()
        while pending.count >= largestBatch { condition.wait() }
        defer {
            submitted += 1
            condition.broadcast()
            condition.unlock()
        }
        try pending.decode(body, routingKey: routingKey, with: &decoder)
    }

    /// Returns once every message submitted so far is merged into the store.
    public func drain() {
        condition.lock()
        let target = submitted
        while merged < target { condition.wait() }
        condition.unlock()
    }

    /// Merges what is left and ends the merging thread; later submits are merged by none.
    public func finish() {
        drain()
        condition.lock()
        finishing = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func mergeUntilFinished() {
        while true {
            condition.lock()
            while pending.isEmpty && submitted == merged && !finishing { condition.wait() }
            if pending.isEmpty && submitted == merged && finishing {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            swap(&pending, &working)
            let upTo = submitted
            condition.broadcast()  // room again for a decoder waiting on a full batch
            condition.unlock()

            store.apply(working)
            working.removeAll()

            condition.lock()
            merged = upTo
            condition.broadcast()
            condition.unlock()
        }
    }
}
