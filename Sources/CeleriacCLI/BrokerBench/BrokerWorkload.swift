import AMQPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// The broker benchmark's workloads, each run the same way against every broker.
enum BrokerWorkload: String, CaseIterable, Sendable {
    /// (a) Persistent messages with publisher confirms, consumed with manual acks, prefetch 100.
    case persistent
    /// (b) Transient messages, no confirms, consumed with auto-ack.
    case transient
    /// (c) One publish fanned out to ten queues, each consumed with auto-ack.
    case fanout
    /// (d) A thousand queues with a few messages each.
    case manyQueues = "many-queues"
    /// (e) 16-byte transient messages, one producer and one consumer, end to end (LavinMQ's
    /// published workload).
    case small

    var title: String {
        switch self {
        case .persistent: return "(a) persistent, confirms, acks, prefetch 100"
        case .transient: return "(b) transient, auto-ack"
        case .fanout: return "(c) fanout to 10 queues"
        case .manyQueues: return "(d) 1,000 queues, 5 messages each"
        case .small: return "(e) 16-byte transient, 1 producer, 1 consumer"
        }
    }
}

/// One workload's figures on one broker.
struct BrokerWorkloadResult: Sendable {
    var messagesPerSecond: Double
    /// Publish → confirm, seconds, for workloads with confirms.
    var confirmP50: Double?
    var confirmP99: Double?
    var residentMiB: Double
}

/// Counts deliveries from many consumers and wakes the waiter when the target is reached.
final class DeliveryCounter: Sendable {
    private let state: NIOLockedValueBox<(count: Int, target: Int, waiter: CheckedContinuation<Void, Never>?)>

    init(target: Int) {
        state = NIOLockedValueBox((0, target, nil))
    }

    func add(_ count: Int = 1) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            state.count += count
            guard state.count >= state.target, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    func reached() async {
        await withCheckedContinuation { continuation in
            let done = state.withLockedValue { state -> Bool in
                if state.count >= state.target { return true }
                state.waiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }
}

/// At most `limit` publishes awaiting their confirms, without a Swift task for each: the
/// publisher waits in `enter` while the window is full, and each confirm's callback leaves
/// it with the publish → confirm time.
final class ConfirmWindow: Sendable {
    private struct State {
        var inFlight = 0
        var latencies: [Double] = []
        var failure: (any Error)?
        var waiter: CheckedContinuation<Void, Never>?
        var drainWaiter: CheckedContinuation<Void, Never>?
    }

    private let limit: Int
    private let state: NIOLockedValueBox<State>

    init(limit: Int, expected: Int) {
        self.limit = limit
        var initial = State()
        initial.latencies.reserveCapacity(expected)
        state = NIOLockedValueBox(initial)
    }

    func enter() async {
        await withCheckedContinuation { continuation in
            let now = state.withLockedValue { state -> Bool in
                guard state.inFlight >= limit else {
                    state.inFlight += 1
                    return true
                }
                state.waiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// One confirm came (or failed); a waiting publisher takes its place at once.
    func leave(latency: Double, result: Result<Void, any Error>) {
        let wake = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            state.latencies.append(latency)
            if case .failure(let error) = result, state.failure == nil { state.failure = error }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter  // its slot passes straight on
            }
            state.inFlight -= 1
            if state.inFlight == 0, let drain = state.drainWaiter {
                state.drainWaiter = nil
                return drain
            }
            return nil
        }
        wake?.resume()
    }

    /// Waits for every confirm; returns the latencies, or throws the first failure.
    func drained() async throws -> [Double] {
        await withCheckedContinuation { continuation in
            let now = state.withLockedValue { state -> Bool in
                if state.inFlight == 0 { return true }
                state.drainWaiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
        let (latencies, failure) = state.withLockedValue { ($0.latencies, $0.failure) }
        if let failure { throw failure }
        return latencies
    }
}
