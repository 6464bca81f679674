import Foundation

/// Turns a signature (a task, chain, group or chord, nested as deep as you like) into the
/// messages Celery would publish for it, following Celery 5's `apply_async` of each primitive:
///
/// - a chain freezes every step (a task id each), sends its first step and carries the rest,
///   reversed, in `embed.chain`; a group followed by anything becomes a chord;
/// - a group gives each member the group's id and its `group_index`;
/// - a chord freezes its body (task id, the header's group id), gives every header task the
///   body as `embed.chord`, and tells the backend how many results complete it.
///
/// Inside a worker, `sender` is the running task: what it sends names it as parent and
/// shares its root, as Celery's `send_task` does for `current_worker_task`.
public struct CanvasPlanner {
    /// Frozen into every signature that has no `reply_to` (Celery's `app.thread_oid`).
    public var replyTo: String?
    public var sender: (taskID: String, rootID: String)?
    var newID: () -> String = { UUID().uuidString.lowercased() }
    private var plan = CanvasPlan()

    public init(replyTo: String?, sender: (taskID: String, rootID: String)? = nil) {
        self.replyTo = replyTo
        self.sender = sender
    }

    /// The plan for `signature` called with partial `args` and `kwargs` and extra options
    /// (Celery's `signature.apply_async(args, kwargs, **options)`).
    public static func plan(_ signature: Signature, args: [JSONValue] = [], kwargs: [String: JSONValue] = [:],
                            options: [String: JSONValue] = [:], replyTo: String?,
                            sender: (taskID: String, rootID: String)? = nil) throws(CanvasError) -> CanvasPlan {
        var planner = CanvasPlanner(replyTo: replyTo, sender: sender)
        try planner.add(signature, args: args, kwargs: kwargs, options: options)
        return planner.planned
    }

    /// Everything added so far; `result` is the last one added.
    public var planned: CanvasPlan { plan }

    /// Adds what applying `signature` publishes to the plan and returns its result's id.
    @discardableResult
    public mutating func add(_ signature: Signature, args: [JSONValue] = [], kwargs: [String: JSONValue] = [:],
                             options: [String: JSONValue] = [:]) throws(CanvasError) -> CanvasResultID {
        do {
            plan.result = try apply(signature, args: args, kwargs: kwargs, options: options)
            return plan.result
        } catch let error as SignatureError {
            throw .invalidSignature(error)
        } catch let error as CanvasError {
            throw error
        } catch {
            preconditionFailure("only signature and canvas errors are thrown here: \(error)")
        }
    }

    // MARK: Applying

    private mutating func apply(_ signature: Signature, args: [JSONValue], kwargs: [String: JSONValue],
                                options: [String: JSONValue]) throws -> CanvasResultID {
        switch try signature.kind() {
        case .task: return applyTask(signature, args: args, kwargs: kwargs, options: options)
        case .chain(let steps): return try applyChain(signature, steps: steps, args: args, kwargs: kwargs, options: options)
        case .group(let members): return try applyGroup(signature, members: members, args: args, kwargs: kwargs, options: options)
        case .chord(let header, let body):
            return try applyChord(signature, header: header, body: body, args: args, kwargs: kwargs, options: options)
        case .chunks(let group): return try apply(group, args: args, kwargs: kwargs, options: options)
        }
    }

    private mutating func applyTask(_ signature: Signature, args: [JSONValue], kwargs: [String: JSONValue],
                                    options: [String: JSONValue]) -> CanvasResultID {
        var merged = signature.options.merging(options) { _, call in call }
        let id = merged["task_id"]?.stringValue ?? newID()
        merged["task_id"] = .string(id)
        if let sender {
            if merged["parent_id"]?.stringValue == nil { merged["parent_id"] = .string(sender.taskID) }
            if merged["root_id"]?.stringValue == nil { merged["root_id"] = .string(sender.rootID) }
        }
        let called = signature.prepending(args, kwargs: kwargs)
        // A map or starmap is routed as the task it runs (Celery's `route_name`).
        let routeName = ["xmap", "xstarmap"].contains(signature.subtaskType ?? "")
            ? signature.kwargs["task"]?["task"]?.stringValue : nil
        plan.messages.append(.init(name: signature.task, routeName: routeName, args: called.args, kwargs: called.kwargs,
                                   options: TaskSendOptions(signatureOptions: merged),
                                   replyTo: merged["reply_to"]?.stringValue ?? replyTo))
        return .task(id)
    }

