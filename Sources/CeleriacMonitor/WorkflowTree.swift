import Celeriac

/// The workflow a task belongs to, as a tree to draw: from the top of its parent chain down
/// through every child the events (parent_id) or the stored results (children) name, then
/// the members of its group that are not in the tree already (a group's tasks share no
/// parent when a client sent them). Bounded, so a huge fan-out draws quickly.
public struct WorkflowTree: Sendable, Hashable {
    public struct Node: Sendable, Hashable {
        public var id: String
        /// Indentation: 0 for the top and for group members listed after the tree.
        public var depth: Int
        public var name: String?
        public var state: TaskState?
        /// The stored group id, when the result backend named one.
        public var groupID: String?
        /// Only the result backend knows of this task (its events were never seen or dropped).
        public var storedOnly: Bool
        /// Listed as a member of the task's group, not found through parents.
        public var groupMember: Bool
    }

    public private(set) var nodes: [Node] = []
    public static let nodeLimit = 200

    /// Whether the task stands alone: no parent, no children, no group.
    public var isTrivial: Bool { nodes.count <= 1 }

    public init(for taskID: String, in model: MonitorModel) {
        let cluster = model.cluster
        func parent(of id: String) -> String? {
            cluster.tasks[id]?.parentID ?? model.storedLinks[id]?.parentID
        }
        // Stored parents point up; the tree needs them pointing down too.
        var storedChildren: [String: [String]] = [:]
        for (id, links) in model.storedLinks {
            if let parent = links.parentID, parent != id { storedChildren[parent, default: []].append(id) }
        }
        func children(of id: String) -> [String] {
            var seen = Set<String>()
            let all = (cluster.childrenByParent[id] ?? []) + (storedChildren[id] ?? []) + (model.storedLinks[id]?.children ?? [])
            return all.filter { seen.insert($0).inserted }
                .sorted { (cluster.tasks[$0]?.sequence ?? .max, $0) < (cluster.tasks[$1]?.sequence ?? .max, $1) }
        }
        var top = taskID
        var climbed = Set([taskID])
        while let up = parent(of: top), up != top, climbed.insert(up).inserted, climbed.count < 64 { top = up }

        var visited = Set<String>()
        func add(_ id: String, depth: Int, groupMember: Bool) {
            guard nodes.count < Self.nodeLimit, visited.insert(id).inserted else { return }
            let record = cluster.tasks[id]
            nodes.append(Node(id: id, depth: depth, name: record?.name, state: record?.state,
                              groupID: model.storedLinks[id]?.groupID, storedOnly: record == nil, groupMember: groupMember))
            for child in children(of: id) { add(child, depth: depth + 1, groupMember: false) }
        }
        add(top, depth: 0, groupMember: false)
        if let group = model.storedLinks[taskID]?.groupID {
            let members = model.storedLinks.filter { $0.value.groupID == group }.keys
                .sorted { (cluster.tasks[$0]?.sequence ?? .max) < (cluster.tasks[$1]?.sequence ?? .max) }
            for member in members where !visited.contains(member) { add(member, depth: 0, groupMember: true) }
        }
    }
}
