import ArgumentParser
import Celeriac

/// `celeriac inspect`: ask workers what they hold and how they run, as `celery inspect`.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Ask workers about themselves, as celery inspect.",
        discussion: """
            COMMAND is one of: ping, stats, active, reserved, scheduled, revoked, registered, \
            active_queues, conf, clock, report, query_task ID... Any Celery worker answers, Python \
            or Swift; nodes that do not answer within --timeout are not listed.
            """
    )

    static let commands = ["ping", "stats", "active", "reserved", "scheduled", "revoked", "registered",
                           "active_queues", "conf", "clock", "report", "query_task"]

    @OptionGroup var app: AppOptions
    @OptionGroup var remote: RemoteControlOptions

    @Argument(help: "What to ask (see above).")
    var command: String

    @Argument(help: "Task ids, for query_task.")
    var ids: [String] = []

    func validate() throws {
        guard Self.commands.contains(command) else {
            throw ValidationError("unknown inspect command '\(command)'; use one of: \(Self.commands.joined(separator: ", "))")
        }
        if command == "query_task", ids.isEmpty { throw ValidationError("query_task needs one or more task ids") }
        if command != "query_task", !ids.isEmpty { throw ValidationError("\(command) takes no arguments") }
    }

    func run() async throws {
        let request = command == "query_task" ? PidboxRequest.queryTask(ids: ids) : PidboxRequest(method: command)
        try await remote.run(request, app: app)
    }
}
