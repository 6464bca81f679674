import ArgumentParser
import Celeriac
import CeleriacMonitor
import CeleriacWorker
import Foundation

/// `celeriac demo`: a whole cluster from one command — the embedded broker, two workers and
/// a producer, as child processes — watched in `celeriac top`, or run headless for a summary.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a live cluster (broker, two workers, a task producer) and watch it in celeriac top.",
        discussion: """
            Starts, as child processes: celeriac broker on free ports with a temporary data dir and \
            its management API; the workers demo-prefork@%h (prefork, --autoscale 6,2) and \
            demo-async@%h (async pool), both with -E; and a producer sending a mix of the demo app's \
            tasks — fast, slow, CPU-bound, failing, retrying, PROGRESS-reporting, with countdowns, \
            some that expire, chains and chords — with a burst every 30 s that makes the autoscaler \
            grow; results go to a SQLite file in the demo's directory; and a beat with an \
            interval, a crontab and a solar entry on a database store, editable on screen 5. Then opens \
            the dashboard. q or Ctrl-C stops everything: the workers warm, then the broker; the \
            temporary dir is removed. With --headless it runs for --duration seconds and prints a \
            summary instead. See celeriac-demo(1).
            """
    )

    @Flag(help: "No dashboard: run for --duration seconds, then print a summary.")
    var headless = false

    @Option(help: "Seconds to run with --headless (default: 30).")
    var duration: Double?

    @Option(help: "Tasks the producer sends per second, besides the bursts.")
    var rate = 4.0

    @Option(help: "Workers to start: the first is prefork with an autoscaler, the second async, more alternate.")
    var workers = 2

    @Option(name: .customLong("keep-data"), help: "Keep the broker's data and every log in this directory instead of a temporary one.")
    var keepData: String?

    @Option(name: [.customShort("b"), .long], help: "Run the workers and producer on this broker (RabbitMQ too) instead of an embedded one.")
    var broker: String?

    @Option(name: .customLong("management-url"), help: "With --broker: its management API, for queue depths (e.g. http://guest:guest@localhost:15672).")
    var managementURL: String?

    @Flag(help: "Draw with ASCII only (no Unicode boxes, bars or sparklines).")
    var ascii = false

    @Flag(help: "No colours (also when NO_COLOR is set).")
    var noColor = false

    @Flag(help: .hidden)
    var produce = false

    @Option(help: .hidden)
    var results: String?

    func validate() throws {
        guard rate > 0, rate <= 1000 else { throw ValidationError("--rate \(rate): give tasks per second above 0, at most 1000") }
        guard (1...8).contains(workers) else { throw ValidationError("--workers \(workers): start 1 to 8 workers") }
        if let duration {
            guard duration > 0 else { throw ValidationError("--duration \(duration): give seconds above 0") }
            guard headless else { throw ValidationError("--duration applies to --headless runs; add --headless, or leave it out and quit with q") }
        }
        if managementURL != nil, broker == nil {
            throw ValidationError("--management-url goes with --broker; the embedded broker's management API is found by itself")
        }
        if produce, broker == nil { throw ValidationError("--produce needs --broker") }
        if !produce, !AppCatalog.names.contains("demo") {
            throw ValidationError("this executable has no demo app; run `swift run celeriac demo` from the Celeriac checkout, whose executable ships it")
        }
    }

    func run() async throws {
        if produce, let broker {
            try await DemoProducer(brokerURL: broker, resultBackend: results, rate: rate).run()
            return
        }
        if !headless, isatty(STDIN_FILENO) == 0 || isatty(STDOUT_FILENO) == 0 {
            throw DemoError("the demo's dashboard needs a terminal; run it in one, or add --headless --duration S for a summary instead")
        }
        let stop = StopRequest()
        // SIGHUP too: the dashboard, which would watch it, leaves the signals to the demo.
        let signals = TerminationSignals([SIGINT, SIGTERM, SIGHUP]) { stop.request() }
        defer { signals.cancel() }
        let directory = try DemoDirectory(keeping: keepData)
        let cluster = DemoCluster(executable: WorkerOptions.currentExecutable, directory: directory.path)
        do {
            try await runCluster(cluster, in: directory, stop: stop)
        } catch {
            await cluster.stop()
            directory.removeUnlessKept()
            throw error
        }
        await cluster.stop()
        directory.removeUnlessKept()
        let failures = await cluster.failures
        if !failures.isEmpty {
            throw DemoError("part of the cluster stopped early: \(failures.joined(separator: "; ")) (logs in \(directory.path))")
        }
    }

    private func runCluster(_ cluster: DemoCluster, in directory: DemoDirectory, stop: StopRequest) async throws {
        let endpoints = try await brokerEndpoints(cluster)
        say("Celeriac demo: broker \(endpoints.brokerURL)\(endpoints.managementURL.map { " (management API \($0)/api/)" } ?? "")")
        say("From another terminal: celeriac top -b '\(endpoints.brokerURL)'\(endpoints.managementURL.map { " --management-url \($0)" } ?? "")"
            + "  ·  celery -b '\(endpoints.brokerURL)' inspect stats")
        try stop.check()
        let listener = headless ? try await DemoListener.start(brokerURL: endpoints.brokerURL) : nil
        do {
            try await cluster.startWorkers(DemoWorkerPlan.plans(count: workers), brokerURL: endpoints.brokerURL)
            try await cluster.startProducer(brokerURL: endpoints.brokerURL, rate: rate)
            try await cluster.startBeat(brokerURL: endpoints.brokerURL)
            let started = await cluster.processes.map { "\($0.name) (pid \($0.pid))" }.joined(separator: ", ")
            say("Started \(started); logs\(broker == nil ? " and broker data" : "") in \(directory.path)")
            try stop.check()
            if let listener {
                try await runHeadless(cluster, listener: listener, broker: endpoints.brokerURL, stop: stop)
            } else {
                say("Opening celeriac top; q or Ctrl-C stops the whole cluster.")
                try await showDashboard(endpoints, resultBackend: await cluster.resultBackend, stop: stop)
                say("Stopping the demo: producer and beat, workers (warm), broker…")
            }
        } catch {
            await listener?.stop()
            throw error
        }
    }

    private func runHeadless(_ cluster: DemoCluster, listener: DemoListener, broker: String, stop: StopRequest) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        await stop.wait(timeout: .seconds(duration ?? 30))
        let ran = (clock.now - start).inSeconds
        await cluster.stopProducer()
        await cluster.stopWorkers()
        await listener.workersOffline(timeout: .seconds(5))
        await listener.stop()
        await cluster.stopBroker()
        say(listener.snapshot.summary(seconds: ran, broker: broker))
    }

    private struct Endpoints {
        var brokerURL: String
        var managementURL: String?
    }

    /// The embedded broker's URLs, or the user's broker once it answers.
    private func brokerEndpoints(_ cluster: DemoCluster) async throws -> Endpoints {
        guard let broker else {
            let ports = try await cluster.startBroker()
            return Endpoints(brokerURL: "amqp://guest:guest@127.0.0.1:\(ports.amqpPort)//",
                             managementURL: "http://guest:guest@127.0.0.1:\(ports.managementPort)")
        }
        do {
            let transport = try await AMQPTransport(url: broker)
            await transport.close()
        } catch {
            throw DemoError("\(error) Or leave out --broker, and the demo starts a broker of its own.")
        }
        return Endpoints(brokerURL: broker, managementURL: managementURL)
    }

    /// The dashboard, ended by `q` or by the demo's own SIGINT/SIGTERM (`stop`): the demo
    /// holds those signals, so the dashboard would not hear them itself.
    private func showDashboard(_ endpoints: Endpoints, resultBackend: String, stop: StopRequest) async throws {
        var configuration = CeleriacConfiguration()
        configuration.brokerURL = endpoints.brokerURL
        configuration.resultBackend = resultBackend
        let broker = try BrokerLabel(url: endpoints.brokerURL)
        var options = MonitorOptions()
        options.managementURL = endpoints.managementURL
        options.virtualHost = broker.virtualHost
        options.pollInterval = 2  // pool sizes follow the autoscaler closely
        try await TopCommand.showDashboard(configuration: configuration, options: options, broker: broker,
                                           ascii: ascii, noColor: noColor, stop: stop)
    }

    /// Straight to standard output, unbuffered, so it shows before the screen takes over.
    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// A failure after the arguments were accepted: printed as "Error: …", without the usage.
struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
