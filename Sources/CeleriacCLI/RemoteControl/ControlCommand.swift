import ArgumentParser
import Celeriac

/// `celeriac control`: tell workers to change what they do, as `celery control`.
struct ControlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "control",
        abstract: "Tell workers to act, as celery control.",
        discussion: """
            COMMAND and its arguments: revoke ID... | terminate ID... [SIGNAL] | rate_limit TASK RATE | \
            time_limit TASK SOFT [HARD] | pool_grow [N] | pool_shrink [N] | autoscale MAX MIN | \
            add_consumer QUEUE | cancel_consumer QUEUE | enable_events | disable_events | heartbeat | shutdown. \
            Each node's answer is printed; a worker that cannot do something says so.
            """
    )

    @OptionGroup var app: AppOptions
    @OptionGroup var remote: RemoteControlOptions

    @Argument(help: "What to do (see above).")
    var command: String

    @Argument(help: "The command's arguments.")
    var arguments: [String] = []

    func validate() throws {
        _ = try request()
    }

    /// The request for `command`, or a usage error naming what it takes.
    func request() throws -> PidboxRequest {
        func count(_ range: ClosedRange<Int>, _ usage: String) throws {
            guard range.contains(arguments.count) else { throw ValidationError("usage: celeriac control \(command) \(usage)") }
        }
        func number(_ text: String, _ what: String) throws -> Double {
            guard let value = Double(text), value >= 0 else { throw ValidationError("\(what) must be a number of 0 or more, not '\(text)'") }
            return value
        }
        func whole(_ text: String, _ what: String) throws -> Int {
            guard let value = Int(text), value >= 1 else { throw ValidationError("\(what) must be a whole number of 1 or more, not '\(text)'") }
            return value
        }
        switch command {
        case "revoke":
            try count(1...10_000, "ID...")
            return .revoke(taskIDs: arguments)
        case "terminate":
            try count(1...10_000, "ID... [SIGNAL]")
            let signal = arguments.last.flatMap { $0.uppercased().hasPrefix("SIG") ? $0.uppercased() : nil }
            let ids = signal == nil ? arguments : Array(arguments.dropLast())
            guard !ids.isEmpty else { throw ValidationError("usage: celeriac control terminate ID... [SIGNAL]") }
            return .revoke(taskIDs: ids, terminate: true, signal: signal ?? "SIGTERM")
        case "rate_limit":
            try count(2...2, "TASK RATE (e.g. 10/m; 0 removes the limit)")
            guard RateLimit(arguments[1]) != nil else { throw ValidationError("rate '\(arguments[1])' is not like 10/s, 100/m or 1000/h") }
            return .rateLimit(taskName: arguments[0], rateLimit: arguments[1])
        case "time_limit":
            try count(2...3, "TASK SOFT [HARD]")
            return .timeLimit(taskName: arguments[0], soft: try number(arguments[1], "SOFT"),
                              hard: try arguments.count > 2 ? number(arguments[2], "HARD") : nil)
        case "pool_grow", "pool_shrink":
            try count(0...1, "[N]")
            let n = try arguments.first.map { try whole($0, "N") } ?? 1
            return command == "pool_grow" ? .poolGrow(n: n) : .poolShrink(n: n)
        case "autoscale":
            try count(2...2, "MAX MIN")
            let (max, min) = (try whole(arguments[0], "MAX"), try whole(arguments[1], "MIN"))
            guard min <= max else { throw ValidationError("MIN (\(min)) must not exceed MAX (\(max))") }
            return .autoscale(max: max, min: min)
        case "add_consumer":
            try count(1...1, "QUEUE")
            return .addConsumer(queue: arguments[0])
        case "cancel_consumer":
            try count(1...1, "QUEUE")
            return .cancelConsumer(queue: arguments[0])
        case "heartbeat":
            try count(0...0, "")
            return PidboxRequest(method: "heartbeat", arguments: [:])
        case "enable_events", "disable_events", "shutdown":
            try count(0...0, "")
            return command == "enable_events" ? .enableEvents() : command == "disable_events" ? .disableEvents() : .shutdown()
        default:
            throw ValidationError("unknown control command '\(command)'; use revoke, terminate, rate_limit, time_limit, pool_grow, pool_shrink, autoscale, add_consumer, cancel_consumer, enable_events, disable_events, heartbeat or shutdown")
        }
    }

    func run() async throws {
        try await remote.run(try request(), app: app)
    }
}
