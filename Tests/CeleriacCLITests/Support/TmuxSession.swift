import CeleriacTestSupport
import Foundation

/// A real terminal for the dashboard: a tmux session on a private server socket, driven with
/// send-keys and read back with capture-pane. Calls block; run them on a thread of their own.
final class TmuxSession: Sendable {
    let socket: String
    let name = "top"

    /// Starts `command` in a detached session `columns` × `rows` wide.
    init(command: [String], columns: Int = 160, rows: Int = 45, environment: [String: String] = [:]) throws {
        socket = "celeriac-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let assignments = environment.map { "\($0.key)=\(Self.quote($0.value))" }
        let shellCommand = (["exec", "env"] + assignments + command.map(Self.quote)).joined(separator: " ")
        // The server this starts outlives the command: it must not inherit our pipes, or
        // reading them would never end.
        try tmux(["-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "\(columns)", "-y", "\(rows)", shellCommand],
                 capture: false)
        try tmux(["set-option", "-t", name, "remain-on-exit", "on"])
    }

    /// Sends keys as tmux names them: "3", "Enter", "Escape", "C-c", or literal text with `literal`.
    func send(_ keys: String..., literal: Bool = false) throws {
        try tmux(["send-keys", "-t", name] + (literal ? ["-l"] : []) + keys)
    }

    /// The screen as plain text.
    func screen() throws -> String {
        try tmux(["capture-pane", "-p", "-t", name])
    }

    /// Polls the screen until `condition` holds; the screen is the event awaited here.
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 20, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if condition(last) { return last }
            Thread.sleep(forTimeInterval: 0.1)  // the poll period of capture-pane, not a wait for an event
        }
        throw TmuxError("timed out after \(timeout) s waiting for \(what); the screen was:\n\(last)")
    }

    func waitFor(text: String, timeout: Double = 20) throws -> String {
        try waitFor("'\(text)'", timeout: timeout) { $0.contains(text) }
    }

    /// On `celeriac top`: waits for the first frame and for the event stream to be consuming.
    /// Events sent before the dashboard's queue is bound never reach it.
    @discardableResult
    func waitForDashboardConnected() throws -> String {
        try waitFor("the dashboard, connected") { $0.contains("Overview —") && $0.contains("· connected") }
    }

    /// On `celeriac top`: filters the Tasks screen to task `id` and waits until its row is the
    /// only one listed, in `state`; returns the screen. The filter shows in the title as it
    /// is typed and the rows follow a moment later, hence "1 of" as well as the row.
    @discardableResult
    func showTaskAlone(_ id: String, state: String) throws -> String {
        try send("3")
        try send("/")
        try send("C-u")
        try send(id, literal: true)
        try send("Enter")
        return try waitFor("\(id) alone in \(state)", timeout: 30) { screen in
            screen.contains("Tasks — 1 of") && screen.contains("filter \"\(id)\"")
                && screen.split(separator: "\n").contains { $0.contains(id) && $0.contains(state) }
        }
    }

    /// Whether the program in the pane has exited.
    func paneIsDead() throws -> Bool {
        try tmux(["display-message", "-p", "-t", name, "#{pane_dead}"]).trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    /// The process the pane runs: the command it was started with.
    func panePID() throws -> pid_t? {
        pid_t(try tmux(["display-message", "-p", "-t", name, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func kill() {
        _ = try? tmux(["kill-server"])
    }

    @discardableResult
    private func tmux(_ arguments: [String], capture: Bool = true) throws -> String {
        let output = try ChildProcess.run(["tmux", "-L", socket] + arguments, capture: capture)
        guard output.status == 0 else {
            throw TmuxError("tmux \(arguments.first ?? "") exited \(output.status): \(output.stderr)")
        }
        return output.stdout
    }

    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

struct TmuxError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

