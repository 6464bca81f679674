/// What `celeriac broker` is started with.
public struct BrokerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (tests, the demo).
    public var port: Int
    /// amqps:// on this port, with `certificateFile` and `privateKeyFile` (PEM); nil: none.
    public var tlsPort: Int?
    public var certificateFile: String?
    public var privateKeyFile: String?
    /// The management HTTP API's port (RabbitMQ's is 15672); nil turns it off, 0 picks one.
    public var managementPort: Int?
    /// How often queue rates are sampled (RabbitMQ's collect_statistics_interval).
    public var statisticsInterval: Int64
    public var users: [BrokerUser]
    /// A definitions file (RabbitMQ's format: users with password hashes, vhosts,
    /// permissions, and any queues, exchanges and bindings) applied at every start.
    public var definitionsFile: String?
    public var virtualHosts: [String]
    /// Where durable definitions and persistent messages are kept; nil keeps all in memory.
    public var dataDirectory: String?
    public var fsync: FsyncPolicy
    /// Seconds between compaction passes over the stored messages.
    public var compactionInterval: Int64 = 30
    /// `vm_memory_high_watermark`: "0.4" (of the machine's memory) or bytes ("512MB").
    public var memoryHighWatermark: String
    /// `disk_free_limit`: below this much free space in the data dir, publishers are blocked.
    public var diskFreeLimit: String
    /// Offered in connection.tune; the client may lower them.
    public var heartbeatSeconds: UInt16
    public var frameMax: UInt32
    public var channelMax: UInt16
    /// RabbitMQ's default max_message_size.
    public var maximumMessageSize: UInt64

    public init(host: String = "127.0.0.1", port: Int = 5672, tlsPort: Int? = nil, certificateFile: String? = nil,
                privateKeyFile: String? = nil, managementPort: Int? = 15672,
                statisticsInterval: Int64 = 5, users: [BrokerUser] = [.guest],
                virtualHosts: [String] = ["/"], dataDirectory: String? = nil, fsync: FsyncPolicy = .always,
                memoryHighWatermark: String = "0.4", diskFreeLimit: String = "50MB",
                heartbeatSeconds: UInt16 = 60, frameMax: UInt32 = 131_072,
                channelMax: UInt16 = 2047, maximumMessageSize: UInt64 = 128 * 1024 * 1024) {
        self.host = host
        self.port = port
        self.tlsPort = tlsPort
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.managementPort = managementPort
        self.statisticsInterval = statisticsInterval
        self.users = users
        self.virtualHosts = virtualHosts
        definitionsFile = nil
        self.dataDirectory = dataDirectory
        self.fsync = fsync
        self.memoryHighWatermark = memoryHighWatermark
        self.diskFreeLimit = diskFreeLimit
        self.heartbeatSeconds = heartbeatSeconds
        self.frameMax = frameMax
        self.channelMax = channelMax
        self.maximumMessageSize = maximumMessageSize
    }
}
