import Celeriac

/// What a stored result says of a task's place in a workflow: Celery's backends keep
/// `group_id` and `parent_id` with every result, and `children` — the tasks it sent — as
/// result tuples. Events carry no group, so this is how the dashboard learns one.
public struct StoredLinks: Sendable, Hashable {
    public var groupID: String?
    public var parentID: String?
    public var children: [String]

    public init(groupID: String? = nil, parentID: String? = nil, children: [String] = []) {
        self.groupID = groupID
        self.parentID = parentID
        self.children = children
    }

    public init(meta: ResultMeta) {
        groupID = meta.other["group_id"]?.stringValue
        parentID = meta.other["parent_id"]?.stringValue
        children = meta.children.flatMap(Self.taskIDs(inTuple:))
    }

    /// The task ids in a result tuple: `[[id, parent], null]` for a task, `[[group id, parent],
    /// [tuples…]]` for a group (whose members are the tasks).
    static func taskIDs(inTuple tuple: JSONValue) -> [String] {
        guard let pair = tuple.arrayValue, pair.count == 2 else { return [] }
        if let members = pair[1].arrayValue { return members.flatMap(taskIDs(inTuple:)) }
        guard let id = pair[0].arrayValue?.first?.stringValue else { return [] }
        return [id]
    }
}

extension MonitorModel {
    /// Keeps what the backend said of some tasks; bounded, as the rest of the model is.
    mutating func remember(_ links: [String: StoredLinks]) {
        if storedLinks.count + links.count > Self.storedLinksLimit { storedLinks.removeAll(keepingCapacity: true) }
        storedLinks.merge(links) { _, new in new }
        version &+= 1
    }

    static let storedLinksLimit = 20_000
}

extension ClusterActions {
    /// Reads the stored results of the task's workflow and of the tasks that arrived around
    /// it (a workflow's tasks are sent together), so the task detail can show groups and
    /// stored children. A parent the events never showed is read too: its stored parent joins
    /// the tree back together. Does nothing without a stored result backend.
    public func lookUpWorkflow(around taskID: String, neighbours: Int = 40) async {
        guard hasStoredResults else { return }
        let ids: [String] = store.read { model in
            let nodes = WorkflowTree(for: taskID, in: model).nodes
            let ids = nodes.map(\.id) + nodes.compactMap(\.missingParentID)
                + model.cluster.arrivedAround(taskID, count: neighbours)
            return Array(Set(ids)).filter { model.storedLinks[$0] == nil }
        }
        guard !ids.isEmpty else { return }
        let found = try? await link.run { app -> [String: StoredLinks] in
            guard let backend = try await app.resultBackend(), backend.isPersistent else { return [:] }
            var found: [String: StoredLinks] = [:]
            for id in ids.prefix(200) {
                if let meta = try await backend.meta(for: id) { found[id] = StoredLinks(meta: meta) }
            }
            return found
        }
        guard let found, !found.isEmpty else { return }
        store.update { $0.remember(found) }
    }
}
