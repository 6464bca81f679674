import Dispatch
import Foundation

/// SIGINT and SIGTERM turned into one call, for the long-running servers (`broker`,
/// `exporter`) and the demo: each stops warm and then returns from `run`. One watcher per
/// signal in a process: a second one would set it to SIG_IGN under the first one's handler. The worker has its own, with
/// Celery's warm and cold shutdowns (`ShutdownSignals`).
final class TerminationSignals {
    private let sources: [any DispatchSourceSignal]

    init(_ signals: [Int32] = [SIGINT, SIGTERM], _ stop: @escaping @Sendable () async -> Void) {
        sources = signals.map { number in
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
