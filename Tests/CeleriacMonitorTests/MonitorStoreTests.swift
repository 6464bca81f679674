@testable import Celeriac
@testable import CeleriacMonitor
import Foundation
import Testing

private func taskEvent(_ type: String, _ id: String, at timestamp: Double, host: String = "alpha@vm",
                       _ fields: [String: JSONValue] = [:]) -> CeleryEvent {
    var all = fields
    all["uuid"] = .string(id)
    return CeleryEvent(type: type, hostname: host, timestamp: timestamp, fields: all)
}

private func workerEvent(_ type: String, _ host: String, at timestamp: Double, freq: Double = 2) -> CeleryEvent {
    CeleryEvent(type: type, hostname: host, timestamp: timestamp, fields: ["freq": .double(freq)])
}

// MARK: - The task index

@Suite struct MonitorStoreTests {
    /// Four tasks; arrival order a1, m1, x-NEEDLE-1, k1.
    func storeWithTasks() -> MonitorStore {
        let store = MonitorStore()
        store.apply(taskEvent("task-received", "a1", at: 1, host: "alpha@vm", ["name": "fix.add", "args": "(2, 3)"]))
        store.apply(taskEvent("task-succeeded", "a1", at: 2, host: "alpha@vm", ["runtime": 0.5]))
        store.apply(taskEvent("task-received", "m1", at: 3, host: "beta@vm", ["name": "fix.mul", "args": "('Needle',)"]))
        store.apply(taskEvent("task-failed", "m1", at: 4, host: "beta@vm", ["exception": "ValueError('x')"]))
        store.apply(taskEvent("task-received", "x-NEEDLE-1", at: 5, host: "alpha@vm", ["name": "fix.zeta"]))
        store.apply(taskEvent("task-succeeded", "x-NEEDLE-1", at: 6, host: "alpha@vm", ["runtime": 2.0]))
        store.apply(taskEvent("task-received", "k1", at: 7, host: "gamma@vm", ["name": "fix.kw", "kwargs": "{'key': 'needle'}"]))
        return store
    }

    func ids(_ store: MonitorStore, for query: TaskQuery) -> [String] {
        store.setTaskQuery(query)
        store.refreshTaskIndex(now: 1000)
        return store.read { $0.taskIndex.ids }
    }

    @Test func theFirstRefreshBuildsTheIndexNewestFirst() {
        let store = storeWithTasks()
        #expect(store.read { $0.taskIndex.builtAt } == -1)
        store.refreshTaskIndex(now: 0)
        #expect(store.read { $0.taskIndex.ids } == ["k1", "x-NEEDLE-1", "m1", "a1"])
        #expect(store.read { $0.taskIndex.builtAt == $0.cluster.version })
    }

    @Test func theIndexIsBuiltForTheQuerySet() {
        let store = storeWithTasks()
        let query = TaskQuery(state: .success)
        store.setTaskQuery(query)
        #expect(store.read { $0.taskQuery } == query)
        store.refreshTaskIndex(now: 0)
        #expect(store.read { $0.taskIndex.query } == query)
        #expect(store.read { $0.taskIndex.ids } == ["x-NEEDLE-1", "a1"])
    }

    @Test func settingTheSameQueryChangesNothing() {
        let store = storeWithTasks()
        let before = store.read { $0.changeCount }
        store.setTaskQuery(TaskQuery())
        #expect(store.read { $0.changeCount } == before)
        store.setTaskQuery(TaskQuery(text: "a"))
        #expect(store.read { $0.changeCount } != before)
    }

    @Test func textMatchesNameIDArgsKwargsAndWorkerIgnoringCase() {
        let store = storeWithTasks()
        // args of m1 ('Needle'), the id of x-NEEDLE-1, the kwargs of k1
        #expect(ids(store, for: TaskQuery(text: "needle")) == ["k1", "x-NEEDLE-1", "m1"])
        #expect(ids(store, for: TaskQuery(text: "FIX.ADD")) == ["a1"])
        #expect(ids(store, for: TaskQuery(text: "Beta@VM")) == ["m1"])
        #expect(ids(store, for: TaskQuery(text: "ALPHA")) == ["x-NEEDLE-1", "a1"])
        #expect(ids(store, for: TaskQuery(text: "(2, 3)")) == ["a1"])
        #expect(ids(store, for: TaskQuery(text: "no such thing")) == [])
    }

