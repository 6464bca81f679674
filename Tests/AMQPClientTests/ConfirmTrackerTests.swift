@testable import AMQPClient
import NIOCore
import Testing

@Suite struct ConfirmTrackerTests {
    @Test func singleAndMultipleAcksSettleInOrder() {
        var tracker = ConfirmTracker<String>()
        for name in ["a", "b", "c", "d"] { _ = tracker.published(waiter: name) }
        #expect(tracker.settle(deliveryTag: 2, multiple: false, acked: true).map(\.0) == ["b"])
        let settled = tracker.settle(deliveryTag: 3, multiple: true, acked: true)
        #expect(settled.map(\.0) == ["a", "c"])
        #expect(settled.allSatisfy { $0.1 == .acked })
        #expect(tracker.outstandingCount == 1)
        #expect(tracker.settle(deliveryTag: 4, multiple: false, acked: false).map(\.1) == [.nacked])
        #expect(tracker.nackedSinceLastDrain)
        #expect(tracker.outstandingCount == 0)
        #expect(tracker.nextSequence == 5)
    }

    @Test func aReturnBelongsToTheAckThatFollowsIt() {
        var tracker = ConfirmTracker<Int>()
        _ = tracker.published(waiter: 1)
        _ = tracker.published(waiter: 2)
        let returned = AMQPReturnedMessage(replyCode: .noRoute, replyText: "NO_ROUTE", exchange: "", routingKey: "x",
                                           properties: .init(), body: ByteBuffer())
        tracker.returned(returned)
        #expect(tracker.settle(deliveryTag: 1, multiple: false, acked: true).map(\.1) == [.returned(returned)])
        #expect(tracker.settle(deliveryTag: 2, multiple: false, acked: true).map(\.1) == [.acked])
    }

    @Test func closingFailsEveryOutstandingWaiter() {
        var tracker = ConfirmTracker<Int>()
        for i in 1...3000 { _ = tracker.published(waiter: i) }
        _ = tracker.settle(deliveryTag: 2000, multiple: true, acked: true)
        #expect(tracker.removeAll() == Array(2001...3000))
        #expect(tracker.outstandingCount == 0)
    }
}
