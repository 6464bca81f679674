import NIOCore

/// One AMQP frame. A message travels as a method frame (basic.publish, basic.deliver, …),
/// one content header frame and as many body frames as frame-max requires.
public enum AMQPFrame: Sendable, Hashable {
    case method(channel: UInt16, AMQPMethod)
    case header(channel: UInt16, AMQPContentHeader)
    case body(channel: UInt16, ByteBuffer)
    case heartbeat

    public enum Kind: UInt8, Sendable {
        case method = 1
        case header = 2
        case body = 3
        case heartbeat = 8
    }

    public var channel: UInt16 {
        switch self {
        case .method(let channel, _), .header(let channel, _), .body(let channel, _): return channel
        case .heartbeat: return 0
        }
    }
}

/// The content header frame: which class the content belongs to, its total body size and
/// the message's properties.
public struct AMQPContentHeader: Sendable, Hashable {
    /// Always basic (60) in 0-9-1.
    public var classID: UInt16
    /// Unused by every broker; always 0 on the wire.
    public var weight: UInt16
    public var bodySize: UInt64
    public var properties: AMQPBasicProperties

    public init(classID: UInt16 = AMQP.Basic.Publish.classID, weight: UInt16 = 0, bodySize: UInt64,
                properties: AMQPBasicProperties) {
        self.classID = classID
        self.weight = weight
        self.bodySize = bodySize
        self.properties = properties
    }

    public init(decoding buffer: inout ByteBuffer) throws(AMQPProtocolError) {
        self = try buffer.readFields { (reader: inout AMQPReader) throws(AMQPProtocolError) in try Self(reading: &reader) }
    }

    init(reading reader: inout AMQPReader) throws(AMQPProtocolError) {
        classID = try reader.short()
        guard classID == AMQP.Basic.Publish.classID else { throw .unsupportedContentClass(classID) }
        weight = try reader.short()
        bodySize = try reader.longLong()
        properties = try AMQPBasicProperties(reading: &reader)
    }

    public func encode(into buffer: inout ByteBuffer) throws(AMQPProtocolError) {
        buffer.writeInteger(classID)
        buffer.writeInteger(weight)
        buffer.writeInteger(bodySize)
        try properties.encode(into: &buffer)
    }
}

extension AMQPMethod {
    public var classID: UInt16 { type(of: payload).classID }
    public var methodID: UInt16 { type(of: payload).methodID }
    /// The spec's dotted name, e.g. "basic.publish".
    public var name: String { type(of: payload).name }
    public var hasContent: Bool { type(of: payload).hasContent }

    /// Writes class id, method id and the arguments: a method frame's payload.
    public func encode(into buffer: inout ByteBuffer) throws(AMQPProtocolError) {
        let payload = self.payload
        buffer.writeInteger(type(of: payload).classID)
        buffer.writeInteger(type(of: payload).methodID)
        try payload.encode(into: &buffer)
    }
}
