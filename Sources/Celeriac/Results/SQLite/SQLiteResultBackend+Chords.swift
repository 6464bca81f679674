import Foundation

/// Chords on SQLite: the size in `celeriac_chord`, each header result in
/// `celeriac_chord_part`, written in the same transaction as the task's meta, so the count
/// and the results can never disagree, and whichever process commits the last part reads
/// them all — once: a part stored again does not fire the body again.
extension SQLiteResultBackend: ChordStore {
    public func setChordSize(groupID: String, size: Int) throws {
        try database.transaction {
            let insert = try database.statement(SQLiteResultSchema.setChordSize)
            defer { insert.reset() }
            try insert.bind(groupID, at: 1)
            try insert.bind(size, at: 2)
            try insert.bind(Date().timeIntervalSince1970, at: 3)
            try insert.step()
        }
    }

    public func storeChordPart(_ meta: ResultMeta, groupID: String, groupIndex: Int?) throws -> ChordJoin? {
        try database.transaction { () throws -> ChordJoin? in
            try write([meta], updatedAt: Date())
            let add = try database.statement(SQLiteResultSchema.addChordPart)
            defer { add.reset() }
            try add.bind(groupID, at: 1)
            try add.bind(meta.taskID, at: 2)
            try add.bind(groupIndex, at: 3)
            try add.bind(meta.status.rawValue, at: 4)
            try add.bind(meta.result.serialized, at: 5)
            try add.step()
            // A part stored before (its task ran again after a lost ack) must not join the
            // chord a second time: only the store that completes the count fires the body,
            // as Celery's counters do.
            guard database.changes == 1, let size = try integer(SQLiteResultSchema.chordSize, groupID),
                  try integer(SQLiteResultSchema.countChordParts, groupID) == size else { return nil }
            return ChordJoin(groupID: groupID, parts: try parts(of: groupID))
        }
    }

    public func forgetChord(groupID: String) throws {
        try database.transaction {
            for sql in [SQLiteResultSchema.deleteChord, SQLiteResultSchema.deleteChordParts] {
                let delete = try database.statement(sql)
                defer { delete.reset() }
                try delete.bind(groupID, at: 1)
                try delete.step()
            }
        }
    }

    private func integer(_ sql: String, _ groupID: String) throws -> Int? {
        let select = try database.statement(sql)
        defer { select.reset() }
        try select.bind(groupID, at: 1)
        return try select.step() ? select.int(at: 0) : nil
    }

    private func parts(of groupID: String) throws -> [ChordJoin.Part] {
        let select = try database.statement(SQLiteResultSchema.chordParts)
        defer { select.reset() }
        try select.bind(groupID, at: 1)
        var parts: [ChordJoin.Part] = []
        while try select.step() {
            let result = try select.text(at: 2).map { try JSONValue(parsing: $0) } ?? .null
            parts.append(ChordJoin.Part(taskID: select.text(at: 0) ?? "", state: TaskState(rawValue: select.text(at: 1) ?? ""),
                                        result: result))
        }
        return parts
    }
}