    @Test func stateFilterKeepsOneState() {
        let store = storeWithTasks()
        #expect(ids(store, for: TaskQuery(state: .failure)) == ["m1"])
        #expect(ids(store, for: TaskQuery(state: .success)) == ["x-NEEDLE-1", "a1"])
        #expect(ids(store, for: TaskQuery(state: .received)) == ["k1"])
        #expect(ids(store, for: TaskQuery(text: "alpha", state: .failure)) == [])
    }

    @Test func failureGroupFilterKeepsThatGroup() {
        let store = storeWithTasks()
        var query = TaskQuery()
        query.failureGroup = FailureGroup.Key(exceptionType: "ValueError", taskName: "fix.mul")
        #expect(ids(store, for: query) == ["m1"])
        query.failureGroup = FailureGroup.Key(exceptionType: "KeyError", taskName: "fix.mul")
        #expect(ids(store, for: query) == [])
    }

    @Test func sortByNameBothWays() {
        let store = storeWithTasks()
        #expect(ids(store, for: TaskQuery(sort: .name, descending: false)) == ["a1", "k1", "m1", "x-NEEDLE-1"])
        #expect(ids(store, for: TaskQuery(sort: .name, descending: true)) == ["x-NEEDLE-1", "m1", "k1", "a1"])
    }

    @Test func sortByRuntimeBothWaysWithUnfinishedTasksAsShortest() {
        let store = storeWithTasks()
        // m1 and k1 have no runtime: they sort below any runtime, in arrival order
        #expect(ids(store, for: TaskQuery(sort: .runtime, descending: false)) == ["m1", "k1", "a1", "x-NEEDLE-1"])
        #expect(ids(store, for: TaskQuery(sort: .runtime, descending: true)) == ["x-NEEDLE-1", "a1", "k1", "m1"])
    }

    @Test func sortByReceivedAscendingIsArrivalOrder() {
        let store = storeWithTasks()
        #expect(ids(store, for: TaskQuery(descending: false)) == ["a1", "m1", "x-NEEDLE-1", "k1"])
    }

    @Test func sortByStateAndWorker() {
        let store = storeWithTasks()
        #expect(ids(store, for: TaskQuery(sort: .state, descending: false)) == ["m1", "k1", "a1", "x-NEEDLE-1"])
        #expect(ids(store, for: TaskQuery(sort: .worker, descending: false)) == ["a1", "x-NEEDLE-1", "m1", "k1"])
    }

    @Test func newEventsAreIndexedOnTheNextRefreshWhenTasksAreFew() {
        let store = storeWithTasks()
        store.refreshTaskIndex(now: 100)
        store.apply(taskEvent("task-received", "n1", at: 8, ["name": "fix.new"]))
        store.refreshTaskIndex(now: 100)  // same instant: few tasks are never throttled
        #expect(store.read { $0.taskIndex.ids.first } == "n1")
    }

    @Test func nothingChangedNothingRebuilt() {
        let store = storeWithTasks()
        store.refreshTaskIndex(now: 100)
        let before = store.read { $0.changeCount }
        store.refreshTaskIndex(now: 200)
        #expect(store.read { $0.changeCount } == before)
    }

    @Test func manyTasksRebuildAtMostOncePerInterval() {
        let store = MonitorStore(maximumTasks: 20_000)
        for index in 0..<10_000 { store.apply(taskEvent("task-received", "t\(index)", at: Double(index))) }
        store.refreshTaskIndex(now: 100, minimumInterval: 1)
        #expect(store.read { $0.taskIndex.ids.count } == 10_000)

        store.apply(taskEvent("task-received", "late", at: 20_000))
        store.refreshTaskIndex(now: 100.5, minimumInterval: 1)
        #expect(store.read { $0.taskIndex.ids.count } == 10_000)  // too soon after the last build

        store.refreshTaskIndex(now: 101, minimumInterval: 1)
        #expect(store.read { $0.taskIndex.ids.count } == 10_001)
        #expect(store.read { $0.taskIndex.ids.first } == "late")
    }

    @Test func aNewQueryIsNeverThrottled() {
        let store = MonitorStore(maximumTasks: 20_000)
        for index in 0..<10_001 { store.apply(taskEvent("task-received", "t\(index)", at: Double(index))) }
        store.refreshTaskIndex(now: 100, minimumInterval: 1)
        store.setTaskQuery(TaskQuery(text: "t10000"))
        store.refreshTaskIndex(now: 100.1, minimumInterval: 1)
        #expect(store.read { $0.taskIndex.ids } == ["t10000"])
    }

