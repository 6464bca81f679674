import Celeriac
import Foundation
import Logging

/// Takes one delivered task message through Celery's worker steps (celery/worker/request.py
/// and celery/app/trace.py): refuse what cannot run, send task-received, ack early unless
/// acks_late, run, store the state, send the outcome's event, ack late — and republish a
/// retry as Celery does. Nothing thrown here reaches the consumer: every failure is logged,
/// stored and settled, so one bad message never stops the worker or blocks its queue.
///
/// A class, not a struct: every admitted task's closures hold it, and a reference is one
/// retain where a copy of these fields is a dozen.
final class TaskRunner: Sendable {
    let app: App
    let hostname: String
    let results: ResultSink
    let events: TaskEventSender
    let transport: any BrokerTransport
    let state: WorkerState
    let limits: TaskLimits
    /// Where task bodies run.
    let pool: any ExecutionPool
    let logger: Logger

    init(app: App, hostname: String, results: ResultSink, events: TaskEventSender, transport: any BrokerTransport,
         state: WorkerState, limits: TaskLimits, pool: any ExecutionPool, logger: Logger) {
        self.app = app
        self.hostname = hostname
        self.results = results
        self.events = events
        self.transport = transport
        self.state = state
        self.limits = limits
        self.pool = pool
        self.logger = logger
    }

    /// What the consumer learns from a message before it takes a pool slot.
    enum Admission {
        /// Settled already (unreadable): nothing to run.
        case settled
        case run(TaskMessage, RegisteredTask)
        /// Will not run, but its refusal is stored and announced, which takes waiting:
        /// `refuse` does that.
        case refuse(Refusal)
    }

    enum Refusal: Sendable {
        case unknown(TaskMessage)
        case discard(TaskMessage, reason: String)
    }

    /// Decodes and checks a delivery without waiting on anything, so it can run as the
    /// message arrives; what will not run and needs no waiting is settled here.
    func admit(_ delivery: ReceivedMessage, queue: String) -> Admission {
        let message: TaskMessage
        do {
            message = try TaskMessage(delivery.message)
        } catch {
            let id = delivery.message.properties.headers["id"]?.stringValue.map { "message \($0)" } ?? "a message without a task id"
            logger.error("rejected \(id) on \(queue), which is not a task this worker can read: \(error); it goes to the queue's dead-letter exchange if it has one, else it is dropped")
            settle(delivery, .reject(requeue: false))
            return .settled
        }
        guard let task = app.tasks.runnable(named: message.taskName) else { return .refuse(.unknown(message)) }
        logger.info("task \(message.taskName)[\(message.id)] received")
        events.received(message)
        if state.isRevoked(message.id) { return .refuse(.discard(message, reason: "revoked")) }
        if let expires = message.expires, expires <= Date() {
            logger.info("task \(message.taskName)[\(message.id)] expired at \(CeleryTime.format(expires)): revoked")
            return .refuse(.discard(message, reason: "expired"))
        }
        state.reserve(message, delivery: deliveryInfo(delivery, message),
                      scheduled: message.eta.map { $0 > Date() } ?? false)
        return .run(message, task)
    }

    /// Stores, announces and settles a message `admit` refused.
    func refuse(_ refusal: Refusal, delivery: ReceivedMessage, queue: String) async {
        switch refusal {
        case .unknown(let message): await refuseUnknown(message, delivery: delivery, queue: queue)
        case .discard(let message, let reason): await discardRevoked(message, delivery: delivery, queue: queue, reason: reason)
        }
    }

    /// Celery's revoked or expired request: REVOKED stored, task-revoked sent, message acked.
    private func discardRevoked(_ message: TaskMessage, delivery: ReceivedMessage, queue: String, reason: String,
                                acknowledged: Bool = false) async {
        logger.info("discarding revoked task: \(message.taskName)[\(message.id)] (\(reason))")
        let error = CeleryError(type: "TaskRevokedError", message: [.string(reason)], module: "celery.exceptions")
        await chords.complete(try? await results.store(.revoked, result: error.json, for: message, queue: queue), after: message)
        events.revoked(message.id, expired: reason == "expired")
        await app.signals.taskRevoked(.init(taskID: message.id, taskName: message.taskName, terminated: false,
                                            signal: nil, expired: reason == "expired"))
        state.finish(message.id, name: message.taskName, ran: false)
        if !acknowledged { settle(delivery, .ack) }
    }

    private func deliveryInfo(_ delivery: ReceivedMessage, _ message: TaskMessage) -> DeliveryInfo {
        DeliveryInfo(exchange: delivery.message.exchange, routingKey: delivery.message.routingKey,
                     priority: message.priority, redelivered: delivery.redelivered)
    }

