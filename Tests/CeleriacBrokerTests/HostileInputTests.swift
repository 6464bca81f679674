import AMQPClient
import AMQPProtocol
import CeleriacBroker
import CeleriacTestSupport
import NIOCore
import Foundation
import Testing

/// Bytes no well-behaved client sends: each closes its own connection with the reply code
/// the spec gives, and the broker serves everyone else as before.
@Suite(.timeLimit(.minutes(1)))
struct HostileInputTests {
    /// The connection.close the broker sent among `bytes` (after connection.start), if any.
    static func closeCode(in bytes: [UInt8]) -> UInt16? {
        var buffer = ByteBuffer(bytes: bytes)
        let decoder = AMQPFrameDecoder()
        while let frame = try? decoder.decodeFrame(from: &buffer) {
            if case .method(0, .connectionClose(let close)) = frame { return close.replyCode }
        }
        return nil
    }

    static func frame(type: UInt8, channel: UInt16 = 0, payload: [UInt8], size: UInt32? = nil) -> [UInt8] {
        var bytes = [type, UInt8(channel >> 8), UInt8(channel & 0xFF)]
        let length = size ?? UInt32(payload.count)
        bytes += [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
        return bytes + payload + [AMQP.frameEnd]
    }

    @Test func aClientSpeakingAnotherProtocolGetsOurHeaderAndIsClosed() async throws {
        try await BrokerServerTests.withBroker { server, url in
            let port = server.port
            let reply = try await detached {
                let socket = try RawSocket(port: port)
                socket.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
                return socket.readUntilClosed()
            }
            #expect(reply == AMQP.protocolHeader)
            try await Self.expectServing(url)
        }
    }

    @Test(arguments: [
        ("an unknown frame type", frame(type: 9, payload: [0, 0]), AMQPReplyCode.frameError),
        ("a frame past frame-max", frame(type: 1, payload: [], size: 1 << 30), .frameError),
        ("an unknown method", frame(type: 1, payload: [0, 10, 0, 99]), .commandInvalid),
        ("a method cut short", frame(type: 1, payload: [0, 10, 0, 11, 0, 0]), .syntaxError),
        ("a body with no method before it", frame(type: 3, channel: 1, payload: [1, 2, 3]), .unexpectedFrame),
        ("a frame without its end octet", [1, 0, 0, 0, 0, 0, 4, 0, 10, 0, 11, 0x00], .frameError),
    ])
    func malformedFramesCloseTheConnectionWithTheirCode(what: String, bytes: [UInt8], code: AMQPReplyCode) async throws {
        try await BrokerServerTests.withBroker { server, url in
            let port = server.port
            let reply = try await detached {
                let socket = try RawSocket(port: port)
                socket.send(AMQP.protocolHeader + bytes)
                return socket.readUntilClosed()
            }
            #expect(Self.closeCode(in: reply) == code.rawValue, "\(what)")
            try await Self.expectServing(url)
        }
    }

    @Test func aFloodOfJunkIsCutOffAndOthersAreServed() async throws {
        try await BrokerServerTests.withBroker { server, url in
            let port = server.port
            _ = try await detached {
                let socket = try RawSocket(port: port)
                // From the kernel in one read: byte by byte, a debug build takes many seconds.
                let junk = [UInt8](FileHandle(forReadingAtPath: "/dev/urandom")?.readData(ofLength: 4 << 20) ?? Data(count: 4 << 20))
                socket.send(AMQP.protocolHeader + junk)
                return socket.readUntilClosed()
            }
            try await Self.expectServing(url)
        }
    }

    /// A normal client still gets a full round trip.
    static func expectServing(_ url: String) async throws {
        let connection = try await AMQPConnection.connect(url: url)
        let channel = try await connection.openChannel()
        let queue = try await channel.queueDeclare(exclusive: true).queue
        try await channel.confirmSelect()
        try await channel.publishConfirmed(ByteBuffer(string: "still here"), routingKey: queue)
        #expect(try await channel.get(queue: queue, noAck: true).map { String(buffer: $0.body) } == "still here")
        try await connection.close()
    }
}
