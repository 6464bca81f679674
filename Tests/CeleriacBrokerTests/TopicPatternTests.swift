@testable import CeleriacBroker
import Testing

/// RabbitMQ's topic matching: words split on dots, empty words count, the empty routing key
/// has no words at all.
struct TopicPatternTests {
    @Test(arguments: [
        ("a.*.c", "a.b.c", true), ("a.*.c", "a.c", false), ("a.*.c", "a.b.b.c", false),
        ("#", "", true), ("#", "a", true), ("#", "a.b.c", true),
        ("a.#", "a", true), ("a.#", "a.b.c", true), ("a.#", "b.a", false),
        ("#.c", "c", true), ("#.c", "a.b.c", true), ("#.c", "a.b", false),
        ("*", "", false), ("*", "a", true), ("*", "a.b", false),
        ("a.*", "a.", true), ("a..b", "a..b", true), ("a.*.b", "a..b", true),
        ("*.#", "", false), ("*.#", "a", true), ("#.#", "a.b", true), ("a.#.#.b", "a.b", true),
        ("celery", "celery", true), ("celery", "celery.x", false), ("", "", true), ("", "a", false),
        ("worker.#", "worker.heartbeat", true), ("task.#", "task.multi", true), ("#.b.#", "a.b.c", true),
        ("#.b.#", "a.c", false),
    ])
    func matchesLikeRabbitMQ(pattern: String, key: String, expected: Bool) {
        #expect(TopicPattern(pattern).matches(key) == expected, "\(pattern) vs \(key)")
    }
}