    /// Celery's `on_unknown_task`: log, reject, store FAILURE with NotRegistered and send
    /// task-failed, so a caller waiting on the result is not left waiting.
    private func refuseUnknown(_ message: TaskMessage, delivery: ReceivedMessage, queue: String) async {
        logger.error("received unregistered task of type '\(message.taskName)' [\(message.id)]: the message is rejected; register the task in the worker's app or route it to a worker that has it")
        let error = CeleryError(type: "NotRegistered", message: [.string(message.taskName)], module: "celery.exceptions")
        await chords.complete(try? await results.store(.failure, result: error.json, for: message, queue: queue), after: message)
        events.failed(message.id, error: error)
        settle(delivery, .reject(requeue: false))
    }

    /// The pool took the task: an early ack goes now, as Celery acks when its pool accepts a
    /// task, not once the task's own thread gets going. Returns whether it acked.
    func accept(_ message: TaskMessage, _ task: RegisteredTask, delivery: ReceivedMessage) -> Bool {
        guard !acksLate(task), !state.isRevoked(message.id) else { return false }
        settle(delivery, .ack)
        return true
    }

    private func acksLate(_ task: RegisteredTask) -> Bool { task.options.acksLate ?? app.configuration.acksLate }

    /// Runs an admitted task to its end and settles its message; `acknowledged` when
    /// `accept` acked it already.
    func run(_ message: TaskMessage, _ task: RegisteredTask, delivery: ReceivedMessage, queue: String,
             acknowledged: Bool) async {
        if state.isRevoked(message.id) {  // revoked while it waited for its ETA or a slot
            await discardRevoked(message, delivery: delivery, queue: queue, reason: "revoked", acknowledged: acknowledged)
            return
        }
        if let expires = message.expires, expires <= Date() {  // Celery checks again as it runs a task
            logger.info("task \(message.taskName)[\(message.id)] expired at \(CeleryTime.format(expires)) while it waited: revoked")
            await discardRevoked(message, delivery: delivery, queue: queue, reason: "expired", acknowledged: acknowledged)
            return
        }
        let acksLate = acksLate(task)
        if !acksLate, !acknowledged { settle(delivery, .ack) }
        state.start(message.id, acknowledged: !acksLate)
        defer { state.finish(message.id, name: message.taskName, ran: true) }
        events.started(message.id)
        let job = PoolJob(message: message, task: task, delivery: deliveryInfo(delivery, message),
                          limits: limits.runLimits(for: task, message: message, defaults: app.configuration.taskDefaults),
                          reporter: ProgressReporter(message: message, queue: queue, results: results, events: events),
                          started: { [state] pid in state.setWorkerPID(pid, for: message.id) })
        let clock = ContinuousClock()
        let start = clock.now
        let result = await pool.run(job)
        let runtime = (clock.now - start).seconds
        if state.coldShutdown {
            logger.warning("task \(message.taskName)[\(message.id)] stopped by cold shutdown\(acksLate ? ": left unacknowledged, the broker redelivers it" : "")")
            return
        }
        let settlement: ReceivedMessage.Settlement
        switch result {
        case .finished(let outcome):
            settlement = await record(outcome, of: message, runtime: runtime, delivery: delivery, queue: queue)
        case .terminated(let signal):
            settlement = await recordTerminated(message, signal: signal, queue: queue)
        case .workerLost(let error):
            if acksLate, task.options.rejectOnWorkerLost ?? app.configuration.rejectOnWorkerLost {
                logger.error("task \(message.taskName)[\(message.id)] lost its pool process: \(error.pythonRepr); the message goes back to the queue (reject_on_worker_lost)")
                settlement = .reject(requeue: true)
            } else {
                settlement = await record(.failure(error), of: message, runtime: runtime, delivery: delivery, queue: queue)
            }
        }
        if acksLate {
            // Its events first: once the message is acked nothing runs it again, so an event
            // lost with this process (kill -9) would never be sent.
            await events.published()
            settle(delivery, settlement)
        }
    }

    /// Celery's terminated request: REVOKED stored ("terminated"), task-revoked sent with
    /// the signal, the message acked.
    private func recordTerminated(_ message: TaskMessage, signal: Int32?, queue: String) async -> ReceivedMessage.Settlement {
        logger.info("terminated task \(message.taskName)[\(message.id)]\(signal.map { " with \(PoolErrors.signalName($0))" } ?? " by cancellation")")
        let error = CeleryError(type: "TaskRevokedError", message: ["terminated"], module: "celery.exceptions")
        await chords.complete(try? await results.store(.revoked, result: error.json, for: message, queue: queue), after: message)
        events.revoked(message.id, expired: false, terminatedBy: signal ?? 0)
        await app.signals.taskRevoked(.init(taskID: message.id, taskName: message.taskName, terminated: true,
                                            signal: signal, expired: false))
        return .ack
    }

