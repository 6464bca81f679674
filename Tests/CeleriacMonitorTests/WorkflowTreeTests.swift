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
