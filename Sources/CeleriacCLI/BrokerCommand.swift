import ArgumentParser
import CeleriacBroker
import Dispatch
import Foundation
import Logging

/// `celeriac broker`: the bundled AMQP 0-9-1 broker.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run the bundled AMQP 0-9-1 broker (RabbitMQ-compatible).",
        discussion: """
            Serves Celery, Celeriac and any AMQP 0-9-1 client (pika, py-amqp) on one port. Binds to \
            loopback by default; the built-in user guest/guest may connect only from loopback, as in RabbitMQ. \
            'celeriac broker ctl' administers a running one with rabbitmqctl's verbs.
            """,
        subcommands: [BrokerCtlCommand.self]
    )

    @Option(name: .customLong("bind"), help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "AMQP port; 0 picks a free one and prints it.")
    var port = 5672

    @Option(name: .customLong("tls-port"), help: "Also serve amqps:// on this port (needs --cert and --key).")
    var tlsPort: Int?

    @Option(name: .customLong("cert"), help: "The TLS certificate chain, PEM.")
    var certificateFile: String?

    @Option(name: .customLong("key"), help: "The TLS private key, PEM.")
    var privateKeyFile: String?

    @Option(name: .customLong("management-port"), help: "Port of the management HTTP API (RabbitMQ's paths); 0 picks a free one.")
    var managementPort = 15672

    @Flag(name: .customLong("no-management"), help: "Serve no management HTTP API.")
    var noManagement = false

    @Option(name: .customLong("data-dir"), help: "Where durable definitions and persistent messages are kept (default: ~/.local/share/celeriac/broker).")
    var dataDirectory: String?

    @Flag(name: .customLong("in-memory"), help: "Keep nothing on disk: a restart loses every queue and message.")
    var inMemory = false

    @Option(help: "When persistent messages are forced to disk: always (before the confirm), batch (every 200 ms) or off.")
    var fsync = "always"

    @Option(name: .customLong("compaction-interval"), help: "Seconds between passes that rewrite quiet, mostly-acked segments of stored messages.")
    var compactionInterval = 30

    @Option(name: .customLong("memory-high-watermark"), help: "Block publishers above this memory use: a share of RAM (0.4) or bytes (512MB).")
    var memoryHighWatermark = "0.4"

    @Option(name: .customLong("disk-free-limit"), help: "Block publishers when the data dir's disk has less free space than this.")
    var diskFreeLimit = "50MB"

    @Option(name: .customLong("users-file"), help: "A definitions file (RabbitMQ's format, as 'ctl export_definitions' writes) with users, vhosts and permissions, applied at start.")
    var usersFile: String?

    @Option(help: "A user to create besides guest (needs --password).")
    var user: String?

    @Option(help: "The password of --user.")
    var password: String?

    @Option(name: .customLong("vhost"), help: "A virtual host to serve; repeat for more (default: /).")
    var virtualHosts: [String] = []

    @Option(name: [.customShort("l"), .customLong("loglevel")], help: "Log level: debug, info, warning, error, critical.")
    var logLevel = "info"

    @Option(name: [.customShort("f"), .customLong("logfile")], help: "Append the log to this file instead of standard error.")
    var logFile: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port): use 0…65535") }
        guard (0...65535).contains(managementPort) else {
            throw ValidationError("--management-port \(managementPort): use 0…65535, or --no-management")
        }
        try WorkerLogSink.validateLevel(logLevel)
        if (user == nil) != (password == nil) {
            throw ValidationError("--user and --password go together; give both, or neither to use guest/guest")
        }
        if user == BrokerUser.guest.name {
            throw ValidationError("--user guest: guest is built in; choose another name for a user of your own")
        }
        if let usersFile, !FileManager.default.isReadableFile(atPath: usersFile) {
            throw ValidationError("--users-file \(usersFile): cannot read it")
        }
        if user != nil, usersFile != nil {
            throw ValidationError("--user and --users-file both give users; use one")
        }
        if user == nil, usersFile == nil, !Self.isLoopback(host) {
            throw ValidationError("""
                --bind \(host) reaches beyond loopback, but the only user is guest, which may connect \
                only from loopback; add --user NAME --password SECRET, or --users-file FILE
                """)
        }
        if let tlsPort, !(0...65535).contains(tlsPort) { throw ValidationError("--tls-port \(tlsPort): use 0…65535") }
        if tlsPort != nil, certificateFile == nil || privateKeyFile == nil {
            throw ValidationError("--tls-port needs --cert FILE and --key FILE (PEM)")
        }
        if tlsPort == nil, certificateFile != nil || privateKeyFile != nil {
            throw ValidationError("--cert and --key serve amqps:// only with --tls-port PORT")
        }
        guard ResourceAlarmsInput.memory(memoryHighWatermark) else {
            throw ValidationError("--memory-high-watermark \(memoryHighWatermark): give a share of memory such as 0.4, or bytes such as 512MB")
        }
        guard ResourceAlarmsInput.bytes(diskFreeLimit) else {
            throw ValidationError("--disk-free-limit \(diskFreeLimit): give bytes such as 50MB or 2GB")
        }
        guard compactionInterval > 0 else {
            throw ValidationError("--compaction-interval \(compactionInterval): give a number of seconds above 0")
        }
        guard FsyncPolicy(rawValue: fsync) != nil else {
            throw ValidationError("--fsync \(fsync): use always, batch or off")
        }
        if inMemory, dataDirectory != nil {
            throw ValidationError("--in-memory and --data-dir contradict each other; give one")
        }
        for vhost in virtualHosts where vhost.isEmpty || vhost.utf8.count > 255 {
            throw ValidationError("--vhost '\(vhost)': a virtual host name is 1 to 255 bytes")
        }
    }

    func run() async throws {
        _ = try WorkerLogSink.bootstrap(path: logFile, level: logLevel, processName: "broker")
        let logger = Logger(label: "celeriac.broker")
        let vhosts = virtualHosts.isEmpty ? ["/"] : virtualHosts
        var users = [BrokerUser.guest]
        if let user, let password { users.append(BrokerUser(name: user, password: password, vhosts: Set(vhosts))) }
        var configuration = BrokerConfiguration(host: host, port: port, tlsPort: tlsPort, certificateFile: certificateFile,
                                                privateKeyFile: privateKeyFile, managementPort: noManagement ? nil : managementPort,
                                                users: users, virtualHosts: vhosts,
                                                dataDirectory: inMemory ? nil : dataDirectory ?? Self.defaultDataDirectory,
                                                fsync: FsyncPolicy(rawValue: fsync) ?? .always,
                                                memoryHighWatermark: memoryHighWatermark, diskFreeLimit: diskFreeLimit)
        configuration.definitionsFile = usersFile
        configuration.compactionInterval = Int64(compactionInterval)
        let server: BrokerServer
        do {
            server = try await BrokerServer.start(configuration, logger: logger)
        } catch let error as BrokerStartError {
            throw CommandFailure(error.description)
        } catch {
            throw CommandFailure("cannot listen on \(host):\(port): \(error); pick another --port or stop what holds it")
        }
        let hostInURL = host.contains(":") ? "[\(host)]" : host
        logger.info("accepting AMQP 0-9-1 connections on amqp://\(hostInURL):\(server.port) (vhosts: \(vhosts.joined(separator: ", ")))")
        logger.info(configuration.dataDirectory.map { "data dir \($0), fsync \(fsync)" } ?? "in memory: nothing is kept across restarts")
        if let port = server.tlsPort {
            logger.info("accepting amqps:// connections on port \(port)")
        }
        if let port = server.managementPort {
            logger.info("management API on http://\(hostInURL):\(port)/api/")
        }
        let signals = TerminationSignals { await server.stop() }
        try? await server.waitUntilClosed()
        signals.cancel()
        await server.stop()
        logger.info("broker stopped")
    }

    /// The XDG data home's celeriac/broker, as a per-user service keeps its state.
    static var defaultDataDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSTemporaryDirectory()) + "/.local/share"
        return base + "/celeriac/broker"
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1"
    }
}
