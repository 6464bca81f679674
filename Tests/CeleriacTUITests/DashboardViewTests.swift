import Celeriac
@testable import CeleriacMonitor
@testable import CeleriacTUI
import Testing

/// A small cluster as its events tell it: one worker up, one gone, tasks that succeeded,
/// failed and still run.
enum ClusterFixture {
    static let now = 1_700_000_000.0

    static func event(_ type: String, _ host: String, at timestamp: Double, _ fields: [String: JSONValue] = [:]) -> CeleryEvent {
        CeleryEvent(type: type, hostname: host, timestamp: timestamp, fields: fields)
    }

    static func task(_ type: String, _ id: String, at timestamp: Double, host: String = "alpha@vm",
                     _ fields: [String: JSONValue] = [:]) -> CeleryEvent {
        var all = fields
        all["uuid"] = .string(id)
        return event(type, host, at: timestamp, all)
    }

    static let traceback = """
        Traceback (most recent call last):
          File "/app/tasks.py", line 12, in fail
            raise ValueError('boom')
        ValueError: boom
        """

    static var events: [CeleryEvent] {
        var list: [CeleryEvent] = []
        list.append(event("worker-online", "alpha@vm", at: now - 30, ["freq": 2.0, "sw_ident": "py-celery", "sw_ver": "5.4.0"]))
        list.append(event("worker-heartbeat", "alpha@vm", at: now - 1,
                          ["freq": 2.0, "active": 1, "processed": 42, "loadavg": [0.5, 0.25, 0.1]]))
        list.append(event("worker-online", "beta@vm", at: now - 600, ["freq": 2.0]))
        list.append(event("worker-offline", "beta@vm", at: now - 590, ["freq": 2.0]))
        list.append(task("task-received", "add-1", at: now - 20, ["name": "fix.add", "args": "(2, 3)", "kwargs": "{}", "retries": 0]))
        list.append(task("task-started", "add-1", at: now - 19.9))
        list.append(task("task-succeeded", "add-1", at: now - 19.6, ["result": "5", "runtime": 0.25]))
        list.append(task("task-received", "fail-1", at: now - 10, ["name": "fix.fail", "args": "(2, 3)", "kwargs": "{'z': 1}"]))
        list.append(task("task-started", "fail-1", at: now - 9.9))
        list.append(task("task-failed", "fail-1", at: now - 9, ["exception": "ValueError('boom')", "traceback": .string(traceback)]))
        list.append(task("task-received", "fail-2", at: now - 8, ["name": "fix.fail", "args": "(7,)"]))
        list.append(task("task-failed", "fail-2", at: now - 7, ["exception": "ValueError('boom')", "traceback": .string(traceback)]))
        list.append(task("task-received", "key-1", at: now - 6, ["name": "fix.lookup", "args": "('k',)"]))
        list.append(task("task-failed", "key-1", at: now - 5, ["exception": "KeyError('k')"]))
        list.append(task("task-received", "run-1", at: now - 4, ["name": "fix.sleep", "args": "(30,)"]))
        list.append(task("task-started", "run-1", at: now - 3.9))
        return list
    }

    /// The model with its task index built, as the store's refresh would leave it.
    static func model(_ events: [CeleryEvent] = ClusterFixture.events) -> MonitorModel {
        var model = MonitorModel(maximumTasks: 1000)
        for event in events { model.apply(event) }
        var pool = WorkerPool()
        pool.kind = "prefork"
        pool.maxConcurrency = 4
        pool.queues = ["celery"]
        model.pools["alpha@vm"] = pool
        model.queues = ["celery": QueueFigures(name: "celery", ready: 5, unacknowledged: 2, consumers: 1,
                                               publishRate: 1.5, deliverRate: 1.2)]
        model.queueSource = "management API"
        model.queuesReadAt = now
        indexTasks(&model)
        return model
    }

    static func indexTasks(_ model: inout MonitorModel) {
        model.taskIndex = TaskIndex.build(model.taskQuery, from: model.cluster.tasks, version: model.cluster.version)
    }

    static func state(_ screen: ScreenID = .overview, readOnly: Bool = false) -> DashboardState {
        var state = DashboardState(readOnly: readOnly)
        state.screen = screen
        return state
    }

    static func frame(_ model: MonitorModel, _ state: DashboardState, rows: Int = 24, columns: Int = 80,
                      glyphs: Glyphs = .unicode) -> TextGrid {
        var grid = TextGrid(rows: rows, columns: columns)
        DashboardView.draw(&grid, FrameContext(model: model, state: state, glyphs: glyphs, now: now,
                                               brokerLabel: "amqp://localhost:5672//"))
        return grid
    }

