import Celeriac
import CeleriacBeat
import Foundation
import Testing

/// `PeriodicTask.sendOptions(sentAt:)`: what an entry's `beat_schedule` options become on
/// the task it sends — as Celery's beat passes an entry's options to `apply_async`.
@Suite struct PeriodicTaskSendOptionsTests {
    static let sentAt = Date(timeIntervalSince1970: 1_800_000_000.25)

    @Test func everyRoutingOptionAndTheExpiryCountedFromTheSend() throws {
        let entry = try PeriodicTask(name: "routed", table: [
            "task": "demo.add", "schedule": 10, "args": [2, 3], "queue": "reports", "exchange": "beat-ex",
            "routing_key": "beat.routed", "priority": 7, "expires": 60,
        ])
        let options = entry.sendOptions(sentAt: Self.sentAt)
        #expect(options.queue == "reports" && options.exchange == "beat-ex" && options.routingKey == "beat.routed")
        #expect(options.priority == 7)
        #expect(options.expires == Self.sentAt.addingTimeInterval(60), "expires counts from the send, not the due moment")
        #expect(options.eta == nil && options.countdown == nil, "a beat sends for now")
        // Celery 5.3+'s beat marks what it sends: options.setdefault('headers', {})['celery_beat_task'] = True
        #expect(options.headers == ["celery_beat_task": true])
    }

    @Test func anEntryWithoutOptionsLeavesRoutingToTheApp() throws {
        let entry = try PeriodicTask(name: "plain", table: ["task": "demo.add", "schedule": 10])
        let options = entry.sendOptions(sentAt: Self.sentAt)
        #expect(options.queue == nil && options.exchange == nil && options.routingKey == nil && options.priority == nil)
        #expect(options.expires == nil)
        #expect(options.headers == ["celery_beat_task": true])
    }

    /// Fractions of a second in expires are kept (Celery takes a float of seconds).
    @Test func aFractionalExpiryIsKept() throws {
        let entry = PeriodicTask(name: "soon", task: "demo.add", schedule: .interval(try IntervalSchedule(seconds: 5)),
                                 expires: 2.5)
        #expect(entry.sendOptions(sentAt: Self.sentAt).expires == Self.sentAt.addingTimeInterval(2.5))
    }
}
