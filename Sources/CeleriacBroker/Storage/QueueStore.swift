import Foundation
import NIOCore

/// The persistent messages of one durable queue, as LavinMQ keeps them: segment files of
/// numbered message records (`NNNNNNNN.msgs`), and beside each an ack file
/// (`NNNNNNNN.acks`) of the numbers of its messages that have left the queue. A segment
/// whose every message is gone is deleted with its ack file; one that is mostly gone and
/// has gone quiet is compacted (see `QueueStore+Compaction`), so disk use follows the live
/// messages.
final class QueueStore {
    let directory: String
    let storage: MessageStorage
    var segments: [UInt32: Segment] = [:]
    /// The segment new messages go to; the others only lose messages.
    private(set) var current: UInt32 = 0
    /// Deleted with its queue: compactions still running throw their work away.
    private(set) var isRemoved = false

    /// Past this size the next message starts a new segment.
    let segmentSize: Int
    static let defaultSegmentSize = 8 << 20

    final class Segment {
        var messages: RecordFile
        var acks: RecordFile
        /// Messages written here and not yet acked, and the bytes their records take.
        var live = 0
        var liveBytes = 0
        /// The number the next record gets.
        var nextRecord: UInt32 = 0
        /// Acks since the last compaction pass: a segment still being consumed is left alone.
        var recentAcks = 0
        /// Set while a compaction rewrites the segment: the acks it must carry over.
        var acksDuringCompaction: [UInt32]?

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
        storage.register(self)
    }

    /// Reads what a previous run left: every message not acked, in the order published,
    /// with its location. Torn tails are cut and logged; unknown files are left alone.
    func recover() throws(StorageError) -> [(content: MessageContent, expiry: UInt64, location: StoreLocation)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let numbers = Set(names.compactMap { name -> UInt32? in
            if name.hasSuffix(Self.compactingSuffix) {
                // A compaction a crash interrupted: the segment it was rewriting is intact.
                unlink("\(directory)/\(name)")
                return nil
            }
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
            let acked = Self.ackedRecords(ackRecords)
            for (offset, payload) in messages {
                var record = payload
                guard let recordNumber = record.readInteger(as: UInt32.self) else { continue }
                segment.nextRecord = recordNumber &+ 1
                guard !acked.contains(recordNumber) else { continue }
                do {
                    let (content, expiry) = try MessageRecord.read(record)
                    let size = UInt32(RecordFile.headerSize + payload.readableBytes)
                    recovered.append((content, expiry, StoreLocation(segment: number, record: recordNumber, size: size)))
                    segment.live += 1
                    segment.liveBytes += Int(size)
                } catch {
                    storage.logger.warning("skipping an unreadable message at \(offset) in segment \(number) of \(directory): \(error)")
                }
            }
            current = max(current, number)
        }
        for number in numbers where number != current { removeIfEmpty(number) }
        return recovered
    }

    static func ackedRecords(_ records: [(offset: Int, payload: ByteBuffer)]) -> Set<UInt32> {
        Set(records.compactMap { $0.payload.getInteger(at: $0.payload.readerIndex, as: UInt32.self) })
    }

    func append(_ message: QueuedMessage, wallClockExpiry: UInt64?) throws(StorageError) -> StoreLocation {
        var segment = try currentSegment()
        if segment.messages.size + segment.messages.pendingBytes >= segmentSize {
            current += 1
            segment = try open(current)
        }
        let number = segment.nextRecord
        segment.nextRecord += 1
        let before = segment.messages.pendingBytes
        segment.messages.append {
            $0.writeInteger(number)
            MessageRecord.write(message, wallClockExpiry: wallClockExpiry, into: &$0)
        }
        let size = segment.messages.pendingBytes - before
        segment.live += 1
        segment.liveBytes += size
        storage.dirtied(segment.messages)
        return StoreLocation(segment: current, record: number, size: UInt32(size))
    }

    /// The message left the queue for good (acked, dropped, expired, purged).
    func acknowledge(_ location: StoreLocation) {
        guard let segment = segments[location.segment] else { return }
        segment.acks.append { $0.writeInteger(location.record) }
        segment.acksDuringCompaction?.append(location.record)
        segment.live -= 1
        segment.liveBytes -= Int(location.size)
        segment.recentAcks += 1
        storage.dirtied(segment.acks)
        if location.segment == current {
            // A drained queue gives its segment back once it is big enough to matter; the
            // next message starts a fresh one. (Not at every drain: a queue that empties after
            // each message would create and delete files at that rate.)
            guard segment.live == 0, segment.messages.size + segment.messages.pendingBytes >= segmentSize / 8 else { return }
            current += 1
        }
        removeIfEmpty(location.segment)
    }

    /// The queue was deleted: so is everything it stored.
    func removeAll() {
        isRemoved = true
        storage.unregister(self)
        for segment in segments.values {
            storage.forget(segment.messages)
            storage.forget(segment.acks)
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

    func path(_ number: UInt32, _ suffix: String) -> String {
        "\(directory)/\(String(format: "%08u", number))\(suffix)"
    }

    private func open(_ number: UInt32) throws(StorageError) -> Segment {
        if let segment = segments[number] { return segment }
        let segment = Segment(messages: try RecordFile(path: path(number, ".msgs")),
                              acks: try RecordFile(path: path(number, ".acks")))
        segments[number] = segment
        return segment
    }

    /// Deletes a segment none of whose messages is left; one being compacted is deleted
    /// when its compaction ends, so the rewrite cannot bring it back.
    func removeIfEmpty(_ number: UInt32) {
        guard let segment = segments[number], segment.live == 0, segment.acksDuringCompaction == nil else { return }
        storage.forget(segment.messages)
        storage.forget(segment.acks)
        segment.messages.remove()
        segment.acks.remove()
        segments[number] = nil
    }
}
