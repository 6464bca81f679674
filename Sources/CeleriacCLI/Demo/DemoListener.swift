import Celeriac
import Foundation
import NIOConcurrencyHelpers

/// The headless demo's eyes: the cluster's events and, every two seconds, the workers' stats,
/// gathered into a `DemoTally`. It subscribes before the workers start, so it sees them
/// come online, and it can wait for their worker-offline events at the end.
final class DemoListener: Sendable {
    private let transport: any BrokerTransport
    private let state = NIOLockedValueBox(State())
    private let tasks: [Task<Void, Never>]

    private struct State {
        var tally = DemoTally()
        /// Called once every worker that came online has gone offline.
        var offlineWaiters: [@Sendable () -> Void] = []

        var allOffline: Bool { tally.onlineWorkers.isSubset(of: tally.offlineWorkers) }
    }

    static func start(brokerURL: String) async throws -> DemoListener {
        let transport = try await AMQPTransport(url: brokerURL)
        let events = try await EventReceiver.events(on: transport)
        return DemoListener(transport: transport, events: events)
    }

    private init(transport: any BrokerTransport, events: AsyncThrowingStream<CeleryEvent, any Error>) {
        self.transport = transport
        let state = state
        let control = ControlClient(transport: transport)
        tasks = [
            Task {
                do {
                    for try await event in events {
                        let waiters = state.withLockedValue { state -> [@Sendable () -> Void] in
                            state.tally.record(event)
                            guard state.allOffline else { return [] }
                            defer { state.offlineWaiters = [] }
                            return state.offlineWaiters
                        }
                        waiters.forEach { $0() }
                    }
                } catch {
                    FileHandle.standardError.write(Data("demo: the event stream ended: \(error)\n".utf8))
                }
            },
            Task {
                while !Task.isCancelled {
                    if let replies = try? await control.broadcast(.stats(), timeout: 1) {
                        for reply in replies {
                            guard let stats = try? WorkerStats(reply: reply.reply) else { continue }
                            state.withLockedValue { $0.tally.record(stats: stats, of: reply.node) }
                        }
                    }
                    try? await Task.sleep(for: .seconds(1))  // the poll's period: stats are asked for, not pushed
                }
            },
        ]
    }

    var snapshot: DemoTally { state.withLockedValue { $0.tally } }

    /// Returns once every worker that came online has said worker-offline, or after `timeout`.
    func workersOffline(timeout: Duration) async {
        _ = await waitForCallback(timeout: timeout) { callback in  // the timeout: a worker killed without a goodbye
            state.withLockedValue { state in
                if !state.allOffline { state.offlineWaiters.append(callback) }
                return state.allOffline
            }
        }
    }

    func stop() async {
        tasks.forEach { $0.cancel() }
        await transport.close()
    }
}
