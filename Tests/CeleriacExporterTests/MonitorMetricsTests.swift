import Celeriac
@testable import CeleriacExporter
@testable import CeleriacMonitor
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite struct MonitorMetricsTests {
    func feed(_ store: MonitorStore, now: Double, finish: Bool = true) {
        store.apply(CeleryEvent(type: "worker-heartbeat", hostname: "w1@h", timestamp: now,
                                fields: ["freq": 2.0, "active": 3, "processed": 10]))
        store.apply(CeleryEvent(type: "task-received", hostname: "w1@h", timestamp: now,
                                fields: ["uuid": "a", "name": "fix.add", "args": "(1, 2)"]))
        store.apply(CeleryEvent(type: "task-started", hostname: "w1@h", timestamp: now + 0.5, fields: ["uuid": "a"]))
        guard finish else { return }
        store.apply(CeleryEvent(type: "task-succeeded", hostname: "w1@h", timestamp: now + 1,
                                fields: ["uuid": "a", "runtime": 0.3, "result": "3"]))
    }

    /// Flower's names and labels, so existing dashboards keep working.
    @Test func eventsRuntimesAndWorkersUseFlowersNames() {
        let store = MonitorStore()
        let metrics = MonitorMetrics(store: store)
        let now = Date().timeIntervalSince1970
        feed(store, now: now, finish: false)
        let running = metrics.render()
        #expect(running.contains(#"flower_task_prefetch_time_seconds{worker="w1@h",task="fix.add"} 0.5"#))
        store.apply(CeleryEvent(type: "task-succeeded", hostname: "w1@h", timestamp: now + 1,
                                fields: ["uuid": "a", "runtime": 0.3, "result": "3"]))
        let text = metrics.render()
        #expect(text.contains(#"flower_events_total{worker="w1@h",type="task-received",task="fix.add"} 1"#))
        #expect(text.contains(#"flower_events_total{worker="w1@h",type="task-succeeded",task="fix.add"} 1"#))
        #expect(text.contains(#"flower_task_runtime_seconds_count{worker="w1@h",task="fix.add"} 1"#))
        #expect(text.contains(#"flower_task_prefetch_time_seconds{worker="w1@h",task="fix.add"} 0.0"#))
        #expect(text.contains(#"flower_worker_prefetched_tasks{worker="w1@h",task="fix.add"} 0.0"#))
        #expect(text.components(separatedBy: "le=\"+Inf\"").count == 2, "one +Inf bucket")
        #expect(text.contains("celeriac_monitor_connected 0.0"))
        #expect(text.contains(#"flower_worker_online{worker="w1@h"} 1.0"#))
        #expect(text.contains(#"flower_worker_number_of_currently_executing_tasks{worker="w1@h"} 3.0"#))
        #expect(text.contains(#"celeriac_tasks{state="SUCCESS"} 1.0"#))
    }

    /// A worker the monitor forgot stops being reported.
    @Test func forgottenWorkersDisappear() {
        let store = MonitorStore()
        let metrics = MonitorMetrics(store: store)
        store.apply(CeleryEvent(type: "worker-heartbeat", hostname: "gone@h", timestamp: 100, fields: ["freq": 2.0]))
        #expect(metrics.render().contains(#"flower_worker_online{worker="gone@h"}"#))
        store.update { $0.cluster.purgeWorkers(offlineLongerThan: 10, now: 1000) }
        #expect(!metrics.render().contains(#"worker="gone@h""#))
    }

    /// A queue's oldest-message age: the broker's when it knows it, else the oldest task known
    /// only from task-sent, 0 for an empty queue, and no sample at all when nobody knows.
    @Test func oldestMessageAgeIsLeftOutWhenUnknown() {
        let store = MonitorStore()
        let metrics = MonitorMetrics(store: store)
        let now = Date().timeIntervalSince1970
        store.apply(CeleryEvent(type: "task-sent", hostname: "gen1@h", timestamp: now - 30,
                                fields: ["uuid": "s1", "name": "fix.add", "queue": "sent.q"]))
        store.update { model in
            for queue in [QueueFigures(name: "stamped.q", ready: 2, consumers: 0, oldestMessageAge: 12),
                          QueueFigures(name: "sent.q", ready: 1, consumers: 0),
                          QueueFigures(name: "empty.q", ready: 0, consumers: 1),
                          QueueFigures(name: "unknown.q", ready: 5, consumers: 0)] {
                model.queues[queue.name] = queue
            }
        }
        let text = metrics.render()
        #expect(text.contains(#"celeriac_queue_oldest_message_age_seconds{queue="stamped.q"} 12.0"#))
        #expect(text.contains(#"celeriac_queue_oldest_message_age_seconds{queue="empty.q"} 0.0"#))
        let sent = text.split(separator: "\n").first { $0.hasPrefix(#"celeriac_queue_oldest_message_age_seconds{queue="sent.q"}"#) }
        #expect(sent.flatMap { Double($0.split(separator: " ").last ?? "") }.map { $0 >= 29 && $0 < 60 } == true, "\(String(describing: sent))")
        #expect(!text.contains(#"celeriac_queue_oldest_message_age_seconds{queue="unknown.q"}"#))
        #expect(text.contains(#"celeriac_queue_messages_ready{queue="unknown.q"} 5.0"#))
    }

    /// GET /metrics over real HTTP; other paths are 404.
    @Test func theServerAnswersScrapes() async throws {
        let store = MonitorStore()
        let metrics = MonitorMetrics(store: store)
        feed(store, now: Date().timeIntervalSince1970)
        let server = try await MetricsServer(host: "127.0.0.1", port: 0) { metrics.render() }
        let port = try #require(server.localAddress?.port)
        let session = URLSession(configuration: .ephemeral)
        let (body, response) = try await session.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self).contains("flower_events_total"))
        let (_, missing) = try await session.data(from: URL(string: "http://127.0.0.1:\(port)/nope")!)
        #expect((missing as? HTTPURLResponse)?.statusCode == 404)
        await server.close()
    }
}
