import Foundation
import NIOCore

/// Compaction: a segment that is not being written any more, that has gone quiet (no acks
/// since the last pass) and whose records are mostly acked is rewritten with just its live
/// records, off the event loop. The queue does not notice: records keep their numbers.
///
/// Crash safety rests on one fact: the old ack file lists every record the old segment
/// has lost, so it is correct beside either the old or the rewritten message file. The
/// rewrite is fsynced before it is renamed over the segment; the ack file is replaced after.
extension QueueStore {
    static let compactingSuffix = ".compacting"

    func compactionPass(minimumDeadBytes: Int) {
        for (number, segment) in segments where number != current && segment.acksDuringCompaction == nil {
            let quiet = segment.recentAcks == 0
            segment.recentAcks = 0
            let size = segment.messages.size + segment.messages.pendingBytes
            let dead = size - segment.liveBytes
            guard quiet, segment.live > 0, dead >= max(minimumDeadBytes, size / 2) else { continue }
            compact(number, segment)
        }
    }

    private func compact(_ number: UInt32, _ segment: Segment) {
        do {
            try segment.messages.flush()
            try segment.acks.flush()
        } catch {
            storage.logger.error("cannot compact segment \(number) of \(directory): \(error)")
            return
        }
        segment.acksDuringCompaction = []
        let source = path(number, ".msgs"), acks = path(number, ".acks")
        let target = path(number, ".msgs" + Self.compactingSuffix)
        storage.onStorageThread {
            try Self.rewriteLiveRecords(of: source, acks: acks, to: target)
        } then: { result in
            self.finishCompaction(number, segment, result)
        }
    }

    /// Runs on the storage thread: copies the records `acks` does not list into `target`
    /// and makes them durable. Returns the bytes written.
    static func rewriteLiveRecords(of source: String, acks: String, to target: String) throws(StorageError) -> Int {
        // Acks the loop appends meanwhile may be read or not; the loop carries them over.
        let acked = ackedRecords(try RecordFile.read(path: acks).records)
        let records = try RecordFile.read(path: source).records
        unlink(target)
        let rewrite = try RecordFile(path: target)
        for (_, payload) in records {
            guard let number = payload.getInteger(at: payload.readerIndex, as: UInt32.self), !acked.contains(number) else {
                continue
            }
            rewrite.append { $0.writeImmutableBuffer(payload) }
        }
        try rewrite.flush()
        guard RecordFile.sync(descriptor: rewrite.fileDescriptor) == 0 else { throw .io("fsync", target, errno) }
        return rewrite.size
    }

    private func finishCompaction(_ number: UInt32, _ segment: Segment, _ result: Result<Int, any Error>) {
        let carried = segment.acksDuringCompaction ?? []
        segment.acksDuringCompaction = nil
        let target = path(number, ".msgs" + Self.compactingSuffix)
        let before = segment.messages.size
        guard case .success(let after) = result, !isRemoved, segments[number] === segment, segment.live > 0 else {
            if case .failure(let error) = result {
                storage.logger.warning("compaction of segment \(number) of \(directory) failed, the segment stays as it was: \(error)")
            }
            unlink(target)
            if !isRemoved { removeIfEmpty(number) }
            return
        }
        do {
            let messages = path(number, ".msgs"), acks = path(number, ".acks")
            guard rename(target, messages) == 0 else { throw StorageError.io("rename", target, errno) }
            storage.forget(segment.messages)
            segment.messages = try RecordFile(path: messages)
            // Only the acks made during the rewrite still name records in it. Until the
            // next write a crash would lose those few, and their messages come back: at
            // least once, as with any ack not yet on disk.
            let emptyAcks = path(number, ".acks" + Self.compactingSuffix)
            unlink(emptyAcks)
            _ = try RecordFile(path: emptyAcks)
            guard rename(emptyAcks, acks) == 0 else { throw StorageError.io("rename", emptyAcks, errno) }
            storage.forget(segment.acks)
            segment.acks = try RecordFile(path: acks)
            for record in carried { segment.acks.append { $0.writeInteger(record) } }
            if !carried.isEmpty { storage.dirtied(segment.acks) }
            storage.logger.info("compacted segment \(number) of \(directory): \(before) bytes to \(after), \(segment.live) messages live")
        } catch {
            storage.logger.error("compaction of segment \(number) of \(directory) could not finish: \(error)")
        }
    }
}
