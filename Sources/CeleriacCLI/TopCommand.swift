import AMQPClient
import ArgumentParser
import Celeriac
import CeleriacMonitor
import CeleriacTUI
import Foundation
import Logging

/// `celeriac top`: the live terminal dashboard for any Celery cluster.
struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Watch a Celery cluster live in the terminal, and act on it.",
        discussion: """
            Works with Python Celery workers as well as Celeriac's: it listens to the cluster's events, \
            polls the workers' stats and queues, and acts through Celery's remote control. Press ? \
            inside for every key; see celeriac-top(1).
            """
    )

    @OptionGroup var app: AppOptions
    @OptionGroup var watch: MonitorFlags

    @Flag(help: "Hide and refuse every action: watch only.")
    var readOnly = false

    @Flag(help: "Draw with ASCII only (no Unicode boxes, bars or sparklines).")
    var ascii = false

    @Flag(help: "No colours (also when NO_COLOR is set).")
    var noColor = false

    func validate() throws {
        try watch.validate()
    }

    func run() async throws {
        let configuration = try app.configuration()
        let broker = try BrokerLabel(url: configuration.brokerURL)
        try await Self.showDashboard(configuration: configuration, options: try watch.options(virtualHost: broker.virtualHost),
                                     broker: broker, readOnly: readOnly, ascii: ascii, noColor: noColor)
    }

    /// Watches the cluster and shows the dashboard until the user quits; `celeriac demo` opens it too.
    static func showDashboard(configuration: CeleriacConfiguration, options monitorOptions: MonitorOptions, broker: BrokerLabel,
                              readOnly: Bool = false, ascii: Bool = false, noColor: Bool = false,
                              stop: StopRequest? = nil) async throws {
        // Log lines would scribble over the screen (a failover's "cannot connect" warnings did,
        // from the poller's own connections): while the dashboard owns the terminal nothing in
        // this process logs to it, and the header and status line say what the logs would.
        _ = silenceLogging
        let monitor = Monitor(configuration: configuration, options: monitorOptions)
        do {
            try monitor.start {
                try await AMQPTransport(configuration)
            }
        } catch {
            throw ValidationError(error.description)
        }
        var options = DashboardRunner.Options()
        let environment = ProcessInfo.processInfo.environment
        options.colors = !noColor && (environment["NO_COLOR"] ?? "").isEmpty
        options.glyphs = ascii || !localeSpeaksUTF8(environment) ? .ascii : .unicode
        options.readOnly = readOnly
        options.brokerLabel = broker.label
        options.watchesSignals = stop == nil
        let runner = DashboardRunner(monitor: monitor, options: options)
        stop?.whenRequested { runner.requestStop() }
        do {
            try await runner.run()
        } catch let error as TerminalError {
            await monitor.stop()
            throw ValidationError(error.description)
        }
        await monitor.stop()
    }

    /// Every logger made from now on drops what it is given; once per process.
    private static let silenceLogging: Void = LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }

    /// UTF-8 unless the locale says otherwise (LC_ALL, then LC_CTYPE, then LANG).
    static func localeSpeaksUTF8(_ environment: [String: String]) -> Bool {
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        guard let locale else { return true }
        let lower = locale.lowercased()
        return lower.contains("utf-8") || lower.contains("utf8")
    }
}

/// The broker as the top bar shows it: host, port and vhost, never the password.
struct BrokerLabel {
    var label: String
    var virtualHost: String

    /// For a failover list, the first URL and how many follow it ("h1:5672 +2").
    init(url: String) throws {
        let urls: [String]
        do {
            urls = try BrokerFailover(url).urls
        } catch {
            throw ValidationError("\(error)")
        }
        do {
            let parsed = try AMQPConnectionConfiguration(url: urls[0])
            label = "\(parsed.host):\(parsed.port)\(parsed.virtualHost == "/" ? "" : "/" + parsed.virtualHost)"
                + (urls.count > 1 ? " +\(urls.count - 1)" : "")
            virtualHost = parsed.virtualHost
        } catch {
            throw ValidationError("broker URL \(urls[0]) is invalid: \(error.description) (e.g. amqp://guest:guest@localhost:5672//)")
        }
    }
}