    /// Celery's `_chain.run` with `prepare_steps`: steps are frozen last to first, so each
    /// knows its id before the one before it carries it.
    private mutating func applyChain(_ signature: Signature, steps: [Signature], args: [JSONValue],
                                     kwargs: [String: JSONValue], options: [String: JSONValue]) throws -> CanvasResultID {
        var options = signature.options.merging(options) { _, call in call }
        let args = signature.immutable ? signature.args : args + signature.args
        let consumed = ChainOptions(taking: &options)
        var prepared = try prepareSteps(steps, args: args, kwargs: kwargs, consumed)
        guard let first = prepared.steps.popLast() else { return .task(consumed.taskID ?? newID()) }
        if !consumed.link.isEmpty, !prepared.steps.isEmpty {
            prepared.steps[0].appendOption("link", consumed.link)
        }
        let carried = (options["chain"]?.arrayValue ?? []) + prepared.steps.map(\.json)
        options["chain"] = .array(carried)
        var firstStep = first
        if prepared.steps.isEmpty, !consumed.link.isEmpty { firstStep.appendOption("link", consumed.link) }
        let applied = try apply(firstStep, args: [], kwargs: [:], options: options)
        return prepared.steps.isEmpty ? applied : prepared.lastResult
    }

    /// A group's members, each frozen with the group's id and its index, sent in order; the
    /// last one of a chord header sets the chord's size first, as Celery's `_apply_tasks` does.
    private mutating func applyGroup(_ signature: Signature, members: [Signature], args: [JSONValue],
                                     kwargs: [String: JSONValue], options: [String: JSONValue]) throws -> CanvasResultID {
        var options = signature.options.merging(options) { _, call in call }
        if options["link"].map({ !$0.isNull }) == true || options["link_error"].map({ !$0.isNull }) == true {
            throw CanvasError.linkOnGroup
        }
        let groupID = options.removeValue(forKey: "task_id")?.stringValue ?? newID()
        options["group_id"] = .string(groupID)
        let rootID = options["root_id"]?.stringValue
        let args = signature.immutable ? signature.args : args + signature.args
        options.removeValue(forKey: "group_index")
        let chordOption = options.removeValue(forKey: "chord")
        var results: [CanvasResultID] = []
        let unrolled = try unroll(members)
        var chordSize = 0
        for (position, (index, member)) in unrolled.enumerated() {
            var member = member
            _ = try freeze(&member, groupID: groupID, rootID: rootID, groupIndex: index)
            let chord = chordOption ?? member.options["chord"]
            chordSize += try Self.chordSize(of: member)
            if let chord, !chord.isNull, position == unrolled.count - 1 {
                plan.chordSizes.append(.init(groupID: groupID, size: chordSize))
            }
            var memberOptions = options
            if let chord, !chord.isNull { memberOptions["chord"] = chord }
            results.append(try apply(member, args: args, kwargs: kwargs, options: memberOptions))
        }
        return .group(groupID, results)
    }

    /// Celery's `_chord.run`: the body is frozen first (its id, the header's group id), then
    /// every header task is frozen with the body as its chord. An empty header runs the body
    /// at once with an empty list.
    private mutating func applyChord(_ signature: Signature, header: [Signature], body: Signature?, args: [JSONValue],
                                     kwargs: [String: JSONValue], options: [String: JSONValue]) throws -> CanvasResultID {
        var options = signature.options.merging(options) { _, call in call }
        let args = signature.immutable ? signature.args : args + signature.args
        let headerGroup = signature.kwargs["header"].flatMap { try? Signature(json: $0) }
        let groupID = headerGroup?.options["task_id"]?.stringValue ?? newID()
        let bodyTaskID = options.removeValue(forKey: "task_id")?.stringValue ?? newID()
        guard var body else {
            return try applyGroup(Signature.group(header, options: ["task_id": .string(groupID)]), members: header,
                                  args: args, kwargs: kwargs, options: options)
        }
        let rootID = body.options["root_id"]?.stringValue
        body.options.merge(options) { _, chordOption in chordOption }
        let bodyResult = try freeze(&body, taskID: bodyTaskID, groupID: groupID, rootID: rootID)
        for key in ["chain", "chord", "task_id", "link", "link_error"] { options.removeValue(forKey: key) }
        guard !header.isEmpty else {
            _ = try apply(body, args: [.array([])], kwargs: [:], options: [:])
            return bodyResult
        }
        var group = Signature.group(header, options: (headerGroup?.options ?? [:]).merging(["task_id": .string(groupID)]) { _, id in id })
        _ = try freeze(&group, chord: body, rootID: rootID)
        options["task_id"] = .string(groupID)
        let members = try group.groupMembers()
        _ = try applyGroup(group, members: members, args: args, kwargs: kwargs, options: options)
        return bodyResult
    }

