import Celeriac
import Foundation

/// Asks the cluster for what events do not carry, every `pollInterval`: each worker's pool
/// (`stats`) and queues (`active_queues`), and every queue's depth — from the management API
/// when one is given, else from passive declares. Every minute it also broadcasts
/// `enable_events`, so workers started without -E report too.
struct ClusterPoller: Sendable {
    let store: MonitorStore
    let link: ClusterLink
    let actions: ClusterActions
    let options: MonitorOptions
    let defaultQueue: String
    let management: ManagementFailover?

    func run() async {
        var lastEnable = -Double.infinity
        while !Task.isCancelled {
            let now = Date().timeIntervalSince1970
            if options.enableEvents, now - lastEnable >= options.enableEventsInterval {
                lastEnable = now
                _ = await actions.enableEvents()
            }
            await pollWorkers()
            await pollQueues()
            await readCustomStates()
            store.update { $0.cluster.purgeWorkers(offlineLongerThan: options.forgetOfflineAfter, now: now) }
            try? await Task.sleep(for: .seconds(options.pollInterval))  // the polling period itself
        }
    }

    private func pollWorkers() async {
        let timeout = actions.replyTimeout
        do {
            let (stats, queues) = try await link.run { app in
                let control = try await app.control()
                async let stats = control.broadcast(.stats(), timeout: timeout)
                async let queues = control.broadcast(.activeQueues(), timeout: timeout)
                return try await (stats, queues)
            }
            let now = Date().timeIntervalSince1970
            store.update { model in
                for reply in stats {
                    guard let facts = try? WorkerStats(reply: reply.reply) else { continue }
                    model.pools[reply.node, default: WorkerPool()].take(facts, at: now)
                }
                for reply in queues {
                    guard let list = try? QueueInfo.list(from: reply.reply) else { continue }
                    model.pools[reply.node, default: WorkerPool()].queues = list.map(\.name)
                }
                model.changed()
            }
        } catch {
            store.post(.warning, "cannot poll the workers: \(EventFeed.describe(error))")
        }
    }

    /// Queue names worth showing: what workers consume, what task-sent events named, the default.
    private func knownQueues() -> [String] {
        store.read { model in
            var names = Set(model.pools.values.flatMap(\.queues))
            names.insert(defaultQueue)
            for name in model.queues.keys { names.insert(name) }
            return names.sorted()
        }
    }

    private func pollQueues() async {
        if let management {
            do {
                let (listed, node) = try await management.queues(vhost: options.virtualHost)
                let now = Date().timeIntervalSince1970
                let figures = QueueFigures.foldingDelayLevels(listed.filter { !Self.isInternal($0.name) }.map { queue in
                    QueueFigures(name: queue.name, ready: queue.ready, unacknowledged: queue.unacknowledged,
                                 consumers: queue.consumers, publishRate: queue.publishRate,
                                 deliverRate: queue.deliverRate,
                                 oldestMessageAge: queue.headMessageTimestamp.map { max(0, now - $0) })
                })
                store.update { model in
                    model.queues = Dictionary(figures.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
                    model.queueSource = node.map { "management API at \($0)" } ?? "management API"
                    model.queuesReadAt = now
                    model.changed()
                }
                return
            } catch {
                store.update { model in
                    model.queueSource = "management API failed (\(error)); using passive declares"
                    model.changed()
                }
            }
        }
        var figures: [String: QueueFigures] = [:]
        var complete = true
        for name in knownQueues() {
            do {
                let counts = try await link.run { app in
                    try await app.transport().declare(QueueDeclaration(name: name, passive: true))
                }
                figures[name] = QueueFigures(name: name, ready: counts.messages, consumers: counts.consumers)
            } catch BrokerError.notFound {
                continue  // not declared yet: nothing to show
            } catch {
                complete = false
                break
            }
        }
        let readAt = Date().timeIntervalSince1970
        store.update { model in
            model.queues = figures
            if complete { model.queuesReadAt = readAt }
            if management == nil { model.queueSource = "passive declares (give --management-url for unacked and rates)" }
            model.changed()
        }
    }

    /// Custom states (PROGRESS and the like) are never Celery events: read the running tasks'
    /// latest meta from a stored backend. rpc:// results go to the sender only.
    private func readCustomStates() async {
        guard let url = link.configuration.resultBackend, url.hasPrefix("db+") || url.hasPrefix("redis") else { return }
        let running = store.read { model in
            model.cluster.tasks.values.filter { !$0.state.isReady }.sorted { $0.sequence > $1.sequence }.prefix(200).map(\.id)
        }
        guard !running.isEmpty else { return }
        do {
            let metas = try await link.run { app -> [ResultMeta] in
                guard let backend = try await app.resultBackend(), backend.isPersistent else { return [] }
                var found: [ResultMeta] = []
                for id in running {
                    if let meta = try await backend.meta(for: id) { found.append(meta) }
                }
                return found
            }
            store.update { model in
                for meta in metas where !TaskState.celeryStates.contains(meta.status) {
                    model.cluster.applyStoredState(meta.status, meta: meta.result, to: meta.taskID)
                }
            }
        } catch {
            store.update { $0.resultBackendNote = "cannot read the result backend: \(EventFeed.describe(error))" }
        }
    }

    /// Celery's own plumbing: event queues, pidbox mailboxes, rpc reply queues.
    static func isInternal(_ name: String) -> Bool {
        name.hasPrefix("celeryev.") || name.hasSuffix(".pidbox") || name.hasPrefix("amq.")
            || (name.count == 36 && name.filter { $0 == "-" }.count == 4)
    }
}