    /// The frame's rows as text, trailing spaces trimmed.
    static func rows(_ grid: TextGrid) -> [String] {
        grid.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Every state worth drawing: each screen, the help, a task's detail, and each input mode.
    static func everyView(_ model: MonitorModel, taskID: String = "fail-1", readOnly: Bool = false) -> [DashboardState] {
        var states = ScreenID.allCases.map { state($0, readOnly: readOnly) }
        var help = state(readOnly: readOnly)
        help.showingHelp = true
        var detail = state(.tasks, readOnly: readOnly)
        detail.detailTaskID = taskID
        var missing = state(.tasks, readOnly: readOnly)
        missing.detailTaskID = "never-seen"
        var filtering = state(.tasks, readOnly: readOnly)
        filtering.input = .filter("fix")
        filtering.marks = [taskID]
        var command = state(.workers, readOnly: readOnly)
        command.input = .command("revoke \(taskID)")
        var prompt = state(.tasks, readOnly: readOnly)
        prompt.input = .prompt(Prompt(question: "Signal for task \(taskID)", text: "SIGTERM", purpose: .terminate([taskID])))
        var confirm = state(.queues, readOnly: readOnly)
        confirm.input = .confirm(.revoke([taskID]))
        var paused = state(.events, readOnly: readOnly)
        paused.eventsPausedAt = 3
        var scrolled = state(.overview, readOnly: readOnly)
        scrolled.selection = [.overview: 99, .workers: 99, .tasks: 99, .queues: 99]
        states += [help, detail, missing, filtering, command, prompt, confirm, paused, scrolled]
        return states
    }

    static let sizes: [(rows: Int, columns: Int)] = [(8, 40), (24, 80), (60, 200)]
}

// MARK: - What each screen shows

@Suite struct DashboardViewTests {
    let model = ClusterFixture.model()

    func frame(_ state: DashboardState, rows: Int = 24, columns: Int = 80, glyphs: Glyphs = .unicode) -> TextGrid {
        ClusterFixture.frame(model, state, rows: rows, columns: columns, glyphs: glyphs)
    }

    func rows(_ state: DashboardState, rows: Int = 24, columns: Int = 80) -> [String] {
        ClusterFixture.rows(frame(state, rows: rows, columns: columns))
    }

    @Test func everyScreenHasItsTitleLine() {
        let titles: [ScreenID: String] = [.overview: " Overview —", .workers: " Workers —", .tasks: " Tasks —",
                                          .queues: " Queues —", .beat: " Beat —", .events: " Events —"]
        for screen in ScreenID.allCases {
            let lines = rows(ClusterFixture.state(screen))
            let title = titles[screen] ?? ""
            #expect(lines[1].hasPrefix(title), "screen \(screen): \(lines[1])")
        }
    }