    @Test func postShowsAStatus() {
        let store = MonitorStore()
        store.post(.warning, "cannot poll the workers")
        #expect(store.read { $0.status?.kind } == .warning)
        #expect(store.read { $0.status?.text } == "cannot poll the workers")
    }
}

// MARK: - Pages of the task list

@Suite struct TaskPageTests {
    func indexedModel(tasks count: Int) -> MonitorModel {
        var model = MonitorModel()
        for index in 1...count { model.apply(taskEvent("task-received", "t\(index)", at: Double(index), ["name": "fix.add"])) }
        model.taskIndex = TaskIndex.build(model.taskQuery, from: model.cluster.tasks, version: model.cluster.version)
        return model
    }

    @Test func aPageIsASliceOfTheIndex() {
        let page = indexedModel(tasks: 5).taskPage(offset: 1, limit: 2)
        #expect(page.rows.map(\.id) == ["t4", "t3"])
        #expect(page.total == 5)
    }

    @Test func theLastPageIsShort() {
        let page = indexedModel(tasks: 5).taskPage(offset: 4, limit: 10)
        #expect(page.rows.map(\.id) == ["t1"])
        #expect(page.total == 5)
    }

    @Test func pastTheEndOrEmptyGivesNoRows() {
        let model = indexedModel(tasks: 5)
        #expect(model.taskPage(offset: 5, limit: 3).rows.isEmpty)
        #expect(model.taskPage(offset: 5, limit: 3).total == 5)
        #expect(model.taskPage(offset: 0, limit: 0).rows.isEmpty)
        #expect(model.taskPage(offset: 0, limit: -1).rows.isEmpty)
    }

    @Test func aNegativeOffsetStartsAtTheTop() {
        let page = indexedModel(tasks: 5).taskPage(offset: -3, limit: 2)
        #expect(page.rows.map(\.id) == ["t5", "t4"])
    }

    @Test func anUnbuiltIndexHasNoRows() {
        var model = MonitorModel()
        model.apply(taskEvent("task-received", "t1", at: 1))
        #expect(model.taskPage(offset: 0, limit: 10).rows.isEmpty)
        #expect(model.taskPage(offset: 0, limit: 10).total == 0)
    }

    @Test func applyingAnEventLogsIt() {
        var model = MonitorModel()
        model.apply(taskEvent("task-succeeded", "t1", at: 1, ["result": "5"]))
        #expect(model.eventLog.total == 1)
        let line = model.eventLog.lines(last: 1).first ?? ""
        #expect(line.contains(" alpha@vm task-succeeded "))
        #expect(line.contains("result='5'"))
        #expect(line.contains("uuid='t1'"))
        #expect(!line.contains("timestamp="))
    }
}

// MARK: - The state file

@Suite struct StateFileTests {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("celeriac-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func cluster() -> ClusterState {
        var state = ClusterState()
        state.apply(workerEvent("worker-online", "alpha@vm", at: 100))
        state.apply(CeleryEvent(type: "worker-heartbeat", hostname: "alpha@vm", timestamp: 101,
                                fields: ["freq": 2.0, "processed": 7, "loadavg": [0.5, 0.2, 0.1]]))
        state.apply(workerEvent("worker-online", "beta@vm", at: 50))
        state.apply(taskEvent("task-sent", "p1", at: 99, host: "client", ["name": "fix.chain", "queue": "hipri"]))
        state.apply(taskEvent("task-received", "p1", at: 100, ["name": "fix.chain", "args": "(1,)"]))
        state.apply(taskEvent("task-succeeded", "p1", at: 101, ["result": "1", "runtime": 0.5]))
        state.apply(taskEvent("task-received", "c1", at: 102, ["name": "fix.add", "args": "(2, 3)", "parent_id": "p1"]))
        state.apply(taskEvent("task-failed", "c1", at: 103, ["exception": "ValueError('boom')", "traceback": "Traceback…"]))
        state.apply(taskEvent("task-received", "c2", at: 104, ["name": "fix.add", "parent_id": "p1"]))
        state.apply(taskEvent("task-started", "c2", at: 105))
        return state
    }

    @Test func aSavedStateLoadsBackWhole() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = StateFile(path: directory.appendingPathComponent("nested/state.json").path)
        let original = cluster()
        try file.save(original, now: 1000)

