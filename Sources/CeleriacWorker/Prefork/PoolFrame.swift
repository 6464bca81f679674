import Foundation

/// One message between the worker and a prefork child over their pipes: a 4-byte big-endian
/// length, then a kind byte and the payload. Frames are small and whole, so neither side
/// needs more than a read buffer to find them.
struct PoolFrame: Sendable, Equatable {
    enum Kind: UInt8, Sendable {
        /// Child → worker, once started: `{"pid": N}`.
        case ready = 1
        /// Worker → child: a task to run (`ChildJob`).
        case run = 2
        /// Child → worker: a custom state the task reported (`updateState`).
        case progress = 3
        /// Child → worker: how the task ended (`ChildOutcome`).
        case outcome = 4
    }

    /// A frame longer than this is a broken stream, not a message: the child is replaced.
    static let maximumLength = 256 * 1024 * 1024

    var kind: Kind
    var payload: [UInt8]

    var bytes: [UInt8] {
        let length = UInt32(payload.count + 1)
        var bytes: [UInt8] = [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF),
                              UInt8(length & 0xFF), kind.rawValue]
        bytes += payload
        return bytes
    }

    /// Writes the whole frame to a descriptor; false when the other end has gone.
    func write(to descriptor: Int32) -> Bool {
        let bytes = self.bytes
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Foundation.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            written += count
        }
        return true
    }
}

/// Reads frames from a pipe with blocking reads, on the thread that calls `next()`.
struct PoolFrameReader {
    enum ReadError: Error, CustomStringConvertible {
        case unknownKind(UInt8)
        case tooLong(Int)

        var description: String {
            switch self {
            case .unknownKind(let kind): "unknown frame kind \(kind)"
            case .tooLong(let length): "frame of \(length) bytes is longer than a pool frame may be"
            }
        }
    }

    let descriptor: Int32
    private var buffer: [UInt8] = []
    private var start = 0

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// The next frame; nil at end of stream (the other process closed its end or exited).
    mutating func next() throws(ReadError) -> PoolFrame? {
        while true {
            if let frame = try takeFrame() { return frame }
            if !fill() { return nil }
        }
    }

    private mutating func takeFrame() throws(ReadError) -> PoolFrame? {
        guard buffer.count - start >= 4 else { return nil }
        let length = buffer[start..<start + 4].reduce(0) { $0 << 8 | Int($1) }
        guard length >= 1, length <= PoolFrame.maximumLength else { throw .tooLong(length) }
        guard buffer.count - start >= 4 + length else { return nil }
        let kindByte = buffer[start + 4]
        guard let kind = PoolFrame.Kind(rawValue: kindByte) else { throw .unknownKind(kindByte) }
        let payload = Array(buffer[start + 5..<start + 4 + length])
        start += 4 + length
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return PoolFrame(kind: kind, payload: payload)
    }

    /// Reads more bytes; false at end of stream or on an error other than an interruption.
    private mutating func fill() -> Bool {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            buffer += chunk[0..<count]
            return true
        }
    }
}
