import Celeriac

/// What an action did, node by node: each worker's answer, and the workers that stayed silent.
public struct ActionReport: Sendable, Hashable {
    public var action: String
    /// Answer text per node that replied.
    public var answers: [String: String]
    /// Nodes whose answer was an error.
    public var refusedBy: Set<String>
    /// Nodes expected to answer that did not within the timeout.
    public var silent: [String]
    /// For actions without replies (purge, retry, shutdown): what happened.
    public var note: String?

    public init(action: String, answers: [String: String] = [:], refusedBy: Set<String> = [], silent: [String] = [],
                note: String? = nil) {
        self.action = action
        self.answers = answers
        self.refusedBy = refusedBy
        self.silent = silent
        self.note = note
    }

    init(action: String, replies: [PidboxReply], expected: [String]) {
        var answers: [String: String] = [:]
        var refused: Set<String> = []
        for reply in replies {
            do {
                let outcome = try ControlOutcome(reply: reply.reply)
                answers[reply.node] = outcome.message
                if !outcome.isOK { refused.insert(reply.node) }
            } catch {
                answers[reply.node] = reply.reply.pythonRepr
            }
        }
        let silent = expected.filter { answers[$0] == nil }.sorted()
        self.init(action: action, answers: answers, refusedBy: refused, silent: silent)
    }

    public var succeeded: Bool { refusedBy.isEmpty && (note != nil || !answers.isEmpty) }

    /// One line, nodes with the same answer together: "revoke 1f2e — a@vm, b@vm: tasks … flagged
    /// as revoked; no reply from c@vm".
    public var summary: String {
        let byAnswer = Dictionary(grouping: answers.keys.sorted(), by: { answers[$0]! })
        var parts = byAnswer.keys.sorted { byAnswer[$0]![0] < byAnswer[$1]![0] }
            .map { "\(byAnswer[$0]!.joined(separator: ", ")): \($0)" }
        if let note { parts.insert(note, at: 0) }
        if !silent.isEmpty { parts.append("no reply from " + silent.joined(separator: ", ")) }
        if parts.isEmpty { parts.append("no worker replied") }
        return action + " — " + parts.joined(separator: "; ")
    }
}
