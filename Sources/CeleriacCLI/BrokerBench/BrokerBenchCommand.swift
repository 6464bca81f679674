import ArgumentParser
import CeleriacWorker
import Foundation

/// `celeriac bench broker`: the broker's workloads on celeriac broker and on RabbitMQ, in
/// one run, side by side.
struct BrokerBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run the broker workloads on celeriac broker and RabbitMQ, side by side.",
        discussion: """
            Starts a celeriac broker of its own (a fresh data dir, --fsync as given) and drives it, then the \
            RabbitMQ at --rabbitmq-url, with the same workloads from Celeriac's client over several connections: \
            (a) persistent messages with confirms, manual acks, prefetch 100; (b) transient, auto-ack; (c) fanout \
            to 10 queues; (d) 1,000 queues with 5 messages each; (e) 16-byte transient messages, one producer and \
            one consumer. Prints messages per second, the ratio, publish→confirm p50/p99 and each broker's peak \
            resident memory (give --rabbitmq-pid for RabbitMQ's).
            """
    )

    @Option(name: .customLong("rabbitmq-url"), help: "The RabbitMQ to compare with; omit to measure celeriac broker alone.")
    var rabbitmqURL: String?

    @Option(name: .customLong("rabbitmq-pid"), help: "RabbitMQ's process (beam.smp), for its memory.")
    var rabbitmqPID: Int32?

    @Option(help: "Messages per workload.")
    var messages = 100_000

    @Option(help: "Producer and consumer connections per workload.")
    var connections = 2

    @Option(help: "Workloads to run, comma-separated: persistent, transient, fanout, many-queues, small.")
    var workloads = BrokerWorkload.allCases.map(\.rawValue).joined(separator: ",")

    @Option(help: "celeriac broker's --fsync: always, batch or off.")
    var fsync = "always"

    func validate() throws {
        for name in workloads.split(separator: ",") where BrokerWorkload(rawValue: String(name)) == nil {
            throw ValidationError("--workloads: unknown '\(name)'; use \(BrokerWorkload.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard messages >= 1000 else { throw ValidationError("--messages \(messages): at least 1000") }
        guard connections >= 1 else { throw ValidationError("--connections \(connections): at least 1") }
    }

    func run() async throws {
        let selected = workloads.split(separator: ",").compactMap { BrokerWorkload(rawValue: String($0)) }
        let broker = try await BenchBroker.start(fsync: fsync)
        defer { broker.stop() }
        print("Broker benchmark: \(messages) messages per workload, \(connections) producer and \(connections) consumer connections, Celeriac's client")
        print(String(format: "celeriac broker ready %.0f ms after it was started (data dir, --fsync %@)", broker.readyMilliseconds, fsync))
        print("workload".padding(toLength: 50, withPad: " ", startingAt: 0)
              + "celeriac msg/s  RabbitMQ msg/s   ratio  confirm p50/p99 ms (celeriac | RabbitMQ)  RSS MiB (celeriac | RabbitMQ)")
        for workload in selected {
            let ours = try await BrokerBenchmark(url: broker.url, messages: messages, connections: connections, brokerPID: broker.pid).run(workload)
            var theirs: BrokerWorkloadResult?
            if let rabbitmqURL {
                theirs = try await BrokerBenchmark(url: rabbitmqURL, messages: messages, connections: connections,
                                                   brokerPID: rabbitmqPID).run(workload)
            }
            print(Self.row(workload, ours, theirs))
        }
    }

    static func row(_ workload: BrokerWorkload, _ ours: BrokerWorkloadResult, _ theirs: BrokerWorkloadResult?) -> String {
        let latency = { (result: BrokerWorkloadResult?) -> String in
            guard let result, let p50 = result.confirmP50, let p99 = result.confirmP99 else { return "-" }
            return String(format: "%.2f/%.2f", p50 * 1000, p99 * 1000)
        }
        let columns = [
            (String(format: "%.0f", ours.messagesPerSecond), 14),
            (theirs.map { String(format: "%.0f", $0.messagesPerSecond) } ?? "-", 14),
            (theirs.map { String(format: "%.1fx", ours.messagesPerSecond / $0.messagesPerSecond) } ?? "-", 6),
            ("\(latency(ours)) | \(latency(theirs))", 40),
            (String(format: "%.0f | ", ours.residentMiB) + (theirs.map { String(format: "%.0f", $0.residentMiB) } ?? "-"), 30),
        ]
        return workload.title.padding(toLength: 50, withPad: " ", startingAt: 0)
            + columns.map { String(repeating: " ", count: max(0, $0.1 - $0.0.count)) + $0.0 }.joined(separator: "  ")
    }
}

/// A celeriac broker the benchmark starts from its own executable, on ports it picks.
struct BenchBroker: Sendable {
    let pid: pid_t
    let port: Int
    let directory: String
    let readyMilliseconds: Double

    var url: String { "amqp://guest:guest@127.0.0.1:\(port)/%2F" }

    static func start(fsync: String) async throws -> BenchBroker {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("celeriac-bench-broker-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let log = directory + ".log"
        let started = ContinuousClock.now
        let pid = try ProcessLauncher.spawn(
            [CommandLine.arguments[0], "broker", "--port", "0", "--no-management", "--data-dir", directory, "--fsync", fsync,
             "-l", "info"], stdout: .file(log, append: false), stderr: .file(log, append: true))
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "amqp://127.0.0.1:"), let port = Int(text[range.upperBound...].prefix { $0.isNumber }) {
                return BenchBroker(pid: pid, port: port, directory: directory,
                                   readyMilliseconds: BrokerBenchmark.seconds(since: started) * 1000)
            }
            try await Task.sleep(for: .milliseconds(5))  // polling its log: the broker has no other signal for ready
        }
        kill(pid, SIGKILL)
        throw BenchError("celeriac broker did not start; see \(log)")
    }

    func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        try? FileManager.default.removeItem(atPath: directory)
    }
}
