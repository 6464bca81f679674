import AMQPProtocol
import NIOCore
import Testing

/// At least one value of each of the 66 methods, with arguments away from their defaults:
/// every bit flag set somewhere, non-empty strings, nested tables and the widest numbers.
/// Methods with several bits appear twice with different patterns, so two swapped bits fail.
enum SampleMethods {
    static let table: AMQPTable = [
        "x-message-ttl": .int32(5000),
        "big": .int64(Int64.max),
        "negative": .int64(Int64.min),
        "text": .string("héllo, wörld ✓"),
        "flag": .bool(true),
        "bytes": .bytes([0x00, 0xFF, 0xCE]),
        "when": .timestamp(1_764_000_000),
        "price": .decimal(scale: 2, value: -12_345),
        "ratio": .double(0.25),
        "nested": .table([
            "list": .array([.int8(-1), .string("deep"), .void, .table(["leaf": .uint16(65_535)])]),
            "empty": .table([:]),
        ]),
    ]

    static let all: [AMQPMethod] = connection() + channelAndAccess() + exchange() + queue() + basic() + txAndConfirm()

    private static func connection() -> [AMQPMethod] {
        [
            .connectionStart(.init(versionMajor: 1, versionMinor: 2, serverProperties: table,
                                   mechanisms: "PLAIN AMQPLAIN EXTERNAL", locales: "en_US de_DE")),
            .connectionStartOk(.init(clientProperties: ["product": .string("celeriac"),
                                                        "capabilities": .table(["publisher_confirms": .bool(true)])],
                                     mechanism: "AMQPLAIN", response: "\u{0}guest\u{0}secret", locale: "de_DE")),
            .connectionSecure(.init(challenge: "challenge")),
            .connectionSecureOk(.init(response: "response")),
            .connectionTune(.init(channelMax: 2047, frameMax: 131_072, heartbeat: 60)),
            .connectionTuneOk(.init(channelMax: UInt16.max, frameMax: UInt32.max, heartbeat: 580)),
            .connectionOpen(.init(virtualHost: "/celery", capabilities: "caps", insist: true)),
            .connectionOpenOk(.init(knownHosts: "rabbit@node1")),
            .connectionClose(.init(replyCode: 320, replyText: "CONNECTION_FORCED - shutdown", classID: 60, methodID: 40)),
            .connectionCloseOk(.init()),
            .connectionBlocked(.init(reason: "low on memory")),
            .connectionUnblocked(.init()),
            .connectionUpdateSecret(.init(newSecret: "new-token", reason: "refresh")),
            .connectionUpdateSecretOk(.init()),
        ]
    }

    private static func channelAndAccess() -> [AMQPMethod] {
        [
            .channelOpen(.init(outOfBand: "oob")),
            .channelOpenOk(.init(channelID: "channel-7")),
            .channelFlow(.init(active: true)),
            .channelFlowOk(.init(active: true)),
            .channelClose(.init(replyCode: 406, replyText: "PRECONDITION_FAILED - inequivalent arg 'durable'",
                                classID: 50, methodID: 10)),
            .channelCloseOk(.init()),
            .accessRequest(.init(realm: "/all", exclusive: true, passive: true, active: true, write: true, read: true)),
            .accessRequest(.init(realm: "/mixed", exclusive: false, passive: false, active: true, write: false, read: true)),
            .accessRequestOk(.init(ticket: 4242)),
        ]
    }

    private static func exchange() -> [AMQPMethod] {
        [
            .exchangeDeclare(.init(ticket: 7, exchange: "celeryev", type: "topic", passive: true, durable: true,
                                   autoDelete: true, internal: true, noWait: true, arguments: table)),
            .exchangeDeclare(.init(exchange: "mixed", type: "fanout", durable: true, internal: true)),
            .exchangeDeclareOk(.init()),
            .exchangeDelete(.init(ticket: 1, exchange: "old", ifUnused: true, noWait: true)),
            .exchangeDelete(.init(exchange: "old", noWait: true)),
            .exchangeDeleteOk(.init()),
            .exchangeBind(.init(ticket: 2, destination: "dst", source: "src", routingKey: "a.#", noWait: true,
                                arguments: ["x-match": .string("all")])),
            .exchangeBindOk(.init()),
            .exchangeUnbind(.init(ticket: 3, destination: "dst", source: "src", routingKey: "a.*", noWait: true,
                                  arguments: table)),
            .exchangeUnbindOk(.init()),
        ]
    }

