import ArgumentParser

/// `celeriac bench …`: throughput programs that print Celeriac's figures beside its peer's.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Celeriac against its peers (RabbitMQ clients, Python Celery).",
        subcommands: [AMQPBenchCommand.self, BrokerBenchCommand.self, MonitorBenchCommand.self, WorkerBenchCommand.self]
    )
}
