@testable import CeleriacBroker
import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing

/// Compaction runs on the storage thread, so these tests use a real event loop: the store
/// lives on it, and a no-op queued behind a compaction on that (serial) thread tells when
/// the compaction's result is back on the loop.
struct QueueStoreCompactionTests {
    let loop = MultiThreadedEventLoopGroup.singleton.next()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("celeriac-compact-\(UUID().uuidString)").path
    static let segmentSize = 64 << 10
    static let messageSize = 4 << 10

    final class Fixture {
        let storage: MessageStorage
        let store: QueueStore
        var locations: [StoreLocation] = []

        init(directory: String, loop: any EventLoop) throws {
            // Passes are run by hand here, not by the timer.
            storage = try MessageStorage(directory: directory, policy: .always, loop: loop, logger: Logger(label: "test"),
                                         compactionInterval: .hours(1))
            store = try QueueStore(directory: "\(directory)/q", storage: storage, segmentSize: QueueStoreCompactionTests.segmentSize)
        }

        /// Messages numbered from 0; the body says which.
        func publish(_ count: Int) throws {
            for index in locations.count..<(locations.count + count) {
                let body = "\(index) " + String(repeating: "x", count: QueueStoreCompactionTests.messageSize)
                locations.append(try store.append(QueuedMessage(content: MessageContentFixture.make(body)), wallClockExpiry: nil))
            }
        }

        func ackSegmentZero(except kept: Set<Int>) {
            for (index, location) in locations.enumerated() where location.segment == 0 && !kept.contains(index) {
                store.acknowledge(location)
            }
        }

        func size(_ name: String) -> Int {
            (try? FileManager.default.attributesOfItem(atPath: "\(store.directory)/\(name)")[.size] as? Int) ?? -1
        }
    }

    func fixture() async throws -> NIOLoopBound<Fixture> {
        try await loop.submit { [directory, loop] in NIOLoopBound(try Fixture(directory: directory, loop: loop), eventLoop: loop) }.get()
    }

