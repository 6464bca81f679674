import Celeriac

/// Events decoded from one or more messages and owned outright (no borrowed bytes), in the
/// order they came: what the decoding side of `EventPipeline` hands the merging side. The
/// messages' bytes are kept in one arena (task ids and JSON text are ranges of it), so a
/// batch costs no allocation per event once its buffers have grown.
struct DecodedEvents {
    enum Item {
        /// `id`: the task id's bytes in `bytes` when the decoder left `update.uuid` empty.
        /// `json`: the event as it came, for the Events screen.
        case task(TaskEventUpdate, id: Range<Int>?, json: Range<Int>)
        case other(CeleryEvent)
    }

    private(set) var items: [Item] = []
    private(set) var bytes: [UInt8] = []

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }

    /// Decodes `body` (one message from the event exchange) onto the end; on an error, the
    /// events before the bad entry stay, as the merge would have taken them.
    mutating func decode(_ body: UnsafeRawBufferPointer, routingKey: String,
                         with decoder: inout EventStreamDecoder) throws(CeleryEventError) {
        // The body is kept whole, once: each event's JSON and id are ranges of it.
        let base = bytes.count
        bytes.append(contentsOf: body)
        func range(of part: UnsafeRawBufferPointer) -> Range<Int> {
            let start = base + (part.isEmpty ? 0 : body.baseAddress!.distance(to: part.baseAddress!))
            return start..<start + part.count
        }
        try decoder.decode(body, routingKey: routingKey, task: { update, json, id in
            items.append(.task(update, id: id.map(range), json: range(of: json)))
        }, other: { items.append(.other($0)) })
    }

    /// The events of one message, and the error that ended it early if one did.
    static func decoding(_ body: UnsafeRawBufferPointer, routingKey: String,
                         with decoder: inout EventStreamDecoder) -> (DecodedEvents, CeleryEventError?) {
        var events = DecodedEvents()
        do {
            try events.decode(body, routingKey: routingKey, with: &decoder)
            return (events, nil)
        } catch {
            return (events, error)
        }
    }

    /// Empties the batch, keeping its buffers for the next one.
    mutating func removeAll() {
        items.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
    }
}
