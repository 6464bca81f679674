import Celeriac
@testable import CeleriacMonitor
@testable import CeleriacTUI
import Testing

/// A controller and its fake rows, driven key by key as the runner drives it. A class, so a
/// key press may sit inside `#expect` (the macro cannot call a mutating method).
final class DashboardSession {
    var controller: DashboardController
    var data: FakeDashboardData
    var pageSize = 10

    init(data: FakeDashboardData = FakeDashboardData(), readOnly: Bool = false) {
        controller = DashboardController(state: DashboardState(readOnly: readOnly))
        self.data = data
    }

    var state: DashboardState { controller.state }

    /// The open prompt, if the keyboard is in one.
    var prompt: Prompt? {
        if case .prompt(let prompt) = controller.state.input { return prompt }
        return nil
    }

    @discardableResult
    func press(_ key: Key) -> [DashboardEffect] {
        controller.handle(key, data: data, pageSize: pageSize)
    }

    @discardableResult
    func press(_ character: Character) -> [DashboardEffect] {
        press(.character(character))
    }

    /// Presses each character in turn; the effects of every key, in order.
    @discardableResult
    func type(_ text: String) -> [DashboardEffect] {
        var effects: [DashboardEffect] = []
        for character in text { effects += press(character) }
        return effects
    }

    /// `:` + `line` + Enter; the effects of the Enter.
    @discardableResult
    func command(_ line: String) -> [DashboardEffect] {
        press(":")
        type(line)
        return press(.enter)
    }

    /// Clears a prompt's prefilled text, types `answer` and presses Enter; the Enter's effects.
    @discardableResult
    func answer(_ answer: String) -> [DashboardEffect] {
        press(.control("u"))
        type(answer)
        return press(.enter)
    }
}

let readOnlyRefusal = DashboardEffect.status(.warning, "read-only: actions are off (started with --read-only)")

// MARK: - Screens, help, detail

@Suite struct DashboardNavigationTests {
    @Test func numberKeysSwitchScreens() {
        let session = DashboardSession()
        #expect(session.state.screen == .overview)
        for screen in ScreenID.allCases {
            let effects = session.press(Character(String(screen.rawValue)))
            #expect(effects.isEmpty)
            #expect(session.state.screen == screen)
        }
        session.press("2")
        #expect(session.state.screen == .workers)
    }

