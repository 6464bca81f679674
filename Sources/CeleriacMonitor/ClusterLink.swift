import Celeriac

/// The connection actions and polls use, apart from the event feed's: made on first use and
/// made anew after a failure, so one broker restart does not leave every later action
/// talking to a dead socket.
actor ClusterLink {
    nonisolated let configuration: CeleriacConfiguration
    private var app: App?

    init(configuration: CeleriacConfiguration) {
        self.configuration = configuration
    }

    /// Runs `body` on the current app; a broker error drops the app so the next call reconnects.
    func run<T: Sendable>(_ body: @Sendable (App) async throws -> T) async throws -> T {
        let current = app ?? App(configuration)
        app = current
        do {
            return try await body(current)
        } catch let error as BrokerError {
            if case .unroutable = error { throw error }
            if case .notFound = error { throw error }
            app = nil
            await current.close()
            throw error
        }
    }

    func close() async {
        await app?.close()
        app = nil
    }
}
