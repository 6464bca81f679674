import Logging

/// A run's time limits on a timer: `onSoft` when the soft limit passes (if it comes before
/// the hard one), `onHard` when the hard limit does. Each pool says what the limits do to its
/// run; cancelling the returned task (the run ended first) calls neither.
enum LimitWatchdog {
    static func start(_ limits: RunLimits, label: String, logger: Logger, onSoft: @escaping @Sendable () -> Void,
                      onHard: @escaping @Sendable (Double) -> Void) -> Task<Void, Never>? {
        guard limits.soft != nil || limits.hard != nil else { return nil }
        return Task {
            let clock = ContinuousClock()
            let start = clock.now
            if let soft = limits.soft, soft < (limits.hard ?? .infinity) {
                do { try await Task.sleep(for: .seconds(soft)) } catch { return }  // the limit itself
                logger.warning("soft time limit (\(soft)s) exceeded for \(label)")
                onSoft()
            }
            guard let hard = limits.hard else { return }
            do { try await Task.sleep(for: .seconds(max(0, hard - (clock.now - start).seconds))) } catch { return }
            logger.error("hard time limit (\(hard)s) exceeded for \(label)")
            onHard(hard)
        }
    }
}