    /// In a detail: Tab walks the workflow tree, Enter opens the selected node, Esc goes back
    /// along the nodes opened; opening a detail asks for its workflow's stored results.
    @Test func tabAndEnterWalkTheWorkflowTreeAndEscGoesBack() {
        var data = FakeDashboardData()
        data.workflows = ["t1": ["t0", "t1", "t2"], "t2": ["t0", "t1", "t2"]]
        let session = DashboardSession(data: data)
        session.press("3")
        #expect(session.press(.enter) == [.lookUpWorkflow("t1")])
        #expect(session.state.detailTaskID == "t1" && session.state.workflowSelection == 0)
        session.press(.tab)
        session.press(.tab)
        #expect(session.state.workflowSelection == 2)
        #expect(session.press(.enter) == [.lookUpWorkflow("t2")])
        #expect(session.state.detailTaskID == "t2" && session.state.workflowSelection == 0)
        session.press("p")
        #expect(session.state.workflowSelection == 2)
        #expect(session.press(.enter).first.map { if case .status = $0 { true } else { false } } == true,
                "Enter on the open task itself only says so")
        session.press(.escape)
        #expect(session.state.detailTaskID == "t1")
        session.press(.escape)
        #expect(session.state.detailTaskID == nil)
        session.press(.enter)
        #expect(session.press(.tab).isEmpty && session.state.workflowSelection == 1, "a fresh detail starts at the top")
    }

    /// Enter on a Beat entry jumps to the row of the task it sent last on the Tasks screen;
    /// a filter that hides it is cleared.
    @Test func enterOnABeatEntryJumpsToTheTaskItSentLast() {
        var data = FakeDashboardData()
        data.rows[.beat] = ["sent-1"]
        data.rows[.tasks] = ["newest", "sent-1", "older"]
        let session = DashboardSession(data: data)
        session.press("5")
        #expect(session.press(.enter).allSatisfy { if case .status = $0 { true } else { false } })
        #expect(session.state.screen == .tasks && session.state.selected(.tasks) == 1 && !session.state.follow)
        #expect(session.state.taskToSelect == "sent-1")
        #expect(session.press(.enter) == [.lookUpWorkflow("sent-1")], "Enter on the row opens it")

        var filtered = data
        filtered.filtered = ["newest"]
        let hidden = DashboardSession(data: filtered)
        hidden.controller.state.query.text = "newest"
        hidden.press("5")
        #expect(hidden.press(.enter).first == .setQuery(TaskQuery()), "the filter that hid it is cleared")
        #expect(hidden.state.screen == .tasks && hidden.state.taskToSelect == "sent-1")
        let nothing = DashboardSession()
        nothing.press("5")
        guard case .status(_, let text)? = nothing.press(.enter).first else { Issue.record("Enter says why nothing opened"); return }
        #expect(text.contains("sent nothing"))
    }

    /// d and n on a Beat entry ask the beat to disable (or enable) it, or to send it now,
    /// after a y; a read-only dashboard refuses.
    @Test func beatKeysAskTheBeatAfterConfirming() {
        var data = FakeDashboardData()
        data.rows[.beat] = ["sent-0", "sent-1"]
        let session = DashboardSession(data: data)
        session.press("5")
        session.press("d")
        #expect(session.state.input == .confirm(.beat(.disable, entry: "entry-0", node: "beat.s@host")))
        #expect(session.press("y") == [.perform(.beat(.disable, entry: "entry-0", node: "beat.s@host"))])
        session.press("j")
        session.press("d")
        #expect(session.state.input == .confirm(.beat(.enable, entry: "entry-1", node: "beat.s@host")), "a disabled entry is enabled")
        session.press("n")
        session.press("n")
        #expect(session.state.input == .confirm(.beat(.runNow, entry: "entry-1", node: "beat.s@host")))
        let readOnly = DashboardSession(data: data, readOnly: true)
        readOnly.press("5")
        for key: Character in ["d", "e", "n"] {
            #expect(readOnly.press(key).first.map { if case .status = $0 { true } else { false } } == true)
            #expect(readOnly.state.input == .browsing)
        }
    }

    /// The form of a form: e opens it filled from the entry; typing edits the focused field,
    /// Tab and the arrows move; Enter with a field that is not JSON stays in the form and says
    /// why; a good form goes on to the confirmation, whose y sends the edit.
    @Test func theEditFormSendsTheNewScheduleAndArgs() {
        var data = FakeDashboardData()
        data.rows[.beat] = ["sent-0"]
        let session = DashboardSession(data: data)
        session.press("5")
        session.press("e")
        guard case .form(let opened) = session.state.input else { Issue.record("e opened no form"); return }
        #expect(opened.values == ["every 30 s", "[2, 3]", "{}"] && opened.focus == .schedule)

        session.press(.control("u"))
        session.type("cron */5 * * * *")
        session.press(.tab)
        session.press(.backspace)
        session.type(", 4")
        session.press(.enter)
        guard case .form(let refused) = session.state.input else { Issue.record("a wrong field closed the form"); return }
        #expect(refused.problem?.contains("Args must be a JSON list") == true)
        session.type("]")
        #expect({ if case .form(let form) = session.state.input { form.problem == nil } else { false } }(), "an edit clears the problem")
        session.press(.down)
        session.press(.up)
        session.press(.up)
        guard case .form(let moved) = session.state.input else { Issue.record("the form closed"); return }
        #expect(moved.focus == .schedule, "Down, Up, Up from args: schedule")
        session.press(.enter)
        let edit = DashboardAction.editBeatEntry("entry-0", node: "beat.s@host", schedule: "cron */5 * * * *", args: [2, 3, 4], kwargs: [:])
        #expect(session.state.input == .confirm(edit))
        #expect(session.press("y") == [.perform(edit)])

        session.press("e")
        #expect(session.press(.escape) == [.status(.info, "cancelled")] && session.state.input == .browsing)
    }

    @Test func aScheduleFileEntryIsNotEditedHere() {
        var data = FakeDashboardData()
        data.rows[.beat] = ["sent-0"]
        data.fileStore = true
        let session = DashboardSession(data: data)
        session.press("5")
        guard case .status(.warning, let text)? = session.press("e").first else { Issue.record("e said nothing"); return }
        #expect(text.contains("--scheduler db") && session.state.input == .browsing)
    }

    @Test func aTaskWithoutAWorkflowSaysSoOnTab() {
        let session = DashboardSession()
        session.press("3")
        session.press(.enter)
        guard case .status(_, let text)? = session.press(.tab).first else { Issue.record("Tab says why nothing moved"); return }
        #expect(text.contains("no workflow"))
    }

    @Test func aNumberKeyClosesTheDetailAndTheHelp() {
        let session = DashboardSession()
        session.press("3")
        session.press(.enter)
        #expect(session.state.detailTaskID == "t1")
        session.press("4")
        #expect(session.state.detailTaskID == nil)
        #expect(session.state.screen == .queues)
        session.press("?")
        session.press("1")
        #expect(session.state.showingHelp == false)
        #expect(session.state.screen == .overview)
    }

    @Test func questionMarkOpensHelpAndEscapeClosesIt() {
        let session = DashboardSession()
        session.press("2")
        #expect(session.press("?").isEmpty)
        #expect(session.state.showingHelp)
        #expect(session.press(.escape).isEmpty)
        #expect(session.state.showingHelp == false)
        #expect(session.state.screen == .workers)
    }

    @Test func helpScrollsWithTheMovementKeysAndClampsAtTheTop() {
        let session = DashboardSession()
        session.press("?")
        session.press("j")
        session.press("j")
        #expect(session.state.pageScroll == 2)
        session.press("k")
        session.press("k")
        session.press("k")
        #expect(session.state.pageScroll == 0)
        session.press("G")
        #expect(session.state.pageScroll == 10_000)
        session.press(.escape)
        #expect(session.state.pageScroll == 0)
    }

    @Test func actionKeysDoNothingOverTheHelp() {
        let session = DashboardSession()
        session.press("3")
        session.press("?")
        #expect(session.press("r").isEmpty)
        #expect(session.state.input == .browsing)
    }

    @Test func enterOnTasksOpensTheSelectedTaskAndEscapeReturns() {
        let session = DashboardSession()
        session.press("3")
        session.press("j")
        session.press("j")
        #expect(session.press(.enter) == [.lookUpWorkflow("t3")])
        #expect(session.state.detailTaskID == "t3")
        #expect(session.state.screen == .tasks)
        session.press(.escape)
        #expect(session.state.detailTaskID == nil)
        #expect(session.state.screen == .tasks)
        #expect(session.state.selected(.tasks) == 2)
    }

    @Test func enterOnAnEmptyTaskListOpensNothing() {
        let session = DashboardSession(data: FakeDashboardData(rows: [:]))
        session.press("3")
        session.press(.enter)
        #expect(session.state.detailTaskID == nil)
    }

    @Test func theDetailScrollsInsteadOfMovingTheSelection() {
        let session = DashboardSession()
        session.press("3")
        session.press(.enter)
        session.press("j")
        session.press(.pageDown)
        #expect(session.state.pageScroll == 11)
        #expect(session.state.selected(.tasks) == 0)
        session.press("g")
        #expect(session.state.pageScroll == 0)
    }

    @Test func escapeOnAPlainListDoesNothing() {
        let session = DashboardSession()
        session.press("3")
        #expect(session.press(.escape).isEmpty)
        #expect(session.state.screen == .tasks)
    }

    @Test func enterOnAFailureGroupListsItsTasks() {
        let session = DashboardSession()
        session.press("3")
        session.press("j")
        session.press("1")
        let effects = session.press(.enter)
        var expected = TaskQuery()
        expected.failureGroup = FailureGroup.Key(exceptionType: "ValueError", taskName: "fix.fail")
        #expect(effects == [.setQuery(expected)])
        #expect(session.state.screen == .tasks)
        #expect(session.state.query == expected)
        #expect(session.state.selected(.tasks) == 0)
    }

    @Test func enterOnTheOverviewWithoutFailuresDoesNothing() {
        let session = DashboardSession(data: FakeDashboardData(failureGroups: []))
        #expect(session.press(.enter).isEmpty)
        #expect(session.state.screen == .overview)
    }

    @Test func qAndControlCQuit() {
        let session = DashboardSession()
        #expect(session.press("q") == [.quit])
        session.press("3")
        #expect(session.press(.control("c")) == [.quit])
        session.press(.enter)
        #expect(session.press("q") == [.quit])  // from the detail too
    }
}

// MARK: - Moving

@Suite struct DashboardMovementTests {
    @Test func jAndKMoveAndClampToTheRows() {
        let session = DashboardSession()
        session.press("3")
        session.press("k")
        #expect(session.state.selected(.tasks) == 0)
        for _ in 0..<10 { session.press("j") }
        #expect(session.state.selected(.tasks) == 4)
        session.press("k")
        #expect(session.state.selected(.tasks) == 3)
    }

