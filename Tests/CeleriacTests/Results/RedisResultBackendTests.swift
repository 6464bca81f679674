import Celeriac
import Foundation
import RedisClient
import Testing

/// The redis:// backend against the real redis-server Scripts/test.sh starts
/// (CELERIAC_TEST_REDIS_URL): Celery's keys, JSON, expiry and pub/sub.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["CELERIAC_TEST_REDIS_URL"] != nil), .timeLimit(.minutes(1)))
struct RedisResultBackendTests {
    static let url = ProcessInfo.processInfo.environment["CELERIAC_TEST_REDIS_URL"] ?? ""

    @Test func storedAsCeleryStoresItUnderItsKeyWithTheExpiry() async throws {
        let backend = try RedisResultBackend(url: Self.url, expires: 3600)
        let id = UUID().uuidString.lowercased()
        try await backend.store(ResultMeta(taskID: id, status: .success, result: ["sum": 5], dateDone: Date()))
        let redis = try await RedisConnection.connect(to: RedisURL(Self.url))
        let raw = try #require(try await redis.send("GET", RESPArgument("celery-task-meta-" + id)).bytes)
        let json = try JSONValue(parsing: raw)
        #expect(json["task_id"] == .string(id) && json["status"] == "SUCCESS" && json["result"]?["sum"] == 5)
        #expect(json["traceback"] == .null && json["children"] == .array([]) && json["date_done"]?.stringValue != nil)
        let ttl = try await redis.send("TTL", RESPArgument("celery-task-meta-" + id)).integer ?? -1
        #expect((3540...3600).contains(ttl), "the expiry, less the seconds a loaded machine took between the two commands")
        #expect(try await backend.meta(for: id)?.result == ["sum": 5])
        try await backend.forget(id)
        #expect(try await backend.meta(for: id) == nil, "forgotten: PENDING again")
        await redis.close()
        await backend.close()
    }

    /// What Celery 5.7 stored in Redis (the captured metas), put there byte for byte, reads back
    /// equal — extended fields, group_id and traceback included.
    @Test(arguments: ["redis-result-meta-success-fix.add.json", "redis-result-meta-success-fix.xsum.json",
                      "redis-result-meta-failure-fix.fail.json"])
    func celerysStoredMetasReadBack(name: String) async throws {
        let bytes = try Data(contentsOf: CeleryFixture.directory.appendingPathComponent(name))
        let json = try JSONValue(parsing: bytes)
        let id = try #require(json["task_id"]?.stringValue)
        let redis = try await RedisConnection.connect(to: RedisURL(Self.url))
        try await redis.send("SET", RESPArgument(RedisResultBackend.key(for: id)), RESPArgument(bytes: Array(bytes)), "EX", 60)
        let backend = try RedisResultBackend(url: Self.url)
        let meta = try #require(try await backend.meta(for: id))
        #expect(meta.json == json)
        #expect(meta.args != nil && meta.worker == "fixw@vm")
        await backend.close()
        await redis.close()
    }

    /// Celery's `_set` publishes the meta on the key's channel; its ResultConsumer (and our
    /// waiter) learn of results that way. A subscriber that is listening before the store gets
    /// each state's meta JSON, byte for byte what the key holds. A store that is refused (a
    /// STARTED after the SUCCESS) publishes nothing: the next message is the test's own marker.
    @Test func storingPublishesTheMetaOnTheKeysChannel() async throws {
        let backend = try RedisResultBackend(url: Self.url)
        let id = UUID().uuidString.lowercased()
        let key = RedisResultBackend.key(for: id)
        let subscriber = try await RedisConnection.connect(to: RedisURL(Self.url))
        let redis = try await RedisConnection.connect(to: RedisURL(Self.url))
        // subscribe returns once Redis confirmed the subscription: everything published from
        // here on reaches it.
        var messages = try await subscriber.subscribe(key).makeAsyncIterator()

        try await backend.store(ResultMeta(taskID: id, status: .started, result: ["pid": 7]))
        let started = try #require(try await messages.next())
        #expect(started.channel == key)
        let startedJSON = try JSONValue(parsing: started.payload)
        #expect(startedJSON["task_id"] == .string(id) && startedJSON["status"] == "STARTED" && startedJSON["result"]?["pid"] == 7,
                "\(startedJSON)")

