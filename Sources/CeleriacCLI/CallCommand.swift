import ArgumentParser
import Celeriac
import Foundation

/// `celeriac call`: send a task by name, print its id, optionally wait for the result.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Send a task by name and print its id.",
        discussion: """
            With --wait the command waits for the result and prints it as JSON. With an rpc:// \
            backend waiting is the only way to see the result (only the sender can read it); \
            without --wait no reply queue is declared, so none is left behind.
            """
    )

    @OptionGroup var app: AppOptions

    @Argument(help: "The task name, e.g. proj.tasks.add.")
    var name: String

    @Option(help: "Positional arguments as a JSON list, e.g. '[2, 3]'.")
    var args = "[]"

    @Option(help: "Keyword arguments as a JSON object, e.g. '{\"x\": 1}'.")
    var kwargs = "{}"

    @Option(help: "Seconds to wait before the task may run.")
    var countdown: Double?

    @Option(help: "When the task may run, ISO 8601 (e.g. 2026-11-25T12:00:00+00:00).")
    var eta: String?

    @Option(help: "Seconds from now, or an ISO 8601 time, after which the task is dropped.")
    var expires: String?

    @Option(name: [.customShort("Q"), .long], help: "The queue to send to.")
    var queue: String?

    @Option(help: "The exchange to send through.")
    var exchange: String?

    @Option(name: .customLong("routing-key"), help: "The routing key.")
    var routingKey: String?

    @Option(help: "Message priority, 0-255.")
    var priority: Int?

    @Flag(help: "Wait for the result and print it.")
    var wait = false

    @Option(help: "With --wait: give up after this many seconds.")
    var timeout: Double?

    func validate() throws {
        if let priority, !(0...255).contains(priority) {
            throw ValidationError("--priority \(priority) is out of range; use 0 to 255")
        }
        if countdown != nil && eta != nil { throw ValidationError("use --countdown or --eta, not both") }
        if timeout != nil && !wait { throw ValidationError("--timeout only applies with --wait") }
        _ = try CLIValues.jsonList(args, option: "--args")
        _ = try CLIValues.jsonObject(kwargs, option: "--kwargs")
        if let eta { _ = try CLIValues.date(eta, option: "--eta") }
        if let expires { _ = try CLIValues.expiry(expires, option: "--expires") }
    }

    func run() async throws {
        let configuration = try app.configuration()
        let celeriac = App(configuration)
        defer { Task { await celeriac.close() } }
        var options = TaskSendOptions(countdown: countdown, queue: queue, exchange: exchange, routingKey: routingKey,
                                      priority: priority)
        options.eta = try eta.map { try CLIValues.date($0, option: "--eta") }
        options.expires = try expires.map { try CLIValues.expiry($0, option: "--expires") }
        let result = try await celeriac.send(name, args: try CLIValues.jsonList(args, option: "--args"),
                                             kwargs: try CLIValues.jsonObject(kwargs, option: "--kwargs"),
                                             options: options, expectResult: wait)
        print(result.id)
        guard wait else {
            await celeriac.close()
            return
        }
        let meta = try await result.wait(timeout: timeout)
        await celeriac.close()
        try ResultPrinter.print(meta, traceback: true)
    }
}