    @Test func arrowsMoveLikeJAndK() {
        let session = DashboardSession()
        session.press("3")
        session.press(.down)
        session.press(.down)
        #expect(session.state.selected(.tasks) == 2)
        session.press(.up)
        #expect(session.state.selected(.tasks) == 1)
        session.press(.up)
        session.press(.up)
        #expect(session.state.selected(.tasks) == 0)
    }

    @Test func pagesMoveByThePageSizeAndClamp() {
        let session = DashboardSession()
        session.pageSize = 2
        session.press("3")
        session.press(.pageDown)
        #expect(session.state.selected(.tasks) == 2)
        session.press(.pageDown)
        #expect(session.state.selected(.tasks) == 4)
        session.press(.pageDown)
        #expect(session.state.selected(.tasks) == 4)
        session.press(.pageUp)
        #expect(session.state.selected(.tasks) == 2)
        session.press(.control("b"))
        session.press(.control("b"))
        #expect(session.state.selected(.tasks) == 0)
        session.press(.control("f"))
        #expect(session.state.selected(.tasks) == 2)
    }

    @Test func aPageSizeBelowOneStillMovesOneRow() {
        let session = DashboardSession()
        session.pageSize = 0
        session.press("3")
        session.press(.pageDown)
        #expect(session.state.selected(.tasks) == 1)
    }

    @Test func gAndCapitalGGoToTheFirstAndLastRow() {
        let session = DashboardSession()
        session.press("3")
        session.press("G")
        #expect(session.state.selected(.tasks) == 4)
        session.press("g")
        #expect(session.state.selected(.tasks) == 0)
        session.press(.end)
        #expect(session.state.selected(.tasks) == 4)
        session.press(.home)
        #expect(session.state.selected(.tasks) == 0)
    }

    @Test func eachScreenKeepsItsOwnSelection() {
        let session = DashboardSession()
        session.press("2")
        session.press("G")
        #expect(session.state.selected(.workers) == 1)
        session.press("4")
        session.press("j")
        session.press("j")
        #expect(session.state.selected(.queues) == 1)
        #expect(session.state.selected(.workers) == 1)
        #expect(session.state.selected(.tasks) == 0)
    }

    @Test func movingInAnEmptyListStaysOnRowZero() {
        let session = DashboardSession(data: FakeDashboardData(rows: [:], failureGroups: []))
        for screen in ["1", "2", "3", "4"] as [Character] {
            session.press(screen)
            session.press("j")
            session.press("G")
            session.press(.pageDown)
            #expect(session.state.selected(session.state.screen) == 0)
        }
    }

    @Test func followTurnsOffMovingDownAndBackOnAtRowZero() {
        let session = DashboardSession()
        session.press("3")
        #expect(session.state.follow)
        session.press("j")
        #expect(session.state.follow == false)
        session.press("j")
        session.press("k")
        #expect(session.state.follow == false)
        session.press("k")
        #expect(session.state.follow)
    }

    @Test func followNeedsTheNewestFirstOrder() {
        let session = DashboardSession()
        session.press("3")
        session.press("s")  // sorted by name: row 0 is not the newest task
        session.press("j")
        session.press("k")
        #expect(session.state.follow == false)
    }

    @Test func capitalFTogglesFollow() {
        let session = DashboardSession()
        session.press("3")
        session.press("j")
        session.press("j")
        #expect(session.press("F") == [.status(.info, "following the newest task")])
        #expect(session.state.follow)
        #expect(session.state.selected(.tasks) == 0)
        #expect(session.press("F") == [.status(.info, "follow off")])
        #expect(session.state.follow == false)
    }
}

// MARK: - Filter, state and sort

@Suite struct DashboardFilterTests {
    @Test func slashFiltersAsYouType() {
        let session = DashboardSession()
        session.press("3")
        #expect(session.press("/").isEmpty)
        #expect(session.state.input == .filter(""))
        #expect(session.press("a") == [.setQuery(TaskQuery(text: "a"))])
        #expect(session.press("d") == [.setQuery(TaskQuery(text: "ad"))])
        #expect(session.state.input == .filter("ad"))
        #expect(session.state.query.text == "ad")
        #expect(session.press(.backspace) == [.setQuery(TaskQuery(text: "a"))])
        #expect(session.state.query.text == "a")
    }

    @Test func slashOpensTheTasksScreenFromAnywhere() {
        let session = DashboardSession()
        session.press("2")
        session.press("/")
        #expect(session.state.screen == .tasks)
        #expect(session.state.input == .filter(""))
    }

    @Test func typingAFilterResetsTheSelection() {
        let session = DashboardSession()
        session.press("3")
        session.press("G")
        session.press("/")
        session.press("x")
        #expect(session.state.selected(.tasks) == 0)
    }

    @Test func keysThatWouldActTypeIntoTheFilter() {
        let session = DashboardSession()
        session.press("/")
        let effects = session.type("qr1?")
        #expect(effects.last == .setQuery(TaskQuery(text: "qr1?")))
        #expect(!effects.contains(.quit))
        #expect(session.state.input == .filter("qr1?"))
        #expect(session.state.screen == .tasks)
        #expect(session.state.showingHelp == false)
    }

    @Test func controlUClearsTheFilterLine() {
        let session = DashboardSession()
        session.press("/")
        session.type("fix")
        #expect(session.press(.control("u")) == [.setQuery(TaskQuery())])
        #expect(session.state.input == .filter(""))
    }

    @Test func escapeWhileTypingClearsTheFilter() {
        let session = DashboardSession()
        session.press("/")
        session.type("fix")
        #expect(session.press(.escape) == [.setQuery(TaskQuery())])
        #expect(session.state.input == .browsing)
        #expect(session.state.query.text == "")
    }

    @Test func enterKeepsTheFilterAndEscapeThenClearsIt() {
        let session = DashboardSession()
        session.press("/")
        session.type("fix")
        #expect(session.press(.enter).isEmpty)
        #expect(session.state.input == .browsing)
        #expect(session.state.query.text == "fix")
        #expect(session.press(.escape) == [.setQuery(TaskQuery()), .status(.info, "filters cleared")])
        #expect(session.state.query.isFiltered == false)
    }

    @Test func slashAgainEditsTheCurrentFilter() {
        let session = DashboardSession()
        session.press("/")
        session.type("fix")
        session.press(.enter)
        session.press("/")
        #expect(session.state.input == .filter("fix"))
        #expect(session.press(".") == [.setQuery(TaskQuery(text: "fix."))])
    }

