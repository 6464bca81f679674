import Celeriac
import CeleriacMonitor

/// Turns keys into changes of `DashboardState` and into effects (quit, act, filter). It
/// draws nothing and talks to nothing, so every key can be tested without a terminal.
public struct DashboardController {
    public var state: DashboardState

    public init(state: DashboardState = DashboardState()) {
        self.state = state
    }

    /// Handles one key; `pageSize` is how many rows the current list shows.
    public mutating func handle(_ key: Key, data: any DashboardData, pageSize: Int) -> [DashboardEffect] {
        if key == .control("c") { return [.quit] }  // from any prompt, as in htop
        switch state.input {
        case .browsing: return browse(key, data: data, pageSize: max(1, pageSize))
        case .filter(let text): return editFilter(key, text)
        case .command(let text): return editCommand(key, text, data: data)
        case .prompt(let prompt): return editPrompt(key, prompt)
        case .form(let form): return editForm(key, form)
        case .confirm(let action):
            state.input = .browsing
            if key == .character("y") || key == .character("Y") { return [.perform(action)] }
            return [.status(.info, "cancelled")]
        }
    }

    // MARK: Browsing

    private mutating func browse(_ key: Key, data: any DashboardData, pageSize: Int) -> [DashboardEffect] {
        switch key {
        case .character("q"), .control("c"): return [.quit]
        case .character("?"):
            state.showingHelp = true
            state.pageScroll = 0
            return []
        case .escape: return back()
        case .character(let c) where ("1"..."6").contains(c):
            state.screen = ScreenID(rawValue: Int(String(c))!)!
            state.detailTaskID = nil
            state.showingHelp = false
            return []
        case .character(":"):
            state.input = .command("")
            return []
        case .character("/"):
            state.input = .filter(state.query.text)
            state.screen = .tasks
            state.detailTaskID = nil
            state.showingHelp = false
            return []
        default:
            break
        }
        if let moved = move(key, data: data, pageSize: pageSize) { return moved }
        if state.showingHelp || state.detailTaskID != nil {
            return state.detailTaskID != nil ? taskKeys(key, data: data) : []
        }
        switch state.screen {
        case .overview: return overviewKeys(key, data: data)
        case .workers: return workerKeys(key, data: data)
        case .tasks: return taskListKeys(key, data: data)
        case .queues: return queueKeys(key, data: data)
        case .events: return eventKeys(key, data: data)
        case .beat: return beatKeys(key, data: data)
        }
    }

    /// Esc: close help, then the detail, then the filters.
    private mutating func back() -> [DashboardEffect] {
        if state.showingHelp {
            state.showingHelp = false
        } else if state.detailTaskID != nil {
            state.detailTaskID = state.detailHistory.popLast()
            state.workflowSelection = 0
        } else if state.screen == .tasks, state.query.isFiltered {
            return clearFilters()
        }
        state.pageScroll = 0
        return []
    }

    /// Arrows, j/k, pages, g/G — for lists, and for scrolling the help and detail pages.
    private mutating func move(_ key: Key, data: any DashboardData, pageSize: Int) -> [DashboardEffect]? {
        let delta: Int?
        switch key {
        case .up, .character("k"): delta = -1
        case .down, .character("j"): delta = 1
        case .pageUp, .control("b"): delta = -pageSize
        case .pageDown, .control("f"): delta = pageSize
        case .home, .character("g"): delta = Int.min / 2
        case .end, .character("G"): delta = Int.max / 2
        default: delta = nil
        }
        guard let delta else { return nil }
        if state.showingHelp || state.detailTaskID != nil {
            state.pageScroll = max(0, min(state.pageScroll.addingClamped(delta), 10_000))
            return []
        }
        if state.screen == .events {
            let total = data.eventTotal
            let end = (state.eventsPausedAt ?? total).addingClamped(delta)
            state.eventsPausedAt = end >= total ? nil : max(1, end)
            return []
        }
        let count = data.rowCount(state.screen)
        let row = max(0, min(count - 1, state.selected(state.screen).addingClamped(delta)))
        state.selection[state.screen] = row
        if state.screen == .tasks { state.follow = row == 0 && state.query.sort == .received && state.query.descending }
        return []
    }

    // MARK: Screens

    private mutating func overviewKeys(_ key: Key, data: any DashboardData) -> [DashboardEffect] {
        guard key == .enter, let group = data.failureGroup(at: state.selected(.overview)) else { return [] }
        state.query = TaskQuery()
        state.query.failureGroup = group
        state.screen = .tasks
        state.selection[.tasks] = 0
        return [.setQuery(state.query)]
    }

