import Foundation
import Logging
import NIOCore

/// What survives a restart, in the data dir: `definitions.log` (durable exchanges, queues,
/// bindings, vhosts, users — a JSON line per change, compacted to a snapshot at every start)
/// and `queues/` (persistent messages, see `QueueStore`). The data dir holds only files the
/// broker wrote; anything else there is logged and left alone.
final class BrokerStore {
    let storage: MessageStorage
    private var definitions: RecordFile
    private var definitionsPath: String { "\(storage.directory)/definitions.log" }
    /// While the log is being replayed, changes are applied, not recorded again.
    private(set) var isReplaying = false

    init(directory: String, policy: FsyncPolicy, loop: any EventLoop, logger: Logger,
         compactionInterval: TimeAmount) throws(StorageError) {
        storage = try MessageStorage(directory: directory, policy: policy, loop: loop, logger: logger,
                                     compactionInterval: compactionInterval)
        definitions = try RecordFile(path: "\(directory)/definitions.log")
        let known: Set<String> = ["definitions.log", "queues"]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where !known.contains(name) {
            logger.warning("ignoring \(directory)/\(name): not a file this broker writes")
        }
    }

    func record(_ change: DefinitionChange) {
        guard !isReplaying else { return }
        let line = ManagementJSON.encode(change.json)
        definitions.append { $0.writeBytes(line) }
        do {
            // Definition changes are rare (a declare that changes nothing writes nothing),
            // so each is made durable before its -ok goes out.
            try definitions.flush()
            if storage.policy != .off, RecordFile.sync(descriptor: definitions.fileDescriptor) != 0 {
                storage.logger.error("fsync of \(definitionsPath) failed: \(String(cString: strerror(errno)))")
            }
        } catch {
            storage.logger.error("cannot record a definition change: \(error)")
        }
    }

    /// The changes the log holds, oldest first; a torn tail is cut and logged.
    func recordedChanges() throws(StorageError) -> [DefinitionChange] {
        let (records, cut) = try definitions.readAll()
        if cut > 0 { storage.logger.warning("cut a torn tail of \(cut) bytes from \(definitionsPath)") }
        var changes: [DefinitionChange] = []
        for record in records {
            guard let object = try? JSONSerialization.jsonObject(with: Data(record.payload.readableBytesView)) as? [String: Any],
                  let change = try? DefinitionChange(json: object) else {
                storage.logger.warning("skipping an unreadable record in \(definitionsPath)")
                continue
            }
            changes.append(change)
        }
        return changes
    }

    func replaying(_ body: () throws -> Void) rethrows {
        isReplaying = true
        defer { isReplaying = false }
        try body()
    }

    /// Rewrites the log as just `snapshot` (write to a new file, fsync, rename), so it holds
    /// what is live rather than every change ever made.
    func compact(to snapshot: [DefinitionChange]) throws(StorageError) {
        let path = definitionsPath + ".new"
        unlink(path)
        let fresh = try RecordFile(path: path)
        for change in snapshot {
            let line = ManagementJSON.encode(change.json)
            fresh.append { $0.writeBytes(line) }
        }
        try fresh.flush()
        guard RecordFile.sync(descriptor: fresh.fileDescriptor) == 0 else { throw .io("fsync", path, errno) }
        guard rename(path, definitionsPath) == 0 else { throw .io("rename", path, errno) }
        definitions = try RecordFile(path: definitionsPath)
    }

    func queueStore(vhost: String, queue: String) throws(StorageError) -> QueueStore {
        try QueueStore(directory: storage.queueDirectory(vhost: vhost, queue: queue), storage: storage)
    }
}
