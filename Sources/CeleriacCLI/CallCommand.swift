import ArgumentParser
import Celeriac
import Foundation

/// `celeriac call`: send a task by name — or a workflow — print its id, optionally wait for
/// the result.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Send a task by name (or a chain, group or chord) and print its id.",
        discussion: """
            With --wait the command waits for the result and prints it as JSON. With an rpc:// \
            backend waiting is the only way to see the result (only the sender can read it); \
            without --wait no reply queue is declared, so none is left behind.

            --then, --link and --link-error take a task as NAME or NAME:ARGS, ARGS a JSON \
            list: `celeriac call demo.add --args '[1, 2]' --then 'demo.mul:[10]'` is the chain \
            add(1, 2) | mul(10). --signature sends any canvas as Celery writes it in JSON \
            (a Python signature is a dict: json.dumps(chord(...))).
            """
    )

    @OptionGroup var app: AppOptions

    @Argument(help: "The task name, e.g. proj.tasks.add (leave out with --signature).")
    var name: String?

    @Option(help: ArgumentHelp("A whole canvas as Celery's signature JSON (task, chain, group or chord).",
                               valueName: "json"))
    var signature: String?

    @Option(help: ArgumentHelp("A task to run after this one with its result, as NAME or NAME:ARGS; repeat for a chain.",
                               valueName: "task"))
    var then: [String] = []

    @Option(help: ArgumentHelp("A callback run with the result on success (Celery's link), NAME or NAME:ARGS.",
                               valueName: "task"))
    var link: [String] = []

    @Option(name: .customLong("link-error"),
            help: ArgumentHelp("A callback run with the task's id on failure (Celery's link_error).", valueName: "task"))
    var linkError: [String] = []

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

    @Option(name: .customLong("queue-type"),
            help: "classic or quorum: the type of the queue, should the call declare it (default: task_default_queue_type, classic).")
    var queueType: QueueType?

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
        switch (name, signature) {
        case (nil, nil): throw ValidationError("name the task to call (e.g. demo.add), or give --signature JSON")
        case (_?, _?): throw ValidationError("give a task name or --signature, not both")
        case (nil, _?):
            if !(args == "[]" && kwargs == "{}") || !then.isEmpty || !link.isEmpty || !linkError.isEmpty {
                throw ValidationError("--args, --kwargs, --then, --link and --link-error describe a task by name; with --signature put them in the JSON")
            }
        default: break
        }
        _ = try canvas()
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
        var configuration = try app.configuration()
        if let queueType { try configuration.declareQueues(as: queueType) }
        let celeriac = App(configuration)
        defer { Task { await celeriac.close() } }
        if let workflow = try canvas() {
            try await call(workflow, on: celeriac)
            return
        }
        var options = TaskSendOptions(countdown: countdown, queue: queue, exchange: exchange, routingKey: routingKey,
                                      priority: priority)
        options.eta = try eta.map { try CLIValues.date($0, option: "--eta") }
        options.expires = try expires.map { try CLIValues.expiry($0, option: "--expires") }
        let result = try await celeriac.send(name ?? "", args: try CLIValues.jsonList(args, option: "--args"),
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

    /// The workflow to apply, when the flags describe more than one plain task.
    private func canvas() throws -> Signature? {
        if let signature {
            do {
                return try Signature(json: try CLIValues.json(signature, option: "--signature"))
            } catch let error as SignatureError {
                throw ValidationError("--signature is not a Celery signature: \(error)")
            }
        }
        guard let name, !(then.isEmpty && link.isEmpty && linkError.isEmpty) else { return nil }
        var first = Signature(task: name, args: try CLIValues.jsonList(args, option: "--args"),
                              kwargs: try CLIValues.jsonObject(kwargs, option: "--kwargs"))
        if !link.isEmpty { first.options["link"] = .array(try link.map { try Self.task($0, option: "--link").json }) }
        if !linkError.isEmpty {
            first.options["link_error"] = .array(try linkError.map { try Self.task($0, option: "--link-error").json })
        }
        let steps = try then.map { try Self.task($0, option: "--then") }
        return steps.isEmpty ? first : .chain([first] + steps)
    }

    /// `NAME` or `NAME:ARGS`, ARGS a JSON list.
    static func task(_ text: String, option: String) throws -> Signature {
        guard let colon = text.firstIndex(of: ":") else {
            guard !text.isEmpty else { throw ValidationError("\(option) needs a task name, e.g. demo.mul:[10]") }
            return Signature(task: text)
        }
        let name = String(text[..<colon])
        guard !name.isEmpty else { throw ValidationError("\(option) '\(text)' has no task name before the ':'") }
        return Signature(task: name, args: try CLIValues.jsonList(String(text[text.index(after: colon)...]), option: option))
    }

    /// Applies a canvas with the routing and timing flags as its options; prints the id (a
    /// group's, then each member's) and, with --wait, each result in order.
    private func call(_ workflow: Signature, on celeriac: App) async throws {
        var options: [String: JSONValue] = [:]
        options["countdown"] = countdown.map(JSONValue.double)
        options["eta"] = try eta.map { .string(CeleryTime.format(try CLIValues.date($0, option: "--eta"))) }
        options["expires"] = try expires.map { .string(CeleryTime.format(try CLIValues.expiry($0, option: "--expires"))) }
        options["queue"] = queue.map(JSONValue.string)
        options["exchange"] = exchange.map(JSONValue.string)
        options["routing_key"] = routingKey.map(JSONValue.string)
        options["priority"] = priority.map(JSONValue.int)
        let result = try await celeriac.apply(workflow, options: options, expectResult: wait)
        let results: [AsyncResult]
        switch result {
        case .task(let one):
            print(one.id)
            results = [one]
        case .group(let group):
            print(group.id)
            group.results.forEach { print("  \($0.id)") }
            results = group.results
        }
        guard wait else { return }
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var failed: (any Error)?
        for member in results {
            let meta = try await member.wait(timeout: deadline.map { max($0.timeIntervalSinceNow, 0) })
            do { try ResultPrinter.print(meta, traceback: true) } catch { failed = error }
        }
        await celeriac.close()
        if let failed { throw failed }
    }
}
