import Celeriac
@testable import CeleriacWorker
import Testing

/// Celery's `%` expansions (celery/utils/nodenames.py), for node names and file names.
@Suite struct NodeNameTests {
    @Test func nodeNamesExpandHostLabelAndDomain() {
        #expect(NodeName.expand("celeriac@%h", host: "box.example.com") == "celeriac@box.example.com")
        #expect(NodeName.expand("w1@%n", host: "box.example.com") == "w1@box")
        #expect(NodeName.expand("%n-%d@%h", host: "box.example.com") == "box-example.com@box.example.com")
        #expect(NodeName.expand("100%%@%h", host: "h") == "100%@h")
        // Without @, the host is appended, as Celery does; an unknown key stays as written.
        #expect(NodeName.expand("worker1", host: "h.lan") == "worker1@h.lan")
        #expect(NodeName.expand("w%x@%h", host: "h") == "w%x@h")
        #expect(NodeName.expand("w@%", host: "h") == "w@%")
    }

    @Test func fileNamesExpandTheNodesParts() {
        #expect(NodeName.expandFile("%n.log", node: "w1@box.example.com") == "w1.log")
        #expect(NodeName.expandFile("/var/run/%h-%n.pid", node: "w1@box.example.com") == "/var/run/box.example.com-w1.pid")
        #expect(NodeName.expandFile("%p/%d", node: "w1@box.example.com") == "w1@box.example.com/example.com")
    }

    @Test func queuesDefaultToTheAppsAndHonourExclusions() {
        var configuration = CeleriacConfiguration()
        configuration.defaultQueue = "jobs"
        var options = WorkerOptions()
        #expect(options.consumedQueues(for: configuration) == ["jobs"])
        options.queues = ["a", "b", "a", "c"]
        options.excludedQueues = ["b"]
        #expect(options.consumedQueues(for: configuration) == ["a", "c"])
    }
}
