import Celeriac
import Foundation

/// Keeps events flowing into the store: connects, binds the monitor's own queue, applies
/// each event, and when the broker goes away says so in the store and tries again with
/// backoff — forever, until cancelled. A dashboard outlives broker restarts.
public struct EventFeed: Sendable {
    public typealias Connect = @Sendable () async throws -> any BrokerTransport

    private let store: MonitorStore
    private let connect: Connect
    /// Longest wait between attempts, in seconds.
    private let maximumBackoff: Double

    public init(store: MonitorStore, maximumBackoff: Double = 10, connect: @escaping Connect) {
        self.store = store
        self.connect = connect
        self.maximumBackoff = maximumBackoff
    }

    /// Runs until the surrounding task is cancelled.
    public func run() async {
        let pipeline = EventPipeline(store: store)
        defer { pipeline.finish() }
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            let reason: String
            do {
                try await consumeOnce(into: pipeline, onConnected: { attempt = 0 })
                reason = "the broker ended the event stream"
            } catch is CancellationError {
                return
            } catch {
                reason = Self.describe(error)
            }
            guard !Task.isCancelled else { return }
            let wait = min(maximumBackoff, 0.5 * pow(2, Double(max(0, attempt - 1))))
            store.setConnection(.reconnecting(attempt: max(1, attempt), reason: reason,
                                              retryAt: Date().timeIntervalSince1970 + wait))
            try? await Task.sleep(for: .seconds(wait))  // backoff between attempts, not a synchronisation
        }
    }

    private func consumeOnce(into pipeline: EventPipeline, onConnected: () -> Void) async throws {
        store.setConnection(.connecting)
        let transport = try await connect()
        do {
            let messages = try await EventReceiver.messages(on: transport)
            onConnected()
            store.setConnection(.connected(since: Date().timeIntervalSince1970, broker: await transport.currentBroker()))
            for try await received in messages {
                do {
                    try Self.submit(received.message, to: pipeline)
                } catch {
                    // One bad sender must not blind the monitor: say so, keep reading.
                    store.post(.warning, "skipped an event message: \(error)")
                }
            }
            await transport.close()
        } catch {
            await transport.close()
            throw error
        }
    }

    /// Hands over the events of one message, as `EventMessage.decode` reads them.
    static func submit(_ message: BrokerMessage, to pipeline: EventPipeline) throws(CeleryEventError) {
        if let contentType = message.properties.contentType, !EventMessage.isJSON(contentType) {
            throw .unsupportedContentType(contentType, routingKey: message.routingKey)
        }
        try message.body.withUnsafeBytes { body in
            Result { () throws(CeleryEventError) in
                try pipeline.submit(body, routingKey: message.routingKey)
            }
        }.get()
    }

    static func describe(_ error: any Error) -> String {
        if let broker = error as? BrokerError { return broker.description }
        return String(describing: error)
    }
}
