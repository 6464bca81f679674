import Foundation

/// Turns the queues' counters into per-second rates, sampled every few seconds as
/// RabbitMQ's `collect_statistics_interval` does (5 s by default), so the management API's
/// `*_details.rate` fields mean what they mean on RabbitMQ.
final class StatisticsSampler {
    struct Rates: Sendable, Hashable {
        var publish = 0.0
        var deliver = 0.0
        var ack = 0.0
        var redeliver = 0.0
    }

    private var previous: [ObjectIdentifier: (at: Date, statistics: QueueStatistics)] = [:]
    private(set) var rates: [ObjectIdentifier: Rates] = [:]

    /// Samples every queue of every vhost; forgets queues that are gone.
    func sample(_ state: BrokerState, now: Date = Date()) {
        var seen: Set<ObjectIdentifier> = []
        for vhost in state.virtualHosts.values {
            for queue in vhost.queues.values {
                let key = ObjectIdentifier(queue)
                seen.insert(key)
                let current = queue.statistics
                if let last = previous[key] {
                    let seconds = max(now.timeIntervalSince(last.at), 0.001)
                    rates[key] = Rates(publish: Double(current.published - last.statistics.published) / seconds,
                                       deliver: Double(current.delivered - last.statistics.delivered) / seconds,
                                       ack: Double(current.acked - last.statistics.acked) / seconds,
                                       redeliver: Double(current.redelivered - last.statistics.redelivered) / seconds)
                }
                previous[key] = (now, current)
            }
        }
        for key in previous.keys where !seen.contains(key) {
            previous[key] = nil
            rates[key] = nil
        }
    }

    func rates(of queue: MessageQueue) -> Rates { rates[ObjectIdentifier(queue)] ?? Rates() }
}
