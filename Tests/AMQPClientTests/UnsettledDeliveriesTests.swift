@testable import AMQPClient
import Testing

@Suite("Unsettled deliveries")
struct UnsettledDeliveriesTests {
    @Test func saysWhetherASettledTagWasTheOldest() {
        var unsettled = UnsettledDeliveries()
        for tag in 1...5 as ClosedRange<UInt64> { unsettled.delivered(tag) }
        #expect(unsettled.settle(3) == .later)
        #expect(unsettled.settle(1) == .oldest)
        #expect(unsettled.settle(2) == .oldest)
        #expect(unsettled.settle(3) == .unknown)
        #expect(unsettled.settle(9) == .unknown)
        #expect(unsettled.count == 2)
    }

    @Test func aMultipleSettlementForgetsEverythingUpToItsTag() {
        var unsettled = UnsettledDeliveries()
        for tag in [2, 4, 6, 8] as [UInt64] { unsettled.delivered(tag) }
        unsettled.settle(through: 5)
        #expect(unsettled.count == 2)
        #expect(unsettled.settle(6) == .oldest)
        unsettled.removeAll()
        #expect(unsettled.settle(8) == .unknown)
    }
}