        var restored = ClusterState()
        try file.load(into: &restored)
        #expect(Set(restored.tasks.keys) == Set(original.tasks.keys))
        for task in original.tasks.values {
            let id = task.id
            #expect(restored.tasks[id] == task.with(sequence: restored.tasks[id]?.sequence), "task \(id), every field")
            #expect(restored.tasks[id]?.state == task.state, "task \(id)")
            #expect(restored.tasks[id]?.name == task.name, "task \(id)")
            #expect(restored.tasks[id]?.args == task.args, "task \(id)")
            #expect(restored.tasks[id]?.timeline == task.timeline, "task \(id)")
        }
        #expect(restored.tasks["p1"]?.queue == "hipri")
        #expect(restored.tasks["c1"]?.exception == "ValueError('boom')")
        #expect(Set(restored.workers.keys) == ["alpha@vm", "beta@vm"])
        #expect(restored.workers["alpha@vm"]?.processed == 7)
        #expect(restored.workers["alpha@vm"]?.lastHeartbeat == 101)
        #expect(restored.countsByState.filter { $0.value > 0 } == original.countsByState.filter { $0.value > 0 })
        #expect(restored.failureGroups[FailureGroup.Key(exceptionType: "ValueError", taskName: "fix.add")]?.count == 1)
        #expect(restored.childrenByParent["p1"] == ["c1", "c2"])
    }

    @Test func loadingKeepsTheArrivalOrder() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = StateFile(path: directory.appendingPathComponent("state.json").path)
        try file.save(cluster())
        var restored = ClusterState()
        try file.load(into: &restored)
        let order = restored.tasks.values.sorted { $0.sequence < $1.sequence }.map(\.id)
        #expect(order == ["p1", "c1", "c2"])
    }

    @Test func savingLeavesNoTemporaryFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = StateFile(path: directory.appendingPathComponent("state.json").path)
        try file.save(cluster())
        try file.save(cluster())  // over an existing snapshot
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["state.json"])
    }

    @Test func aCorruptFileIsMovedAsideAndReported() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state.json").path
        let garbage = Data("{not a snapshot".utf8)
        try garbage.write(to: URL(fileURLWithPath: path))

        var state = ClusterState()
        var caught: StateFileError?
        do {
            try StateFile(path: path).load(into: &state)
        } catch {
            caught = error
        }
        guard case .corrupt(let reported, let aside, _) = caught else {
            Issue.record("expected .corrupt, got \(String(describing: caught))")
            return
        }
        #expect(reported == path)
        #expect(aside.hasPrefix(path + ".unreadable-"))
        #expect(FileManager.default.fileExists(atPath: aside))
        #expect(FileManager.default.contents(atPath: aside) == garbage)
        #expect(!FileManager.default.fileExists(atPath: path))
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names.contains { $0.hasPrefix("state.json.unreadable-") })
        #expect(state.tasks.isEmpty)
        #expect(caught?.description.contains("moved to \(aside)") == true)
    }

    @Test func aMissingFileIsAFirstStart() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var state = ClusterState()
        try StateFile(path: directory.appendingPathComponent("absent.json").path).load(into: &state)
        #expect(state.tasks.isEmpty)
        #expect(state.workers.isEmpty)
    }

    @Test func aNewerFormatIsRefusedAndLeftInPlace() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state.json").path
        try Data(#"{"format": 2, "savedAt": 0, "tasks": [], "workers": []}"#.utf8).write(to: URL(fileURLWithPath: path))
        var state = ClusterState()
        var caught: StateFileError?
        do {
            try StateFile(path: path).load(into: &state)
        } catch {
            caught = error
        }
        #expect(caught == .unknownFormat(path: path, format: 2))
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func loadingIntoAStateThatHasTasksKeepsTheLiveOnes() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = StateFile(path: directory.appendingPathComponent("state.json").path)
        try file.save(cluster())
        var live = ClusterState()
        live.apply(taskEvent("task-received", "c2", at: 200, ["name": "fix.add"]))
        live.apply(taskEvent("task-succeeded", "c2", at: 201))
        try file.load(into: &live)
        #expect(live.tasks["c2"]?.state == .success)  // the saved STARTED does not overwrite it
        #expect(live.tasks.count == 3)
    }
}

// MARK: - The event log

@Suite struct EventLogTests {
    func filledLog(capacity: Int, lines count: Int) -> EventLog {
        var log = EventLog(capacity: capacity)
        for index in 1...count { log.add(CeleryEvent(type: "\(index)", hostname: "h")) }
        return log
    }

    /// The event type of each line ("--:--:-- h 3" → "3"): the tests number events by type.
    func types(_ lines: [String]) -> [String] {
        lines.map { String($0.split(separator: " ")[2]) }
    }

