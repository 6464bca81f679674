import Foundation

/// Celery's `%` expansions in node names and file names (celery/utils/nodenames.py).
public enum NodeName {
    /// The default node name, before expansion.
    public static let defaultTemplate = "celeriac@%h"

    /// A node name: `%h` the host name, `%n` its first label, `%d` its domain, `%%` a percent
    /// sign. A name without `@` gets the host appended, as Celery does.
    public static func expand(_ template: String, host: String = hostName()) -> String {
        let (label, domain) = split(host: host)
        let name = format(template, ["h": host, "n": label, "d": domain])
        return name.contains("@") ? name : "\(name)@\(host)"
    }

    /// A file name for node `node` ("w1@host"): `%h` its host, `%n` its name part, `%d` the
    /// host's domain, `%p` the whole node name, `%i` and `%I` the pool process index (0 and
    /// nothing in the worker itself, whose pool children log to the same file) —
    /// `--logfile=%n%I.log` gives `w1.log`.
    public static func expandFile(_ template: String, node: String) -> String {
        let (name, host) = node.firstIndex(of: "@").map { (String(node[..<$0]), String(node[node.index(after: $0)...])) }
            ?? (node, hostName())
        return format(template, ["h": host, "n": name, "d": split(host: host).domain, "p": node, "i": "0", "I": ""])
    }

    public static func hostName() -> String {
        ProcessInfo.processInfo.hostName
    }

    private static func split(host: String) -> (label: String, domain: String) {
        guard let dot = host.firstIndex(of: ".") else { return (host, "") }
        return (String(host[..<dot]), String(host[host.index(after: dot)...]))
    }

    /// Replaces `%x` for each key x; an unknown `%x` is left as written.
    private static func format(_ template: String, _ keys: [Character: String]) -> String {
        var result = ""
        var characters = template.makeIterator()
        while let character = characters.next() {
            guard character == "%" else {
                result.append(character)
                continue
            }
            guard let key = characters.next() else {
                result.append("%")
                break
            }
            if key == "%" {
                result.append("%")
            } else if let value = keys[key] {
                result += value
            } else {
                result += "%\(key)"
            }
        }
        return result
    }
}
