/// CeleriacCLI: the `celeriac` command line, one ArgumentParser command per subcommand.
/// A user's own executable reuses these commands; logic lives in the library modules and
/// this module only reads flags and wires the parts together.
import AMQPClient
import ArgumentParser

public struct CeleriacCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "celeriac",
        abstract: "A Celery-compatible distributed task queue with a live terminal dashboard.",
        version: celeriacVersion,
        subcommands: [DemoCommand.self, BrokerCommand.self, WorkerCommand.self, BeatCommand.self, MultiCommand.self, InspectCommand.self, ControlCommand.self, CallCommand.self, ResultCommand.self, PurgeCommand.self, EventsCommand.self, TopCommand.self, ExporterCommand.self, BenchCommand.self]
    )

    public init() {}
}
