import NIOCore

/// Time for the broker's timers (message TTL, queue expiry): the event loop's in the
/// server, a hand-wound one in tests, so expiry is tested without waiting.
protocol BrokerClock: AnyObject {
    /// Monotonic nanoseconds.
    var now: UInt64 { get }
    /// Runs `body` on the broker's loop once `now` reaches `deadline`.
    func schedule(at deadline: UInt64, _ body: @escaping () -> Void) -> any ScheduledWork
}

protocol ScheduledWork {
    func cancel()
}

/// The server's clock: NIO's uptime clock and its event loop's timers.
final class EventLoopClock: BrokerClock {
    let loop: any EventLoop

    init(loop: any EventLoop) {
        self.loop = loop
    }

    var now: UInt64 { NIODeadline.now().uptimeNanoseconds }

    func schedule(at deadline: UInt64, _ body: @escaping () -> Void) -> any ScheduledWork {
        let bound = NIOLoopBound(body, eventLoop: loop)
        return loop.scheduleTask(deadline: .uptimeNanoseconds(deadline)) { bound.value() }
    }
}

extension Scheduled: ScheduledWork {}
