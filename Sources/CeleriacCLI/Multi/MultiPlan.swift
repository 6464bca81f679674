import CeleriacWorker
import Foundation

/// What `celeriac multi` is asked to act on: node names (`w1 w2`, or a count `3` that gives
/// celery1…celery3), then worker options, any of which may name the nodes it is for —
/// `-c:w1 4`, `-Q:1-2 images`, `--loglevel:w2=debug` — as Celery's multi reads them.
struct MultiPlan: Equatable {
    struct Node: Equatable {
        /// The full node name, e.g. "w1@build-3".
        var name: String
        /// The worker's arguments, `-n` and the files included.
        var arguments: [String]
        var pidFile: String
        var logFile: String
    }

    var nodes: [Node]

    /// One option as written: its flag, whom it is for (nil: every node), and its value.
    private struct Option {
        var flag: String
        var namespace: String?
        var value: String?
    }

    static func parse(_ arguments: [String], host: String = NodeName.hostName()) throws(MultiError) -> MultiPlan {
        let names = Array(arguments.prefix { !$0.hasPrefix("-") })
        guard !names.isEmpty else { throw MultiError("name the nodes: celeriac multi start w1 w2, or a count: celeriac multi start 3") }
        let options = try parseOptions(Array(arguments.dropFirst(names.count)))
        let prefix = options.last { $0.flag == "--range-prefix" && $0.namespace == nil }?.value ?? "celery"
        let shortNames: [String]
        if names.count == 1, let count = Int(names[0]) {
            guard count > 0, count <= 1000 else { throw MultiError("\(names[0]) nodes: give a count from 1 to 1000") }
            shortNames = (1...count).map { "\(prefix)\($0)" }
        } else {
            shortNames = names
        }
        let nodes = shortNames.enumerated().map { index, short in
            node(short: short, index: index + 1, host: host, options: options.filter { $0.flag != "--range-prefix" })
        }
        return MultiPlan(nodes: nodes)
    }

    private static func node(short: String, index: Int, host: String, options: [Option]) -> Node {
        let name = short.contains("@") ? NodeName.expand(short, host: host) : "\(short)@\(host)"
        let plain = String(name.prefix { $0 != "@" })
        // A node's own options (by name, index or range) win over options for every node.
        var order: [String] = []
        var everyNode: [String: String?] = [:]
        var own: [String: String?] = [:]
        for option in options {
            if let namespace = option.namespace {
                guard matches(namespace, name: plain, full: name, index: index) else { continue }
                own[option.flag] = option.value
            } else {
                everyNode[option.flag] = option.value
            }
            if !order.contains(option.flag) { order.append(option.flag) }
        }
        let chosen = order.map { flag in (flag, (own[flag] ?? everyNode[flag]) ?? nil) }
        var pidFile = "%n.pid"
        var logFile = "%n%I.log"
        var arguments = ["-n", name]
        for (flag, value) in chosen {
            switch flag {
            case "--pidfile": pidFile = value ?? pidFile
            case "--logfile", "-f": logFile = value ?? logFile
            default:
                arguments.append(flag)
                if let value { arguments.append(value) }
            }
        }
        pidFile = NodeName.expandFile(pidFile, node: name)
        logFile = NodeName.expandFile(logFile, node: name)
        return Node(name: name, arguments: arguments + ["--pidfile", pidFile, "--logfile", logFile],
                    pidFile: pidFile, logFile: logFile)
    }

    /// `w1`, `w1@host`, `2`, `1-3` or a comma list of those.
    private static func matches(_ namespace: String, name: String, full: String, index: Int) -> Bool {
        namespace.split(separator: ",").contains { part in
            if part == name || part == full || part == "\(index)" { return true }
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            return bounds.count == 2 && (bounds[0]...max(bounds[0], bounds[1])).contains(index)
        }
    }

    private static func parseOptions(_ tokens: [String]) throws(MultiError) -> [Option] {
        var options: [Option] = []
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            guard token.hasPrefix("-"), token.count > 1 else {
                throw MultiError("\(token): node names come first, then options (e.g. celeriac multi start w1 w2 -c 4)")
            }
            var flag = token
            var value: String?
            if let equals = token.firstIndex(of: "="), token.hasPrefix("--") {
                flag = String(token[..<equals])
                value = String(token[token.index(after: equals)...])
            } else if index + 1 < tokens.count, !tokens[index + 1].hasPrefix("-") || Double(tokens[index + 1]) != nil {
                value = tokens[index + 1]
                index += 1
            }
            var namespace: String?
            if let colon = flag.firstIndex(of: ":") {
                namespace = String(flag[flag.index(after: colon)...])
                flag = String(flag[..<colon])
                if namespace!.isEmpty { throw MultiError("\(token): name the nodes after the colon, e.g. -c:w1 4") }
            }
            options.append(Option(flag: flag, namespace: namespace, value: value))
            index += 1
        }
        return options
    }
}

struct MultiError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
