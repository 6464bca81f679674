import Dispatch
import Foundation

/// SIGINT and SIGTERM turned into one call, for the long-running servers (`broker`,
/// `exporter`): each stops warm and then returns from `run`. The worker has its own, with
/// Celery's warm and cold shutdowns (`ShutdownSignals`).
final class TerminationSignals {
    private let sources: [any DispatchSourceSignal]

    init(_ stop: @escaping @Sendable () async -> Void) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { Task { await stop() } }
            source.resume()
            return source
        }
    }

    func cancel() {
        sources.forEach { $0.cancel() }
    }
}