    private mutating func taskListKeys(_ key: Key, data: any DashboardData) -> [DashboardEffect] {
        let selected = data.rowID(.tasks, at: state.selected(.tasks))
        switch key {
        case .enter:
            guard let selected else { return [] }
            return openDetail(selected, from: nil)
        case .character("s"):
            let columns = TaskQuery.SortColumn.allCases
            state.query.sort = columns[(columns.firstIndex(of: state.query.sort)! + 1) % columns.count]
            return [.setQuery(state.query), .status(.info, "sorted by \(state.query.sort.rawValue)")]
        case .character("t"):
            let cycle: [TaskState?] = [nil, .pending, .received, .started, .success, .failure, .retry, .revoked]
            let next = (cycle.firstIndex(of: state.query.state) ?? 0) + 1
            state.query.state = cycle[next % cycle.count]
            state.selection[.tasks] = 0
            return [.setQuery(state.query)]
        case .character("x"): return clearFilters()
        case .character("F"):
            state.follow.toggle()
            if state.follow { state.selection[.tasks] = 0 }
            return [.status(.info, state.follow ? "following the newest task" : "follow off")]
        case .character(" "):
            guard let selected else { return [] }
            if state.marks.remove(selected) == nil { state.marks.insert(selected) }
            state.selection[.tasks] = min(state.selected(.tasks) + 1, max(0, data.rowCount(.tasks) - 1))
            return []
        case .character("*"):
            state.marks.formUnion(data.filteredTaskIDs())
            return [.status(.info, "\(state.marks.count) tasks marked")]
        case .character("u"):
            state.marks.removeAll()
            return [.status(.info, "marks cleared")]
        default:
            return taskKeys(key, data: data)
        }
    }

    /// On a Beat entry: Enter jumps to the task it sent last on the Tasks screen; e edits its schedule and args in a
    /// form, d disables or enables it, n sends it now — each asked of the beat itself, by
    /// remote control, and confirmed first.
    private mutating func beatKeys(_ key: Key, data: any DashboardData) -> [DashboardEffect] {
        if [.character("e"), .character("d"), .character("n")].contains(key) {
            if let refused = refuseIfReadOnly() { return refused }
            guard let row = data.beatEntry(at: state.selected(.beat)) else { return [.status(.warning, "no beat entry selected")] }
            if key == .character("e") {
                guard row.editable, row.entry.spec != nil else {
                    return [.status(.warning, "\(row.node) runs its entries from celeriac.toml and code: edit them there, or run it with --scheduler db to edit them here")]
                }
                state.input = .form(BeatEntryForm(node: row.node, entry: row.entry))
                return []
            }
            let command: ClusterActions.BeatCommand = key == .character("n") ? .runNow : row.entry.enabled ? .disable : .enable
            state.input = .confirm(.beat(command, entry: row.entry.name, node: row.node))
            return []
        }
        guard key == .enter else { return [] }
        guard let taskID = data.lastSentTask(beatRow: state.selected(.beat)) else {
            return [.status(.info, "this entry has sent nothing since the dashboard started")]
        }
        return jumpToTask(taskID, data: data)
    }

    /// The Tasks screen with `taskID`'s row selected (Enter opens it); filters that hide it
    /// are cleared, and the row stays selected as the list changes.
    private mutating func jumpToTask(_ taskID: String, data: any DashboardData) -> [DashboardEffect] {
        state.screen = .tasks
        state.follow = false
        state.taskToSelect = taskID
        if let index = data.filteredTaskIDs().firstIndex(of: taskID) {
            state.selection[.tasks] = index
            return [.status(.info, "the task this entry sent last: Enter opens it")]
        }
        state.selection[.tasks] = 0
        // Not in the list: hidden by a filter, or its first event is still on its way.
        guard state.query.isFiltered else { return [.status(.info, "the task this entry sent last is selected as it arrives")] }
        state.query = TaskQuery()
        return [.setQuery(state.query), .status(.info, "filters cleared to show the task this entry sent last")]
    }

    /// Opens a task's detail; `from` is the detail it was reached from, for Esc.
    private mutating func openDetail(_ taskID: String, from: String?) -> [DashboardEffect] {
        if let from { state.detailHistory.append(from) } else { state.detailHistory = [] }
        state.detailTaskID = taskID
        state.pageScroll = 0
        state.workflowSelection = 0
        return [.lookUpWorkflow(taskID)]
    }

    /// In a task's detail: Tab and Shift-Tab (or n/p) walk its workflow tree, Enter opens the
    /// selected node.
    private mutating func workflowKeys(_ key: Key, data: any DashboardData) -> [DashboardEffect]? {
        guard let open = state.detailTaskID else { return nil }
        let ids = data.workflowIDs(of: open)
        switch key {
        case .tab, .character("n"):
            guard ids.count > 1 else { return [.status(.info, "this task has no workflow around it")] }
            state.workflowSelection = (state.workflowSelection + 1) % ids.count
            return []
        case .character("p"):
            guard ids.count > 1 else { return [.status(.info, "this task has no workflow around it")] }
            state.workflowSelection = (state.workflowSelection + ids.count - 1) % ids.count
            return []
        case .enter:
            guard ids.indices.contains(state.workflowSelection) else { return [] }
            let target = ids[state.workflowSelection]
            guard target != open else { return [.status(.info, "already showing \(open)")] }
            return openDetail(target, from: open)
        default:
            return nil
        }
    }

