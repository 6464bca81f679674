import NIOCore

/// A content-carrying method with its header and whole body, cut from the stream at once.
public struct AMQPWholeMessage: Sendable {
    public var channel: UInt16
    public var message: AMQPContentAssembler.Message
    /// The header's property flags and list as they came: a broker passes them on to
    /// consumers without encoding the properties again.
    public var encodedProperties: ByteBuffer
}

extension AMQPFrameDecoder {
    /// The fast path for what a busy connection mostly carries: a publish or a delivery whose
    /// method, header and body (in one frame, or none) have all arrived. Read in one pass,
    /// with no frame values or assembler steps between, which cost more than the decoding.
    ///
    /// Returns nil, consuming nothing, for anything else — another method, a message not all
    /// here yet or in several body frames, or bytes that are malformed in any way — and
    /// `decodeFrame` takes over from the same place, with the checks and errors it always
    /// has. The caller still owes what its assembler would check: that the channel was not
    /// in the middle of another message.
    public func decodeWholeMessage(from buffer: inout ByteBuffer, maximumBodySize: UInt64) -> AMQPWholeMessage? {
        let cut = buffer.withUnsafeReadableBytes { raw in cutWholeMessage(raw, maximumBodySize: maximumBodySize) }
        guard let cut else { return nil }
        let start = buffer.readerIndex
        let properties = buffer.getSlice(at: start + cut.propertiesOffset, length: cut.propertiesLength) ?? ByteBuffer()
        let body = cut.bodyLength == 0 ? ByteBuffer() : buffer.getSlice(at: start + cut.bodyOffset, length: cut.bodyLength) ?? ByteBuffer()
        buffer.moveReaderIndex(forwardBy: cut.size)
        return AMQPWholeMessage(channel: cut.channel,
                                message: AMQPContentAssembler.Message(method: cut.method, header: cut.header, body: body),
                                encodedProperties: properties)
    }

    /// Where the parts of a whole message lie, relative to the buffer's reader index.
    private struct WholeMessageCut {
        var channel: UInt16
        var method: AMQPMethod
        var header: AMQPContentHeader
        var propertiesOffset: Int
        var propertiesLength: Int
        var bodyOffset: Int
        var bodyLength: Int
        /// All three frames' bytes.
        var size: Int
    }

    private func cutWholeMessage(_ raw: UnsafeRawBufferPointer, maximumBodySize: UInt64) -> WholeMessageCut? {
        guard let methodFrame = frame(in: raw, at: 0, kind: .method, channel: nil),
              Self.isContentMethod(raw, payloadAt: methodFrame.payload.lowerBound)
        else { return nil }
        let channel = methodFrame.channel
        guard let headerFrame = frame(in: raw, at: methodFrame.end, kind: .header, channel: channel) else { return nil }
        // Nothing is decoded until the body is here too: a large message arrives over many reads.
        var sizes = AMQPReader(UnsafeRawBufferPointer(rebasing: raw[headerFrame.payload]))
        guard (try? sizes.long()) != nil, let announcedBodySize = try? sizes.longLong(),  // after class id and weight
              announcedBodySize <= maximumBodySize
        else { return nil }
        var bodyFrame: FrameBounds?
        if announcedBodySize > 0 {
            guard let body = frame(in: raw, at: headerFrame.end, kind: .body, channel: channel),
                  UInt64(body.payload.count) == announcedBodySize
            else { return nil }
            bodyFrame = body
        }
        var methodReader = AMQPReader(UnsafeRawBufferPointer(rebasing: raw[methodFrame.payload]))
        var headerReader = AMQPReader(UnsafeRawBufferPointer(rebasing: raw[headerFrame.payload]))
        guard let method = try? AMQPMethod.decode(from: &methodReader), methodReader.remaining == 0, method.hasContent,
              let header = try? AMQPContentHeader(reading: &headerReader), headerReader.remaining == 0
        else { return nil }
        // class id, weight and body size come before the property flags.
        let properties = headerFrame.payload.lowerBound + 12..<headerFrame.payload.upperBound
        return WholeMessageCut(channel: channel, method: method, header: header,
                               propertiesOffset: properties.lowerBound, propertiesLength: properties.count,
                               bodyOffset: bodyFrame?.payload.lowerBound ?? headerFrame.end,
                               bodyLength: bodyFrame?.payload.count ?? 0, size: bodyFrame?.end ?? headerFrame.end)
    }

    /// The whole frame at `offset` when it is of `kind` (and on `channel`, when given); nil for
    /// anything else, malformed bytes included: `decodeFrame` reports those.
    private func frame(in raw: UnsafeRawBufferPointer, at offset: Int, kind: AMQPFrame.Kind, channel: UInt16?) -> FrameBounds? {
        guard let bounds = try? frameBounds(in: raw, at: offset), bounds.kind == kind,
              channel == nil || channel == bounds.channel
        else { return nil }
        return bounds
    }

    /// basic.publish, basic.return, basic.deliver or basic.get-ok, by their class and method ids.
    private static func isContentMethod(_ raw: UnsafeRawBufferPointer, payloadAt offset: Int) -> Bool {
        guard raw.count - offset >= 4, raw[offset] == 0, raw[offset + 1] == 60, raw[offset + 2] == 0 else { return false }
        switch raw[offset + 3] {
        case 40, 50, 60, 71: return true
        default: return false
        }
    }
}
