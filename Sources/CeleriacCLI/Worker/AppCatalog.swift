import Celeriac
import NIOConcurrencyHelpers

/// The apps a `celeriac` executable offers to `-A NAME`: each registers its tasks on an App.
/// The shipped binary adds `demo`; a user's own executable adds its apps (and only those),
/// then runs `CeleriacCommand.main()`, and every command can use them.
///
///     AppCatalog.add("proj") { app in try app.register(add) }
///     await CeleriacCommand.main()
public enum AppCatalog {
    public typealias Install = @Sendable (App) throws -> Void
    private static let installers = NIOLockedValueBox<[String: Install]>([:])

    public static func add(_ name: String, install: @escaping Install) {
        installers.withLockedValue { $0[name] = install }
    }

    public static var names: [String] {
        installers.withLockedValue { $0.keys.sorted() }
    }

    /// Registers app `name`'s tasks on `app`; an unknown name is an error that lists the known.
    static func install(_ name: String, on app: App) throws -> Void {
        guard let install = installers.withLockedValue({ $0[name] }) else {
            throw AppCatalogError.unknown(name, known: names)
        }
        try install(app)
    }
}

struct AppCatalogError: Error, CustomStringConvertible {
    let description: String

    static func unknown(_ name: String, known: [String]) -> AppCatalogError {
        guard !known.isEmpty else {
            return AppCatalogError(description: "no app named '\(name)': this executable registers no apps; call AppCatalog.add(\"\(name)\") { app in … } before CeleriacCommand.main()")
        }
        return AppCatalogError(description: "no app named '\(name)' in this executable; -A takes one of: \(known.joined(separator: ", ")) (a Swift app is built into its own executable with AppCatalog.add)")
    }
}
