import Celeriac
@testable import CeleriacMonitor
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The RabbitMQ node Scripts/test.sh starts (Scripts/rabbitmq-node.sh runs its management
/// plugin). Without it the live tests skip, unless CELERIAC_REQUIRE_PEERS=1 (CI).
enum ManagementPeer {
    static let environment = ProcessInfo.processInfo.environment
    static let managementURL = environment["CELERIAC_TEST_MANAGEMENT_URL"]
    static let amqpURL = environment["CELERIAC_TEST_AMQP_URL"]
    static let isAvailable = managementURL != nil && amqpURL != nil
    static let isRequired = environment["CELERIAC_REQUIRE_PEERS"] == "1"

    /// The management URL with another password.
    static func managementURLWithPassword(_ password: String) -> String {
        var components = URLComponents(string: managementURL!)!
        components.password = password
        return components.string!
    }

    /// An http:// URL that points at the node's AMQP port.
    static var amqpPortAsHTTP: String {
        let amqp = URLComponents(string: amqpURL!)!
        return "http://guest:guest@\(amqp.host!):\(amqp.port!)"
    }
}

@Test("the management API peer is present when the run requires it")
func managementPeerIsPresentWhenRequired() {
    if ManagementPeer.isRequired {
        #expect(ManagementPeer.managementURL != nil,
                "CELERIAC_REQUIRE_PEERS=1 but CELERIAC_TEST_MANAGEMENT_URL is unset: run the tests through Scripts/test.sh")
        #expect(ManagementPeer.amqpURL != nil,
                "CELERIAC_REQUIRE_PEERS=1 but CELERIAC_TEST_AMQP_URL is unset: run the tests through Scripts/test.sh")
    }
}

@Suite struct ManagementAPIURLTests {
    @Test func credentialsComeFromTheURLAndNeverFromTheRequestURL() throws {
        let api = try ManagementAPI(url: "http://monitor:s%40cret%3A1@rabbit.example:15672")
        #expect(api.username == "monitor")
        #expect(api.password == "s@cret:1")
        #expect(api.authorization == "Basic " + Data("monitor:s@cret:1".utf8).base64EncodedString())
        #expect(api.requestURL("/api/overview")?.absoluteString == "http://rabbit.example:15672/api/overview")
        #expect(api.displayURL == "http://monitor@rabbit.example:15672")
    }

    @Test func aPathPrefixIsKeptAndItsTrailingSlashDropped() throws {
        let api = try ManagementAPI(url: "https://u:p@proxy.example/rabbitmq/")
        #expect(api.pathPrefix == "/rabbitmq")
        #expect(api.requestURL("/api/queues/%2F")?.absoluteString == "https://proxy.example/rabbitmq/api/queues/%2F")
    }

    @Test func withoutCredentialsTheUserIsGuest() throws {
        let api = try ManagementAPI(url: "HTTP://localhost:15672")
        #expect(api.username == "guest")
        #expect(api.password == "guest")
        #expect(api.requestURL("/api/overview")?.absoluteString == "http://localhost:15672/api/overview")
    }

    @Test func theVhostIsOnePercentEncodedSegment() {
        #expect(ManagementAPI.queuesPath(vhost: nil) == "/api/queues")
        #expect(ManagementAPI.queuesPath(vhost: "/") == "/api/queues/%2F")
        #expect(ManagementAPI.queuesPath(vhost: "team a/prod") == "/api/queues/team%20a%2Fprod")
        #expect(ManagementAPI.queuesPath(vhost: "é") == "/api/queues/%C3%A9")
    }

    @Test(arguments: [
        ("amqp://guest:hunter2@localhost:5672//", "http or https"),
        ("http://guest:hunter2@:15672", "no host"),
        ("http:///api", "no host"),
        ("http://guest:hunter2@exa mple.com:15672", "not a URL"),
        ("guest:hunter2@localhost:15672", "http or https"),
        ("http://guest:hunter2@localhost:15672/?x=1", "query"),
    ])
    func aBadURLIsRefusedWithoutShowingThePassword(url: String, reasonPart: String) {
        do throws(ManagementAPIError) {
            _ = try ManagementAPI(url: url)
            Issue.record("\(url) was accepted")
        } catch {
            guard case .invalidURL(_, let reason) = error else {
                Issue.record("expected invalidURL, got \(error)")
                return
            }
            #expect(reason.contains(reasonPart), "\(error)")
            #expect(!error.description.contains("hunter2"), "\(error)")
        }
    }

    @Test func redactionWorksOnStringsThatAreNotURLs() {
        #expect(ManagementAPI.redactingPassword(in: "http://u:p@ss/w@rd@host:1") == "http://u:***@host:1")
        #expect(ManagementAPI.redactingPassword(in: "u:secret@host") == "u:***@host")
        #expect(ManagementAPI.redactingPassword(in: "http://host:15672") == "http://host:15672")
    }
}