    @Test func theRingKeepsTheLastCapacityLines() {
        let log = filledLog(capacity: 3, lines: 5)
        #expect(log.total == 5)
        #expect(types(log.lines(last: 10)) == ["3", "4", "5"])
        #expect(types(log.lines(last: 2)) == ["4", "5"])
    }

    @Test func beforeItFillsEveryLineIsKept() {
        let log = filledLog(capacity: 3, lines: 2)
        #expect(types(log.lines(last: 10)) == ["1", "2"])
        #expect(types(log.lines(last: 1, endingAt: 1)) == ["1"])
    }

    @Test func pagingBackEndsAtTheGivenLine() {
        let log = filledLog(capacity: 3, lines: 5)
        #expect(types(log.lines(last: 2, endingAt: 4)) == ["3", "4"])
        #expect(types(log.lines(last: 3, endingAt: 4)) == ["3", "4"])  // line 2 left the ring
        #expect(types(log.lines(last: 5, endingAt: 3)) == ["3"])
        #expect(types(log.lines(last: 5, endingAt: 2)) == [])
        #expect(types(log.lines(last: 5, endingAt: 0)) == [])
        #expect(types(log.lines(last: 2, endingAt: 99)) == ["4", "5"])  // past the end is the latest
    }

    @Test func pagingBackAcrossManyWraps() {
        let log = filledLog(capacity: 100, lines: 1234)
        #expect(types(log.lines(last: 3)) == ["1232", "1233", "1234"])
        #expect(types(log.lines(last: 3, endingAt: 1200)) == ["1198", "1199", "1200"])
        #expect(types(log.lines(last: 200, endingAt: 1200)).first == "1135")
        #expect(types(log.lines(last: 200, endingAt: 1200)).count == 66)
    }

    @Test func nothingAskedNothingGiven() {
        let log = filledLog(capacity: 3, lines: 5)
        #expect(types(log.lines(last: 0)) == [])
        #expect(types(log.lines(last: -1)) == [])
        #expect(types(EventLog().lines(last: 5)) == [])
    }

    @Test func aCapacityBelowOneHoldsOneLine() {
        let log = filledLog(capacity: 0, lines: 3)
        #expect(log.capacity == 1)
        #expect(types(log.lines(last: 5)) == ["3"])
    }
}

// MARK: - What actions report

@Suite struct ActionReportTests {
    let pong = PidboxReply(node: "a@vm", reply: .object(["ok": .string("pong")]), ticket: "t1")
    let nope = PidboxReply(node: "b@vm", reply: .object(["error": .string("nope")]), ticket: "t1")

    @Test func nodesWithTheSameAnswerShareOneEntry() {
        let other = PidboxReply(node: "c@vm", reply: .object(["ok": .string("pong")]), ticket: "t1")
        let report = ActionReport(action: "ping", replies: [other, pong, nope], expected: ["a@vm", "b@vm", "c@vm"])
        #expect(report.summary == "ping — a@vm, c@vm: pong; b@vm: nope")
    }

    @Test func answersRefusalsAndSilence() {
        let report = ActionReport(action: "ping", replies: [pong, nope], expected: ["a@vm", "b@vm", "z@vm", "c@vm"])
        #expect(report.answers == ["a@vm": "pong", "b@vm": "nope"])
        #expect(report.refusedBy == ["b@vm"])
        #expect(report.silent == ["c@vm", "z@vm"])
        #expect(report.succeeded == false)
        #expect(report.summary == "ping — a@vm: pong; b@vm: nope; no reply from c@vm, z@vm")
    }

    @Test func everyoneAnsweredOK() {
        let report = ActionReport(action: "ping", replies: [pong], expected: ["a@vm"])
        #expect(report.silent.isEmpty)
        #expect(report.refusedBy.isEmpty)
        #expect(report.succeeded)
        #expect(report.summary == "ping — a@vm: pong")
    }

    @Test func aReplyFromANodeNotExpectedStillCounts() {
        let report = ActionReport(action: "ping", replies: [pong], expected: [])
        #expect(report.answers == ["a@vm": "pong"])
        #expect(report.succeeded)
    }

    @Test func nobodyReplied() {
        let report = ActionReport(action: "grow w1 by 1", replies: [], expected: ["w1"])
        #expect(report.silent == ["w1"])
        #expect(report.succeeded == false)
        #expect(report.summary == "grow w1 by 1 — no reply from w1")
        #expect(ActionReport(action: "x", replies: [], expected: []).summary == "x — no worker replied")
    }