    @Test func tCyclesTheStateFilterInOrder() {
        let session = DashboardSession()
        session.press("3")
        let cycle: [TaskState?] = [.pending, .received, .started, .success, .failure, .retry, .revoked, nil, .pending]
        for expected in cycle {
            #expect(session.press("t") == [.setQuery(TaskQuery(state: expected))])
            #expect(session.state.query.state == expected)
        }
    }

    @Test func tResetsTheSelection() {
        let session = DashboardSession()
        session.press("3")
        session.press("G")
        session.press("t")
        #expect(session.state.selected(.tasks) == 0)
    }

    @Test func sCyclesTheSortColumns() {
        let session = DashboardSession()
        session.press("3")
        let cycle: [TaskQuery.SortColumn] = [.name, .state, .worker, .runtime, .received, .name]
        for column in cycle {
            #expect(session.press("s") == [.setQuery(TaskQuery(sort: column)),
                                            .status(.info, "sorted by \(column.rawValue)")])
            #expect(session.state.query.sort == column)
        }
    }

    @Test func xClearsTextStateAndFailureGroup() {
        let session = DashboardSession()
        session.press(.enter)  // the Overview's failure group
        session.press("t")
        session.press("/")
        session.type("boom")
        session.press(.enter)
        #expect(session.state.query.isFiltered)
        #expect(session.press("x") == [.setQuery(TaskQuery()), .status(.info, "filters cleared")])
        #expect(session.state.query == TaskQuery())
    }

    @Test func enterOnAWorkerListsItsTasks() {
        let session = DashboardSession()
        session.press("2")
        session.press("j")
        #expect(session.press(.enter) == [.setQuery(TaskQuery(text: "w2@host"))])
        #expect(session.state.screen == .tasks)
    }
}

// MARK: - Marks

@Suite struct DashboardMarkTests {
    @Test func spaceMarksAndMovesDown() {
        let session = DashboardSession()
        session.press("3")
        #expect(session.press(" ").isEmpty)
        #expect(session.state.marks == ["t1"])
        #expect(session.state.selected(.tasks) == 1)
        session.press(" ")
        #expect(session.state.marks == ["t1", "t2"])
        #expect(session.state.selected(.tasks) == 2)
    }

    @Test func spaceOnAMarkedTaskUnmarksIt() {
        let session = DashboardSession()
        session.press("3")
        session.press(" ")
        session.press("k")
        session.press(" ")
        #expect(session.state.marks.isEmpty)
    }

    @Test func spaceOnTheLastRowStaysThere() {
        let session = DashboardSession()
        session.press("3")
        session.press("G")
        session.press(" ")
        #expect(session.state.marks == ["t5"])
        #expect(session.state.selected(.tasks) == 4)
    }

    @Test func spaceOnAnEmptyListMarksNothing() {
        let session = DashboardSession(data: FakeDashboardData(rows: [:]))
        session.press("3")
        session.press(" ")
        #expect(session.state.marks.isEmpty)
    }

    @Test func starMarksEveryFilteredTask() {
        var data = FakeDashboardData()
        data.filtered = ["t1", "t2", "t3", "t4", "t5", "t6"]
        let session = DashboardSession(data: data)
        session.press("3")
        #expect(session.press("*") == [.status(.info, "6 tasks marked")])
        #expect(session.state.marks == ["t1", "t2", "t3", "t4", "t5", "t6"])
    }

    @Test func uClearsTheMarks() {
        let session = DashboardSession()
        session.press("3")
        session.press("*")
        #expect(session.press("u") == [.status(.info, "marks cleared")])
        #expect(session.state.marks.isEmpty)
    }
}

// MARK: - Task actions

@Suite struct DashboardTaskActionTests {
    @Test func rConfirmsRevokingTheSelectedTask() {
        let session = DashboardSession()
        session.press("3")
        session.press("j")
        #expect(session.press("r").isEmpty)
        #expect(session.state.input == .confirm(.revoke(["t2"])))
    }

    @Test func rRevokesTheMarkedTasksSorted() {
        let session = DashboardSession()
        session.press("3")
        session.press("G")
        session.press(" ")  // t5
        session.press("g")
        session.press("j")
        session.press("j")
        session.press(" ")  // t3
        session.press("g")
        session.press(" ")  // t1
        session.press("r")
        #expect(session.state.input == .confirm(.revoke(["t1", "t3", "t5"])))
    }

    @Test func theOpenTaskWinsOverTheMarks() {
        let session = DashboardSession()
        session.press("3")
        session.press(" ")  // marks t1, moves to t2
        session.press(.enter)
        #expect(session.state.detailTaskID == "t2")
        session.press("r")
        #expect(session.state.input == .confirm(.revoke(["t2"])))
    }

    @Test func rWithNothingSelectedSaysSo() {
        let session = DashboardSession(data: FakeDashboardData(rows: [:]))
        session.press("3")
        #expect(session.press("r") == [.status(.warning, "no task selected")])
        #expect(session.state.input == .browsing)
    }

    @Test func yPerformsTheConfirmedAction() {
        let session = DashboardSession()
        session.press("3")
        session.press("r")
        #expect(session.press("y") == [.perform(.revoke(["t1"]))])
        #expect(session.state.input == .browsing)
    }

    @Test func capitalYConfirmsToo() {
        let session = DashboardSession()
        session.press("3")
        session.press("r")
        #expect(session.press("Y") == [.perform(.revoke(["t1"]))])
    }

    @Test func anyOtherKeyCancelsTheConfirmation() {
        for key in [Key.character("n"), .enter, .escape, .character("q"), .character(" ")] {
            let session = DashboardSession()
            session.press("3")
            session.press("r")
            #expect(session.press(key) == [.status(.info, "cancelled")], "key \(key)")
            #expect(session.state.input == .browsing)
        }
    }

    @Test func controlCQuitsEvenFromAConfirmation() {
        let session = DashboardSession()
        session.press("3")
        session.press("r")
        #expect(session.press(.control("c")) == [.quit])
    }

    @Test func capitalTPromptsForTheSignalPrefilledWithSigterm() throws {
        let session = DashboardSession()
        session.press("3")
        #expect(session.press("T").isEmpty)
        let prompt = try #require(session.prompt)
        #expect(prompt.text == "SIGTERM")
        #expect(prompt.question == "Signal for task t1")
        #expect(prompt.purpose == .terminate(["t1"]))
        #expect(session.press(.enter).isEmpty)
        #expect(session.state.input == .confirm(.terminate(["t1"], signal: "SIGTERM")))
        #expect(session.press("y") == [.perform(.terminate(["t1"], signal: "SIGTERM"))])
    }

