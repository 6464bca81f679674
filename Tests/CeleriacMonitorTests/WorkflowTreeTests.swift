@testable import Celeriac
@testable import CeleriacMonitor
import Foundation
import Testing

/// The task detail's workflow tree: parents and children from the events, groups and
/// children from stored results, bounded.
@Suite struct WorkflowTreeTests {
    static func received(_ id: String, _ name: String, parent: String? = nil, root: String? = nil) -> CeleryEvent {
        var fields: [String: JSONValue] = ["uuid": .string(id), "name": .string(name)]
        if let parent { fields["parent_id"] = .string(parent) }
        fields["root_id"] = .string(root ?? id)
        return CeleryEvent(type: "task-received", hostname: "w1@host", timestamp: 1, fields: fields)
    }

    @Test func aChainHangsFromItsFirstTaskWhicheverStepIsOpen() {
        var model = MonitorModel()
        model.apply(Self.received("a", "demo.add"))
        model.apply(Self.received("b", "demo.mul", parent: "a", root: "a"))
        model.apply(Self.received("c", "demo.add", parent: "b", root: "a"))
        model.apply(Self.received("x", "demo.other"))
        for open in ["a", "b", "c"] {
            let tree = WorkflowTree(for: open, in: model)
            #expect(tree.nodes.map(\.id) == ["a", "b", "c"] && tree.nodes.map(\.depth) == [0, 1, 2], "opened at \(open)")
        }
        #expect(WorkflowTree(for: "x", in: model).isTrivial)
    }

    /// A client's group shares no parent: its members come from the group the stored
    /// results name, after the tree; a stored child the events never showed is listed too.
    @Test func groupMembersAndStoredChildrenComeFromTheBackend() {
        var model = MonitorModel()
        for id in ["m1", "m2", "body"] { model.apply(Self.received(id, id == "body" ? "demo.xsum" : "demo.add")) }
        model.remember(["m1": StoredLinks(groupID: "g"), "m2": StoredLinks(groupID: "g", children: ["unseen"]),
                        "body": StoredLinks(groupID: "g", parentID: "m2")])
        let tree = WorkflowTree(for: "body", in: model)
        #expect(tree.nodes.map(\.id) == ["m2", "body", "unseen", "m1"])
        #expect(tree.nodes.first { $0.id == "unseen" }?.storedOnly == true)
        #expect(tree.nodes.first { $0.id == "m1" }?.groupMember == true)
        #expect(tree.nodes.first { $0.id == "body" }?.groupID == "g")
    }

    /// A chain a → b → c → d whose b the dashboard never heard of: c's parent is unknown, so c
    /// (and d under it) hang under the root the events name, marked, from whichever task is
    /// open — not split into two trees.
    @Test func aTaskWhoseParentWasMissedHangsUnderItsRoot() {
        var model = MonitorModel()
        model.apply(Self.received("a", "demo.add"))
        model.apply(Self.received("c", "demo.add", parent: "b", root: "a"))
        model.apply(Self.received("d", "demo.mul", parent: "c", root: "a"))
        model.apply(Self.received("x", "demo.other"))
        for open in ["a", "c", "d"] {
            let tree = WorkflowTree(for: open, in: model)
            #expect(tree.nodes.map(\.id) == ["a", "c", "d"] && tree.nodes.map(\.depth) == [0, 1, 2], "opened at \(open)")
            #expect(tree.nodes.map(\.missingParentID) == [nil, "b", nil], "opened at \(open)")
            #expect(!tree.nodes.contains { $0.storedOnly || $0.unseen }, "opened at \(open)")
        }
        #expect(WorkflowTree(for: "x", in: model).isTrivial)

        // The backend knows b (the detail reads the missing parent's stored result): the chain is whole.
        model.remember(["b": StoredLinks(parentID: "a")])
        let whole = WorkflowTree(for: "d", in: model)
        #expect(whole.nodes.map(\.id) == ["a", "b", "c", "d"] && whole.nodes.map(\.depth) == [0, 1, 2, 3])
        #expect(whole.nodes.map(\.storedOnly) == [false, true, false, false])
        #expect(whole.nodes.allSatisfy { $0.missingParentID == nil })
    }

