import Celeriac
import CeleriacMonitor
import Foundation

/// Enter on a task: everything the events told about it — call, outcome, traceback, routing,
/// the timeline of its events, its parent and children. Scrolls with j/k.
enum TaskDetailScreen {
    static func draw<C: Canvas>(_ canvas: inout C, _ context: FrameContext, taskID: String) {
        let task = context.model.cluster.tasks[taskID]
        Chrome.drawTop(&canvas, context, title: "Task \(taskID)" + (task.map { " — \($0.name ?? "?") \($0.state.rawValue)" } ?? ""))
        let width = canvas.columns - 4
        let tree = WorkflowTree(for: taskID, in: context.model)
        let selection = tree.isTrivial ? nil : min(context.state.workflowSelection, tree.nodes.count - 1)
        var lines = task.map { self.lines(for: $0, model: context.model, width: width) }
            ?? [("The dashboard holds no events for this task (never seen, or dropped past --max-tasks).", .dim)]
        var selectedLine: Int?
        if !tree.isTrivial {
            lines.append(("", .normal))
            lines.append(("workflow", .header))
            let workflow = workflowLines(tree, current: taskID, selection: selection, glyphs: context.glyphs)
            selectedLine = workflow.selectedLine.map { lines.count + $0 }
            lines += workflow.lines
        }
        let height = max(0, canvas.rows - 2 - 3)
        var first = min(context.state.pageScroll, max(0, lines.count - height))
        if let selectedLine, height > 0 {
            if selectedLine < first { first = selectedLine } else if selectedLine >= first + height { first = selectedLine - height + 1 }
        }
        for (offset, line) in lines.dropFirst(first).prefix(height).enumerated() {
            canvas.put(3 + offset, 2, Text.fit(line.0, width), line.1)
        }
        let walk = tree.isTrivial ? "" : "Tab/n p walk the workflow  Enter open  "
        Chrome.drawBottom(&canvas, context, hints: context.state.readOnly ? "Esc back  j/k scroll  " + walk + Chrome.globalHints
            : "Esc back  j/k scroll  " + walk + "r revoke  T terminate  R retry  " + Chrome.globalHints)
    }

    /// One line per node: indented under its parent, with its name, state and short id; the
    /// open task, a group's id, a chord's body, what only the backend knows and what hangs
    /// under its root for want of its parent are said at the end.
    static func workflowLines(_ tree: WorkflowTree, current: String, selection: Int?, glyphs: Glyphs)
        -> (lines: [(String, Style)], selectedLine: Int?)
    {
        var lines: [(String, Style)] = []
        var selectedLine: Int?
        var groupShown: String?
        for (index, node) in tree.nodes.enumerated() {
            if node.groupMember, let group = node.groupID, group != groupShown {
                groupShown = group
                lines.append(("group \(group)", .dim))
            }
            let indent = node.depth == 0 ? "" : String(repeating: " ", count: 3 * (node.depth - 1)) + glyphs.branch
            // The name narrows as the tree deepens, so states and ids stay in their columns.
            var text = indent + Text.fit(node.name ?? "?", max(8, 24 - indent.count)) + "  " + Text.fit(node.state?.rawValue ?? "?", 9)
                + "  " + String(node.id.prefix(8))
            if node.chordBody, let group = node.groupID {
                text += "  chord body of group \(group.prefix(8))"
            } else if let group = node.groupID, !node.groupMember {
                text += "  group \(group.prefix(8))"
            }
            if node.storedOnly { text += "  (no events; result backend only)" }
            if node.unseen { text += "  (no events, no stored result)" }
            if let parent = node.missingParentID { text += "  (parent \(parent.prefix(8)) not seen; under its root)" }
            if node.id == current { text += glyphs.isASCII ? "  <- this task" : "  ◀ this task" }
            if index == selection { selectedLine = lines.count }
            let style: Style = index == selection ? .selected : node.id == current ? .bold : node.state.map(Style.state) ?? .normal
            lines.append((text, style))
        }
        return (lines, selectedLine)
    }

    static func lines(for task: TaskRecord, model: MonitorModel, width: Int) -> [(String, Style)] {
        var lines: [(String, Style)] = []
        func field(_ label: String, _ value: String?, _ style: Style = .normal) {
            guard let value, !value.isEmpty else { return }
            let wrapped = wrap(value, width: max(10, width - 12))
            for (index, part) in wrapped.enumerated() {
                lines.append(((index == 0 ? Text.fit(label, 11) : String(repeating: " ", count: 11)) + " " + part, style))
            }
        }
        field("name", task.name, .bold)
        field("id", task.id)
        field("state", task.state.rawValue, .state(task.state))
        field("worker", task.worker)
        field("args", task.args)
        field("kwargs", task.kwargs)
        field("result", task.result, .success)
        field("meta", task.meta?.serialized)
        field("exception", task.exception, .failure)
        field("runtime", task.runtime.map { Text.duration($0) })
        field("retries", task.retries.map(String.init))
        field("eta", task.eta)
        field("expires", task.expires)
        field("queue", task.queue ?? task.routingKey)
        field("exchange", task.exchange)
        field("parent", task.parentID)
        field("root", task.rootID == task.id ? nil : task.rootID)
        let children = model.cluster.childrenByParent[task.id] ?? []
        field("children", children.isEmpty ? nil : children.joined(separator: " "))
        if let traceback = task.traceback, !traceback.isEmpty {
            lines.append(("", .normal))
            lines.append(("traceback", .header))
            for line in traceback.split(separator: "\n", omittingEmptySubsequences: false) {
                for part in wrap(String(line), width: width) { lines.append((part, .failure)) }
            }
        }
        lines.append(("", .normal))
        lines.append(("timeline", .header))
        for milestone in task.timeline {
            lines.append(("\(preciseClock(milestone.timestamp))  \(milestone.type)", .normal))
        }
        if let note = model.resultBackendNote, !TaskState.celeryStates.contains(task.state) || task.meta == nil {
            if !task.state.isReady, task.state != .pending {
                lines.append(("", .normal))
                lines.append((note, .dim))
            }
        }
        return lines
    }

    /// Hard-wraps `text` into pieces of at most `width` characters.
    static func wrap(_ text: String, width: Int) -> [String] {
        let clean = text.replacingControlCharacters()
        guard width > 0, clean.count > width else { return [clean] }
        var parts: [String] = []
        var rest = Substring(clean)
        while !rest.isEmpty {
            parts.append(String(rest.prefix(width)))
            rest = rest.dropFirst(width)
        }
        return parts
    }

    static func preciseClock(_ epoch: Double?) -> String {
        guard let epoch, epoch.isFinite else { return "--:--:--.---" }
        return EventLog.clock(epoch)
    }
}
