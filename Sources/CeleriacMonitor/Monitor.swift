import Celeriac
import Foundation
import NIOConcurrencyHelpers

/// Watches one cluster: the event feed, the poller and the state file, writing one store that
/// views read and one set of actions that act. Start it, read `store`, call `actions`, stop it.
public final class Monitor: Sendable {
    public let store: MonitorStore
    public let actions: ClusterActions
    public let options: MonitorOptions
    public let configuration: CeleriacConfiguration
    private let link: ClusterLink
    private let running = NIOLockedValueBox<[Task<Void, Never>]>([])

    /// Loads the state file, if any; a state file that cannot be read is reported in the
    /// status line and the monitor starts empty.
    public init(configuration: CeleriacConfiguration, options: MonitorOptions) {
        self.configuration = configuration
        self.options = options
        store = MonitorStore(maximumTasks: options.maximumTasks)
        link = ClusterLink(configuration: configuration)
        actions = ClusterActions(store: store, link: link, defaultQueue: configuration.defaultQueue,
                                 hasStoredResults: configuration.hasStoredResults)
        if let path = options.stateFile {
            let failure = store.update { model -> StateFileError? in
                do {
                    try StateFile(path: path).load(into: &model.cluster)
                    return nil
                } catch let error as StateFileError {
                    return error
                } catch {
                    return nil
                }
            }
            if let failure { store.post(.error, failure.description) }
        }
        store.update { $0.resultBackendNote = Self.resultBackendNote(configuration.resultBackend) }
    }

    /// Starts the feed, the poller and the snapshots; `makeTransport` opens a broker connection.
    public func start(makeTransport: @escaping EventFeed.Connect) throws(ManagementAPIError) {
        let management = try options.managementURL.map { urls throws(ManagementAPIError) in
            ManagementFailover(try ManagementAPI.failoverList(urls))
        }
        let feed = EventFeed(store: store, connect: makeTransport)
        let poller = ClusterPoller(store: store, link: link, actions: actions, options: options,
                                   defaultQueue: configuration.defaultQueue, management: management)
        let store = store
        var tasks = [Task { await feed.run() }, Task { await poller.run() }]
        tasks.append(Task {
            while !Task.isCancelled {
                store.refreshTaskIndex(now: Date().timeIntervalSince1970)
                try? await Task.sleep(for: .milliseconds(200))  // index refresh period: cheap when nothing changed
            }
        })
        if options.stateFile != nil {
            let interval = options.snapshotInterval
            tasks.append(Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(interval))  // the snapshot period itself
                    self?.saveState()
                }
            })
        }
        running.withLockedValue { $0 = tasks }
    }

    /// Stops everything and writes the final snapshot.
    public func stop() async {
        let tasks = running.withLockedValue { tasks in defer { tasks = [] }; return tasks }
        for task in tasks { task.cancel() }
        saveState()
        await link.close()
    }

    /// Writes the state file now; failures go to the status line.
    public func saveState() {
        guard let path = options.stateFile else { return }
        let state = store.read { $0.cluster }
        do {
            try StateFile(path: path).save(state)
        } catch {
            store.post(.error, "cannot save the state file \(path): \(error)")
        }
    }

    static func resultBackendNote(_ url: String?) -> String? {
        guard let url, !url.isEmpty else {
            return "custom states come from Celeriac workers' task-progress events; give --result-backend to read them from a stored backend"
        }
        if url.hasPrefix("rpc") {
            return "rpc:// results go only to the process that sent each task, so the dashboard cannot read custom states from them; they come from Celeriac workers' task-progress events"
        }
        return nil
    }
}
