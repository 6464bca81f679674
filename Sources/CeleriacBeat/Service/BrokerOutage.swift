import Celeriac
import Foundation
import Logging

/// The broker could not be reached or lost the connection while the beat checked its lease
/// or sent a task. The beat does not stop for it: Celery's beat logs the failed send and goes
/// on. It says so naming the broker, tries again after `pause(attempt:)`, keeps its schedule
/// (what fell due meanwhile follows the entries' catch-up rule when the broker is back) and
/// takes the broker lease again before it sends anything.
struct BrokerOutage: Error, CustomStringConvertible {
    /// The entry whose send failed; nil when the lease check did.
    var entry: PeriodicTask?
    var underlying: any Error

    var description: String { "\(underlying)" }

    /// Why, without the broker's URL again where the error already names it.
    var reason: String {
        if case .unreachable(_, let reason) = underlying as? BrokerError { return reason }
        return "\(underlying)"
    }

    /// The worker's pauses between attempts (`BrokerRetryPause`).
    static func pause(attempt: Int) -> Double { BrokerRetryPause.seconds(attempt: attempt) }

    /// The broker URL (or failover list) as a log may show it: without passwords.
    static func redacted(_ url: String) -> String {
        (try? BrokerFailover(url).redactedURLs) ?? url
    }
}

extension BeatService {
    /// The app's broker connection at start, tried until it answers: as when the broker goes
    /// away later, each failed attempt is logged with the broker's URL and followed by the
    /// same growing pause (Celery's beat, too, retries its first connection).
    public static func connect(_ app: App, logger: Logger) async throws -> any BrokerTransport {
        var attempt = 0
        while true {
            do {
                return try await app.transport()
            } catch let error as BrokerError {
                guard case .unreachable(_, let reason) = error else { throw error }
                let pause = BrokerOutage.pause(attempt: attempt)
                attempt += 1
                logger.error("beat: the broker at \(BrokerOutage.redacted(app.configuration.brokerURL)) is unreachable: \(reason). Trying again in \(String(format: "%.2f", pause)) seconds (attempt \(attempt))")
                try await Task.sleep(for: .seconds(pause))  // the retry interval itself, not a wait for an event
            }
        }
    }
}
