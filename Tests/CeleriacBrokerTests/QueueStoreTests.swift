import AMQPProtocol
@testable import CeleriacBroker
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import Testing

struct QueueStoreTests {
    let loop = EmbeddedEventLoop()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("celeriac-store-\(UUID().uuidString)").path

    func storage() throws -> MessageStorage {
        try MessageStorage(directory: directory, policy: .off, loop: loop, logger: Logger(label: "test"))
    }

    func persistent(_ body: String) -> QueuedMessage {
        let properties = AMQPBasicProperties(contentType: "application/json", headers: ["task": "demo.add"], deliveryMode: 2)
        var encoded = ByteBuffer()
        try! properties.encode(into: &encoded)
        return QueuedMessage(content: MessageContent(exchange: "celery", routingKey: "celery", properties: properties,
                                                     encodedProperties: encoded, body: ByteBuffer(string: body)))
    }

    @Test func whatIsNotAckedComesBackInOrderWithItsProperties() throws {
        let storage = try storage()
        let store = try QueueStore(directory: "\(directory)/q", storage: storage)
        var locations: [StoreLocation] = []
        for index in 0..<5 { locations.append(try store.append(persistent("m\(index)"), wallClockExpiry: index == 4 ? 123 : nil)) }
        store.acknowledge(locations[1])
        store.acknowledge(locations[3])
        loop.run()  // the end of the loop's turn writes the records

        let recovered = try QueueStore(directory: "\(directory)/q", storage: storage).recover()
        #expect(recovered.map { String(buffer: $0.content.body) } == ["m0", "m2", "m4"])
        #expect(recovered.map(\.location) == [locations[0], locations[2], locations[4]])
        #expect(recovered.map(\.expiry) == [0, 0, 123])
        #expect(recovered.first?.content.properties.headers?["task"] == .string("demo.add"))
        #expect(recovered.first?.content.exchange == "celery")
    }

    @Test func aSegmentWhoseMessagesAreAllGoneIsDeleted() throws {
        let storage = try storage()
        let store = try QueueStore(directory: "\(directory)/q", storage: storage, segmentSize: 4096)
        let big = String(repeating: "x", count: 2048)
        let locations = try (0..<4).map { _ in try store.append(persistent(big), wallClockExpiry: nil) }
        loop.run()
        #expect(Set(locations.map(\.segment)).count >= 2)
        let files = { Set(try FileManager.default.contentsOfDirectory(atPath: "\(self.directory)/q")) }
        #expect(try files().contains("00000000.msgs"))
        for location in locations where location.segment == 0 { store.acknowledge(location) }
        loop.run()
        #expect(try !files().contains("00000000.msgs"))
        #expect(try !files().contains("00000000.acks"))
        #expect(try QueueStore(directory: "\(directory)/q", storage: storage).recover().count
                == locations.filter { $0.segment != 0 }.count)
    }

    @Test func aDrainedQueueGivesBackItsSegmentOnceItIsBigEnoughToMatter() throws {
        let storage = try storage()
        let store = try QueueStore(directory: "\(directory)/q", storage: storage, segmentSize: 8192)
        let files = { try FileManager.default.contentsOfDirectory(atPath: "\(self.directory)/q").sorted() }
        let small = try store.append(persistent("small"), wallClockExpiry: nil)
        store.acknowledge(small)
        loop.run()
        #expect(try files() == ["00000000.acks", "00000000.msgs"])  // under an eighth: kept for the next message
        let big = try store.append(persistent(String(repeating: "x", count: 1024)), wallClockExpiry: nil)
        store.acknowledge(big)
        loop.run()
        #expect(try files().isEmpty)
        let next = try store.append(persistent("next"), wallClockExpiry: nil)
        loop.run()
        #expect(next.segment == 1)
        #expect(try QueueStore(directory: "\(directory)/q", storage: storage).recover().map { String(buffer: $0.content.body) } == ["next"])
    }
}
