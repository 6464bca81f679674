import NIOCore
@testable import RedisClient
import Testing

/// RESP2 both ways, bytes arriving in pieces, and input a hostile or broken server could send.
@Suite struct RESPDecoderTests {
    static let values: [RESPValue] = [
        .simpleString("OK"), .error("ERR unknown command 'NOPE'"), .integer(-42), .integer(Int64.max),
        .bulkString(Array("héllo\r\nworld".utf8)), .bulkString([]), .bulkString(nil), .array(nil), .array([]),
        .array([.integer(1), .bulkString([0, 255, 13, 10]), .array([.simpleString("nested"), .bulkString(nil)])]),
    ]

    @Test(arguments: values) func everyValueRoundTrips(_ value: RESPValue) throws {
        var buffer = ByteBuffer()
        buffer.writeRESPValue(value)
        #expect(try RESPDecoder().next(from: &buffer) == value)
        #expect(buffer.readableBytes == 0)
    }

    @Test func aCommandIsAnArrayOfBulkStrings() {
        var buffer = ByteBuffer()
        buffer.writeRESPValue(.command("SET", ["key", 42]))
        #expect(String(buffer: buffer) == "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$2\r\n42\r\n")
    }

    /// However the bytes are cut, nothing comes out (and nothing is consumed) until a value is
    /// whole, and then exactly the values sent come out, in order.
    @Test func valuesArrivingByteByByteComeOutWhole() throws {
        var wire = ByteBuffer()
        for value in Self.values { wire.writeRESPValue(value) }
        let bytes = Array(wire.readableBytesView)
        var received = ByteBuffer()
        var decoded: [RESPValue] = []
        for byte in bytes {
            received.writeInteger(byte)
            while let value = try RESPDecoder().next(from: &received) { decoded.append(value) }
        }
        #expect(decoded == Self.values)
        #expect(received.readableBytes == 0)
    }

    @Test(arguments: [
        ("?what\r\n", "unknown reply type"),
        ("$99999999999\r\n", "exceeds the limit"),
        ("$-2\r\n", "is not a length"),
        ("*abc\r\n", "is not a length"),
        (":12x\r\n", "is not a number"),
        ("$3\r\nabcde\r\n", "does not end in CRLF"),
        ("+OK\rX", "CR without LF"),
        ("*200000000\r\n", "exceeds the limit"),
    ])
    func brokenInputIsAnErrorNotATrap(_ input: String, _ complaint: String) {
        var buffer = ByteBuffer(string: input)
        do {
            _ = try RESPDecoder().next(from: &buffer)
            Issue.record("\(input.debugDescription) was accepted")
        } catch {
            #expect(error.description.contains(complaint), "\(error)")
        }
    }

    @Test func aLineWithoutEndIsRefusedOnceItPassesTheLimit() throws {
        var buffer = ByteBuffer(string: "+" + String(repeating: "a", count: 1000))
        #expect(try RESPDecoder().next(from: &buffer) == nil, "short: still waiting for CRLF")
        buffer.writeString(String(repeating: "a", count: RESPDecoder.maximumLineLength))
        #expect(throws: RESPError.self) { try RESPDecoder().next(from: &buffer) }
    }

    @Test func nestingPastTheLimitIsRefused() {
        var buffer = ByteBuffer(string: String(repeating: "*1\r\n", count: RESPDecoder.maximumDepth + 2) + ":1\r\n")
        #expect(throws: RESPError.self) { try RESPDecoder().next(from: &buffer) }
    }

    @Test func aClaimedHugeArrayWaitsForItsElementsWithoutAllocatingThem() throws {
        var buffer = ByteBuffer(string: "*1000000\r\n:1\r\n")
        #expect(try RESPDecoder().next(from: &buffer) == nil)
        #expect(buffer.readableBytes == 14, "nothing consumed")
    }
}
