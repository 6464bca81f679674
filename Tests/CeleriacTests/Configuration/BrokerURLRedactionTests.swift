import Celeriac
import Testing

/// What logs show of a broker URL or failover list: every password gone, in the one form the
/// transport writes when it connects, whatever form the user gave.
struct BrokerURLRedactionTests {
    @Test func passwordsAreLeftOutOfEveryURLInTheList() throws {
        let failover = try BrokerFailover("amqp://celery:s3cret@rabbit-1:5672/%2F; amqps://celery:s3cret@rabbit-2/tasks")
        #expect(failover.redactedURLs == "amqp://celery@rabbit-1:5672//;amqps://celery@rabbit-2:5671/tasks")
        #expect(!failover.redactedURLs.contains("s3cret"))
    }

    @Test func aURLThatDoesNotParseIsNamedWithoutItsText() throws {
        let failover = try BrokerFailover("amqp://guest:pw@host:notaport//")
        #expect(failover.redactedURLs == "(a broker URL that does not parse)")
    }
}
