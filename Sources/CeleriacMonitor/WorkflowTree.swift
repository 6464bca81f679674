import Celeriac

/// The workflow a task belongs to, as a tree to draw: from the top of its parent chain down
/// through every child the events (parent_id) or the stored results (children) name, then
/// the members of its group that are not in the tree already (a group's tasks share no
/// parent when a client sent them). Bounded, so a huge fan-out draws quickly.
///
/// When a task's parent_id names a task neither the events nor the stored results know (its
/// events were missed or dropped), the climb stops there and the task hangs under its root,
/// from the events' root_id, marked with the parent it could not find: one workflow stays one
/// tree. Its root is drawn even when only root_id names it.
///
/// A chord's body is labelled when the stored results say so: Celery freezes the body with
/// the header's group id and sends it from the header task that completed the chord, so the
/// body's stored group is its parent's stored group, which no group member's parent shares
/// (header tasks have no parent, or the task before the chord). Events carry no group, so
/// without a stored result backend the body is drawn as a child of that header task, unlabelled.
public struct WorkflowTree: Sendable, Hashable {
    public struct Node: Sendable, Hashable {
        public var id: String
        /// Indentation: 0 for the top and for group members listed after the tree.
        public var depth: Int
        public var name: String?
        public var state: TaskState?
        /// The stored group id, when the result backend named one.
        public var groupID: String?
        /// No events for this task, but the result backend knows it: its stored result, or a
        /// stored result naming it as a child.
        public var storedOnly: Bool
        /// Neither events nor stored results: only another task's root_id or parent_id names it.
        public var unseen: Bool
        /// Listed as a member of the task's group, not found through parents.
        public var groupMember: Bool
        /// Its parent_id names this task, which nothing else knows; the node hangs under its
        /// root (root_id) instead.
        public var missingParentID: String?
        /// The body of the chord whose header is the group `groupID` (from stored results).
        public var chordBody: Bool
    }

    public private(set) var nodes: [Node] = []
    public static let nodeLimit = 200
    /// How far a parent chain is climbed: a longer one (or a loop) stops there.
    static let climbLimit = 64

    /// Whether the task stands alone: no parent, no children, no group.
    public var isTrivial: Bool { nodes.count <= 1 }

    public init(for taskID: String, in model: MonitorModel) {
        let cluster = model.cluster
        let stored = model.storedLinks
        func parent(of id: String) -> String? {
            cluster.tasks[id]?.parentID ?? stored[id]?.parentID
        }
        // Stored parents point up; the tree needs them pointing down too.
        var storedChildren: [String: [String]] = [:]
        var namedByBackend = Set<String>()
        for (id, links) in stored {
            if let parent = links.parentID, parent != id { storedChildren[parent, default: []].append(id) }
            namedByBackend.formUnion(links.children)
        }
        func hasEvents(_ id: String) -> Bool { cluster.tasks.contains(id) }
        func knownToBackend(_ id: String) -> Bool { stored[id] != nil || namedByBackend.contains(id) }
        func isKnown(_ id: String) -> Bool { hasEvents(id) || knownToBackend(id) }
        func children(of id: String) -> [String] {
            var seen = Set<String>()
            let all = (cluster.childrenByParent[id] ?? []) + (storedChildren[id] ?? []) + (stored[id]?.children ?? [])
            return all.filter { seen.insert($0).inserted }
                .sorted { (cluster.tasks[$0]?.sequence ?? .max, $0) < (cluster.tasks[$1]?.sequence ?? .max, $1) }
        }
        /// Up the known parents from `id`: the path, `id` first, and the parent it stopped at
        /// because nothing knows it (nil when the top has no parent, or on a loop).
        func climb(from id: String) -> (path: [String], missingParent: String?) {
            var path = [id]
            var climbed = Set(path)
            while path.count < Self.climbLimit, let up = parent(of: path[path.count - 1]), up != path[path.count - 1] {
                guard isKnown(up) else { return (path, up) }
                guard climbed.insert(up).inserted else { break }
                path.append(up)
            }
            return (path, nil)
        }
        func isChordBody(_ id: String) -> Bool {
            guard let group = stored[id]?.groupID, let parent = parent(of: id), parent != id else { return false }
            return stored[parent]?.groupID == group
        }

        let (path, missingParent) = climb(from: taskID)
        var top = path[path.count - 1]
        var orphans: [(id: String, missingParent: String)] = []
        if let missingParent {
            // The root the events name (the path's tasks agree on it; the highest that says wins).
            // Without one, the missing parent itself is drawn on top, unseen, as the events name it.
            let root = path.lazy.reversed().compactMap { cluster.tasks[$0]?.rootID }.first { !path.contains($0) }
            if let root, root != missingParent { orphans.append((top, missingParent)) }
            top = root ?? missingParent
        }

        var visited = Set<String>()
        func add(_ id: String, depth: Int, groupMember: Bool = false, missingParent: String? = nil) {
            guard nodes.count < Self.nodeLimit, visited.insert(id).inserted else { return }
            let record = cluster.tasks[id]
            nodes.append(Node(id: id, depth: depth, name: record?.name, state: record?.state, groupID: stored[id]?.groupID,
                              storedOnly: record == nil && knownToBackend(id), unseen: record == nil && !knownToBackend(id),
                              groupMember: groupMember, missingParentID: missingParent, chordBody: isChordBody(id)))
            for child in children(of: id) { add(child, depth: depth + 1) }
        }
        add(top, depth: 0)

        // Other tasks of this root whose parent nothing knows hang under it too. Events are not
        // indexed by root, but the events' children by parent hold them under that unknown
        // parent: one lookup per parent, far fewer than the tasks, and most are known at once.
        if nodes.count < Self.nodeLimit {
            var orphanIDs = Set(orphans.map(\.id))
            for (parent, children) in cluster.childrenByParent where !isKnown(parent) && !visited.contains(parent) {
                for child in children where cluster.tasks[child]?.rootID == top && !visited.contains(child) {
                    if orphanIDs.insert(child).inserted { orphans.append((child, parent)) }
                }
            }
        }
        orphans.sort { (cluster.tasks[$0.id]?.sequence ?? .max, $0.id) < (cluster.tasks[$1.id]?.sequence ?? .max, $1.id) }
        for orphan in orphans { add(orphan.id, depth: 1, missingParent: orphan.missingParent) }

        if let group = stored[taskID]?.groupID {
            // The chord body last: it shares the header's group but runs after it.
            let members = stored.filter { $0.value.groupID == group }.keys
                .map { (id: $0, body: isChordBody($0)) }
                .sorted { (!$0.body ? 0 : 1, cluster.tasks[$0.id]?.sequence ?? .max, $0.id)
                    < (!$1.body ? 0 : 1, cluster.tasks[$1.id]?.sequence ?? .max, $1.id) }
            for member in members where !visited.contains(member.id) { add(member.id, depth: 0, groupMember: true) }
        }
    }
}