    @Test func theSignalCanBeGivenByShortNameOrNumber() {
        for (typed, signal) in [("kill", "SIGKILL"), ("9", "SIGKILL"), ("sigint", "SIGINT"), ("HUP", "SIGHUP"), ("", "SIGTERM")] {
            let session = DashboardSession()
            session.press("3")
            session.press("T")
            #expect(session.answer(typed).isEmpty, "signal \(typed)")
            #expect(session.state.input == .confirm(.terminate(["t1"], signal: signal)), "signal \(typed)")
        }
    }

    @Test func aBadSignalIsAnError() {
        let session = DashboardSession()
        session.press("3")
        session.press("T")
        let effects = session.answer("nope")
        #expect(effects == [.status(.error, "unknown signal 'nope'; use one of SIGTERM, SIGKILL, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2")])
        #expect(session.state.input == .browsing)
    }

    @Test func promptsEditWithBackspaceAndTypeOverActionKeys() throws {
        let session = DashboardSession()
        session.press("3")
        session.press("T")
        for _ in 0..<4 { session.press(.backspace) }
        session.type("qr")  // typed, not quit or revoke
        let prompt = try #require(session.prompt)
        #expect(prompt.text == "SIGqr")
    }

    @Test func escapeCancelsAPrompt() {
        let session = DashboardSession()
        session.press("3")
        session.press("T")
        #expect(session.press(.escape) == [.status(.info, "cancelled")])
        #expect(session.state.input == .browsing)
    }

    @Test func capitalTOnMarkedTasksAsksForAllOfThem() throws {
        let session = DashboardSession()
        session.press("3")
        session.press(" ")
        session.press(" ")
        session.press("T")
        let prompt = try #require(session.prompt)
        #expect(prompt.question == "Signal for 2 tasks")
        #expect(prompt.purpose == .terminate(["t1", "t2"]))
    }

    @Test func capitalRPromptsWithThePlansQueue() throws {
        let session = DashboardSession()
        session.press("3")
        #expect(session.press("R").isEmpty)
        let prompt = try #require(session.prompt)
        let plan = try FakeDashboardData.plan("t1")
        #expect(prompt.text == "fast")
        #expect(prompt.question == "Retry fix.add to queue")
        #expect(prompt.purpose == .retry([plan]))
        #expect(session.press(.enter).isEmpty)
        #expect(session.state.input == .confirm(.retry([plan], queue: "fast")))
        #expect(session.press("y") == [.perform(.retry([plan], queue: "fast"))])
    }

    @Test func theRetryQueueCanBeChangedOrLeftToEachPlan() throws {
        let plan = try FakeDashboardData.plan("t1")
        var session = DashboardSession()
        session.press("3")
        session.press("R")
        session.answer("slow")
        #expect(session.state.input == .confirm(.retry([plan], queue: "slow")))

        session = DashboardSession()
        session.press("3")
        session.press("R")
        session.answer("")
        #expect(session.state.input == .confirm(.retry([plan], queue: nil)))
    }

    @Test func retryWithoutATaskSentEventSaysTheQueueIsTheDefault() throws {
        let data = FakeDashboardData(plans: { FakeDashboardData.planResult($0, queue: nil) })
        let session = DashboardSession(data: data)
        session.press("3")
        session.press("R")
        let prompt = try #require(session.prompt)
        #expect(prompt.text == "celery")
        #expect(prompt.question == "Retry fix.add to queue (no task-sent event: the default queue)")
    }

    @Test func retryingTasksOfDifferentQueuesProposesNoQueue() throws {
        let data = FakeDashboardData(plans: { FakeDashboardData.planResult($0, queue: $0 == "t1" ? "a" : "b") })
        let session = DashboardSession(data: data)
        session.press("3")
        session.press(" ")
        session.press(" ")
        session.press("R")
        let prompt = try #require(session.prompt)
        #expect(prompt.text == "")
        #expect(prompt.question == "Retry 2 tasks to queue")
        session.press(.enter)
        let plans = [try FakeDashboardData.plan("t1", queue: "a"), try FakeDashboardData.plan("t2", queue: "b")]
        #expect(session.state.input == .confirm(.retry(plans, queue: nil)))
    }

    @Test func aTaskThatCannotBeRetriedGivesTheReason() {
        let failure = RetryPlanError.argumentsUnusable(taskID: "t1", what: "args", reason: "cut by saferepr")
        let session = DashboardSession(data: FakeDashboardData(plans: { _ in .failure(failure) }))
        session.press("3")
        #expect(session.press("R") == [.status(.error, failure.description)])
        #expect(session.state.input == .browsing)
    }

    @Test func oneUnusableTaskAmongTheMarkedStopsTheRetry() {
        let failure = RetryPlanError.nameUnknown(taskID: "t2")
        let data = FakeDashboardData(plans: { $0 == "t2" ? .failure(failure) : FakeDashboardData.planResult($0) })
        let session = DashboardSession(data: data)
        session.press("3")
        session.press(" ")
        session.press(" ")
        #expect(session.press("R") == [.status(.error, failure.description)])
        #expect(session.state.input == .browsing)
    }
}

// MARK: - Worker and queue actions

@Suite struct DashboardWorkerActionTests {
    @Test func plusMinusAndCapitalSConfirmOnTheSelectedWorker() {
        let cases: [(Character, DashboardAction)] = [
            ("+", .grow("w1@host", by: 1)), ("-", .shrink("w1@host", by: 1)), ("S", .shutdown("w1@host")),
        ]
        for (key, action) in cases {
            let session = DashboardSession()
            session.press("2")
            #expect(session.press(key).isEmpty)
            #expect(session.state.input == .confirm(action), "key \(key)")
        }
    }

    @Test func workerActionsFollowTheSelection() {
        let session = DashboardSession()
        session.press("2")
        session.press("j")
        session.press("+")
        #expect(session.state.input == .confirm(.grow("w2@host", by: 1)))
    }

    @Test func noWorkersNoActions() {
        let session = DashboardSession(data: FakeDashboardData(rows: [:]))
        session.press("2")
        #expect(session.press("+").isEmpty)
        #expect(session.state.input == .browsing)
    }

    @Test func autoscaleTakesMaxCommaMin() throws {
        let session = DashboardSession()
        session.press("2")
        session.press("a")
        let prompt = try #require(session.prompt)
        #expect(prompt.text == "")
        #expect(prompt.question == "Autoscale w1@host: MAX,MIN")
        #expect(session.answer("8,2").isEmpty)
        #expect(session.state.input == .confirm(.autoscale("w1@host", max: 8, min: 2)))
    }

