import AMQPClient
import Celeriac
import Foundation
import Logging
import NIOConcurrencyHelpers

/// A worker: consumes its queues, runs each task in its pool, stores results and sends
/// events — a peer of Celery's worker on the wire. `run()` returns after `stop()` once the
/// tasks in flight have finished (Celery's warm shutdown).
public final class Worker: Sendable {
    public let app: App
    public let options: WorkerOptions
    /// The node name, expanded (e.g. "celeriac@build-3").
    public let hostname: String
    private let logger: Logger
    private let stopping = NIOLockedValueBox(Stopping())

    /// What a warm shutdown stops: the consumers, and the timers holding ETA tasks (whose
    /// messages go back to the queue, as Celery's do).
    private struct Stopping {
        var requested = false
        var consumers: QueueConsumers?
        var timers: [String: Task<Void, Never>] = [:]
    }

    public init(app: App, options: WorkerOptions, logger: Logger = Logger(label: "celeriac.worker")) {
        self.app = app
        self.options = options
        self.hostname = NodeName.expand(options.nodeName)
        self.logger = logger
    }

    /// Runs until `stop()`; throws when the broker cannot be reached or a queue not declared.
    public func run() async throws {
        let pidFile = options.pidFile.map { PidFile(path: NodeName.expandFile($0, node: hostname)) }
        try pidFile?.create()
        defer { pidFile?.remove() }
        let revokedStore = options.stateDB.map { RevokedStore(path: NodeName.expandFile($0, node: hostname)) }
        let transport = try await app.transport()
        let state = WorkerState(hostname: hostname, eventsEnabled: options.sendEvents)
        if let revokedStore {
            state.revoke(try revokedStore.load())
            let logger = logger
            state.onRevoke = { ids in
                do { try revokedStore.save(ids) } catch { logger.error("\(error)") }
            }
        }
        let limits = TaskLimits()
        let threads = options.pool == .threads ? ThreadPoolExecutor(threads: max(1, options.concurrency)) : nil
        let clock = LamportClock()
        let events = TaskEventSender(publisher: EventPublisher(transport: transport, hostname: hostname, clock: clock),
                                     state: state)
        let runner = TaskRunner(app: app, hostname: hostname,
                                results: ResultSink(transport: transport, backend: try await app.resultBackend(),
                                                    extended: app.configuration.resultExtended, hostname: hostname),
                                events: events, transport: transport, state: state, limits: limits,
                                threads: threads, logger: logger)
        let concurrency = options.pool == .solo ? 1 : max(1, options.concurrency)
        let prefetch = (options.prefetchMultiplier ?? app.configuration.prefetchMultiplier) * concurrency
        let slots = TaskSlots(concurrency)
        let consumers = QueueConsumers(transport: transport, prefetch: prefetch,
                                       maxPriority: app.configuration.queueMaxPriority, logger: logger) { [weak self] _ in
            self?.stop()  // the broker went away: stop warm rather than idle without a queue
        }
        for queue in options.consumedQueues(for: app.configuration) { try await consumers.add(queue) }
        let control = try await ControlServer(
            transport: transport,
            commands: ControlCommands(app: app, state: state, slots: slots, consumers: consumers, limits: limits,
                                      threads: threads, hostname: hostname,
                                      pool: options.pool, prefetch: prefetch, clock: clock,
                                      shutdown: { [weak self] in self?.stop() }),
            hostname: hostname, logger: logger
        ).start()
        let alreadyStopping = stopping.withLockedValue { state in
            state.consumers = consumers
            return state.requested
        }
        if alreadyStopping { consumers.stopAll() }
        let deliveries = consumers.deliveries
        await events.worker("worker-online", heartbeatFields(active: 0, processed: state.processedCount))
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(options.heartbeatInterval))  // the heartbeat's period itself
                await events.worker("worker-heartbeat", heartbeatFields(active: state.activeCount, processed: state.processedCount))
            }
        }
        logger.info("\(hostname) ready: \(options.pool.rawValue) pool of \(concurrency), consuming \(consumers.queues.joined(separator: ", "))")

        await withDiscardingTaskGroup { group in
            for await (delivery, queue) in deliveries {
                if stopping.withLockedValue({ $0.requested }) {
                    // Prefetched but not started: back to the queue for another worker, as Celery does.
                    try? delivery.reject(requeue: true)
                    continue
                }
                guard case .run(let message, let task) = await runner.admit(delivery, queue: queue) else { continue }
                let runInSlot: @Sendable () async -> Void = {
                    await runner.run(message, task, delivery: delivery, queue: queue)
                    await slots.release()
                }
                // An ETA, then the rate limit: the worker holds the task until both allow it
                // (Celery's timer and token bucket), then it waits for a slot.
                let due = max(message.eta ?? .distantPast, Date().addingTimeInterval(limits.rateDelay(for: task)))
                if due > Date() {
                    hold(message, until: due, delivery: delivery, state: state) {
                        await slots.acquire()
                        await runInSlot()
                    }
                    continue
                }
                await slots.acquire()  // no more in flight than the pool holds
                if options.pool == .solo {
                    await runInSlot()
                } else {
                    group.addTask { await runInSlot() }
                }
            }
        }
        for timer in stopping.withLockedValue({ Array($0.timers.values) }) { await timer.value }
        heartbeat.cancel()
        control.cancel()
        await events.worker("worker-offline", heartbeatFields(active: 0, processed: state.processedCount))
        logger.info("\(hostname) stopped after \(state.processedCount) tasks")
    }

    /// Warm shutdown: stop consuming; `run()` returns once the tasks in flight are done.
    public func stop() {
        let (consumers, timers) = stopping.withLockedValue { state in
            state.requested = true
            return (state.consumers, Array(state.timers.values))
        }
        consumers?.stopAll()
        timers.forEach { $0.cancel() }
    }

    /// Runs `body` when `eta` comes, on a timer a shutdown cancels: the message then goes
    /// back to the queue unstarted.
    private func hold(_ message: TaskMessage, until eta: Date, delivery: ReceivedMessage, state: WorkerState,
                      then body: @escaping @Sendable () async -> Void) {
        let id = message.id
        let timer = Task {
            do {
                try await Task.sleep(for: .seconds(eta.timeIntervalSinceNow))  // the ETA itself
            } catch {
                try? delivery.reject(requeue: true)
                state.finish(id, name: message.taskName, ran: false)
                stopping.withLockedValue { _ = $0.timers.removeValue(forKey: id) }
                return
            }
            await body()
            stopping.withLockedValue { _ = $0.timers.removeValue(forKey: id) }
        }
        let stopped = stopping.withLockedValue { stopping in
            stopping.timers[id] = timer
            return stopping.requested
        }
        if stopped { timer.cancel() }
    }

    /// `sw_sys`, as Python's `platform.system()` names it.
    private static var systemName: String {
        #if os(Linux)
        "Linux"
        #elseif os(macOS)
        "Darwin"
        #else
        "Unknown"
        #endif
    }

    private func heartbeatFields(active: Int, processed: Int) -> [String: JSONValue] {
        var load = [Double](repeating: 0, count: 3)
        _ = getloadavg(&load, 3)
        return [
            "freq": .double(options.heartbeatInterval), "active": .int(active),
            "processed": .int(processed),
            "loadavg": .array(load.map { .double(($0 * 100).rounded() / 100) }),
            "sw_ident": "celeriac", "sw_ver": .string(celeriacVersion), "sw_sys": .string(Self.systemName),
        ]
    }
}
