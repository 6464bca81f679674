/// AMQPProtocol: the AMQP 0-9-1 wire format as RabbitMQ speaks it — frames, methods,
/// content headers, basic properties and field tables, as plain values with encoders and
/// decoders. No I/O happens here; the client and the broker add the sockets. This module
/// must never import any other Celeriac module.
import NIOCore

/// Namespace for the generated method types, one nested enum per AMQP class
/// (`AMQP.Queue.Declare`, `AMQP.Basic.Publish`, …).
public enum AMQP {
    /// The eight bytes a client sends first: "AMQP", 0, 0, 9, 1.
    public static let protocolHeader: [UInt8] = [0x41, 0x4D, 0x51, 0x50, 0, 0, 9, 1]

    /// The octet that closes every frame.
    public static let frameEnd: UInt8 = 0xCE

    /// No peer may refuse frames up to this size, whatever frame-max says.
    public static let minimumFrameSize: UInt32 = 4096

    /// Type, channel and size before the payload, and the frame-end octet after it.
    public static let frameOverhead = 8
    /// Type, channel and payload size: what a frame starts with.
    public static let frameHeaderSize = 7

    /// The most body bytes one body frame carries under a negotiated frame-max (0: no
    /// limit). No peer may negotiate below the spec's minimum, so a smaller value is raised.
    public static func bodyChunk(maximumFrameSize: UInt32) -> Int {
        maximumFrameSize == 0 ? Int.max : Int(Swift.max(maximumFrameSize, minimumFrameSize)) - frameOverhead
    }

    /// The default port of amqp:// and amqps://.
    public static let defaultPort = 5672
    public static let defaultTLSPort = 5671
}

/// What every generated method struct shares: its ids, its wire name and its codec.
public protocol AMQPMethodPayload: Sendable, Hashable {
    static var classID: UInt16 { get }
    static var methodID: UInt16 { get }
    /// The spec's dotted name, e.g. "queue.declare-ok".
    static var name: String { get }
    /// Whether a content header and body frames follow this method.
    static var hasContent: Bool { get }

    func encode(into buffer: inout ByteBuffer) throws(AMQPProtocolError)
}
