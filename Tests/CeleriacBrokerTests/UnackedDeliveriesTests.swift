@testable import CeleriacBroker
import Testing

struct UnackedDeliveriesTests {
    let queue = try! MessageQueue(name: "q", durable: false, autoDelete: false, exclusiveOwner: nil, arguments: [:])

    func entry(_ tag: UInt64) -> UnackedDeliveries.Entry {
        .init(tag: tag, message: QueuedMessage(content: MessageContentFixture.make("\(tag)")), queue: queue, consumer: nil)
    }

    @Test func acksInAndOutOfOrder() {
        var unacked = UnackedDeliveries()
        for tag in 1...5 { unacked.append(entry(UInt64(tag))) }
        #expect(unacked.remove(tag: 3)?.tag == 3)
        #expect(unacked.remove(tag: 3) == nil)  // twice is unknown
        #expect(unacked.remove(tag: 1)?.tag == 1)
        #expect(unacked.count == 3)
        #expect(unacked.removeUpTo(tag: 4).map(\.tag) == [2, 4])
        #expect(unacked.contains(tag: 5))
        #expect(!unacked.contains(tag: 2))
        #expect(unacked.removeAll().map(\.tag) == [5])
        #expect(unacked.isEmpty)
    }

    @Test func tagsOfNoAckDeliveriesLeaveHoles() {
        var unacked = UnackedDeliveries()
        unacked.append(entry(2))
        unacked.append(entry(7))  // 3…6 went to a no-ack consumer
        #expect(unacked.remove(tag: 5) == nil)
        #expect(unacked.removeUpTo(tag: 6).map(\.tag) == [2])
        #expect(unacked.remove(tag: 7)?.tag == 7)
        #expect(unacked.isEmpty)
        unacked.append(entry(9))
        #expect(unacked.removeUpTo(tag: 0).map(\.tag) == [9])  // 0 with multiple: everything
    }
}