@Suite struct ManagementAPIAnswerTests {
    @Test func aQueueListIsReadWithRabbitMQsFieldNames() throws {
        let body = """
            [{"name":"celery","vhost":"/","messages_ready":7,"messages_unacknowledged":2,"consumers":3,
              "head_message_timestamp":1700000000,
              "message_stats":{"publish":10,"publish_details":{"rate":1.5},
                               "deliver_get_details":{"rate":0.5},"ack_details":{"rate":0.25}}},
             {"name":"fresh","vhost":"other","arguments":{},"head_message_timestamp":null}]
            """
        let json = try ManagementAPI.decode(status: 200, body: Array(body.utf8), path: "/api/queues", user: "guest")
        let queues = try #require(json.arrayValue).compactMap(ManagedQueue.init(json:))
        #expect(queues == [
            ManagedQueue(name: "celery", vhost: "/", ready: 7, unacknowledged: 2, consumers: 3, publishRate: 1.5,
                         deliverRate: 0.5, ackRate: 0.25, headMessageTimestamp: 1_700_000_000),
            // Declared within the last statistics interval: no figures yet.
            ManagedQueue(name: "fresh", vhost: "other"),
        ])
    }

    @Test func statusesBecomeErrorsThatSayWhatToFix() {
        let body = Array(#"{"error":"not_authorized","reason":"Login failed"}"#.utf8)
        #expect(throws: ManagementAPIError.unauthorized(user: "monitor")) {
            try ManagementAPI.decode(status: 401, body: body, path: "/api/queues", user: "monitor")
        }
        #expect(ManagementAPIError.unauthorized(user: "monitor").description
            .contains("check the user and password in --management-url"))
        let notFound = Array(#"{"error":"Object Not Found","reason":"Not Found"}"#.utf8)
        #expect(throws: ManagementAPIError.httpStatus(404, path: "/api/queues/nope")) {
            try ManagementAPI.decode(status: 404, body: notFound, path: "/api/queues/nope", user: "guest")
        }
        #expect(throws: ManagementAPIError.httpStatus(500, path: "/api/overview")) {
            try ManagementAPI.decode(status: 500, body: [], path: "/api/overview", user: "guest")
        }
    }

    @Test func aBodyThatIsNotJSONPointsAtTheWrongPort() {
        let amqpHeader: [UInt8] = Array("AMQP".utf8) + [0, 0, 9, 1]
        do throws(ManagementAPIError) {
            _ = try ManagementAPI.decode(status: 200, body: amqpHeader, path: "/api/overview", user: "guest")
            Issue.record("an AMQP header was taken for JSON")
        } catch {
            guard case .notManagementAPI(let path, let preview) = error else {
                Issue.record("expected notManagementAPI, got \(error)")
                return
            }
            #expect(path == "/api/overview")
            #expect(preview == #"AMQP\0\0\t\u{01}"#)
            #expect(error.description.contains("15672"))
            #expect(error.description.contains("not the AMQP port"))
        }
        #expect(throws: ManagementAPIError.notManagementAPI(path: "/x", preview: "HTTP 404: <html>")) {
            try ManagementAPI.decode(status: 404, body: Array("<html>".utf8), path: "/x", user: "guest")
        }
    }

    @Test func transportFailuresAreClassified() {
        let url = "http://guest@localhost:15672"
        #expect(ManagementAPI.classify(URLError(.timedOut), url: url, path: "/api/overview", timeout: 5)
            == .timeout(url: url, seconds: 5))
        #expect(ManagementAPIError.timeout(url: url, seconds: 5).description
            == "the management API at http://guest@localhost:15672 did not answer within 5 s")
        let refused = NSError(domain: NSURLErrorDomain, code: NSURLErrorCannotConnectToHost)
        guard case .unreachable(url, _) = ManagementAPI.classify(refused, url: url, path: "/api/overview", timeout: 5)
        else {
            Issue.record("connection refused is not .unreachable")
            return
        }
        guard case .notManagementAPI = ManagementAPI.classify(URLError(.unsupportedURL), url: url,
                                                               path: "/api/overview", timeout: 5)
        else {
            Issue.record("an answer that is not HTTP is not .notManagementAPI")
            return
        }
    }

    @Test func aListNamesTheURLThatIsWrong() {
        #expect(throws: ManagementAPIError.self) { try ManagementAPI.failoverList(" ; ") }
        do {
            _ = try ManagementAPI.failoverList("http://guest:guest@n1:15672;ftp://n2")
            Issue.record("ftp:// was taken for a management API")
        } catch {
            #expect("\(error)".contains("ftp://"), "\(error)")
        }
    }

    @Test func aClosedPortIsUnreachableAndTheMessageHasNoPassword() async throws {
        // Port 1 on loopback: nothing listens there, so the connect is refused at once.
        let api = try ManagementAPI(url: "http://guest:hunter2@127.0.0.1:1", requestTimeout: 2)
        do throws(ManagementAPIError) {
            _ = try await api.overview()
            Issue.record("port 1 answered")
        } catch {
            switch error {
            case .unreachable(let url, _), .timeout(let url, _): #expect(url == "http://guest@127.0.0.1:1")
            default: Issue.record("expected unreachable, got \(error)")
            }
            #expect(!error.description.contains("hunter2"), "\(error)")
        }
    }
}

