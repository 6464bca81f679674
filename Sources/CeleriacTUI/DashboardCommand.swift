import Celeriac
import CeleriacMonitor

/// A line typed after `:`. Actions take any task id or node name, known to the dashboard or not.
public enum DashboardCommand: Sendable, Hashable {
    case action(DashboardAction)
    /// `:retry ID [QUEUE]` needs the task's recorded name and arguments: resolved by the caller.
    case retry(taskID: String, queue: String?)
    case state(TaskState?)
    case filter(String)
    case sort(TaskQuery.SortColumn)
    case screen(ScreenID)
    case help
    case quit

    static let usage: [String: String] = [
        "revoke": "revoke ID [ID ...]", "terminate": "terminate ID [SIGNAL]", "retry": "retry ID [QUEUE]",
        "autoscale": "autoscale NODE MAX MIN", "grow": "grow NODE [N]", "shrink": "shrink NODE [N]",
        "consume": "consume NODE QUEUE", "cancel": "cancel NODE QUEUE", "purge": "purge QUEUE",
        "ratelimit": "ratelimit TASK RATE [NODE]", "shutdown": "shutdown NODE", "state": "state STATE|all",
        "filter": "filter TEXT", "sort": "sort received|name|state|worker|runtime",
    ]

    /// Parses a command line; the error says what was wrong and the right form.
    public static func parse(_ line: String) throws(DashboardCommandError) -> DashboardCommand {
        let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let verb = words.first?.lowercased() else { throw .empty }
        let rest = Array(words.dropFirst())
        func need(_ range: ClosedRange<Int>) throws(DashboardCommandError) {
            guard range.contains(rest.count) else { throw .usage(usage[verb] ?? verb) }
        }
        func count(_ text: String, _ what: String) throws(DashboardCommandError) -> Int {
            guard let n = Int(text), n >= 0 else { throw .notANumber(text, what: what, usage: usage[verb] ?? verb) }
            return n
        }
        switch verb {
        case "q", "quit", "exit": return .quit
        case "help", "h", "?": return .help
        case "1", "2", "3", "4", "5", "6": return .screen(ScreenID(rawValue: Int(verb)!)!)
        case "revoke":
            try need(1...Int.max)
            return .action(.revoke(rest))
        case "terminate", "kill":
            try need(1...2)
            return .action(.terminate([rest[0]], signal: try Signals.normalize(rest.count > 1 ? rest[1] : "SIGTERM")))
        case "retry":
            try need(1...2)
            return .retry(taskID: rest[0], queue: rest.count > 1 ? rest[1] : nil)
        case "autoscale":
            try need(3...3)
            let max = try count(rest[1], "MAX"), min = try count(rest[2], "MIN")
            guard min <= max else { throw .invalid("MIN (\(min)) must not exceed MAX (\(max)): autoscale NODE MAX MIN") }
            return .action(.autoscale(rest[0], max: max, min: min))
        case "grow", "shrink":
            try need(1...2)
            let n = rest.count > 1 ? try count(rest[1], "N") : 1
            guard n > 0 else { throw .invalid("N must be at least 1: \(usage[verb]!)") }
            return .action(verb == "grow" ? .grow(rest[0], by: n) : .shrink(rest[0], by: n))
        case "consume", "cancel":
            try need(2...2)
            return .action(verb == "consume" ? .addConsumer(rest[0], queue: rest[1]) : .cancelConsumer(rest[0], queue: rest[1]))
        case "purge":
            try need(1...1)
            return .action(.purge(rest[0]))
        case "ratelimit", "rate_limit", "rate-limit":
            try need(2...3)
            try RateLimitText.check(rest[1])
            return .action(.rateLimit(task: rest[0], rate: rest[1], node: rest.count > 2 ? rest[2] : nil))
        case "shutdown":
            try need(1...1)
            return .action(.shutdown(rest[0]))
        case "state":
            try need(1...1)
            return .state(rest[0].lowercased() == "all" ? nil : TaskState(rest[0].uppercased()))
        case "filter":
            return .filter(rest.joined(separator: " "))
        case "sort":
            try need(1...1)
            guard let column = TaskQuery.SortColumn(rawValue: rest[0].lowercased()) else { throw .usage(usage["sort"]!) }
            return .sort(column)
        default:
            throw .unknown(verb)
        }
    }
}

public enum DashboardCommandError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case unknown(String)
    case usage(String)
    case notANumber(String, what: String, usage: String)
    case invalid(String)

    public var description: String {
        switch self {
        case .empty: return "type a command, e.g. :revoke ID; :help lists them all"
        case .unknown(let verb): return "unknown command '\(verb)'; :help lists the commands"
        case .usage(let form): return "usage: :\(form)"
        case .notANumber(let text, let what, let form): return "\(what) must be a whole number, not '\(text)': :\(form)"
        case .invalid(let message): return message
        }
    }
}

/// Signal names as Celery's revoke takes them ("SIGKILL", "KILL" or 9).
enum Signals {
    static let names = ["SIGTERM", "SIGKILL", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2"]

    static func normalize(_ text: String) throws(DashboardCommandError) -> String {
        let upper = text.uppercased()
        if names.contains(upper) { return upper }
        if names.contains("SIG" + upper) { return "SIG" + upper }
        let numbers = ["15": "SIGTERM", "9": "SIGKILL", "2": "SIGINT", "3": "SIGQUIT", "1": "SIGHUP", "10": "SIGUSR1", "12": "SIGUSR2"]
        if let name = numbers[text] { return name }
        throw .invalid("unknown signal '\(text)'; use one of \(names.joined(separator: ", "))")
    }
}

/// Celery's rate limit text: "10", "10/s", "100/m", "1000/h"; "0" or "none" removes it.
enum RateLimitText {
    static func check(_ text: String) throws(DashboardCommandError) {
        if text == "0" || text.lowercased() == "none" { return }
        guard RateLimit(text) != nil else {
            throw .invalid("rate '\(text)' is not a Celery rate limit; use N, N/s, N/m or N/h (0 removes the limit)")
        }
    }
}