    @Test func autoscaleAcceptsASpaceAndEqualBounds() {
        for (typed, max, min) in [("8 2", 8, 2), (" 4,4 ", 4, 4), ("3,0", 3, 0)] {
            let session = DashboardSession()
            session.press("2")
            session.press("a")
            session.answer(typed)
            #expect(session.state.input == .confirm(.autoscale("w1@host", max: max, min: min)), "typed \(typed)")
        }
    }

    @Test func autoscaleRefusesMinAboveMaxAndNonsense() {
        for typed in ["2,8", "8", "x,y", "8,2,1", ""] {
            let session = DashboardSession()
            session.press("2")
            session.press("a")
            let effects = session.answer(typed)
            #expect(effects == [.status(.error, "autoscale takes MAX,MIN with MAX ≥ MIN ≥ 0, e.g. 8,2 — got '\(typed)'")],
                    "typed \(typed)")
            #expect(session.state.input == .browsing)
        }
    }

    @Test func capitalLTakesTaskAndRate() throws {
        let session = DashboardSession()
        session.press("2")
        session.press("L")
        let prompt = try #require(session.prompt)
        #expect(prompt.question == "Rate limit on w1@host: TASK RATE (e.g. fix.add 10/m)")
        session.answer("fix.add 10/m")
        #expect(session.state.input == .confirm(.rateLimit(task: "fix.add", rate: "10/m", node: "w1@host")))
    }

    @Test func rateLimitZeroRemovesTheLimit() {
        let session = DashboardSession()
        session.press("2")
        session.press("L")
        session.answer("fix.add 0")
        #expect(session.state.input == .confirm(.rateLimit(task: "fix.add", rate: "0", node: "w1@host")))
    }

    @Test func rateLimitRefusesABadRateOrMissingWords() {
        let session = DashboardSession()
        session.press("2")
        session.press("L")
        #expect(session.answer("fix.add fast") == [.status(.error, "rate 'fast' is not a Celery rate limit; use N, N/s, N/m or N/h (0 removes the limit)")])
        session.press("L")
        #expect(session.answer("fix.add") == [.status(.error, "give TASK RATE, e.g. fix.add 10/m (0 removes the limit)")])
        #expect(session.state.input == .browsing)
    }

    @Test func cAndCapitalCAddAndCancelAConsumer() {
        let session = DashboardSession()
        session.press("2")
        session.press("c")
        session.answer("hipri")
        #expect(session.state.input == .confirm(.addConsumer("w1@host", queue: "hipri")))
        session.press("n")
        session.press("C")
        session.answer("hipri")
        #expect(session.state.input == .confirm(.cancelConsumer("w1@host", queue: "hipri")))
    }

    @Test func aConsumerNeedsOneQueueName() {
        for typed in ["", "a b"] {
            let session = DashboardSession()
            session.press("2")
            session.press("c")
            #expect(session.answer(typed) == [.status(.error, "give one queue name")], "typed '\(typed)'")
        }
    }

    @Test func capitalPConfirmsPurgingTheSelectedQueue() {
        let session = DashboardSession()
        session.press("4")
        session.press("j")
        #expect(session.press("P").isEmpty)
        #expect(session.state.input == .confirm(.purge("hipri")))
        #expect(session.press("y") == [.perform(.purge("hipri"))])
    }

    @Test func capitalPWithoutQueuesDoesNothing() {
        let session = DashboardSession(data: FakeDashboardData(rows: [:]))
        session.press("4")
        #expect(session.press("P").isEmpty)
        #expect(session.state.input == .browsing)
    }

    @Test func eventsPauseAtTheTotalAndResume() {
        let session = DashboardSession()
        session.press("6")
        #expect(session.press("p") == [.status(.info, "events paused (p resumes)")])
        #expect(session.state.eventsPausedAt == 500)
        session.data.eventTotal = 650  // events keep arriving while paused
        #expect(session.press("p") == [.status(.info, "events live")])
        #expect(session.state.eventsPausedAt == nil)
        session.press(" ")
        #expect(session.state.eventsPausedAt == 650)
    }

    @Test func scrollingTheEventsPausesThemAndTheEndResumes() {
        let session = DashboardSession()
        session.press("6")
        session.press("k")
        #expect(session.state.eventsPausedAt == 499)
        session.press("k")
        #expect(session.state.eventsPausedAt == 498)
        session.press("j")
        session.press("j")
        #expect(session.state.eventsPausedAt == nil)
        session.press("g")
        #expect(session.state.eventsPausedAt == 1)
        session.press("G")
        #expect(session.state.eventsPausedAt == nil)
    }
}

// MARK: - Read-only

@Suite struct DashboardReadOnlyTests {
    @Test func everyActionKeyIsRefused() {
        let keys: [(String, Character)] = [
            ("3", "r"), ("3", "T"), ("3", "R"),
            ("2", "+"), ("2", "-"), ("2", "a"), ("2", "c"), ("2", "C"), ("2", "L"), ("2", "S"),
            ("4", "P"),
        ]
        for (screen, key) in keys {
            let session = DashboardSession(readOnly: true)
            session.press(Character(screen))
            #expect(session.press(key) == [readOnlyRefusal], "screen \(screen) key \(key)")
            #expect(session.state.input == .browsing, "screen \(screen) key \(key)")
        }
    }

    @Test func actionsOnTheOpenTaskAreRefused() {
        let session = DashboardSession(readOnly: true)
        session.press("3")
        session.press(.enter)
        #expect(session.press("r") == [readOnlyRefusal])
        #expect(session.press("T") == [readOnlyRefusal])
        #expect(session.state.input == .browsing)
    }

    @Test func actionCommandsAreRefused() {
        for line in ["revoke a", "terminate a", "retry t1", "grow w1", "purge celery", "shutdown w1",
                     "ratelimit fix.add 10/m", "autoscale w1 8 2", "consume w1 q", "cancel w1 q"] {
            let session = DashboardSession(readOnly: true)
            #expect(session.command(line) == [readOnlyRefusal], ":\(line)")
            #expect(session.state.input == .browsing, ":\(line)")
        }
    }

    @Test func browsingStillWorks() {
        let session = DashboardSession(readOnly: true)
        session.press("3")
        session.press("j")
        session.press(" ")
        session.press("t")
        #expect(session.state.selected(.tasks) == 0)
        #expect(session.state.marks == ["t2"])
        #expect(session.state.query.state == .pending)
        #expect(session.command("4").isEmpty)
        #expect(session.state.screen == .queues)
    }
}

// MARK: - The command line

@Suite struct DashboardCommandLineTests {
    @Test func colonOpensTheCommandLineAndKeysTypeIntoIt() {
        let session = DashboardSession()
        #expect(session.press(":").isEmpty)
        #expect(session.state.input == .command(""))
        #expect(session.type("q").isEmpty)  // typed, not quit
        #expect(session.state.input == .command("q"))
    }

