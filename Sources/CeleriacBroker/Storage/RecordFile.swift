import Foundation
import NIOCore

/// An append-only file of records, each framed as length (u32), CRC-32 of the payload (u32),
/// payload. Reading stops at the first record that is cut short or fails its checksum — the
/// tail a crash can leave — and the file is cut there, so the next append follows the last
/// whole record.
final class RecordFile {
    let path: String
    private let descriptor: Int32
    /// Bytes in the file: where the next record goes.
    private(set) var size: Int
    /// Appended and not yet handed to the kernel.
    private var pending = ByteBuffer()
    /// Written since the last fsync.
    private(set) var needsSync = false

    static let headerSize = 8
    /// A record above this is corruption, not data (the broker's largest message is 128 MiB).
    static let maximumRecordSize = 256 << 20

    /// Opens (creating) the file for appending.
    init(path: String) throws(StorageError) {
        self.path = path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io("open", path, errno) }
        let end = lseek(descriptor, 0, SEEK_END)
        guard end >= 0 else { throw .io("seek", path, errno) }
        size = Int(end)
    }

    deinit { close(descriptor) }

    /// Appends a record; returns its offset. Written to the kernel by `flush()`.
    @discardableResult
    func append(_ write: (inout ByteBuffer) -> Void) -> Int {
        let offset = size + pending.readableBytes
        let start = pending.writerIndex
        pending.writeInteger(UInt32(0))
        pending.writeInteger(UInt32(0))
        write(&pending)
        let length = pending.writerIndex - start - Self.headerSize
        pending.setInteger(UInt32(length), at: start)
        let checksum = pending.withUnsafeReadableBytes { bytes in
            CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[(start - pending.readerIndex + Self.headerSize)...]))
        }
        pending.setInteger(checksum, at: start + 4)
        return offset
    }

    var pendingBytes: Int { pending.readableBytes }

    /// Hands appended records to the kernel (the page cache; `sync()` makes them durable).
    func flush() throws(StorageError) {
        while pending.readableBytes > 0 {
            let written = pending.withUnsafeReadableBytes { bytes in Foundation.write(descriptor, bytes.baseAddress, bytes.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .io("write", path, errno)
            }
            pending.moveReaderIndex(forwardBy: written)
            size += written
        }
        pending.clear()
        needsSync = true
    }

    /// fsync: safe to call from another thread while the loop appends (it only syncs).
    static func sync(descriptor: Int32) -> Int32 { fsync(descriptor) == 0 ? 0 : errno }
    var fileDescriptor: Int32 { descriptor }
    func markSynced() { needsSync = false }

    /// Every whole record from the start, with its offset; cuts a torn or corrupt tail and
    /// reports how many bytes it cut.
    func readAll() throws(StorageError) -> (records: [(offset: Int, payload: ByteBuffer)], cutBytes: Int) {
        let (records, validBytes, totalBytes) = try Self.read(path: path)
        let cut = totalBytes - validBytes
        if cut > 0 {
            guard ftruncate(descriptor, off_t(validBytes)) == 0 else { throw .io("truncate", path, errno) }
            // The next append goes right after the last whole record, not after a hole.
            guard lseek(descriptor, off_t(validBytes), SEEK_SET) >= 0 else { throw .io("seek", path, errno) }
            size = validBytes
        }
        return (records, cut)
    }

    /// The whole records of the file at `path`, without changing it; safe off the event loop.
    static func read(path: String) throws(StorageError) -> (records: [(offset: Int, payload: ByteBuffer)], validBytes: Int, totalBytes: Int) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .io("read", path, errno) }
        var buffer = ByteBuffer(bytes: data)
        var records: [(Int, ByteBuffer)] = []
        var offset = 0
        while buffer.readableBytes >= headerSize {
            let length = Int(buffer.getInteger(at: buffer.readerIndex, as: UInt32.self)!)
            let checksum = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt32.self)!
            guard length <= maximumRecordSize, buffer.readableBytes >= headerSize + length else { break }
            let payload = buffer.getSlice(at: buffer.readerIndex + headerSize, length: length)!
            guard payload.withUnsafeReadableBytes({ CRC32.checksum($0) }) == checksum else { break }
            records.append((offset, payload))
            buffer.moveReaderIndex(forwardBy: headerSize + length)
            offset += headerSize + length
        }
        return (records, offset, data.count)
    }

    /// Deletes the file; the descriptor closes with the last reference (a sync in flight
    /// may still hold one).
    func remove() {
        unlink(path)
    }
}

/// A storage operation that failed, with the file and the system's reason.
enum StorageError: Error, CustomStringConvertible {
    case io(String, String, Int32)
    case corrupt(String, String)

    var description: String {
        switch self {
        case .io(let operation, let path, let code):
            return "cannot \(operation) \(path): \(String(cString: strerror(code)))"
        case .corrupt(let path, let reason):
            return "\(path) is not a file this broker wrote: \(reason)"
        }
    }
}
