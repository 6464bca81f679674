import AMQPProtocol
import NIOCore
import Testing

/// Runs `body` and returns the error it throws, or nil when it returns normally. Lets a test
/// look at the exact case and its `replyCode` without a do/catch in every test.
/// (Closures do not infer typed throws yet, so the error is cast back.)
func protocolError<T>(_ body: () throws -> T) -> AMQPProtocolError? {
    do {
        _ = try body()
        return nil
    } catch let error as AMQPProtocolError {
        return error
    } catch {
        Issue.record("expected an AMQPProtocolError, got \(error)")
        return nil
    }
}

/// The readable bytes of a buffer, for comparing with hand-written byte arrays.
func wireBytes(_ buffer: ByteBuffer) -> [UInt8] {
    Array(buffer.readableBytesView)
}

/// A frame assembled by hand: type, channel, size, payload and an end octet (0xCE unless given).
func handBuiltFrame(type: UInt8, channel: UInt16, payload: [UInt8], end: UInt8 = 0xCE) -> ByteBuffer {
    var buffer = ByteBuffer()
    buffer.writeInteger(type)
    buffer.writeInteger(channel)
    buffer.writeInteger(UInt32(payload.count))
    buffer.writeBytes(payload)
    buffer.writeInteger(end)
    return buffer
}

/// Decodes every whole frame in `buffer`, leaving an incomplete tail in place.
func decodeAllFrames(_ buffer: inout ByteBuffer, decoder: AMQPFrameDecoder = AMQPFrameDecoder())
    throws(AMQPProtocolError) -> [AMQPFrame]
{
    var frames: [AMQPFrame] = []
    while let frame = try decoder.decodeFrame(from: &buffer) {
        frames.append(frame)
    }
    return frames
}

extension AMQPContentAssembler {
    /// Hands one decoded frame to the matching receive method, as a connection's read loop does.
    mutating func receive(_ frame: AMQPFrame) throws(AMQPProtocolError) -> Output {
        switch frame {
        case .method(_, let method): return try receiveMethod(method)
        case .header(_, let header): return try receiveHeader(header)
        case .body(_, let body): return try receiveBody(body)
        case .heartbeat: return .incomplete
        }
    }
}
