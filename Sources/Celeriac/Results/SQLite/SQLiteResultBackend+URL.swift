import Foundation

extension SQLiteResultBackend {
    /// The file a `db+sqlite://` URL names, read as SQLAlchemy (and so Celery) reads it:
    /// `db+sqlite:///results.db` is relative to the working directory (three slashes),
    /// `db+sqlite:////var/lib/results.db` is absolute (four). A relative path is resolved now,
    /// so a later change of directory does not move the store.
    ///
    /// In-memory databases (`db+sqlite://`, `:memory:`) are refused: a worker and the caller
    /// would each get their own empty database and never see each other's results.
    static func path(fromURL url: String, workingDirectory: String = FileManager.default.currentDirectoryPath)
        throws(SQLiteResultBackendError) -> String
    {
        let scheme = "db+sqlite://"
        guard url.lowercased().hasPrefix(scheme) else { throw .notSQLiteURL(url) }
        var rest = Substring(url.dropFirst(scheme.count))
        if let question = rest.firstIndex(of: "?") {
            throw .queryGiven(url: url, query: String(rest[rest.index(after: question)...]))
        }
        if rest.isEmpty { throw .inMemory(url) }
        guard rest.hasPrefix("/") else {
            throw .hostGiven(url: url, host: String(rest.prefix { $0 != "/" }))
        }
        rest = rest.dropFirst()  // the slash that ends the (empty) host part
        if rest.isEmpty || rest == ":memory:" { throw .inMemory(url) }
        if rest.hasPrefix("/") { return String(rest) }
        let directory = workingDirectory.hasSuffix("/") ? workingDirectory : workingDirectory + "/"
        return directory + String(rest)
    }
}
