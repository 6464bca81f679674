import AMQPClient
import ArgumentParser
import Foundation

/// `celeriac bench amqp`: persistent messages published with confirms, then consumed with
/// manual acks and prefetch 100 — by Celeriac's client and by pika in the same run.
struct AMQPBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amqp",
        abstract: "Publish and consume N persistent messages through a broker; compare with pika.",
        discussion: """
            Runs Celeriac's AMQP client twice — publishing with pipelined confirms, and waiting for \
            each confirm the way a blocking client does — then, with --pika, the same workload with \
            pika's BlockingConnection (python3 and pika must be installed). Prints messages per \
            second for each and the ratio.
            """
    )

    @Option(help: "Broker URL.")
    var url = "amqp://guest:guest@localhost:5672//"

    @Option(help: "Messages per run.")
    var messages = 20_000

    @Option(help: "Body size in bytes.")
    var size = 100

    @Option(help: "Path of Benchmarks/pika_amqp_bench.py; omit to skip the pika run.")
    var pika: String?

    @Option(help: "The Python interpreter that has pika installed.")
    var python = "python3"

    func validate() throws {
        guard messages > 0 else { throw ValidationError("--messages must be at least 1") }
        guard size >= 0 else { throw ValidationError("--size cannot be negative") }
        if let pika, !FileManager.default.fileExists(atPath: pika) {
            throw ValidationError("--pika \(pika): no such file; pass the path of Benchmarks/pika_amqp_bench.py")
        }
    }

    func run() async throws {
        let configuration: AMQPConnectionConfiguration
        do {
            configuration = try AMQPConnectionConfiguration(url: url)
        } catch {
            throw ValidationError("--url: \(error)")
        }
        let workload = AMQPBenchmark(configuration: configuration, messages: messages, bodySize: size)
        print("AMQP benchmark: \(messages) persistent messages of \(size) B via \(configuration.redactedURL)")
        var rows: [AMQPBenchmark.Result] = []
        for mode in AMQPBenchmark.PublishMode.allCases {
            let result = try await workload.run(mode: mode)
            rows.append(result)
            print(result.line)
        }
        if let pika {
            let result = try runPika(script: pika)
            rows.append(result)
            print(result.line)
            if let ours = rows.first(where: { $0.client.contains("confirm each") }) {
                print(String(format: "ratio Celeriac/pika (same confirm-each workload): publish %.2fx, consume %.2fx",
                             ours.publishPerSecond / result.publishPerSecond,
                             ours.consumePerSecond / result.consumePerSecond))
            }
            if let pipelined = rows.first {
                print(String(format: "ratio Celeriac pipelined/pika: publish %.2fx, consume %.2fx",
                             pipelined.publishPerSecond / result.publishPerSecond,
                             pipelined.consumePerSecond / result.consumePerSecond))
            }
        }
    }

    private func runPika(script: String) throws -> AMQPBenchmark.Result {
        struct PikaFigures: Decodable {
            var client: String
            var publish_msgs_per_s: Double
            var consume_msgs_per_s: Double
        }
        let figures = try PythonPeer.run(python, script, ["--url", url, "--messages", "\(messages)", "--size", "\(size)"],
                                         hint: "is pika installed (pip install pika==1.4.4)?", as: PikaFigures.self)
        return AMQPBenchmark.Result(client: "\(figures.client) (BlockingConnection, confirm each)",
                                    publishPerSecond: figures.publish_msgs_per_s,
                                    consumePerSecond: figures.consume_msgs_per_s)
    }
}