    @Test func theTabBarNamesEveryScreen() {
        let top = rows(ClusterFixture.state(.tasks), columns: 120)[0]
        for screen in ScreenID.allCases { #expect(top.contains("\(screen.rawValue) \(screen.title)")) }
        #expect(top.contains("celeriac top"))
    }

    @Test func theOverviewCountsWorkersTasksAndEvents() {
        let title = rows(ClusterFixture.state(.overview), columns: 120)[1]
        #expect(title.contains("1 workers up, 1 down"))
        #expect(title.contains("5 tasks held"))
        #expect(title.contains("\(ClusterFixture.events.count) events"))
    }

    @Test func theOverviewListsTaskStates() {
        let lines = rows(ClusterFixture.state(.overview))
        for state in ["PENDING", "RECEIVED", "STARTED", "SUCCESS", "FAILURE", "RETRY", "REVOKED"] {
            #expect(lines.contains { $0.hasPrefix(" " + state) }, "state \(state)")
        }
        let failure = lines.first { $0.hasPrefix(" FAILURE ") } ?? ""
        #expect(failure.split(separator: " ").dropFirst().first == "3")
    }

    @Test func theOverviewGroupsFailuresByExceptionAndTaskWithTheirCounts() throws {
        let lines = rows(ClusterFixture.state(.overview), columns: 120)
        let valueError = try #require(lines.firstIndex { $0.contains("ValueError") && $0.contains("fix.fail") })
        let keyError = try #require(lines.firstIndex { $0.contains("KeyError") && $0.contains("fix.lookup") })
        #expect(Array(lines[valueError].split(separator: " ").prefix(3)) == ["ValueError", "fix.fail", "2"])
        #expect(Array(lines[keyError].split(separator: " ").prefix(3)) == ["KeyError", "fix.lookup", "1"])
        #expect(valueError < keyError)  // most failures first
        #expect(lines[valueError].contains("ValueError('boom')"))
    }

    @Test func theOverviewSaysWhenNothingFailed() {
        let quiet = ClusterFixture.model(Array(ClusterFixture.events.prefix(7)))
        let text = ClusterFixture.frame(quiet, ClusterFixture.state(.overview)).text
        #expect(text.contains("no failures"))
    }

    @Test func theOverviewShowsQueueDepths() {
        let lines = rows(ClusterFixture.state(.overview))
        let queue = lines.first { $0.hasPrefix(" celery ") } ?? ""
        #expect(queue.contains("5 ready"))
        #expect(queue.contains("2 unacked"))
        #expect(lines.contains { $0.contains("QUEUES — management API") })
    }

    @Test func workersShowOnlineAndOffline() throws {
        let lines = rows(ClusterFixture.state(.workers))
        #expect(lines[1].contains("2 known, 1 up"))
        let alpha = try #require(lines.first { $0.hasPrefix(" alpha@vm") })
        let beta = try #require(lines.first { $0.hasPrefix(" beta@vm") })
        #expect(alpha.contains("online"))
        #expect(alpha.contains("prefork"))
        #expect(alpha.contains("42"))
        #expect(beta.contains("offline"))
    }

    @Test func aWorkerKnownOnlyFromRepliesSaysEventsAreOff() throws {
        var model = self.model
        model.pools["quiet@vm"] = WorkerPool()
        let lines = ClusterFixture.rows(ClusterFixture.frame(model, ClusterFixture.state(.workers)))
        let quiet = try #require(lines.first { $0.hasPrefix(" quiet@vm") })
        #expect(quiet.contains("no -E"))
    }

    @Test func tasksListNamesAndStatesNewestFirst() throws {
        let lines = rows(ClusterFixture.state(.tasks))
        #expect(lines[1].hasPrefix(" Tasks — 5 of 5"))
        #expect(lines[1].contains("sort received desc"))
        let expected = [("run-1", "fix.sleep", "STARTED"), ("key-1", "fix.lookup", "FAILURE"), ("fail-2", "fix.fail", "FAILURE"),
                        ("fail-1", "fix.fail", "FAILURE"), ("add-1", "fix.add", "SUCCESS")]
        var previous = -1
        for (id, name, state) in expected {
            let index = try #require(lines.firstIndex { $0.contains(id) }, "task \(id)")
            #expect(lines[index].contains(name), "task \(id)")
            #expect(lines[index].contains(state), "task \(id)")
            #expect(index > previous, "task \(id) out of order")
            previous = index
        }
    }

    @Test func theTasksTitleSaysTheFilterAndMarks() {
        var state = ClusterFixture.state(.tasks)
        state.query = TaskQuery(text: "fix", state: .failure)
        state.marks = ["fail-1", "fail-2"]
        state.follow = false
        let title = rows(state, columns: 200)[1]
        #expect(title.contains("state FAILURE"))
        #expect(title.contains("filter \"fix\""))
        #expect(title.contains("2 marked"))
        #expect(!title.contains("follow"))
    }

    @Test func markedTasksShowTheMark() throws {
        var state = ClusterFixture.state(.tasks)
        state.marks = ["add-1"]
        let lines = rows(state)
        let marked = try #require(lines.first { $0.contains("add-1") })
        #expect(marked.hasPrefix(" ●"))
    }

    @Test func anEmptyFilteredListSaysHowToClearIt() {
        var model = self.model
        var query = TaskQuery(text: "nothing matches this")
        query.state = .revoked
        model.taskQuery = query
        ClusterFixture.indexTasks(&model)
        var state = ClusterFixture.state(.tasks)
        state.query = query
        let text = ClusterFixture.frame(model, state).text
        #expect(text.contains("Tasks — 0 of 5"))
        #expect(text.contains("no task matches the filter (x clears it)"))
    }

    @Test func theDetailShowsArgsExceptionTracebackAndTimeline() {
        var state = ClusterFixture.state(.tasks)
        state.detailTaskID = "fail-1"
        let grid = frame(state, rows: 40, columns: 100)
        let lines = ClusterFixture.rows(grid)
        #expect(lines[1].hasPrefix(" Task fail-1 — fix.fail FAILURE"))
        #expect(lines.contains { $0.hasSuffix(Text.fit("args", 11) + " (2, 3)") })
        #expect(lines.contains { $0.hasSuffix(Text.fit("kwargs", 11) + " {'z': 1}") })
        #expect(lines.contains { $0.hasSuffix(Text.fit("exception", 11) + " ValueError('boom')") })
        #expect(lines.contains { $0.hasSuffix(Text.fit("worker", 11) + " alpha@vm") })
        #expect(lines.contains { $0 == "  traceback" })
        #expect(lines.contains { $0 == "  Traceback (most recent call last):" })
        #expect(lines.contains { $0 == "      raise ValueError('boom')" })
        #expect(lines.contains { $0 == "  ValueError: boom" })
        let timeline = lines.firstIndex { $0 == "  timeline" }
        #expect(timeline != nil)
        let after = lines.dropFirst((timeline ?? lines.count) + 1)
        #expect(after.contains { $0.hasSuffix("task-received") })
        #expect(after.contains { $0.hasSuffix("task-started") })
        #expect(after.contains { $0.hasSuffix("task-failed") })
    }

    @Test func theDetailOfAnUnknownTaskSaysSo() {
        var state = ClusterFixture.state(.tasks)
        state.detailTaskID = "never-seen"
        let text = frame(state, columns: 120).text
        #expect(text.contains("Task never-seen"))
        #expect(text.contains("The dashboard holds no events for this task"))
    }

    @Test func theDetailScrolls() {
        var state = ClusterFixture.state(.tasks)
        state.detailTaskID = "fail-1"
        state.pageScroll = 3
        let lines = rows(state, rows: 10, columns: 100)
        #expect(lines[3].hasPrefix("  " + Text.fit("worker", 11)))  // name, id and state scrolled away
    }

    @Test func helpListsTheCommands() {
        var state = ClusterFixture.state()
        state.showingHelp = true
        let text = frame(state, rows: 44, columns: 120).text
        #expect(text.contains("Help —"))
        #expect(text.contains(":revoke ID [ID ...]"))
        #expect(text.contains(":autoscale NODE MAX MIN"))
        #expect(text.contains("y confirms"))
    }

    @Test func helpScrollsToTheCommandsOnASmallTerminal() {
        var state = ClusterFixture.state()
        state.showingHelp = true
        #expect(!frame(state).text.contains(":revoke"))
        state.pageScroll = 12
        #expect(frame(state).text.contains(":revoke"))
        state.pageScroll = 10_000  // clamped to the last page
        #expect(frame(state).text.contains(":revoke"))
    }

    @Test func queuesShowFiguresAndConsumers() throws {
        let lines = rows(ClusterFixture.state(.queues), columns: 160)
        #expect(lines[1].hasPrefix(" Queues — 1 · from management API"))
        let celery = try #require(lines.first { $0.hasPrefix(" celery ") })
        let cells = celery.split(separator: " ").map(String.init)
        #expect(Array(cells.prefix(4)) == ["celery", "5", "2", "1"])
        #expect(celery.hasSuffix("alpha@vm"))
    }

    /// Figures no read has renewed for three poll periods say how old they are, on both
    /// screens that show them; fresh ones say nothing of it.
    @Test func queueFiguresNoReadRenewedSayHowOldTheyAre() {
        var stale = model
        stale.queuesReadAt = ClusterFixture.now - 42
        let queues = ClusterFixture.rows(ClusterFixture.frame(stale, ClusterFixture.state(.queues), columns: 160))
        #expect(queues[1].hasPrefix(" Queues — 1 · from management API · last read 42 s ago"), "\(queues[1])")
        let overview = ClusterFixture.rows(ClusterFixture.frame(stale, ClusterFixture.state(.overview), columns: 160))
        #expect(overview.contains { $0.contains("QUEUES — management API · last read 42 s ago") })
        #expect(!rows(ClusterFixture.state(.queues), columns: 160)[1].contains("last read"))
    }

    @Test func noQueuesSaysWhereTheyComeFrom() {
        var model = self.model
        model.queues = [:]
        let text = ClusterFixture.frame(model, ClusterFixture.state(.queues)).text
        #expect(text.contains("no queues known yet"))
    }

    @Test func beatSaysNoBeatIsReporting() {
        let text = frame(ClusterFixture.state(.beat)).text
        #expect(text.contains("Beat — no beat is reporting"))
    }

    @Test func eventsShowTheStreamAndPause() {
        let live = rows(ClusterFixture.state(.events), rows: 40, columns: 160)
        #expect(live[1].hasPrefix(" Events — \(ClusterFixture.events.count) received"))
        #expect(live.contains { $0.contains(" alpha@vm worker-heartbeat ") })
        #expect(live.contains { $0.contains(" task-succeeded ") && $0.contains("uuid='add-1'") })

        var state = ClusterFixture.state(.events)
        state.eventsPausedAt = 3
        let paused = rows(state, rows: 40, columns: 160)
        #expect(paused[1].contains("paused at 3 (p resumes)"))
        #expect(paused.contains { $0.contains(" beta@vm worker-online ") })
        #expect(!paused.contains { $0.contains("task-") })
    }

    @Test func noEventsYet() {
        let text = ClusterFixture.frame(MonitorModel(), ClusterFixture.state(.events)).text
        #expect(text.contains("no events yet"))
    }
}

// MARK: - The bottom lines

@Suite struct DashboardChromeTests {
    let model = ClusterFixture.model()

