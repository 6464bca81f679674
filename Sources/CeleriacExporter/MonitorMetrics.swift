import Celeriac
import CeleriacMonitor
import Foundation
import NIOConcurrencyHelpers
import Prometheus

/// The monitor's state as Prometheus metrics. Flower's names where Flower has one, so its
/// dashboards and alerts keep working; `celeriac_*` for what Flower lacks: queue length and
/// the age of the oldest waiting message, tasks per state.
public final class MonitorMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let store: MonitorStore
    /// Seconds buckets as Flower's default `task_runtime_metric_buckets`.
    /// (+Inf is added by the registry itself.)
    static let runtimeBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
    /// Gauges of workers and queues emitted at the last refresh, so vanished ones are removed.
    private let present = NIOLockedValueBox<[String: Gauge]>([:])

    public init(store: MonitorStore) {
        self.store = store
        store.observeEvents { [weak self] event, task in self?.observe(event, task: task) }
    }

    /// Per event, as Flower's `PrometheusMetrics.observe_task`/worker handling.
    func observe(_ event: TaskEventUpdate, task: TaskRecord?) {
        let worker = event.hostname ?? ""
        let name = event.name ?? task?.name ?? ""
        counter("flower_events_total", "Number of events", [("worker", worker), ("type", event.type), ("task", name)])
            .increment()
        if let runtime = event.runtime {
            registry.makeValueHistogram(descriptor: descriptor("flower_task_runtime_seconds", "Task runtime"),
                                        labels: [("worker", worker), ("task", name)], buckets: Self.runtimeBuckets)
                .record(runtime)
        }
        guard let task, task.eta == nil else { return }  // prefetch figures only mean something without an ETA
        let labels = [("worker", worker), ("task", name)]
        let prefetched = gauge("flower_worker_prefetched_tasks", "Number of tasks of given type prefetched at a worker",
                               labels)
        switch event.kind {
        case .taskReceived:
            prefetched.increment()
        case .taskStarted:
            guard task.timeline.contains(where: { $0.type == "task-received" }) else { break }
            prefetched.decrement()
            let received = task.timeline.first { $0.type == "task-received" }?.timestamp
            if let received, let started = event.timestamp {
                gauge("flower_task_prefetch_time_seconds",
                      "The time the task spent waiting at the celery worker to be executed.", labels)
                    .set(max(0, started - received))
            }
        case .taskSucceeded, .taskFailed:
            // As Flower: the wait is only meaningful while the task runs.
            gauge("flower_task_prefetch_time_seconds",
                  "The time the task spent waiting at the celery worker to be executed.", labels).set(0.0)
        default:
            break
        }
    }

    /// Brings the gauges that describe the present (workers, queues, states) up to date; call
    /// before each scrape.
    public func refresh(now: Double = Date().timeIntervalSince1970) {
        let model = store.read { model in
            (workers: Array(model.cluster.workers.values), queues: Array(model.queues.values),
             counts: model.cluster.countsByState, oldestPending: Self.oldestPendingByQueue(model, now: now),
             connected: model.connection.isConnected)
        }
        var current: [String: Gauge] = [:]
        func set(_ name: String, _ help: String, _ labels: [(String, String)], _ value: Double) {
            let metric = gauge(name, help, labels)
            metric.set(value)
            current[name + labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",")] = metric
        }
        for worker in model.workers {
            let labels = [("worker", worker.hostname)]
            set("flower_worker_online", "Worker online status", labels, worker.isAlive(at: now) ? 1 : 0)
            set("flower_worker_number_of_currently_executing_tasks", "Number of tasks currently executing at a worker",
                labels, Double(worker.active ?? 0))
        }
        for queue in model.queues {
            let labels = [("queue", queue.name)]
            set("celeriac_queue_messages_ready", "Messages ready for delivery in the queue", labels, Double(queue.ready))
            set("celeriac_queue_messages_unacknowledged", "Messages delivered and not yet acknowledged", labels,
                Double(queue.unacknowledged ?? 0))
            set("celeriac_queue_consumers", "Consumers on the queue", labels, Double(queue.consumers))
            // Unknown is left out rather than written as 0: a backlog of unknown age must not
            // read as fresh (RabbitMQ only knows it for messages with a timestamp property).
            let age = queue.ready == 0 ? 0 : queue.oldestMessageAge ?? model.oldestPending[queue.name]
            if let age {
                set("celeriac_queue_oldest_message_age_seconds",
                    "Age of the oldest ready message: the broker's head_message_timestamp, else the oldest task-sent task still PENDING",
                    labels, age)
            }
        }
        for (state, count) in model.counts {
            gauge("celeriac_tasks", "Tasks the monitor holds, by state", [("state", state.rawValue)]).set(Double(count))
        }
        gauge("celeriac_monitor_connected", "1 while the event feed is connected to the broker", [])
            .set(model.connected ? 1.0 : 0.0)
        // Workers forgotten and queues gone stop being reported, as Flower drops offline workers.
        let vanished = present.withLockedValue { previous in
            defer { previous = current }
            return previous.filter { current[$0.key] == nil }.map(\.value)
        }
        for metric in vanished { registry.unregisterGauge(metric) }
    }

    /// The Prometheus text exposition.
    public func render() -> String {
        refresh()
        return registry.emitToString()
    }

    /// Per queue, the age of the oldest task known only from task-sent (no worker has it yet).
    static func oldestPendingByQueue(_ model: MonitorModel, now: Double) -> [String: Double] {
        var oldest: [String: Double] = [:]
        for task in model.cluster.tasks.values where task.state == .pending {
            guard let queue = task.queue ?? task.routingKey, let sent = task.timestamp else { continue }
            oldest[queue] = max(oldest[queue] ?? 0, now - sent)
        }
        return oldest
    }

    private func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    private func counter(_ name: String, _ help: String, _ labels: [(String, String)]) -> Counter {
        registry.makeCounter(descriptor: descriptor(name, help), labels: labels)
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)]) -> Gauge {
        registry.makeGauge(descriptor: descriptor(name, help), labels: labels)
    }
}
