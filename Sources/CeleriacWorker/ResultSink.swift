import Celeriac
import Foundation

/// Where a worker puts task states: for `rpc://`, a message to the caller's reply queue in
/// the shape Celery's rpc backend sends (body = the meta, correlation_id = the task id); for
/// a stored backend, the backend. Without a backend, nothing is stored.
struct ResultSink: Sendable {
    let transport: any BrokerTransport
    let backend: (any ResultBackend)?
    /// `result_extended`: name, args, kwargs, worker, retries and queue stored too.
    let extended: Bool
    let hostname: String

    /// Stores a state. When it ends a chord's header task, the part is counted in the same
    /// step, and the chord's results come back if this part completed it.
    @discardableResult
    func store(_ status: TaskState, result: JSONValue, traceback: String? = nil, children: [String] = [],
               for message: TaskMessage, queue: String?) async throws -> ChordJoin? {
        guard let backend else { return nil }
        if status.isReady, message.embed.chord != nil, let groupID = message.groupID,
           let chords = backend as? any ChordStore {
            let meta = self.meta(status, result: result, traceback: traceback, children: children, for: message, queue: queue)
            return try await chords.storeChordPart(meta, groupID: groupID, groupIndex: message.groupIndex)
        }
        guard !message.ignoreResult else { return nil }
        let meta = self.meta(status, result: result, traceback: traceback, children: children, for: message, queue: queue)
        if backend.isPersistent {
            try await backend.store(meta)
        } else if let replyTo = message.replyTo {
            try await reply(meta, to: replyTo, correlationID: message.properties.correlationID ?? message.id)
        }
        return nil
    }

    /// Stores a chained step that will now never run as failed, as Celery's `_fail_chain`
    /// does. A step in a chord's header counts toward the chord, unless it had failed already
    /// and so was counted then; the chord's results come back if this completed it.
    func storeChainedFailure(_ step: Signature, error: CeleryError) async throws -> ChordJoin? {
        guard let backend, let taskID = step.options["task_id"]?.stringValue else { return nil }
        var meta = ResultMeta(taskID: taskID, status: .failure, result: error.json, traceback: error.traceback,
                              dateDone: Date())
        let groupID = step.options["group_id"]?.stringValue
        if let groupID { meta.other["group_id"] = .string(groupID) }
        if let parent = step.options["parent_id"]?.stringValue { meta.other["parent_id"] = .string(parent) }
        if step.options["chord"] != nil, let groupID, let chords = backend as? any ChordStore {
            let earlier = try await backend.meta(for: taskID)?.status
            guard earlier != .failure, earlier != .revoked else {
                try await backend.store(meta)
                return nil
            }
            return try await chords.storeChordPart(meta, groupID: groupID, groupIndex: step.options["group_index"]?.intValue)
        }
        if backend.isPersistent {
            try await backend.store(meta)
        } else if let replyTo = step.options["reply_to"]?.stringValue {
            try await reply(meta, to: replyTo, correlationID: taskID)
        }
        return nil
    }

    /// Celery's meta: group_id and parent_id whenever the task has them, children as result
    /// tuples, and the extended fields with result_extended.
    private func meta(_ status: TaskState, result: JSONValue, traceback: String?, children: [String],
                      for message: TaskMessage, queue: String?) -> ResultMeta {
        var meta = ResultMeta(taskID: message.id, status: status, result: result, traceback: traceback,
                              children: children.map { [[.string($0), .null], .null] },
                              dateDone: status.isReady ? Date() : nil)
        if let group = message.groupID { meta.other["group_id"] = .string(group) }
        if let parent = message.parentID { meta.other["parent_id"] = .string(parent) }
        if extended {
            meta.name = message.taskName
            meta.args = message.args
            meta.kwargs = message.kwargs
            meta.worker = hostname
            meta.retries = message.retries
            meta.queue = queue
        }
        return meta
    }

    private func reply(_ meta: ResultMeta, to queue: String, correlationID: String) async throws {
        var properties = MessageProperties.json
        properties.correlationID = correlationID
        properties.deliveryMode = 1
        properties.priority = 0
        do {
            try await transport.publish(BrokerMessage(exchange: "", routingKey: queue, properties: properties,
                                                      body: meta.json.serializedBytes))
        } catch BrokerError.unroutable {
            // The caller's reply queue is gone: nobody is waiting for this result.
        }
    }
}