    func bottom(_ state: DashboardState, model: MonitorModel? = nil, columns: Int = 80) -> (status: String, hints: String) {
        let lines = ClusterFixture.rows(ClusterFixture.frame(model ?? self.model, state, columns: columns))
        return (lines[22], lines[23])
    }

    @Test func aConfirmationAsksYesOrNo() {
        var state = ClusterFixture.state(.tasks)
        state.input = .confirm(.revoke(["id"]))
        #expect(bottom(state).status == "Revoke task id? [y/N]")
    }

    @Test func everyScreenShowsTheConfirmation() {
        for screen in ScreenID.allCases {
            var state = ClusterFixture.state(screen)
            state.input = .confirm(.purge("celery"))
            #expect(bottom(state, columns: 120).status.hasSuffix("This cannot be undone. [y/N]"), "screen \(screen)")
        }
    }

    @Test func aPromptShowsItsQuestionAndAnswer() {
        var state = ClusterFixture.state(.tasks)
        state.input = .prompt(Prompt(question: "Signal for task t1", text: "SIGKILL", purpose: .terminate(["t1"])))
        #expect(bottom(state).status.hasPrefix("Signal for task t1: SIGKILL▏"))
    }

    @Test func theFilterAndCommandLinesShowWhatIsTyped() {
        var state = ClusterFixture.state(.tasks)
        state.input = .filter("fix.a")
        #expect(bottom(state).status == "/fix.a▏")
        state.input = .command("revoke a")
        #expect(bottom(state).status == ":revoke a▏")
    }

