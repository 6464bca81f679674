import Foundation

/// Saved groups in `celeriac_groupmeta`: Celery's `GroupResult.as_tuple()` as JSON, kept as
/// long as results are.
extension SQLiteResultBackend: GroupResultStore {
    public func saveGroup(_ group: GroupResult) throws {
        try database.transaction {
            let upsert = try database.statement(SQLiteResultSchema.upsertGroup)
            defer { upsert.reset() }
            try upsert.bind(group.id, at: 1)
            try upsert.bind(group.tupleJSON.serialized, at: 2)
            try upsert.bind(Date().timeIntervalSince1970, at: 3)
            try upsert.step()
        }
    }

    public func restoreGroup(_ groupID: String) throws -> [String]? {
        let select = try database.statement(SQLiteResultSchema.selectGroup)
        defer { select.reset() }
        try select.bind(groupID, at: 1)
        guard try select.step(), let text = select.text(at: 0) else { return nil }
        guard let ids = (try? JSONValue(parsing: text)).flatMap(GroupResult.memberIDs(fromTuple:)) else {
            throw ResultError.storeFailed("group \(groupID) in \(path) is not a saved GroupResult")
        }
        return ids
    }
}