@Suite("Management API of RabbitMQ", .enabled(if: ManagementPeer.isAvailable), .timeLimit(.minutes(1)))
struct ManagementAPILiveTests {
    // The first requests of a CI run meet a node busy with every suite starting at once;
    // these tests are about the figures, not about how fast the node answers.
    static let patientTimeout: Double = 20

    @Test func publishedMessagesShowAsReady() async throws {
        let api = try ManagementAPI(url: ManagementPeer.managementURL!, requestTimeout: Self.patientTimeout)
        let transport = try await AMQPTransport(url: ManagementPeer.amqpURL!)
        let queue = "mgmt-\(UUID().uuidString.prefix(8))"
        // Gone a minute after the test: nothing consumes or deletes it.
        try await transport.declare(QueueDeclaration(name: queue, durable: false, arguments: ["x-expires": 60_000]))
        for index in 0..<3 {
            try await transport.publish(BrokerMessage(routingKey: queue, body: Array("message \(index)".utf8)))
        }
        await transport.close()

        // Queues report their figures every collect_statistics_interval (1 s on the test
        // node) and the management agent gathers them every 5 s, so a publish shows some
        // seconds later: the figure appearing is the event waited for.
        let deadline = ContinuousClock.now + .seconds(30)
        var seen: ManagedQueue?
        while ContinuousClock.now < deadline {
            seen = try await api.queues().first { $0.name == queue }
            if seen?.ready == 3 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let figures = try #require(seen, "queue \(queue) never appeared in GET /api/queues")
        #expect(figures.ready == 3)
        #expect(figures.unacknowledged == 0)
        #expect(figures.consumers == 0)
        #expect(figures.vhost == "/")

        // The same queue through the vhost's own listing ("/" travels as %2F).
        let inVhost = try await api.queues(vhost: "/")
        #expect(inVhost.first { $0.name == queue }?.ready == 3)

        let overview = try await api.overview()
        #expect(overview["rabbitmq_version"]?.stringValue != nil)
    }

    /// A cluster's management APIs as a list: a node that does not answer is passed over
    /// for the next, which is then asked first; the answer says which node gave it.
    @Test func aListOfNodesAnswersFromTheFirstThatIsUp() async throws {
        let live = ManagementPeer.managementURL!
        let apis = try ManagementAPI.failoverList("http://guest:guest@127.0.0.1:1 ; " + live, requestTimeout: Self.patientTimeout)
        #expect(apis.count == 2)
        let failover = ManagementFailover(apis)
        let node = try await failover.queues(vhost: "/").node
        #expect(node == apis[1].displayURL, "answered by \(String(describing: node))")
        let (_, again) = try await failover.queues(vhost: "/")
        #expect(again == apis[1].displayURL)
        let single = ManagementFailover([apis[1]])
        #expect(try await single.queues(vhost: "/").node == nil, "a single API has no node to name")
    }

    @Test func aWrongPasswordIsUnauthorized() async throws {
        let api = try ManagementAPI(url: ManagementPeer.managementURLWithPassword("wrong-hunter2"), requestTimeout: Self.patientTimeout)
        do throws(ManagementAPIError) {
            _ = try await api.queues()
            Issue.record("a wrong password was accepted")
        } catch {
            #expect(error == .unauthorized(user: "guest"))
            #expect(!error.description.contains("wrong-hunter2"))
        }
    }

    @Test func anUnknownVhostIsA404() async throws {
        let api = try ManagementAPI(url: ManagementPeer.managementURL!, requestTimeout: Self.patientTimeout)
        await #expect(throws: ManagementAPIError.httpStatus(404, path: "/api/queues/no-such-vhost")) {
            try await api.queues(vhost: "no-such-vhost")
        }
    }

    @Test func theAMQPPortGivesAClearErrorNotAHang() async throws {
        let api = try ManagementAPI(url: ManagementPeer.amqpPortAsHTTP)
        let started = ContinuousClock.now
        do throws(ManagementAPIError) {
            _ = try await api.overview()
            Issue.record("the AMQP port answered like the management API")
        } catch {
            guard case .notManagementAPI = error else {
                Issue.record("expected notManagementAPI, got \(error)")
                return
            }
            #expect(error.description.contains("not the AMQP port"))
        }
        #expect(ContinuousClock.now - started < .seconds(api.requestTimeout))
    }
}