    @Test func aRecentStatusShowsAndAnOldOneDoesNot() {
        var model = self.model
        model.status = StatusMessage(.success, "revoke t1 — alpha@vm: ok", at: ClusterFixture.now - 5)
        #expect(bottom(ClusterFixture.state(), model: model).status == " revoke t1 — alpha@vm: ok")
        model.status = StatusMessage(.error, "stale", at: ClusterFixture.now - 60)
        #expect(bottom(ClusterFixture.state(), model: model).status == "")
    }

    @Test func readOnlyHintsOfferNoActions() {
        let normal = bottom(ClusterFixture.state(.tasks), columns: 200).hints
        let readOnly = bottom(ClusterFixture.state(.tasks, readOnly: true), columns: 200).hints
        #expect(normal.contains("r revoke"))
        #expect(!readOnly.contains("r revoke"))
        #expect(!readOnly.contains("mark"))
        let workers = bottom(ClusterFixture.state(.workers, readOnly: true), columns: 200).hints
        #expect(!workers.contains("shutdown"))
        let queues = bottom(ClusterFixture.state(.queues, readOnly: true), columns: 200).hints
        #expect(!queues.contains("purge"))
    }

    @Test func thePageSizeLeavesRoomForTheChrome() {
        #expect(DashboardView.pageSize(rows: 24) == 19)
        #expect(DashboardView.pageSize(rows: 3) == 1)
    }
}

// MARK: - Glyphs, sizes and hostile data

@Suite struct DashboardFrameSafetyTests {
    /// The characters only the Unicode glyphs draw.
    static let unicodeGlyphs = Set("─│▁▂▃▄▅▆▇█▒●▏")

    /// Characters that would move the cursor or start an escape sequence on a terminal.
    static func controlCharacters(in grid: TextGrid) -> [String] {
        var found: [String] = []
        for (row, line) in grid.lines.enumerated() {
            for (column, character) in line.enumerated()
            where character.unicodeScalars.contains(where: { $0.value < 32 || $0.value == 127 }) {
                found.append("\(row):\(column) U+\(String(character.unicodeScalars.first!.value, radix: 16))")
            }
        }
        return found
    }

    @Test func asciiGlyphsDrawNoUnicodeBoxesBarsOrSparks() {
        let model = ClusterFixture.model()
        for state in ClusterFixture.everyView(model) {
            for size in ClusterFixture.sizes {
                let grid = ClusterFixture.frame(model, state, rows: size.rows, columns: size.columns, glyphs: .ascii)
                let found = grid.lines.joined().filter { Self.unicodeGlyphs.contains($0) }
                #expect(found.isEmpty, "\(state.screen) \(state.input) \(size): \(String(found))")
            }
        }
    }

    @Test func theSameFramesWithUnicodeGlyphsDoUseThem() {
        let model = ClusterFixture.model()
        let unicode = ClusterFixture.frame(model, ClusterFixture.state(.overview), glyphs: .unicode).text
        let ascii = ClusterFixture.frame(model, ClusterFixture.state(.overview), glyphs: .ascii).text
        #expect(unicode.contains("███████████████▒▒▒▒▒"))  // the celery queue: 5 ready, 2 unacked
        #expect(ascii.contains("###############====="))
    }