    @Test func revokeConfirmsEveryID() {
        let session = DashboardSession()
        #expect(session.command("revoke a b").isEmpty)
        #expect(session.state.input == .confirm(.revoke(["a", "b"])))
        #expect(session.press("y") == [.perform(.revoke(["a", "b"]))])
    }

    @Test func growTakesACount() {
        let session = DashboardSession()
        session.command("grow w1 2")
        #expect(session.state.input == .confirm(.grow("w1", by: 2)))
    }

    @Test func autoscaleWithMinAboveMaxIsAnError() {
        let session = DashboardSession()
        #expect(session.command("autoscale w1 2 8") == [.status(.error, "MIN (8) must not exceed MAX (2): autoscale NODE MAX MIN")])
        #expect(session.state.input == .browsing)
    }

    @Test func anUnknownCommandIsNamed() {
        let session = DashboardSession()
        #expect(session.command("bogus") == [.status(.error, "unknown command 'bogus'; :help lists the commands")])
        #expect(session.state.input == .browsing)
    }

    @Test func anEmptyCommandSaysWhatToType() {
        let session = DashboardSession()
        #expect(session.command("") == [.status(.error, "type a command, e.g. :revoke ID; :help lists them all")])
    }

    @Test func colonQQuits() {
        let session = DashboardSession()
        #expect(session.command("q") == [.quit])
        #expect(session.command("quit") == [.quit])
    }

    @Test func escapeLeavesTheCommandLine() {
        let session = DashboardSession()
        session.press(":")
        session.type("revoke a")
        #expect(session.press(.escape).isEmpty)
        #expect(session.state.input == .browsing)
    }

    @Test func backspaceEditsAndOnAnEmptyLineLeaves() {
        let session = DashboardSession()
        session.press(":")
        session.type("ab")
        session.press(.backspace)
        #expect(session.state.input == .command("a"))
        session.press(.backspace)
        #expect(session.state.input == .command(""))
        session.press(.backspace)
        #expect(session.state.input == .browsing)
    }

    @Test func screenHelpStateFilterAndSortCommands() {
        let session = DashboardSession()
        #expect(session.command("4").isEmpty)
        #expect(session.state.screen == .queues)
        #expect(session.command("state failure") == [.setQuery(TaskQuery(state: .failure))])
        #expect(session.state.screen == .tasks)
        #expect(session.command("state all") == [.setQuery(TaskQuery())])
        #expect(session.command("filter fix add") == [.setQuery(TaskQuery(text: "fix add"))])
        #expect(session.command("sort runtime") == [.setQuery(TaskQuery(text: "fix add", sort: .runtime))])
        #expect(session.command("help").isEmpty)
        #expect(session.state.showingHelp)
    }

    @Test func colonScreenClosesTheDetail() {
        let session = DashboardSession()
        session.press("3")
        session.press(.enter)
        session.command("2")
        #expect(session.state.detailTaskID == nil)
        #expect(session.state.screen == .workers)
    }

    @Test func retryLooksUpThePlan() throws {
        let session = DashboardSession()
        let plan = try FakeDashboardData.plan("t1")
        #expect(session.command("retry t1 slow").isEmpty)
        #expect(session.state.input == .confirm(.retry([plan], queue: "slow")))
        session.press("n")
        session.command("retry t1")
        #expect(session.state.input == .confirm(.retry([plan], queue: nil)))
    }

    @Test func retryOfAnUnknownTaskGivesTheReason() {
        let failure = RetryPlanError.unknownTask(taskID: "zz")
        let session = DashboardSession(data: FakeDashboardData(plans: { _ in .failure(failure) }))
        #expect(session.command("retry zz") == [.status(.error, failure.description)])
        #expect(session.state.input == .browsing)
    }

    @Test func aUsageErrorShowsTheRightForm() {
        let session = DashboardSession()
        #expect(session.command("purge") == [.status(.error, "usage: :purge QUEUE")])
    }
}

// MARK: - DashboardCommand.parse

@Suite struct DashboardCommandParseTests {
    func parse(_ line: String) -> DashboardCommand? {
        try? DashboardCommand.parse(line)
    }

    func failure(_ line: String) -> DashboardCommandError? {
        do {
            _ = try DashboardCommand.parse(line)
            return nil
        } catch {
            return error
        }
    }