    // MARK: Preparing a chain

    /// The options `_chain.run` takes by name: the rest go to the chain's first task.
    private struct ChainOptions {
        var taskID: String?
        var groupID: String?
        var groupIndex: Int?
        var chord: Signature?
        var rootID: String?
        var link: [JSONValue]
        var linkError: [JSONValue]

        init(taking options: inout [String: JSONValue]) {
            taskID = options.removeValue(forKey: "task_id")?.stringValue
            groupID = options.removeValue(forKey: "group_id")?.stringValue
            groupIndex = options.removeValue(forKey: "group_index")?.intValue
            chord = options.removeValue(forKey: "chord").flatMap { try? Signature(json: $0) }
            rootID = options.removeValue(forKey: "root_id")?.stringValue
            options.removeValue(forKey: "parent_id")
            link = Self.list(options.removeValue(forKey: "link"))
            linkError = Self.list(options.removeValue(forKey: "link_error"))
        }

        private static func list(_ value: JSONValue?) -> [JSONValue] {
            guard let value, !value.isNull else { return [] }
            return value.arrayValue ?? [value]
        }
    }

    /// Steps frozen last to first. `steps` comes back reversed, as `embed.chain` holds them;
    /// `lastResult` is what the chain's caller waits on.
    private mutating func prepareSteps(_ steps: [Signature], args: [JSONValue], kwargs: [String: JSONValue],
                                       _ chain: ChainOptions) throws -> (steps: [Signature], lastResult: CanvasResultID) {
        var pending = steps
        var prepared: [Signature] = []
        var lastResult: CanvasResultID = .task("")
        while var step = pending.popLast() {
            let isFirst = pending.isEmpty
            let isLast = prepared.isEmpty
            if case .group(let members) = try step.kind() {
                if members.count == 1 {
                    step = members[0]
                } else if members.isEmpty, !isFirst || !prepared.isEmpty {
                    continue
                }
            }
            if case .chain(let inner) = try step.kind() {
                pending.append(contentsOf: inner)  // its first step is first now, and gets the args
                continue
            }
            if isFirst { step = step.prepending(args, kwargs: kwargs) }
            if case .group = try step.kind(), let next = prepared.popLast() {
                // group | task is a chord whose body is that task.
                var chordOptions: [String: JSONValue] = [:]
                chordOptions["task_id"] = next.options["task_id"]
                chordOptions["root_id"] = chain.rootID.map(JSONValue.string)
                step = Signature.chord(header: step, body: next, options: chordOptions)
            }
            let result = isLast
                ? try freeze(&step, taskID: chain.taskID, groupID: chain.groupID, chord: chain.chord,
                             rootID: chain.rootID, groupIndex: chain.groupIndex)
                : try freeze(&step, rootID: chain.rootID)
            if isLast { lastResult = result }
            if !chain.linkError.isEmpty {
                step.appendOption("link_error", chain.linkError)
                if case .chord(_, var body?) = try step.kind() {
                    body.appendOption("link_error", chain.linkError)
                    step.kwargs["body"] = body.json
                }
            }
            prepared.append(step)
        }
        return (prepared, lastResult)
    }

    // MARK: Freezing

