import ArgumentParser
import Celeriac
import CeleriacMonitor
import Foundation

/// `celeriac events`: the plain event stream, like `celery events --dump`.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print the cluster's events as they arrive, one line each.",
        discussion: """
            Binds a queue of its own to the celeryev exchange (as Celery's monitors do) and prints \
            every worker and task event, single or batched. Workers send task events only when \
            started with -E (or after 'enable_events').
            """
    )

    @OptionGroup var app: AppOptions

    @Flag(help: "Print each event as one JSON object per line.")
    var json = false

    @Option(name: .customLong("routing-key"), help: "Which events: '#' for all, 'task.#', 'worker.#'.")
    var routingKey = "#"

    @Option(help: "Exit after this many events.")
    var limit: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let celeriac = App(try app.configuration())
        let events = try await EventReceiver.events(on: celeriac.transport(), routingKey: routingKey)
        var printed = 0
        for try await event in events {
            // Written unbuffered, so a pipe (`| grep`) sees each event as it comes.
            let line = json ? JSONValue.object(event.fields).serialized : Self.line(for: event)
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
            printed += 1
            if let limit, printed >= limit { break }
        }
        await celeriac.close()
    }

    /// "2026-11-25T12:00:00.123456+00:00 fixw@vm task-succeeded uuid=… result='5' runtime=0.01"
    static func line(for event: CeleryEvent) -> String {
        let time = event.timestamp.map { CeleryTime.format(Date(timeIntervalSince1970: $0)) } ?? "-"
        let fields = EventLog.fields(of: event)
        return ([time, event.hostname ?? "-", event.type] + (fields.isEmpty ? [] : [fields])).joined(separator: " ")
    }
}
