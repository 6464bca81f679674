import CeleriacTestSupport
import Foundation
import RedisClient
import Testing

/// The client against a real redis-server (Debian's), which Scripts/test.sh starts on a
/// loopback port of its own and names in CELERIAC_TEST_REDIS_URL. Without it these skip,
/// unless CELERIAC_REQUIRE_PEERS=1 (CI), where the first test fails the run.
enum RedisPeer {
    static let environment = ProcessInfo.processInfo.environment
    static let url = environment["CELERIAC_TEST_REDIS_URL"]
    static let isRequired = environment["CELERIAC_REQUIRE_PEERS"] == "1"

    static func connect() async throws -> RedisConnection {
        try await RedisConnection.connect(to: RedisURL(url!))
    }

    static func key(_ prefix: String) -> String { "celeriac-test:\(prefix):\(UUID().uuidString)" }
}

@Suite(.timeLimit(.minutes(1)))
struct RedisServerTests {
    @Test func peerIsPresentWhenRequired() {
        if RedisPeer.isRequired { #expect(RedisPeer.url != nil, "CELERIAC_TEST_REDIS_URL is not set; run Scripts/test.sh") }
    }

    @Test(.enabled(if: RedisPeer.url != nil)) func setGetDeleteAndExpiry() async throws {
        let redis = try await RedisPeer.connect()
        defer { Task { await redis.close() } }
        let key = RedisPeer.key("value")
        #expect(try await redis.send("SET", RESPArgument(key), RESPArgument(bytes: [0, 1, 255]), "EX", 60) == .simpleString("OK"))
        #expect(try await redis.send("GET", RESPArgument(key)).bytes == [0, 1, 255])
        let ttl = try await redis.send("TTL", RESPArgument(key)).integer ?? -1
        #expect((1...60).contains(ttl))
        #expect(try await redis.send("DEL", RESPArgument(key)).integer == 1)
        #expect(try await redis.send("GET", RESPArgument(key)).isNull)
    }

    /// Many commands in flight at once on one connection: each gets its own reply.
    @Test(.enabled(if: RedisPeer.url != nil)) func pipelinedCommandsGetTheirOwnReplies() async throws {
        let redis = try await RedisPeer.connect()
        defer { Task { await redis.close() } }
        let key = RedisPeer.key("counter")
        let results = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<500 { group.addTask { try await redis.send("INCR", RESPArgument(key)).integer ?? -1 } }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(results.sorted() == Array(1...500))
        try await redis.send("DEL", RESPArgument(key))
    }

    @Test(.enabled(if: RedisPeer.url != nil)) func anErrorReplyThrowsAndTheConnectionGoesOn() async throws {
        let redis = try await RedisPeer.connect()
        defer { Task { await redis.close() } }
        await #expect(throws: RESPError.self) { try await redis.send("NOSUCHCOMMAND") }
        #expect(try await redis.send("PING") == .simpleString("PONG"))
    }

    @Test(.enabled(if: RedisPeer.url != nil)) func publishedMessagesReachASubscriber() async throws {
        let subscriber = try await RedisPeer.connect()
        let publisher = try await RedisPeer.connect()
        defer { Task { await subscriber.close(); await publisher.close() } }
        let channel = RedisPeer.key("channel")
        let messages = try await subscriber.subscribe(channel)
        #expect(try await publisher.send("PUBLISH", RESPArgument(channel), "first").integer == 1)
        try await publisher.send("PUBLISH", RESPArgument(channel), RESPArgument(bytes: [0xE2, 0x9C, 0x93]))
        var iterator = messages.makeAsyncIterator()
        #expect(try await iterator.next() == RedisMessage(channel: channel, payload: Array("first".utf8)))
        #expect(try await iterator.next()?.payload == Array("✓".utf8))
    }

    /// A user with a password (Redis 6 ACLs), the database from the URL, and a wrong password.
    @Test(.enabled(if: RedisPeer.url != nil)) func credentialsAndDatabaseFromTheURL() async throws {
        let admin = try await RedisPeer.connect()
        defer { Task { await admin.close() } }
        let user = "celeriac-\(UInt32.random(in: 0...UInt32.max))"
        try await admin.send("ACL", "SETUSER", RESPArgument(user), "on", ">s3cret", "~*", "&*", "+@all")
        defer { Task { try? await admin.send("ACL", "DELUSER", RESPArgument(user)) } }
        var url = try RedisURL(RedisPeer.url!)
        url.username = user
        url.password = "s3cret"
        url.database = 2
        let redis = try await RedisConnection.connect(to: url)
        defer { Task { await redis.close() } }
        let key = RedisPeer.key("db2")
        try await redis.send("SET", RESPArgument(key), "in two")
        try await admin.send("SELECT", 2)
        #expect(try await admin.send("GET", RESPArgument(key)).string == "in two")
        try await admin.send("DEL", RESPArgument(key))

        url.password = "wrong"
        await #expect(throws: RESPError.self) { _ = try await RedisConnection.connect(to: url) }
    }

    @Test func anUnreachableServerSaysWhere() async {
        do {
            _ = try await RedisConnection.connect(to: RedisURL(host: "127.0.0.1", port: 1))
            Issue.record("port 1 answered")
        } catch {
            #expect(error.description.contains("127.0.0.1:1") && error.description.contains("redis-server"), "\(error)")
        }
    }
}
