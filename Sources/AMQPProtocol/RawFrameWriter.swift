import NIOCore

/// Big-endian writes into memory sized beforehand, for the hottest frame writers (a
/// broker's deliveries, a client's publishes): one `writeWithUnsafeMutableBytes` instead of
/// a ByteBuffer call per field, each of which pays a runtime exclusivity check.
public struct RawFrameWriter {
    private let memory: UnsafeMutableRawBufferPointer
    /// Bytes written so far: what the `writeWithUnsafeMutableBytes` closure returns.
    public private(set) var offset = 0

    public init(_ memory: UnsafeMutableRawBufferPointer) { self.memory = memory }

    public mutating func put<Value: FixedWidthInteger>(_ value: Value) {
        memory.storeBytes(of: value.bigEndian, toByteOffset: offset, as: Value.self)
        offset += MemoryLayout<Value>.size
    }

    public mutating func put(bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        (memory.baseAddress! + offset).copyMemory(from: source, byteCount: bytes.count)
        offset += bytes.count
    }

    /// A short string the caller has checked fits (255 bytes at most).
    public mutating func putShortString(_ text: inout String) {
        text.withUTF8 { utf8 in
            put(UInt8(utf8.count))
            put(bytes: UnsafeRawBufferPointer(utf8))
        }
    }

    /// A frame's type, channel and payload size.
    public mutating func frameStart(_ kind: AMQPFrame.Kind, channel: UInt16, size: Int) {
        put(kind.rawValue)
        put(channel)
        put(UInt32(size))
    }

    /// A content header frame up to its properties: type, channel, size, class, weight and
    /// body size (`contentHeaderStartSize` bytes). The properties and the end octet follow.
    public mutating func contentHeaderStart(channel: UInt16, propertiesSize: Int, bodySize: Int) {
        frameStart(.header, channel: channel, size: 12 + propertiesSize)
        put(AMQP.Basic.Publish.classID)
        put(UInt16(0))  // weight
        put(UInt64(bodySize))
    }

    /// Bytes `contentHeaderStart` writes.
    public static let contentHeaderStartSize = 7 + 12

    /// Body frames of at most `chunk` bytes each, every one with its header and end octet.
    public mutating func putBodyFrames(_ body: UnsafeRawBufferPointer, channel: UInt16, chunk: Int) {
        var start = 0
        while start < body.count {
            let length = Swift.min(chunk, body.count - start)
            frameStart(.body, channel: channel, size: length)
            put(bytes: UnsafeRawBufferPointer(rebasing: body[start..<(start + length)]))
            put(AMQP.frameEnd)
            start += length
        }
    }

    /// Bytes the body frames of a `length`-byte body take.
    public static func bodyFramesSize(_ length: Int, chunk: Int) -> Int {
        // (length - 1) / chunk + 1 frames: chunk may be Int.max (no frame limit).
        length == 0 ? 0 : length + ((length - 1) / chunk + 1) * AMQP.frameOverhead
    }
}
