import Foundation
import Logging
import NIOCore
import NIOPosix

/// The broker's data dir and its write path. Records appended during a turn of the event
/// loop are written with one write() per file at the end of the turn; under `--fsync always`
/// the files are then fsynced together on a thread of their own (group commit), and only
/// then do the publishers waiting on them get their confirms.
final class MessageStorage {
    let directory: String
    let policy: FsyncPolicy
    let logger: Logger
    private let loop: any EventLoop
    private let syncThreads: NIOThreadPool
    private var dirty: [ObjectIdentifier: RecordFile] = [:]
    private var endOfTurnScheduled = false
    /// Called once the records written before them are durable under the policy.
    private var waiting: [() -> Void] = []
    private var syncing = false
    /// The durable queues' stores, for the compaction pass.
    private var queueStores: [ObjectIdentifier: QueueStore] = [:]

    static let batchInterval = TimeAmount.milliseconds(200)
    /// A segment is rewritten only when it would give back at least this much.
    static let compactionMinimumDeadBytes = 64 << 10

    init(directory: String, policy: FsyncPolicy, loop: any EventLoop, logger: Logger,
         compactionInterval: TimeAmount = .seconds(30)) throws(StorageError) {
        self.directory = directory
        self.policy = policy
        self.loop = loop
        self.logger = logger
        syncThreads = NIOThreadPool(numberOfThreads: 1)
        syncThreads.start()
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil else {
            throw .io("create", directory, errno)
        }
        if policy == .batch {
            let bound = NIOLoopBound(self, eventLoop: loop)
            loop.scheduleRepeatedTask(initialDelay: Self.batchInterval, delay: Self.batchInterval) { _ in
                bound.value.syncDirtyFiles(everything: true)
            }
        }
        let bound = NIOLoopBound(self, eventLoop: loop)
        loop.scheduleRepeatedTask(initialDelay: compactionInterval, delay: compactionInterval) { _ in
            bound.value.compactionPass()
        }
    }

    func register(_ store: QueueStore) { queueStores[ObjectIdentifier(store)] = store }
    func unregister(_ store: QueueStore) { queueStores[ObjectIdentifier(store)] = nil }

    func compactionPass() {
        for store in queueStores.values { store.compactionPass(minimumDeadBytes: Self.compactionMinimumDeadBytes) }
    }

    /// Runs file work on the storage thread (where the fsyncs run) and hands its result back
    /// on the event loop.
    func onStorageThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value,
                                          then: @escaping (Result<Value, any Error>) -> Void) {
        let bound = NIOLoopBound(then, eventLoop: loop)
        syncThreads.runIfActive(eventLoop: loop, work).whenComplete { bound.value($0) }
    }

    func shutdown() {
        flushPending()
        for file in dirty.values where file.needsSync { _ = RecordFile.sync(descriptor: file.fileDescriptor) }
        try? syncThreads.syncShutdownGracefully()
    }

    /// The directory a durable queue keeps its messages in; names are hex-encoded, so any
    /// vhost or queue name is a safe file name.
    func queueDirectory(vhost: String, queue: String) -> String {
        "\(directory)/queues/\(Self.hex(vhost))/\(Self.hex(queue))"
    }

    static func hex(_ name: String) -> String { name.utf8.map { String(format: "%02x", $0) }.joined() }

    // MARK: Write path

    func dirtied(_ file: RecordFile) {
        dirty[ObjectIdentifier(file)] = file
        scheduleEndOfTurn()
    }

    /// A file about to be deleted: nothing more to write or sync.
    func forget(_ file: RecordFile) {
        dirty[ObjectIdentifier(file)] = nil
    }

    /// Runs `body` once everything appended so far is durable under the policy.
    func afterDurable(_ body: @escaping () -> Void) {
        waiting.append(body)
        scheduleEndOfTurn()
    }

    private func scheduleEndOfTurn() {
        guard !endOfTurnScheduled else { return }
        endOfTurnScheduled = true
        let bound = NIOLoopBound(self, eventLoop: loop)
        loop.execute { bound.value.endOfTurn() }
    }

    private func endOfTurn() {
        endOfTurnScheduled = false
        flushPending()
        switch policy {
        case .always:
            syncDirtyFiles(everything: false)
        case .batch, .off:
            runWaiters(waiting)
            waiting = []
        }
    }

    private func flushPending() {
        for file in dirty.values where file.pendingBytes > 0 {
            do {
                try file.flush()
            } catch {
                logger.error("\(error)")
            }
        }
    }

    /// fsyncs every written file on the sync thread, then releases the waiters that were
    /// there before it started. One sync runs at a time; what arrives meanwhile waits for
    /// the next, which starts as soon as this one ends — that is the group commit.
    private func syncDirtyFiles(everything: Bool) {
        guard !syncing else { return }
        // The waiters released below include any registered since this turn's flush (a sync
        // that ends runs this before the turn's own end): their records must be written to
        // the kernel before the files to sync are chosen, or they would be confirmed unsynced.
        flushPending()
        let files = dirty.values.filter(\.needsSync)
        let released = waiting
        waiting = []
        guard !files.isEmpty else {
            runWaiters(released)
            return
        }
        for file in files { file.markSynced() }
        dirty = dirty.filter { $0.value.pendingBytes > 0 }
        syncing = true
        let descriptors = files.map(\.fileDescriptor)
        let paths = files.map(\.path)
        // The files ride along, so none is closed while its descriptor is being synced.
        let bound = NIOLoopBound((self, released, files), eventLoop: loop)
        syncThreads.runIfActive(eventLoop: loop) {
            descriptors.map { RecordFile.sync(descriptor: $0) }
        }.whenComplete { result in
            let (storage, released, _) = bound.value
            storage.syncing = false
            if case .success(let codes) = result {
                for (code, path) in zip(codes, paths) where code != 0 {
                    storage.logger.error("fsync of \(path) failed: \(String(cString: strerror(code)))")
                }
            }
            storage.runWaiters(released)
            if !storage.waiting.isEmpty || storage.dirty.values.contains(where: \.needsSync) {
                storage.syncDirtyFiles(everything: false)
            }
        }
    }

    private func runWaiters(_ waiters: [() -> Void]) {
        for waiter in waiters { waiter() }
    }
}