    private static func queue() -> [AMQPMethod] {
        [
            .queueDeclare(.init(ticket: 9, queue: "celeryev.0b1c", passive: true, durable: true, exclusive: true,
                                autoDelete: true, noWait: true,
                                arguments: ["x-message-ttl": .int32(5000), "x-expires": .int32(60_000),
                                            "x-max-priority": .int8(10)])),
            .queueDeclare(.init(queue: "mixed", durable: true, autoDelete: true)),
            .queueDeclareOk(.init(queue: "amq.gen-XYZ", messageCount: 4_000_000_000, consumerCount: 17)),
            .queueBind(.init(ticket: 1, queue: "q", exchange: "celeryev", routingKey: "#", noWait: true,
                             arguments: ["k": .uint32(UInt32.max)])),
            .queueBindOk(.init()),
            .queuePurge(.init(ticket: 1, queue: "celery", noWait: true)),
            .queuePurgeOk(.init(messageCount: 123_456)),
            .queueDelete(.init(ticket: 1, queue: "gone", ifUnused: true, ifEmpty: true, noWait: true)),
            .queueDelete(.init(queue: "gone", ifEmpty: true)),
            .queueDeleteOk(.init(messageCount: UInt32.max)),
            .queueUnbind(.init(ticket: 1, queue: "q", exchange: "x", routingKey: "rk", arguments: table)),
            .queueUnbindOk(.init()),
        ]
    }

    private static func basic() -> [AMQPMethod] {
        [
            .basicQos(.init(prefetchSize: 65_536, prefetchCount: 8, global: true)),
            .basicQosOk(.init()),
            .basicConsume(.init(ticket: 1, queue: "celery", consumerTag: "ctag-1", noLocal: true, noAck: true,
                                exclusive: true, noWait: true, arguments: ["x-priority": .int32(10)])),
            .basicConsume(.init(queue: "celery", noAck: true, noWait: true)),
            .basicConsumeOk(.init(consumerTag: "amq.ctag-abc")),
            .basicCancel(.init(consumerTag: "ctag-1", noWait: true)),
            .basicCancelOk(.init(consumerTag: "ctag-1")),
            .basicPublish(.init(ticket: 1, exchange: "celery", routingKey: "celery", mandatory: true, immediate: true)),
            .basicPublish(.init(exchange: "celery", routingKey: "celery", immediate: true)),
            .basicReturn(.init(replyCode: 312, replyText: "NO_ROUTE", exchange: "x", routingKey: "nowhere")),
            .basicDeliver(.init(consumerTag: "ctag", deliveryTag: UInt64.max, redelivered: true, exchange: "celery",
                                routingKey: "celery")),
            .basicGet(.init(ticket: 1, queue: "celery", noAck: true)),
            .basicGetOk(.init(deliveryTag: 1 << 40, redelivered: true, exchange: "e", routingKey: "r", messageCount: 99)),
            .basicGetEmpty(.init(clusterID: "cluster")),
            .basicAck(.init(deliveryTag: 42, multiple: true)),
            .basicReject(.init(deliveryTag: 43, requeue: false)),
            .basicReject(.init(deliveryTag: UInt64.max, requeue: true)),
            .basicRecoverAsync(.init(requeue: true)),
            .basicRecover(.init(requeue: true)),
            .basicRecoverOk(.init()),
            .basicNack(.init(deliveryTag: 44, multiple: true, requeue: false)),
            .basicNack(.init(deliveryTag: 45, multiple: false, requeue: true)),
        ]
    }

    private static func txAndConfirm() -> [AMQPMethod] {
        [
            .txSelect(.init()), .txSelectOk(.init()), .txCommit(.init()), .txCommitOk(.init()),
            .txRollback(.init()), .txRollbackOk(.init()),
            .confirmSelect(.init(noWait: true)), .confirmSelectOk(.init()),
        ]
    }
}

@Suite("Method frames")
struct MethodRoundTripTests {
    @Test("encode as a method frame, decode, compare", arguments: SampleMethods.all)
    func roundTrip(_ method: AMQPMethod) throws {
        var wire = ByteBuffer()
        try wire.writeAMQPFrame(.method(channel: 5, method))
        let decoded = try AMQPFrameDecoder().decodeFrame(from: &wire)
        #expect(decoded == .method(channel: 5, method))
        #expect(wire.readableBytes == 0)
    }

    @Test func samplesCoverAllSixtySixMethods() {
        let names = Set(SampleMethods.all.map(\.name))
        #expect(names.count == 66)
        let ids = Set(SampleMethods.all.map { UInt32($0.classID) << 16 | UInt32($0.methodID) })
        #expect(ids.count == 66)
        let perClass = Dictionary(grouping: names, by: { name in String(name.prefix { $0 != "." }) }).mapValues(\.count)
        let expected: [String: Int] = ["connection": 14, "channel": 6, "access": 2, "exchange": 8, "queue": 10,
                                       "basic": 18, "tx": 6, "confirm": 2]
        #expect(perClass == expected)
    }

    @Test func nameLookupAgreesWithEveryPayload() {
        for method in SampleMethods.all {
            #expect(AMQPMethod.name(classID: method.classID, methodID: method.methodID) == method.name)
        }
        // RabbitMQ numbers exchange.unbind-ok 51, not 41 as the pattern would suggest.
        #expect(AMQPMethod.name(classID: 40, methodID: 51) == "exchange.unbind-ok")
        #expect(AMQPMethod.name(classID: 40, methodID: 41) == nil)
        #expect(AMQPMethod.name(classID: 85, methodID: 10) == "confirm.select")
    }