    @Test func aTooSmallTerminalGetsAMessageNotACrash() {
        let model = ClusterFixture.model()
        var grid = TextGrid(rows: 6, columns: 30)
        DashboardView.draw(&grid, FrameContext(model: model, state: ClusterFixture.state(.tasks), glyphs: .unicode,
                                               now: ClusterFixture.now, brokerLabel: "amqp://localhost"))
        let lines = ClusterFixture.rows(grid)
        #expect(lines[0].hasPrefix("celeriac top needs at least 40"))
        #expect(lines.dropFirst().allSatisfy { $0.isEmpty })

        let wide = ClusterFixture.rows(ClusterFixture.frame(model, ClusterFixture.state(), rows: 5, columns: 60))
        #expect(wide[0] == "celeriac top needs at least 40x8; this terminal is 60x5")
        let narrow = ClusterFixture.rows(ClusterFixture.frame(model, ClusterFixture.state(), rows: 30, columns: 39))
        #expect(narrow[0].hasPrefix("celeriac top needs at least 40x8"))
    }

    @Test func degenerateGridsDrawNothingAndSurvive() {
        let model = ClusterFixture.model()
        for (rows, columns) in [(0, 0), (1, 1), (0, 80), (24, 0), (7, 40), (8, 39), (-3, -3)] {
            for state in ClusterFixture.everyView(model) {
                let grid = ClusterFixture.frame(model, state, rows: rows, columns: columns)
                #expect(grid.lines.count == max(0, rows))
            }
        }
    }

    @Test func everyViewDrawsAtEverySize() {
        let model = ClusterFixture.model()
        for size in ClusterFixture.sizes {
            for state in ClusterFixture.everyView(model) {
                let grid = ClusterFixture.frame(model, state, rows: size.rows, columns: size.columns)
                #expect(grid.lines.count == size.rows)
                #expect(grid.lines.allSatisfy { $0.count == size.columns })
                #expect(!ClusterFixture.rows(grid)[1].isEmpty, "\(state.screen) \(size)")
            }
        }
    }

    @Test func everyViewDrawsAtAwkwardSizes() {
        let model = ClusterFixture.model()
        for rows in [8, 9, 10, 13, 17, 25] {
            for columns in [40, 41, 57, 79, 81, 139, 140, 141] {
                for state in ClusterFixture.everyView(model) {
                    let grid = ClusterFixture.frame(model, state, rows: rows, columns: columns)
                    #expect(grid.lines.count == rows)
                }
            }
        }
    }

    @Test func anEmptyClusterDrawsEverywhere() {
        var model = MonitorModel()
        ClusterFixture.indexTasks(&model)
        for size in ClusterFixture.sizes {
            for state in ClusterFixture.everyView(model) {
                let grid = ClusterFixture.frame(model, state, rows: size.rows, columns: size.columns)
                #expect(!ClusterFixture.rows(grid)[1].isEmpty)
            }
        }
    }

    /// Names and fields a broken or malicious producer could send.
    static var hostileModel: (MonitorModel, taskID: String) {
        let evilHost = "evil\u{1b}[2J\n@vm\r"
        let evilID = "id\u{1b}[31m\n\t1"
        let longArgs = "('" + String(repeating: "x", count: 10_000) + "',)"
        let now = ClusterFixture.now
        var events: [CeleryEvent] = []
        events.append(ClusterFixture.event("worker-online", evilHost, at: now - 3,
                                           ["freq": 2.0, "sw_ident": "\u{1b}]0;pwned\u{07}"]))
        events.append(ClusterFixture.event("worker-heartbeat", evilHost, at: now - 1, ["freq": 2.0, "processed": 1]))
        events.append(ClusterFixture.task("task-sent", evilID, at: now - 3, host: "client\u{1b}[1m",
                                          ["name": "fix.\u{1b}]0;pwned\u{07}\nname", "queue": "q\u{1b}[5m\n",
                                           "routing_key": "q\u{0}"]))
        events.append(ClusterFixture.task("task-received", evilID, at: now - 2, host: evilHost,
                                          ["name": "fix.\u{1b}]0;pwned\u{07}\nname", "args": .string(longArgs),
                                           "kwargs": "{'k': '\u{1b}[5m\r\n'}", "parent_id": "p\u{1b}\n",
                                           "root_id": "r\u{1b}"]))
        events.append(ClusterFixture.task("task-started", evilID, at: now - 1.5, host: evilHost))
        events.append(ClusterFixture.task("task-failed", evilID, at: now - 1, host: evilHost,
                                          ["exception": "Value\u{1b}[31mError('\n\u{8}')",
                                           "traceback": "Traceback\r\n  \u{1b}[2J line\u{7f}\n\tValueError: \u{1b}c"]))
        events.append(ClusterFixture.task("task-progress", "child\u{1b}", at: now - 1, host: evilHost,
                                          ["state": "PRO\u{1b}[7mGRESS", "meta": ["done\u{1b}": "\u{1b}[8m"]]))
        var model = ClusterFixture.model(events)
        model.queues = ["q\u{1b}[5m\n": QueueFigures(name: "q\u{1b}[5m\n", ready: 1, consumers: 0)]
        var pool = WorkerPool()
        pool.kind = "pre\u{1b}fork"
        pool.queues = ["q\u{1b}[5m\n"]
        model.pools[evilHost] = pool
        model.status = StatusMessage(.error, "failed:\u{1b}[2J\nboom", at: ClusterFixture.now)
        return (model, evilID)
    }

