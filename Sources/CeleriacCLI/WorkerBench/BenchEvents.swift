import Celeriac
import Foundation

/// The benchmark's view of the event stream. While the queue empties it only counts a
/// node's task-succeeded events, finding them in the raw batches rather than decoding every
/// event into a dictionary: at tens of thousands of events a second, decoding them would take
/// the cores the worker under test needs. Otherwise it decodes events whole.
struct BenchEvents {
    private var messages: AsyncThrowingStream<ReceivedMessage, any Error>.AsyncIterator
    private var decoded: [CeleryEvent] = []

    init(_ messages: AsyncThrowingStream<ReceivedMessage, any Error>.AsyncIterator) {
        self.messages = messages
    }

    /// The next event, decoded; nil when the stream ends.
    mutating func next() async throws -> CeleryEvent? {
        while decoded.isEmpty {
            guard let received = try await messages.next() else { return nil }
            let message = received.message
            decoded = (try? EventMessage.decode(routingKey: message.routingKey, body: message.body,
                                                contentType: message.properties.contentType)) ?? []
        }
        return decoded.removeFirst()
    }

    /// How many task-succeeded events the next message from `node` carries (0 for one from
    /// elsewhere); nil when the stream ends. Events were sent by the node when the message's
    /// `hostname` header names it, as both Celery and Celeriac set it.
    mutating func nextSucceededCount(from node: String) async throws -> Int? {
        guard let received = try await messages.next() else { return nil }
        let message = received.message
        guard message.properties.headers["hostname"]?.stringValue == node else { return 0 }
        return Self.occurrences(of: Self.succeeded, in: message.body)
    }

    private static let succeeded = Array(#""task-succeeded""#.utf8)

    static func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> Int {
        guard !needle.isEmpty, haystack.count >= needle.count else { return 0 }
        var count = 0
        var index = 0
        let last = haystack.count - needle.count
        haystack.withUnsafeBufferPointer { bytes in
            needle.withUnsafeBufferPointer { pattern in
                while index <= last {
                    if bytes[index] == pattern[0], memcmp(bytes.baseAddress! + index, pattern.baseAddress!, pattern.count) == 0 {
                        count += 1
                        index += pattern.count
                    } else {
                        index += 1
                    }
                }
            }
        }
        return count
    }
}
