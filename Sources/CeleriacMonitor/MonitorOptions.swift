/// How the monitor watches a cluster; `celeriac top` and `celeriac exporter` fill this from flags.
public struct MonitorOptions: Sendable {
    /// Tasks held at most; the oldest finished go first.
    public var maximumTasks = 100_000
    /// RabbitMQ's (or celeriac broker's) management API, credentials in the URL; on a
    /// cluster, several nodes' separated by `;`, asked in turn when one does not answer.
    public var managementURL: String?
    /// The broker URL's virtual host, for the management API's queue list.
    public var virtualHost = "/"
    /// Seconds between `stats`/`active_queues` polls and queue depth reads.
    public var pollInterval = 5.0
    /// Broadcast `enable_events` at start and every `enableEventsInterval` seconds.
    public var enableEvents = true
    public var enableEventsInterval = 60.0
    /// Workers offline longer than this many seconds are forgotten.
    public var forgetOfflineAfter = 300.0
    /// Where the cluster state is snapshotted, and every how many seconds.
    public var stateFile: String?
    public var snapshotInterval = 30.0

    public init() {}
}