    @Test func controlCharactersFromTheNetworkNeverReachTheFrame() {
        let (model, taskID) = Self.hostileModel
        #expect(model.cluster.tasks[taskID]?.args?.count == 10_005)  // the data really is hostile
        for state in ClusterFixture.everyView(model, taskID: taskID) {
            for size in ClusterFixture.sizes {
                let grid = ClusterFixture.frame(model, state, rows: size.rows, columns: size.columns)
                #expect(!grid.text.contains("\u{1b}"), "\(state.screen) \(size)")
                let found = Self.controlCharacters(in: grid)
                #expect(found.isEmpty, "\(state.screen) detail=\(state.detailTaskID != nil) \(size): \(found.prefix(5))")
            }
        }
    }

    @Test func hostileTextTypedAtThePromptsIsCleanedToo() {
        let model = ClusterFixture.model()
        var state = ClusterFixture.state(.tasks)
        for input in [InputMode.filter("a\u{1b}[2J"), .command("revoke \u{1b}\n"),
                      .prompt(Prompt(question: "Q\u{1b}", text: "\r\u{7}", purpose: .autoscale(node: "w\u{1b}"))),
                      .confirm(.revoke(["x\u{1b}[31m"]))] {
            state.input = input
            state.query = TaskQuery(text: "\u{1b}[31m")
            let grid = ClusterFixture.frame(model, state)
            #expect(Self.controlCharacters(in: grid).isEmpty, "\(input)")
        }
    }

    @Test func tenThousandCharacterArgsAreCutInTheListAndWrappedInTheDetail() throws {
        let (model, taskID) = Self.hostileModel
        let list = ClusterFixture.frame(model, ClusterFixture.state(.tasks), rows: 24, columns: 200)
        #expect(list.lines.allSatisfy { $0.count == 200 })
        #expect(list.text.contains("xxx…"))
        var state = ClusterFixture.state(.tasks)
        state.detailTaskID = taskID
        let detail = ClusterFixture.rows(ClusterFixture.frame(model, state, rows: 60, columns: 100))
        let wrapped = detail.filter { $0.hasSuffix(String(repeating: "x", count: 40)) }
        #expect(wrapped.count >= 20)  // fills the page with the args rather than one endless line
    }
}

/// The Beat screen's edit form, drawn over the list: a closed box with the entry's fields,
/// the cursor in the focused one, and the reason Enter was refused.
@Suite struct BeatEntryFormViewTests {
    @Test func theFormIsABoxWithItsFieldsAndProblem() {
        var state = DashboardState()
        state.screen = .beat
        let entry = BeatRecord.Entry(name: "tick", task: "demo.add", schedule: "every 30 s", enabled: true, totalRunCount: 0,
                                     spec: "every 30 s", args: [2, 3])
        var form = BeatEntryForm(node: "beat.b@host", entry: entry)
        form.focus = .args
        form.problem = "Args must be a JSON list"
        state.input = .form(form)
        var canvas = TextGrid(rows: 30, columns: 100)
        let context = FrameContext(model: MonitorModel(), state: state, glyphs: .unicode, now: 0, brokerLabel: "test")
        BeatEntryFormView.draw(&canvas, context, form)
        let lines = canvas.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let top = lines.firstIndex { $0.contains("Edit tick on beat.b@host") }
        #expect(top != nil, "\(canvas.text)")
        if let top {
            #expect(lines[top].trimmingCharacters(in: .whitespaces).hasPrefix("┌") && lines[top].hasSuffix("┐"))
            #expect(lines[top + 8].trimmingCharacters(in: .whitespaces).hasPrefix("└") && lines[top + 8].hasSuffix("┘"))
        }
        #expect(canvas.text.contains("Schedule  every 30 s"))
        #expect(canvas.text.contains("Args      [2, 3]" + String(Glyphs.unicode.cursor)), "the cursor in the focused field")
        #expect(canvas.text.contains("Kwargs    {}"))
        #expect(canvas.text.contains("Args must be a JSON list"))
    }
}

/// The Beat screen with beats reporting: each entry's schedule in words and its next run as
/// a countdown, "due now" once that moment has passed, "(disabled)" with no next run, and
/// "beat silent" for the entries of a beat no longer heard from.
@Suite struct BeatScreenViewTests {
    static let now = ClusterFixture.now

