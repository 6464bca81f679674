import RedisClient

/// Chords on Redis exactly as Celery's Redis backend keeps them, so Python and Swift workers
/// can finish the header of one chord together. Under `celery-taskset-meta-<group id>`:
/// `.s` holds the chord's size, `.t` any tasks added to it later, and `.j` a sorted set of
/// `[1, task id, state, result]` entries scored by group index. The part whose entry makes
/// the count reach the size reads them all, in order.
extension RedisResultBackend: ChordStore {
    /// Celery's `group_keyprefix`.
    public static let groupKeyPrefix = "celery-taskset-meta-"

    public static func groupKey(for groupID: String, suffix: String = "") -> String {
        groupKeyPrefix + groupID + suffix
    }

    public func setChordSize(groupID: String, size: Int) async throws {
        try await setAndPublish(Self.groupKey(for: groupID, suffix: ".s"), value: Array(String(size).utf8))
    }

    /// Stores the state, then in one MULTI … EXEC adds the entry, counts the set and reads the
    /// size, as Celery's `on_chord_part_return` does.
    public func storeChordPart(_ meta: ResultMeta, groupID: String, groupIndex: Int?) async throws -> ChordJoin? {
        try await store(meta)
        let joined = RESPArgument(Self.groupKey(for: groupID, suffix: ".j"))
        let added = RESPArgument(Self.groupKey(for: groupID, suffix: ".t"))
        let size = RESPArgument(Self.groupKey(for: groupID, suffix: ".s"))
        let entry: JSONValue = [1, .string(meta.taskID), .string(meta.status.rawValue), meta.result]
        var commands: [(name: String, arguments: [RESPArgument])] = [
            ("MULTI", []),
            ("ZADD", [joined, RESPArgument(groupIndex.map(String.init) ?? "+inf"), RESPArgument(bytes: entry.serializedBytes)]),
            ("ZCOUNT", [joined, "-inf", "+inf"]),
            ("GET", [added]),
            ("GET", [size]),
        ]
        if let seconds = expirySeconds {
            for key in [joined, added, size] { commands.append(("EXPIRE", [key, RESPArgument(seconds)])) }
        }
        commands.append(("EXEC", []))
        let replies = try await connection().pipeline(commands)
        guard let results = replies.last?.array, results.count >= 4 else {
            throw ResultError.storeFailed("Redis did not run the chord transaction for \(groupID): \(replies.last.map { "\($0)" } ?? "no reply")")
        }
        let ready = results[1].integer ?? 0
        let extra = results[2].string.flatMap { Int($0) } ?? 0
        guard let sizeText = results[3].string, let total = Int(sizeText), ready == Int64(total + extra) else { return nil }
        let entries = try await connection().send("ZRANGE", joined, "0", "-1").array ?? []
        return ChordJoin(groupID: groupID, parts: try entries.map { try Self.chordPart($0, groupID: groupID) })
    }

    public func forgetChord(groupID: String) async throws {
        try await connection().send("DEL", RESPArgument(Self.groupKey(for: groupID, suffix: ".j")),
                                    RESPArgument(Self.groupKey(for: groupID, suffix: ".t")),
                                    RESPArgument(Self.groupKey(for: groupID, suffix: ".s")))
    }

    private static func chordPart(_ entry: RESPValue, groupID: String) throws -> ChordJoin.Part {
        guard let bytes = entry.bytes, let fields = (try? JSONValue(parsing: bytes))?.arrayValue, fields.count == 4,
              let taskID = fields[1].stringValue, let state = fields[2].stringValue else {
            throw ResultError.storeFailed("a part of chord \(groupID) in Redis is not Celery's [1, id, state, result]")
        }
        return ChordJoin.Part(taskID: taskID, state: TaskState(rawValue: state), result: fields[3])
    }
}
