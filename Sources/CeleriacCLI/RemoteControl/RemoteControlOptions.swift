import ArgumentParser
import Celeriac
import Foundation

/// What `celeriac inspect` and `celeriac control` share: which nodes, how long to wait for
/// their replies, and how to print them.
struct RemoteControlOptions: ParsableArguments {
    @Option(name: [.customShort("d"), .customLong("destination")], help: "Nodes to ask, comma-separated (default: all).")
    var destination: String?

    @Option(name: [.customShort("t"), .long], help: "Seconds to wait for replies.")
    var timeout: Double = 1.0

    @Flag(name: [.customShort("j"), .long], help: "Print the replies as one JSON object by node, as celery --json.")
    var json = false

    func validate() throws {
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout takes seconds above 0, e.g. 1.5") }
    }

    var nodes: [String]? {
        let names = (destination ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return names.isEmpty ? nil : names
    }

    /// Sends `request`, prints each node's reply, and fails when no node answered.
    func run(_ request: PidboxRequest, app: AppOptions) async throws {
        var request = request
        request.destination = nodes
        let celeriac = App(try app.configuration())
        let replies: [PidboxReply]
        do {
            replies = try await celeriac.control().broadcast(request, timeout: timeout,
                                                             limit: nodes?.count)
        } catch {
            await celeriac.close()
            throw error
        }
        await celeriac.close()
        guard !replies.isEmpty else {
            throw RemoteControlError("no nodes replied within \(timeout) s; check the broker URL and that workers run (and raise --timeout)")
        }
        if json {
            var merged: [String: JSONValue] = [:]
            for reply in replies { merged[reply.node] = reply.reply }
            print(String(decoding: JSONValue.object(merged).serializedBytes, as: UTF8.self))
        } else {
            for reply in replies.sorted(by: { $0.node < $1.node }) { print(ReplyText.lines(for: reply), terminator: "") }
            print("\n\(replies.count) node\(replies.count == 1 ? "" : "s") online.")
        }
    }
}

struct RemoteControlError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A reply as `celery inspect` prints it: the node, OK or ERROR, then the content indented.
enum ReplyText {
    static func lines(for reply: PidboxReply) -> String {
        let value = reply.reply
        if let error = value["error"]?.stringValue {
            return "->  \(reply.node): ERROR\n        \(error)\n"
        }
        var text = "->  \(reply.node): OK\n"
        for line in body(value) { text += "        \(line)\n" }
        return text
    }

    static func body(_ value: JSONValue) -> [String] {
        if let ok = value["ok"]?.stringValue, value.objectValue?.count == 1 { return ok.split(separator: "\n").map(String.init) }
        if let items = value.arrayValue {
            return items.isEmpty ? ["- empty -"] : items.map(item)
        }
        if let object = value.objectValue {
            return object.keys.sorted().map { "\($0): \(object[$0]!.pythonRepr)" }
        }
        return [value.pythonRepr]
    }

    /// A task as "name[id] args kwargs", a queue by name, anything else as Python shows it.
    static func item(_ value: JSONValue) -> String {
        let task = value["request"] ?? value
        if let id = task["id"]?.stringValue {
            let name = task["name"]?.stringValue ?? "?"
            let eta = value["eta"]?.stringValue.map { " eta=\($0)" } ?? ""
            return "\(name)[\(id)] args=\((task["args"] ?? .null).pythonRepr) kwargs=\((task["kwargs"] ?? .null).pythonRepr)\(eta)"
        }
        if let queue = value["name"]?.stringValue, value["routing_key"] != nil {
            return "\(queue) (exchange \(value["exchange"]?["name"]?.stringValue ?? "?"), key \(value["routing_key"]?.stringValue ?? "?"))"
        }
        return value.stringValue ?? value.pythonRepr
    }
}
