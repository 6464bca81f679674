import ArgumentParser
import Celeriac
import CeleriacExporter
import CeleriacMonitor
import Dispatch
import Foundation

/// `celeriac exporter`: the monitor's state as Prometheus metrics.
struct ExporterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exporter",
        abstract: "Serve the cluster's state as Prometheus metrics.",
        discussion: """
            Watches the cluster as `celeriac top` does and serves GET /metrics: Flower's metric names \
            (flower_events_total, flower_task_runtime_seconds, flower_worker_online, …) plus queue \
            length and oldest-message age per queue.
            """
    )

    @OptionGroup var app: AppOptions
    @OptionGroup var watch: MonitorFlags

    @Option(help: "Address to serve on, HOST:PORT.")
    var listen = "127.0.0.1:9808"

    func validate() throws {
        try watch.validate()
        _ = try Self.address(listen)
    }

    func run() async throws {
        let configuration = try app.configuration()
        let broker = try BrokerLabel(url: configuration.brokerURL)
        let monitor = Monitor(configuration: configuration, options: try watch.options(virtualHost: broker.virtualHost))
        let metrics = MonitorMetrics(store: monitor.store)
        let (host, port) = try Self.address(listen)
        let server: MetricsServer
        do {
            server = try await MetricsServer(host: host, port: port) { metrics.render() }
        } catch {
            throw ValidationError("cannot listen on \(listen): \(error); pick another --listen address")
        }
        do {
            try monitor.start { try await AMQPTransport(configuration) }
        } catch {
            await server.close()
            throw ValidationError(error.description)
        }
        let bound = server.localAddress.map { "\($0.ipAddress ?? host):\($0.port ?? port)" } ?? listen
        FileHandle.standardError.write(Data("celeriac exporter: metrics at http://\(bound)/metrics\n".utf8))
        let signals = TerminationSignals { await server.close() }
        try await server.waitUntilClosed()
        signals.cancel()
        await monitor.stop()
    }

    /// "127.0.0.1:9808", "[::1]:9808", ":9808" (all interfaces).
    static func address(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else {
            throw ValidationError("--listen takes HOST:PORT, e.g. 127.0.0.1:9808; got '\(text)'")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}