    @Test func aReplyThatIsNotOkOrErrorIsShownAsIs() {
        let odd = PidboxReply(node: "a@vm", reply: .array([.int(1)]), ticket: nil)
        let report = ActionReport(action: "stats", replies: [odd], expected: ["a@vm"])
        #expect(report.answers["a@vm"] == "[1]")
        #expect(report.refusedBy.isEmpty)
        #expect(report.silent.isEmpty)
    }

    @Test func aNoteComesFirst() {
        let report = ActionReport(action: "purge celery", note: "removed 3 ready messages")
        #expect(report.succeeded)
        #expect(report.summary == "purge celery — removed 3 ready messages")
        let failed = ActionReport(action: "purge celery", refusedBy: ["broker"], note: "failed: connection refused")
        #expect(failed.succeeded == false)
    }
}

// MARK: - Retry plans

@Suite struct RetryPlanTests {
    func makeRecord(_ id: String = "t1", name: String? = "fix.add", args: String? = "(2, 3)", kwargs: String? = "{'z': 1}") -> TaskRecord {
        var record = TaskRecord(id: id, sequence: 1)
        record.name = name
        record.args = args
        record.kwargs = kwargs
        return record
    }

    func failure(_ record: TaskRecord) -> RetryPlanError? {
        do {
            _ = try RetryPlan(record: record, defaultQueue: "celery")
            return nil
        } catch {
            return error
        }
    }

    @Test func argumentsAreReadBackFromTheirReprs() throws {
        let plan = try RetryPlan(record: makeRecord(), defaultQueue: "celery")
        #expect(plan.taskID == "t1")
        #expect(plan.name == "fix.add")
        #expect(plan.args == [.int(2), .int(3)])
        #expect(plan.kwargs == ["z": .int(1)])
    }

    @Test func noArgumentsIsAnEmptyCall() throws {
        let plan = try RetryPlan(record: makeRecord(args: nil, kwargs: nil), defaultQueue: "celery")
        #expect(plan.args == [])
        #expect(plan.kwargs == [:])
    }

    @Test func theQueueComesFromTheTaskSentEvent() throws {
        var state = ClusterState()
        state.apply(taskEvent("task-sent", "t1", at: 1, host: "client",
                              ["name": "fix.add", "args": "(2, 3)", "kwargs": "{}", "queue": "hipri",
                               "exchange": "", "routing_key": "hipri"]))
        state.apply(taskEvent("task-received", "t1", at: 2, ["name": "fix.add", "args": "(2, 3)", "kwargs": "{}"]))
        let record = try #require(state.tasks["t1"])
        let plan = try RetryPlan(record: record, defaultQueue: "celery")
        #expect(plan.queue == "hipri")
        #expect(plan.routingKnown)
        #expect(plan.exchange == "")
        #expect(plan.routingKey == "hipri")
    }

    @Test func withoutATaskSentEventItIsTheDefaultQueue() throws {
        var state = ClusterState()
        state.apply(taskEvent("task-received", "t1", at: 2, ["name": "fix.add", "args": "(2, 3)"]))
        let record = try #require(state.tasks["t1"])
        let plan = try RetryPlan(record: record, defaultQueue: "celery")
        #expect(plan.queue == "celery")
        #expect(plan.routingKnown == false)
        #expect(plan.exchange == nil)
        #expect(plan.routingKey == nil)
    }

    @Test func aRoutingKeyAloneIsKnownRouting() throws {
        var record = makeRecord()
        record.routingKey = "fast"
        let plan = try RetryPlan(record: record, defaultQueue: "celery")
        #expect(plan.queue == "fast")
        #expect(plan.routingKnown)
    }

    @Test func truncatedArgsCannotBeRetried() throws {
        let cut = "('" + String(repeating: "a", count: 1023) + "...',)"  // saferepr(('a' * 2000,))
        let error = try #require(failure(makeRecord(args: cut)))
        guard case .argumentsUnusable(let id, let what, _) = error else {
            Issue.record("expected .argumentsUnusable, got \(error)")
            return
        }
        #expect(id == "t1")
        #expect(what == "args")
        #expect(error.description.hasPrefix("cannot retry t1: its args cannot be re-sent"))
        #expect(error.description.contains("saferepr"))
        #expect(error.description.contains("1024"))
    }

    @Test func truncatedKwargsCannotBeRetried() throws {
        let cut = "{'name': '" + String(repeating: "y", count: 1015) + "...', ...}"
        let error = try #require(failure(makeRecord(kwargs: cut)))
        guard case .argumentsUnusable(_, let what, _) = error else {
            Issue.record("expected .argumentsUnusable, got \(error)")
            return
        }
        #expect(what == "kwargs")
        #expect(error.description.contains("truncated by Celery's saferepr"))
    }