    /// The root named by root_id is drawn even when nothing else knows it, as such; with no
    /// root_id at all, the unknown parent itself is on top, as the events name it.
    @Test func aRootOrParentOnlyNamedByIDsIsDrawnAsUnseen() {
        var model = MonitorModel()
        model.apply(Self.received("c", "demo.add", parent: "b", root: "a"))
        let tree = WorkflowTree(for: "c", in: model)
        #expect(tree.nodes.map(\.id) == ["a", "c"] && tree.nodes.map(\.depth) == [0, 1])
        #expect(tree.nodes.map(\.unseen) == [true, false] && tree.nodes.map(\.storedOnly) == [false, false])
        #expect(tree.nodes.map(\.missingParentID) == [nil, "b"])

        // The parent is the root: the child is under its own parent, nothing to mark.
        model.apply(Self.received("q", "demo.add", parent: "p", root: "p"))
        let direct = WorkflowTree(for: "q", in: model)
        #expect(direct.nodes.map(\.id) == ["p", "q"] && direct.nodes.map(\.unseen) == [true, false])
        #expect(direct.nodes.allSatisfy { $0.missingParentID == nil })

        model.apply(CeleryEvent(type: "task-received", hostname: "w1@host", timestamp: 1,
                                fields: ["uuid": "z", "name": "demo.add", "parent_id": "y"]))
        let bare = WorkflowTree(for: "z", in: model)
        #expect(bare.nodes.map(\.id) == ["y", "z"] && bare.nodes.map(\.unseen) == [true, false])
    }

    /// Celery's chord body carries the header's group id and the id of the header task that
    /// completed the chord as its parent (fixture chord-phase-task-fix_xsum-1 and its stored
    /// meta): the stored results label it. A group after a task shares a parent outside the
    /// group, so its members are no body; events alone name no group, so nothing is labelled.
    @Test func theChordBodyIsLabelledFromTheStoredGroups() {
        var model = MonitorModel()
        model.apply(Self.received("m1", "demo.mul"))
        model.apply(Self.received("m2", "demo.mul"))
        model.apply(Self.received("body", "demo.xsum", parent: "m2", root: "m2"))
        #expect(WorkflowTree(for: "body", in: model).nodes.allSatisfy { !$0.chordBody }, "events alone")

        model.remember(["m1": StoredLinks(groupID: "g"), "m2": StoredLinks(groupID: "g"),
                        "body": StoredLinks(groupID: "g", parentID: "m2")])
        for open in ["m1", "m2", "body"] {
            let tree = WorkflowTree(for: open, in: model)
            #expect(tree.nodes.filter(\.chordBody).map(\.id) == ["body"], "opened at \(open)")
            #expect(Set(tree.nodes.map(\.id)) == ["m1", "m2", "body"], "opened at \(open)")
        }
        // From a header task that did not complete the chord: the other header task, then the body under it.
        let fromM1 = WorkflowTree(for: "m1", in: model)
        #expect(fromM1.nodes.map(\.id) == ["m1", "m2", "body"] && fromM1.nodes.map(\.depth) == [0, 0, 1])

        model.apply(Self.received("a", "demo.add"))
        for id in ["b", "c"] { model.apply(Self.received(id, "demo.mul", parent: "a", root: "a")) }
        model.remember(["b": StoredLinks(groupID: "h", parentID: "a"), "c": StoredLinks(groupID: "h", parentID: "a"),
                        "a": StoredLinks()])
        #expect(WorkflowTree(for: "b", in: model).nodes.allSatisfy { !$0.chordBody })
    }

    @Test func aParentLoopOrAHugeFanOutStaysBounded() {
        var model = MonitorModel()
        model.remember(["p": StoredLinks(parentID: "q"), "q": StoredLinks(parentID: "p")])
        #expect(WorkflowTree(for: "p", in: model).nodes.count == 2)
        model.apply(Self.received("root", "demo.fanout"))
        for index in 0..<500 { model.apply(Self.received("child-\(index)", "demo.fib", parent: "root", root: "root")) }
        #expect(WorkflowTree(for: "root", in: model).nodes.count == WorkflowTree.nodeLimit)
    }

    /// Celery's result tuples: `[[id, parent], null]` for a task, `[[gid, parent], [...]]`
    /// for a group.
    @Test func storedChildrenAreReadFromCelerysResultTuples() {
        let meta = ResultMeta(taskID: "t", status: .success, children: [
            [["c1", .null], .null],
            [["g", .null], [[["c2", .null], .null], [["c3", .null], .null]]],
        ], other: ["group_id": "g0", "parent_id": "p"])
        #expect(StoredLinks(meta: meta) == StoredLinks(groupID: "g0", parentID: "p", children: ["c1", "c2", "c3"]))
    }
}