        try await backend.store(ResultMeta(taskID: id, status: .success, result: ["sum": 5], dateDone: Date()))
        let success = try #require(try await messages.next())
        let stored = try #require(try await redis.send("GET", RESPArgument(key)).bytes)
        #expect(success.payload == stored, "the published meta is the stored one")
        let successJSON = try JSONValue(parsing: success.payload)
        #expect(successJSON["status"] == "SUCCESS" && successJSON["result"]?["sum"] == 5 && successJSON["date_done"]?.stringValue != nil)
        #expect(try ResultMeta(json: successJSON).status == .success, "Celery's meta, as a Python waiter decodes it")

        try await backend.store(ResultMeta(taskID: id, status: .started))
        #expect(try await redis.send("PUBLISH", RESPArgument(key), "marker").integer == 1)
        #expect(try await messages.next()?.payload == Array("marker".utf8), "the refused STARTED was not published")
        await subscriber.close()
        await redis.close()
        await backend.close()
    }

    /// A waiter that subscribed finds no key, and learns of the result only from the channel:
    /// nothing is stored, the meta is only published. The test publishes once Redis counts the
    /// waiter's subscription, so the message cannot come before it.
    @Test func aWaiterLearnsOfAResultFromTheChannelAlone() async throws {
        let backend = try RedisResultBackend(url: Self.url)
        let id = UUID().uuidString.lowercased()
        let key = RedisResultBackend.key(for: id)
        let waiter = Task { try await backend.waitUntilReady(id, timeout: 20) }
        let redis = try await RedisConnection.connect(to: RedisURL(Self.url))
        let deadline = Date().addingTimeInterval(10)
        func subscribers() async throws -> Int64 {
            let reply = try await redis.send("PUBSUB", "NUMSUB", RESPArgument(key)).array ?? []
            return reply.count == 2 ? reply[1].integer ?? 0 : 0
        }
        while try await subscribers() == 0, Date() < deadline {
            try await Task.sleep(for: .milliseconds(10))  // polling Redis's count of the waiter's subscription
        }
        let meta = ResultMeta(taskID: id, status: .success, result: 42, dateDone: Date())
        #expect(try await redis.send("PUBLISH", RESPArgument(key), RESPArgument(bytes: meta.json.serializedBytes)).integer == 1)
        let got = try await waiter.value
        #expect(got.status == .success && got.result == 42)
        #expect(try await redis.send("EXISTS", RESPArgument(key)).integer == 0, "never stored: it came by pub/sub")
        await redis.close()
        await backend.close()
    }

    /// The waiter subscribes, then the result is stored. (It may still find the result with its
    /// first GET; aWaiterLearnsOfAResultFromTheChannelAlone proves delivery by pub/sub.)
    @Test func aWaiterGetsTheResultStoredAfterItStartedWaiting() async throws {
        let backend = try RedisResultBackend(url: Self.url)
        let writer = try RedisResultBackend(url: Self.url)
        let id = UUID().uuidString.lowercased()
        let waiter = Task { try await backend.waitUntilReady(id, timeout: 20) }
        try await writer.store(ResultMeta(taskID: id, status: .started))
        try await writer.store(ResultMeta(taskID: id, status: .success, result: 42, dateDone: Date()))
        let meta = try await waiter.value
        #expect(meta.status == .success && meta.result == 42)
        await backend.close()
        await writer.close()
    }

    @Test func waitingForATaskThatNeverEndsTimesOut() async throws {
        let backend = try RedisResultBackend(url: Self.url)
        await #expect(throws: ResultError.self) { _ = try await backend.waitUntilReady(UUID().uuidString, timeout: 0.3) }
        await backend.close()
    }

    /// A redelivered copy of a task that already succeeded must not hide its result.
    @Test func aStoredSuccessIsNotReplaced() async throws {
        let backend = try RedisResultBackend(url: Self.url)
        let id = UUID().uuidString
        try await backend.store(ResultMeta(taskID: id, status: .success, result: 1, dateDone: Date()))
        try await backend.store(ResultMeta(taskID: id, status: .started))
        #expect(try await backend.meta(for: id)?.status == .success)
        await backend.close()
    }

    @Test func theAppMakesItFromTheURL() async throws {
        var configuration = CeleriacConfiguration()
        configuration.resultBackend = Self.url
        let app = App(configuration)
        #expect(try await app.resultBackend() is RedisResultBackend)
        await app.close()
    }

    /// Chords under Celery's keys: `.s` holds the size, `.j` a sorted set of
    /// `[1, id, state, result]` scored by group index, and the part that makes the count reach
    /// the size gets them all, in header order; the keys expire with the results.
    @Test func chordPartsAreKeptInCelerysKeysAndJoinedInOrder() async throws {
        let backend = try RedisResultBackend(url: Self.url, expires: 600)
        let group = UUID().uuidString.lowercased()
        try await backend.setChordSize(groupID: group, size: 2)
        let redis = try await RedisConnection.connect(to: RedisURL(Self.url))
        #expect(try await redis.send("GET", RESPArgument("celery-taskset-meta-\(group).s")).string == "2")
        let failure = CeleryError(type: "ValueError", message: ["boom"])
        #expect(try await backend.storeChordPart(ResultMeta(taskID: "b", status: .failure, result: failure.json),
                                                 groupID: group, groupIndex: 1) == nil)
        let entries = try await redis.send("ZRANGE", RESPArgument("celery-taskset-meta-\(group).j"), "0", "-1", "WITHSCORES").array ?? []
        let entry = try JSONValue(parsing: try #require(entries.first?.bytes))
        #expect(entry == [1, "b", "FAILURE", failure.json] && entries.last?.string == "1")
        let ttl = try await redis.send("TTL", RESPArgument("celery-taskset-meta-\(group).j")).integer ?? -1
        #expect((590...600).contains(ttl))

        let join = try #require(try await backend.storeChordPart(ResultMeta(taskID: "a", status: .success, result: 1),
                                                                 groupID: group, groupIndex: 0))
        #expect(join.parts.map(\.taskID) == ["a", "b"])
        guard case .failure(let error) = join.bodyArgument() else { Issue.record("a failed part fails the chord"); return }
        #expect(error.message == ["Dependency b raised ValueError('boom')"])
        try await backend.forgetChord(groupID: group)
        #expect(try await redis.send("EXISTS", RESPArgument("celery-taskset-meta-\(group).j"),
                                     RESPArgument("celery-taskset-meta-\(group).s")).integer == 0)
        await redis.close()
        await backend.close()
    }

    /// A saved group is Celery's `{"result": as_tuple()}` under `celery-taskset-meta-<id>`.
    @Test func savedGroupsAreCelerysTuple() async throws {
        let backend = try RedisResultBackend(url: Self.url)
        let group = GroupResult(id: UUID().uuidString.lowercased(),
                                results: ["x", "y"].map { AsyncResult(id: $0, backend: backend) })
        try await backend.saveGroup(group)
        let redis = try await RedisConnection.connect(to: RedisURL(Self.url))
        let stored = try JSONValue(parsing: try #require(try await redis.send("GET", RESPArgument("celery-taskset-meta-\(group.id)")).bytes))
        #expect(stored == ["result": [[.string(group.id), .null], [[["x", .null], .null], [["y", .null], .null]]]])
        #expect(try await backend.restoreGroup(group.id) == ["x", "y"])
        #expect(try await backend.restoreGroup("no-such-group") == nil)
        await redis.close()
        await backend.close()
    }
}
