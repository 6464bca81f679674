import Celeriac
import Foundation

/// When the broker goes away, Celery's worker keeps its running tasks and restarts its
/// consumer once it can connect again (broker_connection_retry): so does this one. Tasks
/// acked late on the lost connection are redelivered by the broker and run again — at
/// least once, as with Celery; tasks received on it that had not started are dropped (the
/// broker hands them out again), as Celery's consumer clears its semaphore.
extension Worker {
    static func reconnectionPause(attempt: Int) -> Double { BrokerRetryPause.seconds(attempt: attempt) }

    /// The broker at start, on both of the worker's connections: the one that consumes and
    /// the one that publishes (`App.publishingTransport`). Celery's worker keeps trying when
    /// no broker answers yet (broker_connection_retry_on_startup, on unless turned off), with
    /// a line per attempt and the same pauses as after a lost connection, up to
    /// broker_connection_max_retries. A broker that goes away between the two connections is
    /// tried again the same way; the connection already open is kept.
    func connectAtStart() async throws -> (consuming: any BrokerTransport, publishing: any BrokerTransport) {
        let attempts = app.configuration.brokerConnectionAttemptsOnStartup
        var attempt = 0
        while true {
            do {
                return (try await app.transport(), try await app.publishingTransport())
            } catch let error as BrokerError {
                guard case .unreachable = error else { throw error }
                attempt += 1
                if let attempts, attempt >= attempts { throw error }
                let pause = Self.reconnectionPause(attempt: attempt - 1)
                let of = attempts.map { "\($0 - 1)" } ?? "∞"
                logger.error("consumer: Cannot connect to the broker: \(error). Trying again in \(String(format: "%.2f", pause)) seconds... (\(attempt)/\(of))")
                // The retry interval itself, not a wait for an event; a stop ends it at once.
                let sleeping = withStopping { state -> Task<Void, any Error>? in
                    guard !state.requested else { return nil }
                    let sleep = Task { try await Task.sleep(for: .seconds(pause)) }
                    state.startupPause = sleep
                    return sleep
                }
                guard let sleeping, (try? await sleeping.value) != nil else { throw error }
            }
        }
    }

    func connectionLost(_ queue: String) {
        let start = needsRestoring { state in
            state.lostQueues.append(queue)
            state.controlLost = state.restartControl != nil
        }
        guard start else { return }
        logger.warning("consumer: Connection to broker lost. Trying to re-establish the connection...")
        let dropped = withStopping { $0.slots }?.discardWaiting() ?? 0
        if dropped > 0 {
            logger.info("\(dropped) received tasks that had not started are left to the broker, which hands them out again")
        }
        Task { await reconnect() }
    }

    /// The mailbox could not be taken at start: tried again, as after a lost connection.
    func mailboxHeldElsewhere() {
        if needsRestoring({ $0.controlLost = true }) { Task { await reconnect() } }
    }

    /// Marks what is to be restored; true when the retry loop is to be started (it is not
    /// running yet and the worker is not stopping).
    private func needsRestoring(_ mark: (inout Stopping) -> Void) -> Bool {
        withStopping { state in
            guard !state.requested else { return false }
            mark(&state)
            defer { state.reconnecting = true }
            return !state.reconnecting
        }
    }

    private func reconnect() async {
        var attempt = 0
        while true {
            // Until the queues are consumed again and the mailbox is back: either may fail
            // on its own (a cluster refusing the old connection's exclusive mailbox queue
            // until it counts the old node as down) and is tried again.
            let pending = withStopping { state -> (queues: [String], consumers: QueueConsumers?)? in
                if state.requested || (state.lostQueues.isEmpty && !state.controlLost) {
                    state.reconnecting = false
                    return nil
                }
                return (state.lostQueues, state.consumers)
            }
            guard let pending, let consumers = pending.consumers else { return }
            let mailboxOnly = pending.queues.isEmpty
            do {
                for queue in pending.queues {
                    try await consumers.add(queue)
                    withStopping { $0.lostQueues.removeAll { $0 == queue } }
                }
                if let restart = withStopping({ $0.controlLost ? $0.restartControl : nil }) {
                    let control = try await restart()
                    withStopping { state in
                        state.control?.cancel()
                        state.control = control
                        state.controlLost = false
                    }
                }
                if mailboxOnly {
                    logger.info("remote control: mailbox taken; the worker answers remote control again")
                } else {
                    let broker = await consumers.currentBroker().map { " at \($0)" } ?? ""
                    logger.info("Connected to the broker again\(broker); consuming \(consumers.queues.joined(separator: ", "))")
                }
                attempt = 0
            } catch {
                let pause = Self.reconnectionPause(attempt: attempt)
                attempt += 1
                let what = mailboxOnly ? "remote control: Cannot take the mailbox" : "consumer: Cannot connect to the broker"
                logger.error("\(what): \(error). Trying again in \(String(format: "%.2f", pause)) seconds... (\(attempt))")
                try? await Task.sleep(for: .seconds(pause))  // the retry interval itself, not a wait for an event
            }
        }
    }
}