    @Test func argsThatAreNotLiteralsCannotBeRetried() {
        let error = failure(makeRecord(args: "(<object object at 0x7f>,)"))
        guard case .argumentsUnusable(_, "args", _) = error else {
            Issue.record("expected .argumentsUnusable for args, got \(String(describing: error))")
            return
        }
    }

    @Test func aTaskWithoutANameCannotBeRetried() {
        #expect(failure(makeRecord(name: nil)) == .nameUnknown(taskID: "t1"))
        #expect(failure(makeRecord(name: "")) == .nameUnknown(taskID: "t1"))
        #expect(RetryPlanError.nameUnknown(taskID: "t1").description.contains("celeriac call"))
    }

    @Test func sendOptionsKeepTheRecordedRoutingUnlessAnotherQueueIsChosen() throws {
        var record = makeRecord()
        record.queue = "hipri"
        record.exchange = "tasks"
        record.routingKey = "hipri.key"
        let plan = try RetryPlan(record: record, defaultQueue: "celery")
        let same = plan.sendOptions()
        #expect(same.queue == "hipri")
        #expect(same.exchange == "tasks")
        #expect(same.routingKey == "hipri.key")
        #expect(plan.sendOptions(queue: "hipri").exchange == "tasks")
        let other = plan.sendOptions(queue: "slow")
        #expect(other.queue == "slow")
        #expect(other.exchange == nil)
        #expect(other.routingKey == nil)
    }
}

// MARK: - Which queues are Celery's own plumbing

@Suite struct InternalQueueTests {
    @Test func celerysPlumbingIsInternal() {
        #expect(ClusterPoller.isInternal("celeryev.x"))
        #expect(ClusterPoller.isInternal("celeryev.6f1c2d3e-aaaa-bbbb-cccc-000000000000"))
        #expect(ClusterPoller.isInternal("celery@vm.celery.pidbox"))
        #expect(ClusterPoller.isInternal("amq.gen-abc123"))
        #expect(ClusterPoller.isInternal("d4f7c3c2-8a8b-4f0e-9a64-3b1c6f0e2a11"))  // an rpc:// reply queue
    }

    /// Celery's 28 delay levels show as one row: how many countdown tasks wait in the broker.
    @Test func theDelayLevelsFoldIntoOneRow() {
        let queues = [QueueFigures(name: "celery", ready: 5, unacknowledged: 1, consumers: 2)]
            + (0..<28).map { QueueFigures(name: "celery_delayed_\($0)", ready: $0 % 3, unacknowledged: 0, consumers: 0) }
            + [QueueFigures(name: "celery_delayed_delivery_report", ready: 7, consumers: 0)]
        let folded = QueueFigures.foldingDelayLevels(queues)
        #expect(folded.map(\.name) == ["celery", "celery_delayed_delivery_report", QueueFigures.delayLevelsName])
        #expect(folded.last?.ready == (0..<28).reduce(0) { $0 + $1 % 3 } && folded.last?.unacknowledged == 0)
        #expect(QueueFigures.foldingDelayLevels(Array(queues.prefix(1))) == Array(queues.prefix(1)))
    }

    @Test func userQueuesAreNot() {
        #expect(!ClusterPoller.isInternal("celery"))
        #expect(!ClusterPoller.isInternal("hipri"))
        #expect(!ClusterPoller.isInternal("celery.pidbox.backup"))
        #expect(!ClusterPoller.isInternal("my-queue-with-four-dashes-in-it-x"))
    }
}

// MARK: - Figures derived from events

@Suite struct ClusterStateDerivedTests {
    @Test func failuresGroupByExceptionTypeAndTaskName() throws {
        var state = ClusterState()
        let failures: [(String, String, String)] = [
            ("f1", "fix.fail", "ValueError('boom')"), ("f2", "fix.fail", "ValueError('bad input')"),
            ("f3", "fix.fail", "KeyError('k')"), ("f4", "fix.other", "ValueError: plain"),
        ]
        for (index, (id, name, exception)) in failures.enumerated() {
            let at = Double(index * 2)
            state.apply(taskEvent("task-received", id, at: at, ["name": .string(name)]))
            state.apply(taskEvent("task-failed", id, at: at + 1, ["exception": .string(exception)]))
        }
        #expect(state.failureGroups.count == 3)
        let valueErrors = try #require(state.failureGroups[FailureGroup.Key(exceptionType: "ValueError", taskName: "fix.fail")])
        #expect(valueErrors.count == 2)
        #expect(valueErrors.lastTaskID == "f2")
        #expect(valueErrors.lastException == "ValueError('bad input')")
        #expect(valueErrors.lastSeen == 3)
        #expect(state.failureGroups[FailureGroup.Key(exceptionType: "KeyError", taskName: "fix.fail")]?.count == 1)
        #expect(state.failureGroups[FailureGroup.Key(exceptionType: "ValueError", taskName: "fix.other")]?.count == 1)
    }