    static func entry(_ name: String, _ schedule: String, enabled: Bool = true, last: Double? = nil, next: Double?,
                      runs: Int = 0) -> JSONValue {
        var fields: [String: JSONValue] = ["name": .string(name), "task": "demo.add", "schedule": .string(schedule),
                                           "enabled": .bool(enabled), "total_run_count": .int(runs)]
        if let last { fields["last_run_at"] = .double(last) }
        if let next { fields["next_run_at"] = .double(next) }
        return .object(fields)
    }

    static func heartbeat(_ host: String, at timestamp: Double, store: String, _ entries: [JSONValue]) -> CeleryEvent {
        ClusterFixture.event("beat-heartbeat", host, at: timestamp,
                             ["freq": 5.0, "schedule_store": .string(store), "entries": .array(entries)])
    }

    /// beat.a@vm heard a second ago (alive); beat.b@vm last heard a minute ago, three
    /// heartbeats (15 s) being the limit (silent).
    static var model: MonitorModel {
        var model = MonitorModel()
        model.apply(heartbeat("beat.a@vm", at: now - 1, store: "/srv/a.json", [
            entry("tick", "every 30 s", last: now - 18, next: now + 12, runs: 7),
            entry("overdue", "every 1 min", last: now - 61, next: now - 1, runs: 3),
            entry("paused", "at 07:30 on sat", enabled: false, next: now + 3_600),
            entry("sunset", "sunset at 52.5 N, 13.4 E", next: now + 7_200),
        ]))
        model.apply(heartbeat("beat.b@vm", at: now - 60, store: "/srv/b.json", [
            entry("gone", "every 10 s", last: now - 65, next: now - 55, runs: 2),
        ]))
        return model
    }

    static func row(_ lines: [String], _ name: String) -> String {
        lines.first { $0.hasPrefix(" " + name + " ") || $0.hasPrefix(name + " ") || $0.contains(" \(name) ") } ?? ""
    }

    @Test func aPopulatedScheduleShowsCountdownDueDisabledAndSilence() {
        let lines = ClusterFixture.rows(ClusterFixture.frame(Self.model, ClusterFixture.state(.beat), rows: 24, columns: 160))
        let text = lines.joined(separator: "\n")
        #expect(lines[1].hasPrefix(" Beat — 5 entries · beat.a@vm alive, beat.b@vm silent"), "\(lines[1])")
        #expect(!text.contains("no beat is reporting"))

        let tick = Self.row(lines, "tick")
        #expect(tick.contains("every 30 s") && tick.contains("\(Text.clock(Self.now + 12)) (in 12.0s)"), "countdown: \(tick)")
        #expect(tick.contains(Text.clock(Self.now - 18)) && tick.contains(" 7 "), "last run and count: \(tick)")
        #expect(tick.contains("beat.a@vm"), "\(tick)")

        let overdue = Self.row(lines, "overdue")
        #expect(overdue.contains("due now"), "a next run already past: \(overdue)")

        let paused = Self.row(lines, "paused")
        #expect(paused.contains("(disabled) at 07:30 on sat"), "\(paused)")
        #expect(!paused.contains("(in ") && !paused.contains("due now"), "a disabled entry has no next run: \(paused)")
        #expect(paused.contains(" - "), "never run: \(paused)")

        let sunset = Self.row(lines, "sunset")
        #expect(sunset.contains("sunset at 52.5 N, 13.4 E") && sunset.contains("(in 2h00m)"), "\(sunset)")

        // A long schedule is whole where the terminal has room, and cut where it has not.
        var long = MonitorModel()
        long.apply(Self.heartbeat("beat.a@vm", at: Self.now - 1, store: "/srv/a.json", [
            Self.entry("weekdays", "at 07:30 on mon-fri", enabled: false, next: nil),
        ]))
        let wide = ClusterFixture.rows(ClusterFixture.frame(long, ClusterFixture.state(.beat), rows: 24, columns: 160))
        #expect(Self.row(wide, "weekdays").contains("(disabled) at 07:30 on mon-fri "), "\(Self.row(wide, "weekdays"))")
        let narrow = ClusterFixture.rows(ClusterFixture.frame(long, ClusterFixture.state(.beat), rows: 24, columns: 80))
        #expect(!Self.row(narrow, "weekdays").contains("mon-fri"))

        let gone = Self.row(lines, "gone")
        #expect(gone.contains("beat silent") && !gone.contains("due now"), "a silent beat's entry: \(gone)")
        #expect(gone.contains("beat.b@vm"), "\(gone)")

        #expect(text.contains("n run now"), "the keys an editable screen offers")
    }

    /// The same screen read-only (`--read-only`): the entries as before, no keys that change them.
    @Test func aReadOnlyDashboardOffersNoBeatKeys() {
        let text = ClusterFixture.frame(Self.model, ClusterFixture.state(.beat, readOnly: true), rows: 24, columns: 160).text
        #expect(text.contains("due now") && text.contains("beat silent") && text.contains("(disabled)"))
        #expect(!text.contains("n run now") && !text.contains("d disable"))
    }
}