    /// Stores and announces an outcome; returns how a late-acked message is settled.
    private func record(_ outcome: TaskOutcome, of message: TaskMessage, runtime: Double,
                        delivery: ReceivedMessage, queue: String) async -> ReceivedMessage.Settlement {
        let label = "task \(message.taskName)[\(message.id)]"
        do {
            switch outcome {
            case .success(let result):
                logger.info("\(label) succeeded in \(String(format: "%.6f", runtime))s: \(result.pythonRepr)")
                // Sent before the result is stored, as Celery's trace does, so the stored
                // result names them as its children.
                let children = await send(label: label) { try CanvasStep.after(message, result: result) }
                let join = try await results.store(.success, result: result, children: children, for: message, queue: queue)
                events.succeeded(message.id, result: result, runtime: runtime)
                await chords.complete(join, after: message)
            case .failure(let error):
                logger.error("\(label) raised unexpected: \(error.pythonRepr)")
                let join = try await results.store(.failure, result: error.json, traceback: error.traceback, for: message, queue: queue)
                events.failed(message.id, error: error)
                await ChainFailure(results: results, chords: chords, logger: logger).propagate(error, from: message)
                await send(label: label) { try CanvasStep.afterFailure(message) }
                await chords.complete(join, after: message)
            case .retry(let plan):
                try await republish(message, for: plan, delivery: delivery)
                logger.info("\(label) retry: retry in \(String(format: "%.0f", max(0, plan.runAt().timeIntervalSinceNow)))s: \(plan.error.pythonRepr)")
                try await results.store(.retry, result: plan.error.json, traceback: plan.error.traceback, for: message, queue: queue)
                events.retried(message.id, error: plan.error)
            case .rejected(let requeue, let reason):
                logger.info("\(label) rejected\(requeue ? " and requeued" : ""): \(reason?.pythonRepr ?? "no reason given")")
                return .reject(requeue: requeue)
            case .ignored:
                break
            case .replaced(let signature):
                logger.info("\(label) replaced by \(signature.task)")
                await send(label: label) {
                    try CanvasPlanner.plan(signature, replyTo: message.replyTo, sender: CanvasStep.sender(of: message))
                }
            }
        } catch {
            // The result or retry could not be written: the broker or backend is failing.
            logger.error("\(label) finished but its state could not be recorded: \(error)")
        }
        return .ack
    }

    /// What a finished task's canvas calls for (link, chain, link_error), as Celery's worker
    /// sends it. What cannot be sent is logged; the task's own outcome stands.
    /// Returns the ids of the tasks sent.
    @discardableResult
    private func send(label: String, _ plan: () throws -> CanvasPlan) async -> [String] {
        do {
            let plan = try plan()
            guard !plan.messages.isEmpty else { return [] }
            try await app.publish(plan)
            let sent = plan.messages.map { "\($0.name)[\($0.options.taskID ?? "?")]" }.joined(separator: ", ")
            logger.info("\(label) sent \(sent) after it")
            return plan.messages.compactMap(\.options.taskID)
        } catch {
            logger.error("\(label) finished, but what was to follow it could not be sent: \(error)")
            return []
        }
    }

    private var chords: ChordCompletion { ChordCompletion(app: app, backend: results.backend, logger: logger) }

    /// The retry's message: the same task and id, retries + 1 and the new eta, sent where
    /// this one came from, as Celery's `Task.retry` does.
    private func republish(_ message: TaskMessage, for plan: TaskRetryPlan, delivery: ReceivedMessage) async throws {
        var retry = message
        retry.headers["retries"] = .int(plan.retries)
        retry.headers["eta"] = .string(CeleryTime.format(plan.runAt()))
        try await transport.publish(retry.brokerMessage(exchange: delivery.message.exchange,
                                                        routingKey: delivery.message.routingKey))
    }

    private func settle(_ delivery: ReceivedMessage, _ settlement: ReceivedMessage.Settlement) {
        do {
            switch settlement {
            case .ack: try delivery.ack()
            case .reject(let requeue): try delivery.reject(requeue: requeue)
            }
        } catch {
            logger.error("could not settle a message (\(settlement)): \(error); the broker redelivers it")
        }
    }
}

/// `TaskContext.updateState` in a worker: the state is stored and sent as `task-progress`.
struct ProgressReporter: TaskStateReporter {
    let message: TaskMessage
    let queue: String
    let results: ResultSink
    let events: TaskEventSender

    func report(taskID: String, state: TaskState, meta: JSONValue) async throws {
        try await results.store(state, result: meta, for: message, queue: queue)
        events.progress(taskID, state: state, meta: meta)
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
