import RedisClient

/// Saved groups under Celery's key, `celery-taskset-meta-<group id>`, holding
/// `{"result": <GroupResult.as_tuple()>}`, so Python's `GroupResult.restore` reads ours.
extension RedisResultBackend: GroupResultStore {
    public func saveGroup(_ group: GroupResult) async throws {
        let meta: JSONValue = ["result": group.tupleJSON]
        try await setAndPublish(Self.groupKey(for: group.id), value: meta.serializedBytes)
    }

    public func restoreGroup(_ groupID: String) async throws -> [String]? {
        guard let bytes = try await connection().send("GET", RESPArgument(Self.groupKey(for: groupID))).bytes else {
            return nil
        }
        guard let tuple = (try? JSONValue(parsing: bytes))?.objectValue?["result"],
              let ids = GroupResult.memberIDs(fromTuple: tuple) else {
            throw ResultError.storeFailed("group \(groupID) in Redis is not Celery's saved GroupResult")
        }
        return ids
    }
}