    @Test func quitHelpAndScreens() {
        for line in ["q", "quit", "exit", "Q", "  quit  "] { #expect(parse(line) == .quit, "\(line)") }
        for line in ["help", "h", "?"] { #expect(parse(line) == .help, "\(line)") }
        for screen in ScreenID.allCases { #expect(parse("\(screen.rawValue)") == .screen(screen)) }
        #expect(failure("7") == .unknown("7"))
    }

    @Test func emptyAndUnknown() {
        #expect(failure("") == .empty)
        #expect(failure("   ") == .empty)
        #expect(failure("bogus a b") == .unknown("bogus"))
        #expect(failure("Bogus") == .unknown("bogus"))
        #expect(DashboardCommandError.unknown("bogus").description.contains("'bogus'"))
    }

    @Test func revoke() {
        #expect(parse("revoke a") == .action(.revoke(["a"])))
        #expect(parse("revoke a b c") == .action(.revoke(["a", "b", "c"])))
        #expect(parse("REVOKE Abc") == .action(.revoke(["Abc"])))  // the verb is case-insensitive, ids are not
        #expect(failure("revoke") == .usage("revoke ID [ID ...]"))
    }

    @Test func terminate() {
        #expect(parse("terminate a") == .action(.terminate(["a"], signal: "SIGTERM")))
        #expect(parse("terminate a 9") == .action(.terminate(["a"], signal: "SIGKILL")))
        #expect(parse("terminate a kill") == .action(.terminate(["a"], signal: "SIGKILL")))
        #expect(parse("kill a sigusr1") == .action(.terminate(["a"], signal: "SIGUSR1")))
        #expect(failure("terminate a bogus") == .invalid("unknown signal 'bogus'; use one of SIGTERM, SIGKILL, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2"))
        #expect(failure("terminate") == .usage("terminate ID [SIGNAL]"))
        #expect(failure("terminate a b c") == .usage("terminate ID [SIGNAL]"))
        #expect(failure("kill") != nil)
    }

    @Test func retry() {
        #expect(parse("retry a") == .retry(taskID: "a", queue: nil))
        #expect(parse("retry a hipri") == .retry(taskID: "a", queue: "hipri"))
        #expect(failure("retry") == .usage("retry ID [QUEUE]"))
        #expect(failure("retry a b c") == .usage("retry ID [QUEUE]"))
    }

    @Test func autoscale() {
        #expect(parse("autoscale w1 8 2") == .action(.autoscale("w1", max: 8, min: 2)))
        #expect(parse("autoscale w1 4 4") == .action(.autoscale("w1", max: 4, min: 4)))
        #expect(failure("autoscale w1 2 8") == .invalid("MIN (8) must not exceed MAX (2): autoscale NODE MAX MIN"))
        #expect(failure("autoscale w1 x 2") == .notANumber("x", what: "MAX", usage: "autoscale NODE MAX MIN"))
        #expect(failure("autoscale w1 8 -1") == .notANumber("-1", what: "MIN", usage: "autoscale NODE MAX MIN"))
        #expect(failure("autoscale w1 8") == .usage("autoscale NODE MAX MIN"))
        #expect(failure("autoscale w1 8 2 1") == .usage("autoscale NODE MAX MIN"))
    }

    @Test func growAndShrink() {
        #expect(parse("grow w1") == .action(.grow("w1", by: 1)))
        #expect(parse("grow w1 3") == .action(.grow("w1", by: 3)))
        #expect(parse("shrink w1") == .action(.shrink("w1", by: 1)))
        #expect(parse("shrink w1 2") == .action(.shrink("w1", by: 2)))
        #expect(failure("grow w1 0") == .invalid("N must be at least 1: grow NODE [N]"))
        #expect(failure("shrink w1 0") == .invalid("N must be at least 1: shrink NODE [N]"))
        #expect(failure("grow w1 two") == .notANumber("two", what: "N", usage: "grow NODE [N]"))
        #expect(failure("grow") == .usage("grow NODE [N]"))
        #expect(failure("shrink") == .usage("shrink NODE [N]"))
    }

    @Test func consumeAndCancel() {
        #expect(parse("consume w1 hipri") == .action(.addConsumer("w1", queue: "hipri")))
        #expect(parse("cancel w1 hipri") == .action(.cancelConsumer("w1", queue: "hipri")))
        #expect(failure("consume w1") == .usage("consume NODE QUEUE"))
        #expect(failure("cancel w1 a b") == .usage("cancel NODE QUEUE"))
    }

    @Test func purge() {
        #expect(parse("purge celery") == .action(.purge("celery")))
        #expect(failure("purge") == .usage("purge QUEUE"))
        #expect(failure("purge a b") == .usage("purge QUEUE"))
    }

    @Test func rateLimit() {
        #expect(parse("ratelimit fix.add 10/m") == .action(.rateLimit(task: "fix.add", rate: "10/m", node: nil)))
        #expect(parse("rate_limit fix.add 5 w1") == .action(.rateLimit(task: "fix.add", rate: "5", node: "w1")))
        #expect(parse("rate-limit fix.add none") == .action(.rateLimit(task: "fix.add", rate: "none", node: nil)))
        #expect(parse("ratelimit fix.add 0") == .action(.rateLimit(task: "fix.add", rate: "0", node: nil)))
        #expect(failure("ratelimit fix.add fast") == .invalid("rate 'fast' is not a Celery rate limit; use N, N/s, N/m or N/h (0 removes the limit)"))
        #expect(failure("ratelimit fix.add 10/d") != nil)
        #expect(failure("ratelimit fix.add") == .usage("ratelimit TASK RATE [NODE]"))
    }

    @Test func shutdown() {
        #expect(parse("shutdown w1") == .action(.shutdown("w1")))
        #expect(failure("shutdown") == .usage("shutdown NODE"))
        #expect(failure("shutdown w1 w2") == .usage("shutdown NODE"))
    }

    @Test func state() {
        #expect(parse("state failure") == .state(.failure))
        #expect(parse("state SUCCESS") == .state(.success))
        #expect(parse("state progress") == .state(TaskState("PROGRESS")))
        #expect(parse("state all") == .state(nil))
        #expect(parse("state ALL") == .state(nil))
        #expect(failure("state") == .usage("state STATE|all"))
    }

    @Test func filter() {
        #expect(parse("filter fix.add") == .filter("fix.add"))
        #expect(parse("filter  fix   add ") == .filter("fix add"))
        #expect(parse("filter") == .filter(""))
    }

    @Test func sort() {
        for column in TaskQuery.SortColumn.allCases { #expect(parse("sort \(column.rawValue)") == .sort(column)) }
        #expect(parse("sort Runtime") == .sort(.runtime))
        #expect(failure("sort size") == .usage("sort received|name|state|worker|runtime"))
        #expect(failure("sort") == .usage("sort received|name|state|worker|runtime"))
    }

    @Test func errorsReadAsSentences() {
        #expect(DashboardCommandError.usage("purge QUEUE").description == "usage: :purge QUEUE")
        #expect(DashboardCommandError.notANumber("x", what: "MAX", usage: "autoscale NODE MAX MIN").description
            == "MAX must be a whole number, not 'x': :autoscale NODE MAX MIN")
        #expect(DashboardCommandError.invalid("as given").description == "as given")
        #expect(DashboardCommandError.empty.description.contains(":help"))
    }
}

// MARK: - Confirmation questions

@Suite struct DashboardActionQuestionTests {
    @Test func questionsNameWhatTheyActOn() throws {
        #expect(DashboardAction.revoke(["id"]).question == "Revoke task id?")
        #expect(DashboardAction.revoke(["a", "b"]).question == "Revoke 2 tasks?")
        #expect(DashboardAction.terminate(["a"], signal: "SIGKILL").question == "Terminate task a with SIGKILL?")
        #expect(DashboardAction.autoscale("w1", max: 8, min: 2).question == "Autoscale w1 between 2 and 8?")
        #expect(DashboardAction.rateLimit(task: "fix.add", rate: "10/m", node: nil).question
            == "Rate-limit fix.add to 10/m on all workers?")
        #expect(DashboardAction.purge("celery").question.contains("cannot be undone"))
        let plan = try FakeDashboardData.plan("t1")
        #expect(DashboardAction.retry([plan], queue: nil).question == "Retry fix.add with its args to queue 'fast'?")
        #expect(DashboardAction.retry([plan], queue: "slow").question == "Retry fix.add with its args to queue 'slow'?")
        let unrouted = try FakeDashboardData.plan("t2", args: "()", queue: nil)
        #expect(DashboardAction.retry([unrouted], queue: nil).question
            == "Retry fix.add to queue 'celery' (routing unknown: default queue)?")
        #expect(DashboardAction.retry([plan, unrouted], queue: nil).question == "Retry 2 tasks to their own queues?")
    }
}