    @Test func onlyPublishReturnDeliverAndGetOkCarryContent() {
        let carriers = Set(SampleMethods.all.filter(\.hasContent).map(\.name))
        let expected: Set<String> = ["basic.publish", "basic.return", "basic.deliver", "basic.get-ok"]
        #expect(carriers == expected)
    }

    @Test func connectionTuneHasTheSpecifiedByteLayout() throws {
        let tune = AMQPMethod.connectionTune(.init(channelMax: 2047, frameMax: 131_072, heartbeat: 60))
        let expected: [UInt8] = [
            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0C,  // method frame, channel 0, 12-byte payload
            0x00, 0x0A, 0x00, 0x1E,  // connection (10), tune (30)
            0x07, 0xFF,  // channel-max 2047
            0x00, 0x02, 0x00, 0x00,  // frame-max 131072
            0x00, 0x3C,  // heartbeat 60
            0xCE,
        ]
        var wire = ByteBuffer()
        try wire.writeAMQPFrame(.method(channel: 0, tune))
        #expect(wireBytes(wire) == expected)

        var input = ByteBuffer(bytes: expected)
        let decoded = try AMQPFrameDecoder().decodeFrame(from: &input)
        #expect(decoded == .method(channel: 0, tune))
    }

    @Test func basicQosAndPublishHaveTheSpecifiedByteLayout() throws {
        var wire = ByteBuffer()
        try wire.writeAMQPFrame(.method(channel: 1, .basicQos(.init(prefetchSize: 0, prefetchCount: 10, global: true))))
        #expect(wireBytes(wire) == [
            0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0B,  // method frame, channel 1, 11-byte payload
            0x00, 0x3C, 0x00, 0x0A,  // basic (60), qos (10)
            0x00, 0x00, 0x00, 0x00,  // prefetch-size 0
            0x00, 0x0A,  // prefetch-count 10
            0x01,  // global
            0xCE,
        ])

        wire.clear()
        try wire.writeAMQPFrame(.method(channel: 1, .basicPublish(.init(exchange: "ex", routingKey: "rk", mandatory: true))))
        #expect(wireBytes(wire) == [
            0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0D,
            0x00, 0x3C, 0x00, 0x28,  // basic (60), publish (40)
            0x00, 0x00,  // ticket
            0x02, 0x65, 0x78,  // short string "ex"
            0x02, 0x72, 0x6B,  // short string "rk"
            0x01,  // mandatory (bit 0), immediate clear
            0xCE,
        ])
    }

    /// Consecutive bit arguments share one octet, the first argument in the lowest bit.
    @Test func queueDeclarePacksItsFiveBitsIntoOneOctet() throws {
        let cases: [(AMQP.Queue.Declare, UInt8)] = [
            (AMQP.Queue.Declare(queue: "q"), 0),
            (AMQP.Queue.Declare(queue: "q", passive: true), 1),
            (AMQP.Queue.Declare(queue: "q", durable: true), 2),
            (AMQP.Queue.Declare(queue: "q", exclusive: true), 4),
            (AMQP.Queue.Declare(queue: "q", autoDelete: true), 8),
            (AMQP.Queue.Declare(queue: "q", noWait: true), 16),
            (AMQP.Queue.Declare(queue: "q", passive: true, durable: true, exclusive: true, autoDelete: true,
                                noWait: true), 31),
        ]
        for (declare, octet) in cases {
            var payload = ByteBuffer()
            try declare.encode(into: &payload)
            // ticket, short string "q", the bit octet, an empty table
            #expect(wireBytes(payload) == [0x00, 0x00, 0x01, 0x71, octet, 0x00, 0x00, 0x00, 0x00])
            var method = ByteBuffer()
            method.writeInteger(AMQP.Queue.Declare.classID)
            method.writeInteger(AMQP.Queue.Declare.methodID)
            method.writeImmutableBuffer(payload)
            #expect(try AMQPMethod.decode(from: &method) == .queueDeclare(declare))
        }
    }

    @Test func shortStringsOver255BytesAreRefusedAndLeaveNoPartialFrame() throws {
        var wire = ByteBuffer(bytes: [0xAB])
        // 128 two-byte characters: the limit counts UTF-8 bytes, not characters.
        let name = String(repeating: "é", count: 128)
        let error = protocolError { try wire.writeAMQPFrame(.method(channel: 1, .queueDeclare(.init(queue: name)))) }
        #expect(error == .shortStringTooLong(length: 256, prefix: String(repeating: "é", count: 32)))
        #expect(error?.replyCode == .syntaxError)
        #expect(wireBytes(wire) == [0xAB])

        let longest = String(repeating: "q", count: 255)
        try wire.writeAMQPFrame(.method(channel: 1, .queueDeclare(.init(queue: longest))))
        wire.moveReaderIndex(forwardBy: 1)
        let decoded = try AMQPFrameDecoder().decodeFrame(from: &wire)
        #expect(decoded == .method(channel: 1, .queueDeclare(.init(queue: longest))))
    }
}
