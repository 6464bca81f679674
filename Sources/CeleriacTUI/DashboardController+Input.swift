import Celeriac
import Foundation
import CeleriacMonitor

/// Typing: the `/` filter (applied as you type), the `:` command line and action prompts.
extension DashboardController {
    /// Applies a key to a line being edited; nil when the key ends the editing (Enter, Esc).
    static func edit(_ text: String, with key: Key) -> String? {
        switch key {
        case .character(let c): return text + String(c)
        case .backspace: return String(text.dropLast())
        case .control("u"): return ""
        case .enter, .escape: return nil
        default: return text
        }
    }

    mutating func editFilter(_ key: Key, _ text: String) -> [DashboardEffect] {
        if key == .escape {
            state.input = .browsing
            state.query.text = ""
            return [.setQuery(state.query)]
        }
        guard let edited = Self.edit(text, with: key) else {
            state.input = .browsing
            return []
        }
        state.input = .filter(edited)
        state.query.text = edited
        state.selection[.tasks] = 0
        return [.setQuery(state.query)]
    }

    mutating func editCommand(_ key: Key, _ text: String, data: any DashboardData) -> [DashboardEffect] {
        if key == .escape || (key == .backspace && text.isEmpty) {
            state.input = .browsing
            return []
        }
        guard let edited = Self.edit(text, with: key) else {
            state.input = .browsing
            return key == .enter ? run(text, data: data) : []
        }
        state.input = .command(edited)
        return []
    }

    mutating func editPrompt(_ key: Key, _ prompt: Prompt) -> [DashboardEffect] {
        guard let edited = Self.edit(prompt.text, with: key) else {
            state.input = .browsing
            guard key == .enter else { return [.status(.info, "cancelled")] }
            do {
                state.input = .confirm(try Self.action(for: prompt.purpose, answer: prompt.text))
                return []
            } catch {
                return [.status(.error, error.description)]
            }
        }
        var changed = prompt
        changed.text = edited
        state.input = .prompt(changed)
        return []
    }

    /// The Beat screen's form: Tab and the arrows move between fields, Enter checks the form
    /// and asks for confirmation (a wrong field keeps the form open), Esc cancels.
    mutating func editForm(_ key: Key, _ form: BeatEntryForm) -> [DashboardEffect] {
        var changed = form
        switch key {
        case .escape:
            state.input = .browsing
            return [.status(.info, "cancelled")]
        case .tab, .down: changed.move(by: 1)
        case .up: changed.move(by: -1)
        case .enter:
            do {
                state.input = .confirm(try form.action())
                return []
            } catch {
                changed.problem = error.description
            }
        default:
            changed.values[form.focus.rawValue] = Self.edit(form.value(form.focus), with: key) ?? form.value(form.focus)
            changed.problem = nil
        }
        state.input = .form(changed)
        return []
    }

    /// The action a prompt's answer makes, or why the answer does not fit.
    static func action(for purpose: Prompt.Purpose, answer: String) throws(DashboardCommandError) -> DashboardAction {
        let answer = answer.trimmingCharacters(in: .whitespaces)
        switch purpose {
        case .terminate(let ids):
            return .terminate(ids, signal: try Signals.normalize(answer.isEmpty ? "SIGTERM" : answer))
        case .retry(let plans):
            return .retry(plans, queue: answer.isEmpty ? nil : answer)
        case .autoscale(let node):
            let numbers = answer.split(whereSeparator: { $0 == "," || $0 == " " }).compactMap { Int($0) }
            guard numbers.count == 2, numbers[0] >= numbers[1], numbers[1] >= 0 else {
                throw .invalid("autoscale takes MAX,MIN with MAX ≥ MIN ≥ 0, e.g. 8,2 — got '\(answer)'")
            }
            return .autoscale(node, max: numbers[0], min: numbers[1])
        case .addConsumer(let node), .cancelConsumer(let node):
            guard !answer.isEmpty, !answer.contains(" ") else { throw .invalid("give one queue name") }
            if case .addConsumer = purpose { return .addConsumer(node, queue: answer) }
            return .cancelConsumer(node, queue: answer)
        case .rateLimit(let node):
            let words = answer.split(separator: " ").map(String.init)
            guard words.count == 2 else { throw .invalid("give TASK RATE, e.g. fix.add 10/m (0 removes the limit)") }
            try RateLimitText.check(words[1])
            return .rateLimit(task: words[0], rate: words[1], node: node)
        }
    }

    /// Runs a `:` command.
    private mutating func run(_ line: String, data: any DashboardData) -> [DashboardEffect] {
        let command: DashboardCommand
        do {
            command = try DashboardCommand.parse(line)
        } catch {
            return [.status(.error, error.description)]
        }
        switch command {
        case .quit: return [.quit]
        case .help:
            state.showingHelp = true
            return []
        case .screen(let screen):
            state.screen = screen
            state.detailTaskID = nil
            return []
        case .state(let taskState):
            state.query.state = taskState
            state.screen = .tasks
            state.detailTaskID = nil
            state.showingHelp = false
            return [.setQuery(state.query)]
        case .filter(let text):
            state.query.text = text
            state.screen = .tasks
            state.detailTaskID = nil
            state.showingHelp = false
            return [.setQuery(state.query)]
        case .sort(let column):
            state.query.sort = column
            return [.setQuery(state.query)]
        case .action(let action):
            if state.readOnly { return [.status(.warning, "read-only: actions are off (started with --read-only)")] }
            state.input = .confirm(action)
            return []
        case .retry(let id, let queue):
            if state.readOnly { return [.status(.warning, "read-only: actions are off (started with --read-only)")] }
            do {
                state.input = .confirm(.retry([try data.retryPlan(for: id)], queue: queue))
                return []
            } catch {
                return [.status(.error, error.description)]
            }
        }
    }
}
