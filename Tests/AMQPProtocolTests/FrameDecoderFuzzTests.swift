import AMQPProtocol
import NIOCore
import Testing

/// The decoder faces bytes from any peer; whatever arrives, it must return frames, return nil
/// or throw an AMQPProtocolError, never trap. Seeded, so every run feeds the same inputs.
@Suite("Frame decoder fuzzing")
struct FrameDecoderFuzzTests {
    /// xorshift64*: small and identical on every platform, so a failing run reproduces.
    struct XorShift {
        var state: UInt64

        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }

        mutating func below(_ bound: Int) -> Int {
            Int(next() % UInt64(bound))
        }

        mutating func byte() -> UInt8 {
            UInt8(truncatingIfNeeded: next() >> 56)
        }
    }

    /// Valid streams to start from: connection setup, a declare with nested arguments, a whole
    /// delivery, a channel close, and all of them back to back. (Sizes near UInt32.max have
    /// their own test in FrameDecodingTests; random mutation practically never makes them.)
    static func corpus() throws -> [[UInt8]] {
        let conversations: [[AMQPFrame]] = [
            [.method(channel: 0, .connectionStart(.init(serverProperties: [
                "product": .string("RabbitMQ"),
                "capabilities": .table(["publisher_confirms": .bool(true), "consumer_priorities": .bool(true)]),
            ])))],
            [.method(channel: 0, .connectionTune(.init(channelMax: 2047, frameMax: 4096, heartbeat: 60))), .heartbeat],
            [.method(channel: 1, .queueDeclare(.init(queue: "celery", durable: true, arguments: [
                "x-max-priority": .int8(10),
                "x-expires": .int32(60_000),
                "list": .array([.string("a"), .void, .decimal(scale: 1, value: 5)]),
            ])))],
            [
                .method(channel: 1, .basicDeliver(.init(consumerTag: "ctag", deliveryTag: 7, redelivered: true,
                                                        exchange: "", routingKey: "celery"))),
                .header(channel: 1, AMQPContentHeader(bodySize: 11, properties: AMQPBasicProperties(
                    contentType: "application/json",
                    headers: ["task": .string("fix.add"), "retries": .int32(0), "timelimit": .array([.void, .void])],
                    deliveryMode: 2, priority: 5, correlationID: "a6af2e67"))),
                .body(channel: 1, ByteBuffer(string: "[[2, 3], {}")),
            ],
            [.method(channel: 2, .channelClose(.init(replyCode: 406, replyText: "PRECONDITION_FAILED", classID: 50,
                                                     methodID: 10)))],
        ]
        var streams: [[UInt8]] = []
        var everything: [UInt8] = []
        for frames in conversations {
            var wire = ByteBuffer()
            for frame in frames {
                try wire.writeAMQPFrame(frame)
            }
            streams.append(wireBytes(wire))
            everything += wireBytes(wire)
        }
        streams.append(everything)
        return streams
    }

    static func mutate(_ input: [UInt8], corpus: [[UInt8]], rng: inout XorShift) -> [UInt8] {
        var bytes = input
        for _ in 0...rng.below(4) {
            let operation = rng.below(7)
            if bytes.isEmpty && operation != 3 && operation != 5 { continue }
            switch operation {
            case 0:  // flip one bit
                bytes[rng.below(bytes.count)] ^= UInt8(1) << rng.below(8)
            case 1:  // overwrite one byte
                bytes[rng.below(bytes.count)] = rng.byte()
            case 2:  // cut the stream short
                bytes.removeLast(rng.below(bytes.count + 1))
            case 3:  // insert a few random bytes
                let position = rng.below(bytes.count + 1)
                let count = 1 + rng.below(8)
                var inserted: [UInt8] = []
                for _ in 0..<count { inserted.append(rng.byte()) }
                bytes.insert(contentsOf: inserted, at: position)
            case 4:  // delete a range
                let start = rng.below(bytes.count)
                let end = Swift.min(bytes.count, start + 1 + rng.below(16))
                bytes.removeSubrange(start..<end)
            case 5:  // splice another stream on
                bytes += corpus[rng.below(corpus.count)]
            default:  // an edge value somewhere
                let edges: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xCE, 0xFF]
                bytes[rng.below(bytes.count)] = edges[rng.below(edges.count)]
            }
        }
        return bytes
    }

    @Test func corpusDecodesCleanly() throws {
        for stream in try Self.corpus() {
            var buffer = ByteBuffer(bytes: stream)
            let frames = try decodeAllFrames(&buffer, decoder: AMQPFrameDecoder(maximumFrameSize: 4096))
            #expect(!frames.isEmpty)
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test func decoderNeverTrapsOnMutatedOrRandomInput() throws {
        let corpus = try Self.corpus()
        var rng = XorShift(state: 0x9E37_79B9_7F4A_7C15)
        let decoder = AMQPFrameDecoder(maximumFrameSize: 4096)
        var decodedFrames = 0
        var cleanEnds = 0
        var waiting = 0
        var errors = 0
        var nilThatConsumed = 0
        var softErrors: [AMQPProtocolError] = []

        for _ in 0..<20_000 {
            var input: [UInt8] = []
            if rng.below(16) == 0 {
                let count = rng.below(48)
                for _ in 0..<count { input.append(rng.byte()) }
            } else {
                input = Self.mutate(corpus[rng.below(corpus.count)], corpus: corpus, rng: &rng)
            }
            var buffer = ByteBuffer(bytes: input)
            var assembler = AMQPContentAssembler(maximumBodySize: 1 << 20)
            do throws(AMQPProtocolError) {
                while true {
                    let before = buffer.readerIndex
                    guard let frame = try decoder.decodeFrame(from: &buffer) else {
                        if buffer.readerIndex != before { nilThatConsumed += 1 }
                        if buffer.readableBytes == 0 { cleanEnds += 1 } else { waiting += 1 }
                        break
                    }
                    decodedFrames += 1
                    // Frames in any order must not trap the assembler either; its refusals are expected.
                    _ = try? assembler.receive(frame)
                }
            } catch {
                errors += 1
                if !error.replyCode.isHardError { softErrors.append(error) }
            }
        }

        #expect(nilThatConsumed == 0, "returning nil must leave the buffer as it was")
        // Every decoding error closes the connection (5xx), never just a channel.
        #expect(softErrors.isEmpty, "\(softErrors.prefix(3))")
        // The mix really exercised all three outcomes.
        #expect(decodedFrames > 1000)
        #expect(errors > 100)
        #expect(waiting > 100)
        #expect(cleanEnds > 100)
    }
}
