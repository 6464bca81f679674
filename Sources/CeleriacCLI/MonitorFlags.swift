import ArgumentParser
import CeleriacMonitor

/// What `celeriac top` and `celeriac exporter` share: how the cluster is watched.
struct MonitorFlags: ParsableArguments {
    @Option(name: .customLong("management-url"),
            help: "RabbitMQ management API, e.g. http://guest:guest@localhost:15672 (queue depths, unacked, rates); on a cluster several nodes' separated by ;.")
    var managementURL: String?

    @Option(name: .customLong("max-tasks"), help: "Tasks held at most; the oldest finished go first.")
    var maxTasks = 100_000

    @Option(name: .customLong("state-file"), help: "Keep the cluster state in this file across restarts.")
    var stateFile: String?

    @Flag(name: .customLong("no-enable-events"), help: "Do not broadcast enable_events at start and every minute.")
    var noEnableEvents = false

    @Option(name: .customLong("poll-interval"), help: "Seconds between stats, active_queues and queue depth polls.")
    var pollInterval = 5.0

    @Option(name: .customLong("offline-after"), help: "Forget workers offline for this many seconds.")
    var offlineAfter = 300.0

    func validate() throws {
        guard maxTasks >= 1 else { throw ValidationError("--max-tasks must be at least 1") }
        guard pollInterval >= 0.2 else { throw ValidationError("--poll-interval must be at least 0.2 seconds") }
        guard offlineAfter >= 0 else { throw ValidationError("--offline-after must not be negative") }
    }

    func options(virtualHost: String) throws -> MonitorOptions {
        var options = MonitorOptions()
        options.maximumTasks = maxTasks
        options.managementURL = managementURL
        options.virtualHost = virtualHost
        options.stateFile = stateFile
        options.enableEvents = !noEnableEvents
        options.pollInterval = pollInterval
        options.forgetOfflineAfter = offlineAfter
        if let managementURL {
            do {
                _ = try ManagementAPI.failoverList(managementURL)
            } catch {
                throw ValidationError(error.description)
            }
        }
        return options
    }
}