    /// Revoke, terminate, retry: on the marked tasks, else the selected (or open) one.
    private mutating func taskKeys(_ key: Key, data: any DashboardData) -> [DashboardEffect] {
        if let handled = workflowKeys(key, data: data) { return handled }
        guard [.character("r"), .character("T"), .character("R")].contains(key) else { return [] }
        if let refused = refuseIfReadOnly() { return refused }
        let targets: [String]
        if let open = state.detailTaskID {
            targets = [open]
        } else if !state.marks.isEmpty {
            targets = state.marks.sorted()
        } else if let selected = data.rowID(.tasks, at: state.selected(.tasks)) {
            targets = [selected]
        } else {
            return [.status(.warning, "no task selected")]
        }
        switch key {
        case .character("r"):
            state.input = .confirm(.revoke(targets))
        case .character("T"):
            state.input = .prompt(Prompt(question: "Signal for \(DashboardAction.describe(targets))", text: "SIGTERM",
                                         purpose: .terminate(targets)))
        default:
            return askRetry(targets, data: data)
        }
        return []
    }

    private mutating func askRetry(_ ids: [String], data: any DashboardData) -> [DashboardEffect] {
        var plans: [RetryPlan] = []
        for id in ids {
            do {
                plans.append(try data.retryPlan(for: id))
            } catch {
                return [.status(.error, error.description)]
            }
        }
        let queues = Set(plans.map(\.queue))
        let proposed = queues.count == 1 ? queues.first! : ""
        let known = plans.allSatisfy(\.routingKnown) ? "" : " (no task-sent event: the default queue)"
        state.input = .prompt(Prompt(question: "Retry \(plans.count == 1 ? plans[0].name : "\(plans.count) tasks") to queue\(known)",
                                     text: proposed, purpose: .retry(plans)))
        return []
    }

    private mutating func workerKeys(_ key: Key, data: any DashboardData) -> [DashboardEffect] {
        guard let node = data.rowID(.workers, at: state.selected(.workers)) else { return [] }
        if key == .enter {
            state.query = TaskQuery(text: node)
            state.screen = .tasks
            state.selection[.tasks] = 0
            return [.setQuery(state.query)]
        }
        let actionKeys: [Key] = ["+", "-", "a", "c", "C", "L", "S"].map { .character($0) }
        guard actionKeys.contains(key) else { return [] }
        if let refused = refuseIfReadOnly() { return refused }
        switch key {
        case .character("+"): state.input = .confirm(.grow(node, by: 1))
        case .character("-"): state.input = .confirm(.shrink(node, by: 1))
        case .character("S"): state.input = .confirm(.shutdown(node))
        case .character("a"):
            state.input = .prompt(Prompt(question: "Autoscale \(node): MAX,MIN", text: "", purpose: .autoscale(node: node)))
        case .character("c"):
            state.input = .prompt(Prompt(question: "Queue for \(node) to consume", text: "", purpose: .addConsumer(node: node)))
        case .character("C"):
            state.input = .prompt(Prompt(question: "Queue for \(node) to stop consuming", text: "",
                                         purpose: .cancelConsumer(node: node)))
        default:
            state.input = .prompt(Prompt(question: "Rate limit on \(node): TASK RATE (e.g. fix.add 10/m)", text: "",
                                         purpose: .rateLimit(node: node)))
        }
        return []
    }

    private mutating func queueKeys(_ key: Key, data: any DashboardData) -> [DashboardEffect] {
        guard key == .character("P"), let queue = data.rowID(.queues, at: state.selected(.queues)) else { return [] }
        if let refused = refuseIfReadOnly() { return refused }
        state.input = .confirm(.purge(queue))
        return []
    }

    private mutating func eventKeys(_ key: Key, data: any DashboardData) -> [DashboardEffect] {
        guard key == .character("p") || key == .character(" ") else { return [] }
        state.eventsPausedAt = state.eventsPausedAt == nil ? data.eventTotal : nil
        return [.status(.info, state.eventsPausedAt == nil ? "events live" : "events paused (p resumes)")]
    }

    private mutating func clearFilters() -> [DashboardEffect] {
        state.query.text = ""
        state.query.state = nil
        state.query.failureGroup = nil
        state.selection[.tasks] = 0
        return [.setQuery(state.query), .status(.info, "filters cleared")]
    }

    private func refuseIfReadOnly() -> [DashboardEffect]? {
        state.readOnly ? [.status(.warning, "read-only: actions are off (started with --read-only)")] : nil
    }
}

extension Int {
    func addingClamped(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? Int.max : Int.min) : sum
    }
}
