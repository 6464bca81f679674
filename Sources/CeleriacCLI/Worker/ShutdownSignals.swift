import CeleriacWorker
import Dispatch
import Foundation
import NIOConcurrencyHelpers

/// Celery's worker signals: SIGTERM or a first SIGINT is a warm shutdown (running tasks
/// finish); a second SIGINT, or SIGQUIT, is a cold one (running tasks stop, late-acked ones
/// go back to the queue).
final class ShutdownSignals {
    private let sources: [any DispatchSourceSignal]

    init(worker: Worker) {
        let interrupts = NIOLockedValueBox(0)
        sources = [SIGINT, SIGTERM, SIGQUIT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler {
                let cold = number == SIGQUIT || (number == SIGINT && interrupts.withLockedValue { $0 += 1; return $0 } > 1)
                if cold { worker.stopCold() } else { worker.stop() }
            }
            source.resume()
            return source
        }
    }

    func cancel() {
        sources.forEach { $0.cancel() }
    }
}
