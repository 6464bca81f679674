import Foundation
import NIOCore

/// The persistent messages of one durable queue, as LavinMQ keeps them: segment files of
/// message records (`NNNNNNNN.msgs`), and beside each an ack file (`NNNNNNNN.acks`) of the
/// offsets of its messages that have left the queue. A segment whose every message is gone
/// is deleted with its ack file, so disk use follows the live messages.
final class QueueStore {
    let directory: String
    private let storage: MessageStorage
    private var segments: [UInt32: Segment] = [:]
    private var current: UInt32 = 0

    /// Past this size the next message starts a new segment.
    let segmentSize: Int
    static let defaultSegmentSize = 8 << 20

    private final class Segment {
        let messages: RecordFile
        let acks: RecordFile
        /// Messages written here and not yet acked.
        var live = 0

        init(messages: RecordFile, acks: RecordFile) {
            self.messages = messages
            self.acks = acks
        }
    }

    init(directory: String, storage: MessageStorage, segmentSize: Int = QueueStore.defaultSegmentSize) throws(StorageError) {
        self.directory = directory
        self.storage = storage
        self.segmentSize = segmentSize
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil else {
            throw .io("create", directory, errno)
        }
    }

    /// Reads what a previous run left: every message not acked, in the order published,
    /// with its location. Torn tails are cut and logged; unknown files are left alone.
    func recover() throws(StorageError) -> [(content: MessageContent, expiry: UInt64, location: StoreLocation)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let numbers = Set(names.compactMap { name -> UInt32? in
            guard name.hasSuffix(".msgs") || name.hasSuffix(".acks") else {
                storage.logger.warning("ignoring \(directory)/\(name): not a file this broker writes")
                return nil
            }
            return UInt32(name.dropLast(5))
        }).sorted()
        var recovered: [(MessageContent, UInt64, StoreLocation)] = []
        for number in numbers {
            let segment = try open(number)
            let (messages, cutMessages) = try segment.messages.readAll()
            let (ackRecords, cutAcks) = try segment.acks.readAll()
            if cutMessages + cutAcks > 0 {
                storage.logger.warning("cut a torn tail of \(cutMessages + cutAcks) bytes from segment \(number) of \(directory)")
            }
            let acked = Set(ackRecords.compactMap { $0.payload.getInteger(at: $0.payload.readerIndex, as: UInt32.self) })
            for (offset, payload) in messages where !acked.contains(UInt32(offset)) {
                do {
                    let (content, expiry) = try MessageRecord.read(payload)
                    recovered.append((content, expiry, StoreLocation(segment: number, offset: UInt32(offset))))
                    segment.live += 1
                } catch {
                    storage.logger.warning("skipping an unreadable message at \(offset) in segment \(number) of \(directory): \(error)")
                }
            }
            current = max(current, number)
        }
        for number in numbers where number != current { removeIfEmpty(number) }
        return recovered
    }

    func append(_ message: QueuedMessage, wallClockExpiry: UInt64?) throws(StorageError) -> StoreLocation {
        var segment = try currentSegment()
        if segment.messages.size + segment.messages.pendingBytes >= segmentSize {
            current += 1
            segment = try open(current)
        }
        let offset = segment.messages.append { MessageRecord.write(message, wallClockExpiry: wallClockExpiry, into: &$0) }
        segment.live += 1
        storage.dirtied(segment.messages)
        return StoreLocation(segment: current, offset: UInt32(offset))
    }

    /// The message left the queue for good (acked, dropped, expired, purged).
    func acknowledge(_ location: StoreLocation) {
        guard let segment = segments[location.segment] else { return }
        segment.acks.append { $0.writeInteger(location.offset) }
        segment.live -= 1
        storage.dirtied(segment.acks)
        if location.segment != current { removeIfEmpty(location.segment) }
    }

    /// The queue was deleted: so is everything it stored.
    func removeAll() {
        for segment in segments.values {
            segment.messages.remove()
            segment.acks.remove()
        }
        segments = [:]
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func currentSegment() throws(StorageError) -> Segment {
        if let segment = segments[current] { return segment }
        return try open(current)
    }

    private func open(_ number: UInt32) throws(StorageError) -> Segment {
        if let segment = segments[number] { return segment }
        let name = String(format: "%08u", number)
        let segment = Segment(messages: try RecordFile(path: "\(directory)/\(name).msgs"),
                              acks: try RecordFile(path: "\(directory)/\(name).acks"))
        segments[number] = segment
        return segment
    }

    private func removeIfEmpty(_ number: UInt32) {
        guard let segment = segments[number], segment.live == 0 else { return }
        storage.forget(segment.messages)
        storage.forget(segment.acks)
        segment.messages.remove()
        segment.acks.remove()
        segments[number] = nil
    }
}