    /// Celery's `freeze`: gives the signature (and every task inside it) a task id, and
    /// records the group, chord, root and parent it belongs to. Returns the result id.
    @discardableResult
    private mutating func freeze(_ signature: inout Signature, taskID: String? = nil, groupID: String? = nil,
                                 chord: Signature? = nil, rootID: String? = nil, parentID: String? = nil,
                                 groupIndex: Int? = nil) throws -> CanvasResultID {
        switch try signature.kind() {
        case .task:
            let id = signature.options["task_id"]?.stringValue ?? taskID ?? newID()
            signature.options["task_id"] = .string(id)
            if let rootID { signature.options["root_id"] = .string(rootID) }
            if let parentID { signature.options["parent_id"] = .string(parentID) }
            if signature.options["reply_to"] == nil, let replyTo { signature.options["reply_to"] = .string(replyTo) }
            if let groupID, signature.options["group_id"] == nil { signature.options["group_id"] = .string(groupID) }
            if let chord { signature.options["chord"] = chord.json }
            if let groupIndex { signature.options["group_index"] = .int(groupIndex) }
            return .task(id)
        case .group:
            let id = signature.options["task_id"]?.stringValue ?? groupID ?? newID()
            signature.options["task_id"] = .string(id)
            if let groupID { signature.options["group_id"] = .string(groupID) }
            if let chord { signature.options["chord"] = chord.json }
            if let groupIndex { signature.options["group_index"] = .int(groupIndex) }
            let root = signature.options["root_id"]?.stringValue ?? rootID
            let parent = signature.options["parent_id"]?.stringValue ?? parentID
            var members: [Signature] = []
            var results: [CanvasResultID] = []
            for (index, member) in try unroll(try signature.groupMembers()) {
                var member = member
                results.append(try freeze(&member, groupID: id, chord: chord, rootID: root, parentID: parent,
                                          groupIndex: index))
                members.append(member)
            }
            signature.kwargs["tasks"] = .array(members.map(\.json))
            return .group(id, results)
        case .chain(var steps):
            guard !steps.isEmpty else { return .task(taskID ?? newID()) }
            var last: CanvasResultID = .task("")
            for position in steps.indices {
                if position == steps.count - 1 {
                    last = try freeze(&steps[position], taskID: taskID, groupID: groupID, chord: chord, rootID: rootID,
                                      parentID: parentID, groupIndex: groupIndex)
                } else {
                    try freeze(&steps[position], rootID: rootID)
                }
            }
            signature.kwargs["tasks"] = .array(steps.map(\.json))
            return last
        case .chunks(let group):
            signature = group
            return try freeze(&signature, taskID: taskID, groupID: groupID, chord: chord, rootID: rootID, parentID: parentID,
                              groupIndex: groupIndex)
        case .chord(let header, var body):
            var result: CanvasResultID = .task(taskID ?? newID())
            if body != nil {
                result = try freeze(&body!, taskID: taskID, groupID: groupID, chord: chord, rootID: rootID,
                                    groupIndex: groupIndex)
                signature.kwargs["body"] = body!.json
            }
            let headerOptions = signature.kwargs["header"].flatMap { try? Signature(json: $0) }?.options ?? [:]
            var group = Signature.group(header, options: headerOptions)
            try freeze(&group, chord: body, rootID: rootID, parentID: parentID)
            signature.kwargs["header"] = group.json
            return result
        }
    }

    /// A group's members with nested groups spliced in, each with its index in its own group,
    /// as Celery's `_prepared` numbers them.
    private func unroll(_ members: [Signature]) throws -> [(index: Int, member: Signature)] {
        var unrolled: [(Int, Signature)] = []
        for (index, member) in members.enumerated() {
            if case .group(let inner) = try member.kind() {
                let nested = try unroll(inner.map { member.immutable ? $0 : $0.prepending(member.args, kwargs: member.kwargs) })
                unrolled.append(contentsOf: nested)
            } else {
                unrolled.append((index, member))
            }
        }
        return unrolled
    }

    /// How many results a signature adds to a chord it is part of: one per task; a group's
    /// members each; a chain its last non-empty step; a chord its body. Celery's `_descend`.
    static func chordSize(of signature: Signature) throws -> Int {
        switch try signature.kind() {
        case .task: return 1
        case .group(let members): return try members.reduce(0) { $0 + (try chordSize(of: $1)) }
        case .chain(let steps):
            for step in steps.reversed() {
                let size = try chordSize(of: step)
                if size > 0 { return size }
            }
            return 0
        case .chord(_, let body): return try body.map(chordSize(of:)) ?? 0
        case .chunks(let group): return try chordSize(of: group)
        }
    }
}

extension Signature {
    /// Adds signatures to a list option (`link`, `link_error`), keeping those already there.
    mutating func appendOption(_ key: String, _ values: [JSONValue]) {
        let existing = options[key].flatMap { $0.isNull ? nil : ($0.arrayValue ?? [$0]) } ?? []
        options[key] = .array(existing + values)
    }
}
