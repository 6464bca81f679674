import ArgumentParser
import CeleriacWorker
import Foundation

/// `celeriac multi`: start, stop and restart several workers in the background, with
/// Celery's node-name expansion, pidfiles and logfiles (celery multi).
struct MultiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "multi",
        abstract: "Start and stop several workers in the background, as celery multi.",
        discussion: """
            COMMAND is start, stop (SIGTERM, no wait), stopwait (SIGTERM, then wait for each \
            to exit), restart (stopwait, then start), kill (SIGKILL), show (the worker command \
            lines), names or get NAME. NODES are names (w1 w2) or a count (3: celery1 to \
            celery3, --range-prefix to change); every other argument goes to each worker, or \
            only to the nodes it names: -c:w1 4, -Q:1-2 images, --loglevel:w2=debug. Each node \
            writes --pidfile (default %n.pid) and logs to --logfile (default %n%I.log); stop and \
            restart need the same --pidfile as start. Workers run in their own session, so \
            closing the terminal does not stop them.
            """
    )

    @Argument(help: "start, stop, stopwait, restart, kill, show, names or get.")
    var command: String

    @Argument(parsing: .captureForPassthrough, help: "NODES then worker options.")
    var arguments: [String] = []

    func run() throws {
        var arguments = arguments
        var only: String?
        if command == "get" {
            guard !arguments.isEmpty else { throw ValidationError("get takes a node name: celeriac multi get w1 w1 w2 -c 3") }
            only = arguments.removeFirst()
        }
        let plan: MultiPlan
        do {
            plan = try MultiPlan.parse(arguments)
        } catch {
            throw ValidationError(error.description)
        }
        let nodes = only.map { name in plan.nodes.filter { $0.name == name || $0.name.hasPrefix(name + "@") } } ?? plan.nodes
        if let only, nodes.isEmpty { throw ValidationError("get \(only): no such node among \(plan.nodes.map(\.name).joined(separator: ", "))") }
        let control = MultiControl(executable: WorkerOptions.currentExecutable)
        switch command {
        case "start": try control.start(nodes)
        case "stop": control.stop(nodes, signal: SIGTERM, wait: false)
        case "stopwait": control.stop(nodes, signal: SIGTERM, wait: true)
        case "kill": control.stop(nodes, signal: SIGKILL, wait: false)
        case "restart":
            control.stop(nodes, signal: SIGTERM, wait: true)
            try control.start(nodes)
        case "show", "get": nodes.forEach { print(control.commandLine($0)) }
        case "names": nodes.forEach { print($0.name) }
        default:
            throw ValidationError("\(command): use start, stop, stopwait, restart, kill, show, names or get")
        }
    }
}
