@testable import CeleriacBroker

/// A clock the test winds by hand: timers fire, in deadline order, when it passes them.
final class ManualClock: BrokerClock {
    final class Work: ScheduledWork {
        let deadline: UInt64
        var body: (() -> Void)?
        init(deadline: UInt64, body: @escaping () -> Void) {
            self.deadline = deadline
            self.body = body
        }
        func cancel() { body = nil }
    }

    private(set) var now: UInt64 = 1_000_000_000
    private var timers: [Work] = []

    func schedule(at deadline: UInt64, _ body: @escaping () -> Void) -> any ScheduledWork {
        let work = Work(deadline: deadline, body: body)
        timers.append(work)
        return work
    }

    func advance(milliseconds: UInt64) {
        let target = now + milliseconds * 1_000_000
        while let next = timers.filter({ $0.body != nil && $0.deadline <= target }).min(by: { $0.deadline < $1.deadline }) {
            now = max(now, next.deadline)
            let body = next.body
            next.body = nil
            body?()
        }
        now = target
        timers.removeAll { $0.body == nil }
    }
}