    func onLoop<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await loop.submit(body).get()
    }

    /// Waits until everything queued on the storage thread so far has finished and handed
    /// its result back to the loop.
    func storageThreadDrained(_ fixture: NIOLoopBound<Fixture>) async {
        await withCheckedContinuation { continuation in
            loop.execute { fixture.value.storage.onStorageThread({}) { _ in continuation.resume() } }
        }
    }

    /// What a fresh start on the directory would give back, as message numbers.
    func recoveredIndices() async throws -> [Int] {
        try await onLoop { [directory, loop] in
            let storage = try MessageStorage(directory: directory, policy: .off, loop: loop, logger: Logger(label: "test"),
                                             compactionInterval: .hours(1))
            return try QueueStore(directory: "\(directory)/q", storage: storage).recover().map {
                Int(String(buffer: $0.content.body).prefix { $0 != " " })!
            }
        }
    }

    @Test func aQuietMostlyAckedSegmentIsRewrittenWithJustItsLiveMessages() async throws {
        let fixture = try await fixture()
        let segmentZero = try await onLoop {
            try fixture.value.publish(40)
            fixture.value.ackSegmentZero(except: [0, 5])
            return fixture.value.locations.indices.filter { fixture.value.locations[$0].segment == 0 }
        }
        #expect(segmentZero.count > 10)
        await storageThreadDrained(fixture)  // the group commit of those writes
        let before = try await onLoop { fixture.value.size("00000000.msgs") }
        // The first pass only notes the acks just made; the segment is quiet by the second.
        try await onLoop { fixture.value.store.compactionPass(minimumDeadBytes: 0) }
        await storageThreadDrained(fixture)
        #expect(try await onLoop { fixture.value.size("00000000.msgs") } == before)
        try await onLoop { fixture.value.store.compactionPass(minimumDeadBytes: 0) }
        await storageThreadDrained(fixture)

        let after = try await onLoop { fixture.value.size("00000000.msgs") }
        #expect(after < 3 * Self.messageSize && after > 2 * Self.messageSize, "before \(before), after \(after)")
        #expect(try await onLoop { fixture.value.size("00000000.acks") } == 0)
        #expect(try await recoveredIndices() == [0, 5] + Array(segmentZero.count..<40))

        // The records kept their numbers: the queue's locations still ack them, and the
        // segment goes once both are gone.
        try await onLoop { fixture.value.store.acknowledge(fixture.value.locations[5]) }
        await storageThreadDrained(fixture)
        #expect(try await recoveredIndices() == [0] + Array(segmentZero.count..<40))
        try await onLoop { fixture.value.store.acknowledge(fixture.value.locations[0]) }
        #expect(try await onLoop { fixture.value.size("00000000.msgs") } == -1)
        #expect(try await onLoop { fixture.value.size("00000000.acks") } == -1)
    }

    @Test func anAckMadeWhileTheSegmentIsRewrittenIsNotLost() async throws {
        let fixture = try await fixture()
        try await onLoop {
            try fixture.value.publish(40)
            fixture.value.ackSegmentZero(except: [0, 5, 7])
            fixture.value.store.compactionPass(minimumDeadBytes: 0)  // notes the acks
            fixture.value.store.compactionPass(minimumDeadBytes: 0)  // starts the rewrite
            // In the same turn: the rewrite may or may not see this ack; either way it holds.
            fixture.value.store.acknowledge(fixture.value.locations[5])
        }
        await storageThreadDrained(fixture)
        await storageThreadDrained(fixture)  // and the group commit of the carried ack
        let recovered = try await recoveredIndices()
        #expect(recovered.prefix(2) == [0, 7])
        #expect(!recovered.contains(5))
    }

    @Test func aSegmentStillBeingConsumedIsLeftAlone() async throws {
        let fixture = try await fixture()
        try await onLoop {
            try fixture.value.publish(40)
            fixture.value.ackSegmentZero(except: [0, 1, 2])
            fixture.value.store.compactionPass(minimumDeadBytes: 0)
            fixture.value.store.acknowledge(fixture.value.locations[2])  // still acking: not quiet
            fixture.value.store.compactionPass(minimumDeadBytes: 0)
        }
        await storageThreadDrained(fixture)
        let untouched = try await onLoop { fixture.value.size("00000000.acks") }
        #expect(untouched > 0)
        try await onLoop { fixture.value.store.compactionPass(minimumDeadBytes: 0) }  // quiet now
        await storageThreadDrained(fixture)
        #expect(try await onLoop { fixture.value.size("00000000.acks") } == 0)
        #expect(try await recoveredIndices().prefix(2) == [0, 1])
    }

    /// A crash between the rename of the rewrite and the new ack file leaves the rewrite
    /// beside the old acks; a crash before the rename leaves a `.compacting` file. Both
    /// recover to exactly the live messages.
    @Test func aCompactionCutShortByACrashLosesNothingAndLeavesNothing() async throws {
        let fixture = try await fixture()
        try await onLoop {
            try fixture.value.publish(40)
            fixture.value.ackSegmentZero(except: [3])
        }
        await storageThreadDrained(fixture)
        let expected = try await recoveredIndices()
        let queue = "\(directory)/q"
        _ = try QueueStore.rewriteLiveRecords(of: "\(queue)/00000000.msgs", acks: "\(queue)/00000000.acks",
                                               to: "\(queue)/00000001.msgs.compacting")
        #expect(try await recoveredIndices() == expected)
        #expect(!FileManager.default.fileExists(atPath: "\(queue)/00000001.msgs.compacting"))

        _ = try QueueStore.rewriteLiveRecords(of: "\(queue)/00000000.msgs", acks: "\(queue)/00000000.acks",
                                               to: "\(queue)/00000000.msgs.compacting")
        #expect(rename("\(queue)/00000000.msgs.compacting", "\(queue)/00000000.msgs") == 0)
        #expect(try await recoveredIndices() == expected)
    }
}