    @Test func aRepeatedFailureEventCountsOnce() {
        var state = ClusterState()
        state.apply(taskEvent("task-received", "f1", at: 1, ["name": "fix.fail"]))
        for _ in 0..<3 { state.apply(taskEvent("task-failed", "f1", at: 2, ["exception": "ValueError('x')"])) }
        #expect(state.failureGroups[FailureGroup.Key(exceptionType: "ValueError", taskName: "fix.fail")]?.count == 1)
    }

    @Test func aFailureWithoutNameOrExceptionStillGroups() {
        var state = ClusterState()
        state.apply(taskEvent("task-failed", "f1", at: 1))
        #expect(state.failureGroups[FailureGroup.Key(exceptionType: "unknown error", taskName: "unknown task")]?.count == 1)
    }

    @Test func childrenAreListedUnderTheirParent() {
        var state = ClusterState()
        state.apply(taskEvent("task-received", "p1", at: 1, ["name": "fix.chain"]))
        state.apply(taskEvent("task-received", "c1", at: 2, ["name": "fix.add", "parent_id": "p1", "root_id": "p1"]))
        state.apply(taskEvent("task-received", "c2", at: 3, ["name": "fix.add", "parent_id": "p1", "root_id": "p1"]))
        state.apply(taskEvent("task-succeeded", "c1", at: 4))
        state.apply(taskEvent("task-received", "c1", at: 2, ["name": "fix.add", "parent_id": "p1"]))  // a duplicate
        #expect(state.childrenByParent["p1"] == ["c1", "c2"])
        #expect(state.childrenByParent["c1"] == nil)
    }

    @Test func aTaskIsNotItsOwnChild() {
        var state = ClusterState()
        state.apply(taskEvent("task-received", "r1", at: 1, ["name": "fix.root", "parent_id": "r1"]))
        #expect(state.childrenByParent["r1"] == nil)
    }

    @Test func purgingForgetsOnlyWorkersGoneLongerThanTheAge() {
        var state = ClusterState()
        state.apply(workerEvent("worker-online", "live@vm", at: 1000))                 // alive at 1001
        state.apply(workerEvent("worker-online", "gone@vm", at: 5))
        state.apply(workerEvent("worker-offline", "gone@vm", at: 10))                  // 996 s since its heartbeat
        state.apply(workerEvent("worker-online", "recent@vm", at: 990))
        state.apply(workerEvent("worker-offline", "recent@vm", at: 995))              // offline, but only 11 s ago
        state.apply(workerEvent("worker-heartbeat", "silent@vm", at: 900))            // silent for 101 s
        let before = state.version
        state.purgeWorkers(offlineLongerThan: 60, now: 1001)
        #expect(Set(state.workers.keys) == ["live@vm", "recent@vm"])
        #expect(state.version != before)
    }

    @Test func purgingNothingChangesNothing() {
        var state = ClusterState()
        state.apply(workerEvent("worker-online", "live@vm", at: 1000))
        let before = state.version
        state.purgeWorkers(offlineLongerThan: 60, now: 1001)
        #expect(state.workers.count == 1)
        #expect(state.version == before)
    }

    @Test func aWorkerSeenOnlyInTaskEventsIsPurgedOnceTheAgePasses() {
        var state = ClusterState()
        state.apply(taskEvent("task-received", "t1", at: 1, host: "noevents@vm", ["name": "fix.add"]))
        #expect(state.workers["noevents@vm"] != nil)
        state.purgeWorkers(offlineLongerThan: 60, now: 1000)
        #expect(state.workers["noevents@vm"] == nil)
        #expect(state.tasks["t1"] != nil)  // its tasks stay
    }
}

extension TaskRecord {
    /// The same record renumbered: a restore gives tasks new arrival numbers.
    func with(sequence: Int?) -> TaskRecord {
        var copy = self
        if let sequence { copy.sequence = sequence }
        return copy
    }
}
