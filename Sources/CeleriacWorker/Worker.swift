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
    let logger: Logger
    private let stopping = NIOLockedValueBox(Stopping())
    /// While `run()` runs, for `stopCold()`.
    private let state = NIOLockedValueBox<WorkerState?>(nil)
    private let runningPool = NIOLockedValueBox<(any ExecutionPool)?>(nil)

    /// For the reconnection extension, which lives in its own file.
    func withStopping<T>(_ body: (inout Stopping) -> T) -> T { stopping.withLockedValue(body) }

    /// What a warm shutdown stops: the consumers, and the timers holding ETA tasks (whose
    /// messages go back to the queue, as Celery's do).
    struct Stopping {
        var requested = false
        var consumers: QueueConsumers?
        var slots: TaskSlots?
        var timers: [String: Task<Void, Never>] = [:]
        var announced: Set<AppSignals.Shutdown> = []
        /// Queues whose consumer the broker's going away ended, to consume again.
        var lostQueues: [String] = []
        /// The remote-control mailbox went with the connection and is not back yet.
        var controlLost = false
        var reconnecting = false
        /// The remote-control mailbox's consumer, replaced after a reconnection.
        var control: Task<Void, Never>?
        var restartControl: (@Sendable () async throws -> Task<Void, Never>)?
        /// The pause between start-up attempts to reach the broker, which a stop cuts short.
        var startupPause: Task<Void, any Error>?
    }

    public init(app: App, options: WorkerOptions, logger: Logger = Logger(label: "celeriac.worker")) {
        self.app = app
        self.options = options
        self.hostname = NodeName.expand(options.nodeName)
        self.logger = logger
    }

    /// Runs until `stop()`; throws when the broker cannot be reached (after the start-up
    /// retries) or a queue not declared.
    public func run() async throws {
        let pidFile = options.pidFile.map { PidFile(path: NodeName.expandFile($0, node: hostname)) }
        try pidFile?.create()
        defer { pidFile?.remove() }
        let revokedStore = options.stateDB.map { RevokedStore(path: NodeName.expandFile($0, node: hostname)) }
        // Events, results, retries and control replies leave on a connection apart from the one that consumes.
        let (transport, publishing) = try await connectAtStart()
        let state = WorkerState(hostname: hostname, eventsEnabled: options.sendEvents)
        self.state.withLockedValue { $0 = state }
        if let revokedStore {
            state.revoke(try revokedStore.load())
            let logger = logger
            state.onRevoke = { ids in
                do { try revokedStore.save(ids) } catch { logger.error("\(error)") }
            }
        }
        let limits = TaskLimits()
        // Under autoscale the pool starts at its minimum and messages are prefetched for its maximum.
        let maxConcurrency = options.pool == .solo ? 1 : max(1, options.autoscale?.max ?? options.concurrency)
        let concurrency = options.pool == .solo ? 1 : max(1, options.autoscale.map { min($0.min, $0.max) } ?? options.concurrency)
        let backend = try await app.resultBackend()
        // From here on a failure closes the pool before it is thrown: no child left behind.
        let pool = try await makePool(concurrency: concurrency)
        let clock = LamportClock()
        let events = TaskEventSender(publisher: EventPublisher(transport: publishing, hostname: hostname, clock: clock),
                                     state: state)
        let runner = TaskRunner(app: app, hostname: hostname,
                                results: ResultSink(transport: publishing, backend: backend,
                                                    extended: app.configuration.resultExtended, hostname: hostname),
                                events: events, transport: publishing, state: state, limits: limits,
                                pool: pool, logger: logger)
        let prefetch = (options.prefetchMultiplier ?? app.configuration.prefetchMultiplier) * maxConcurrency
        let slots = TaskSlots(concurrency)
        let autoscaler = options.pool == .solo ? nil : options.autoscale.map {
            Autoscaler(range: .init(max: max(1, $0.max), min: max(0, min($0.min, $0.max))), slots: slots, pool: pool,
                       workerState: state, logger: logger)
        }
        let autoscaling = Task { await autoscaler?.run() }
        if app.configuration.usesQuorumQueues {
            // Quorum queues refuse global QoS: the prefetch is per consumer, as Celery's is then.
            logger.info("Global QoS is disabled. Prefetch count is now static (quorum queues). Native delayed delivery: on")
        }
        let configuration = app.configuration
        let consumers = QueueConsumers(
            transport: transport, prefetch: prefetch, shape: { configuration.taskQueueShape(for: $0) },
            delayedDelivery: NativeDelayedDelivery.Setup(configuration: app.configuration), logger: logger,
            handler: { [weak self] delivery, queue in
                self?.admit(delivery, from: queue, runner: runner, slots: slots, limits: limits, state: state)
            },
            onLost: { [weak self] queue in self?.connectionLost(queue) })
        let controlServer = ControlServer(
                transport: transport, replies: publishing,
                commands: ControlCommands(app: app, state: state, slots: slots, consumers: consumers, limits: limits,
                                          pool: pool, hostname: hostname, prefetch: prefetch,
                                          maxTasksPerChild: options.maxTasksPerChild, autoscaler: autoscaler, clock: clock,
                                          heartbeat: { [weak self] in
                                              guard let self else { return }
                                              await events.worker("worker-heartbeat", heartbeatFields(active: state.activeCount, processed: state.processedCount))
                                          },
                                          shutdown: { [weak self] in self?.stop() }),
                hostname: hostname, logger: logger)
        let control: Task<Void, Never>?
        do {
            control = try await controlServer.start()
        } catch let error as BrokerError where error.isExclusiveQueueHeldElsewhere {
            // A worker of this name killed a moment ago still holds its mailbox until the
            // broker counts its connection gone: run, and take the mailbox once it is free.
            logger.warning("remote control: the mailbox of \(hostname) is held by another connection (a worker of this name still running, or one that has just died). Running without remote control until it is free; give every worker its own -n NAME.")
            control = nil
        } catch {
            autoscaling.cancel()
            await pool.close(cold: false)
            throw error
        }
        let alreadyStopping = stopping.withLockedValue { state in
            state.consumers = consumers
            state.slots = slots
            state.control = control
            state.restartControl = { try await controlServer.start() }
            return state.requested
        }
        if alreadyStopping {
            consumers.stopAll()
            slots.stop()
        } else if control == nil {
            mailboxHeldElsewhere()
        }
        // Online before the first task event, as Celery's Heart step starts before its consumer.
        await events.worker("worker-online", heartbeatFields(active: 0, processed: state.processedCount))
        do {
            for queue in options.consumedQueues(for: app.configuration) { try await consumers.add(queue) }
        } catch {
            // A queue that cannot be consumed ends the run before it began: nothing left behind.
            consumers.stopAll()
            await consumers.finished()
            await slots.idle()
            autoscaling.cancel()
            stopping.withLockedValue { $0.control }?.cancel()
            await pool.close(cold: false)
            await events.worker("worker-offline", heartbeatFields(active: 0, processed: state.processedCount))
            throw error
        }
        let heartbeat = Task {
            guard let interval = options.heartbeatInterval else { return }
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))  // the heartbeat's period itself
                await events.worker("worker-heartbeat", heartbeatFields(active: state.activeCount, processed: state.processedCount))
            }
        }
        let size = autoscaler.map { "autoscaled \($0.range.min)-\($0.range.max)" } ?? "of \(concurrency)"
        logger.info("\(hostname) ready: \(options.pool.rawValue) pool \(size), consuming \(consumers.queues.joined(separator: ", "))")
        await app.signals.workerReady(hostname)

        await consumers.finished()
        for timer in stopping.withLockedValue({ Array($0.timers.values) }) { await timer.value }
        await slots.idle()
        autoscaling.cancel()
        await pool.close(cold: state.coldShutdown)
        heartbeat.cancel()
        stopping.withLockedValue { $0.control }?.cancel()
        await events.worker("worker-offline", heartbeatFields(active: 0, processed: state.processedCount))
        logger.info("\(hostname) stopped after \(state.processedCount) tasks")
    }

    /// A message as it arrives, on the connection's thread: admitted there and handed to a
    /// pool slot, held for its ETA or rate limit, or refused — without a task hop first.
    private func admit(_ delivery: ReceivedMessage, from queue: String, runner: TaskRunner, slots: TaskSlots,
                       limits: TaskLimits, state: WorkerState) {
        if stopping.withLockedValue({ $0.requested }) {
            // Prefetched but not started: back to the queue for another worker, as Celery does.
            try? delivery.reject(requeue: true)
            return
        }
        switch runner.admit(delivery, queue: queue) {
        case .settled:
            return
        case .refuse(let refusal):
            slots.submit(TaskSlots.Job(run: { await runner.refuse(refusal, delivery: delivery, queue: queue) },
                                       giveBack: { try? delivery.reject(requeue: true) }))
        case .run(let message, let task):
            let admitted = AdmittedTask(message: message, task: task, delivery: delivery, queue: queue)
            let job = TaskSlots.Job(
                accept: { admitted.acknowledged = runner.accept(admitted.message, admitted.task, delivery: admitted.delivery) },
                run: {
                    await runner.run(admitted.message, admitted.task, delivery: admitted.delivery, queue: admitted.queue,
                                     acknowledged: admitted.acknowledged)
                },
                giveBack: { [logger] in
                    try? admitted.delivery.reject(requeue: true)
                    state.finish(admitted.message.id, name: admitted.message.taskName, ran: false)
                    logger.info("task \(admitted.message.taskName)[\(admitted.message.id)] goes back to the queue: the worker is stopping and it had not started")
                },
                discard: { state.finish(admitted.message.id, name: admitted.message.taskName, ran: false) })
            // The ETA, then the rate limit: held on timers until both allow it, the rate's token
            // taken when the ETA comes (Celery's timer and token bucket); then a slot.
            if let eta = message.eta, eta > Date() {
                hold(message, until: eta, delivery: delivery, state: state) { [weak self] in
                    self?.startWhenRateAllows(job, message: message, task: task, delivery: delivery, slots: slots,
                                              limits: limits, state: state)
                }
            } else {
                startWhenRateAllows(job, message: message, task: task, delivery: delivery, slots: slots, limits: limits,
                                    state: state)
            }
        }
    }

    private func startWhenRateAllows(_ job: TaskSlots.Job, message: TaskMessage, task: RegisteredTask,
                                     delivery: ReceivedMessage, slots: TaskSlots, limits: TaskLimits, state: WorkerState) {
        let delay = limits.rateDelay(for: task)
        if delay > 0 {
            hold(message, until: Date().addingTimeInterval(delay), delivery: delivery, state: state) { slots.submit(job) }
        } else {
            slots.submit(job)  // runs now, or when a slot frees up
        }
    }

    /// Cold shutdown (a second SIGINT, or SIGQUIT): stop consuming and stop the running tasks
    /// now — prefork children are killed, other pools' tasks cancelled. Late-acked tasks are
    /// left unacknowledged, so the broker hands them to another worker once this one closes
    /// its connection; early-acked ones are lost, as in Celery.
    public func stopCold() {
        logger.warning("cold shutdown: running tasks are stopped; late-acked ones go back to the queue")
        state.withLockedValue { $0?.coldShutdown = true }
        announceShutdown(.cold)
        stop()
        if let pool = runningPool.withLockedValue({ $0 }) {
            Task { await pool.close(cold: true) }
        }
    }

    /// Warm shutdown: stop consuming; `run()` returns once the tasks in flight are done.
    public func stop() {
        announceShutdown(.warm)
        let (consumers, slots, timers) = stopping.withLockedValue { state in
            state.requested = true
            state.startupPause?.cancel()
            return (state.consumers, state.slots, Array(state.timers.values))
        }
        consumers?.stopAll()
        slots?.stop()  // admitted tasks still waiting for a slot go back to the queue
        timers.forEach { $0.cancel() }
    }

    /// `worker_shutting_down`, once for each kind of shutdown asked for.
    private func announceShutdown(_ how: AppSignals.Shutdown) {
        let first = stopping.withLockedValue { $0.announced.insert(how).inserted }
        guard first else { return }
        let (app, hostname) = (app, hostname)
        Task { await app.signals.workerShuttingDown(hostname, how) }
    }

    /// The pool `options.pool` names; a prefork pool's children are started and ready.
    private func makePool(concurrency: Int) async throws -> any ExecutionPool {
        let pool: any ExecutionPool
        switch options.pool {
        case .prefork:
            let prefork = PreforkPool(concurrency: concurrency,
                                      settings: .init(arguments: options.childArguments ?? WorkerOptions.defaultChildArguments,
                                                      maxTasksPerChild: options.maxTasksPerChild,
                                                      maxMemoryPerChildKiB: options.maxMemoryPerChildKiB),
                                      logger: logger)
            try await prefork.start()
            pool = prefork
        case .solo, .async, .threads:
            pool = InProcessPool(kind: options.pool, concurrency: concurrency, hostname: hostname,
                                 defaults: app.configuration.taskDefaults, signals: app.signals, logger: logger)
        }
        runningPool.withLockedValue { $0 = pool }
        return pool
    }

    /// Runs `body` when `eta` comes, on a timer a shutdown cancels: the message then goes
    /// back to the queue unstarted.
    private func hold(_ message: TaskMessage, until eta: Date, delivery: ReceivedMessage, state: WorkerState,
                      then body: @escaping @Sendable () -> Void) {
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
            // Forgotten before the body runs, which may hold the task again (its rate limit).
            stopping.withLockedValue { _ = $0.timers.removeValue(forKey: id) }
            body()
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
            "freq": .double(options.heartbeatInterval ?? 2), "active": .int(active),
            "processed": .int(processed),
            "loadavg": .array(load.map { .double(($0 * 100).rounded() / 100) }),
            "sw_ident": "celeriac", "sw_ver": .string(celeriacVersion), "sw_sys": .string(Self.systemName),
        ]
    }
}
