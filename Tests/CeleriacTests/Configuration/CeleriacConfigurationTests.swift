@testable import Celeriac
import Foundation
import Testing

@Suite struct CeleriacConfigurationTests {
    func writeFile(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "celeriac-\(UUID().uuidString).toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func defaultsAreCelerys() {
        let configuration = CeleriacConfiguration()
        #expect(configuration.brokerURL == "amqp://guest:guest@localhost:5672//")
        #expect(configuration.defaultQueue == "celery")
        #expect(configuration.timezoneName == "UTC")
        #expect(configuration.timezone.secondsFromGMT() == 0)
        #expect(configuration.prefetchMultiplier == 4)
        #expect(configuration.resultExpires == 86_400)
        #expect(!configuration.acksLate)
    }

    @Test func flagsBeatEnvironmentBeatsFileBeatsCode() throws {
        let path = try writeFile("""
            # celeriac.toml
            broker_url = "amqp://file//"
            result_backend = "rpc://"
            task_default_queue = "from-file"
            worker_prefetch_multiplier = 8
            """)
        var code = CeleriacConfiguration()
        code.defaultQueue = "from-code"
        code.acksLate = true
        let configuration = try CeleriacConfiguration.load(
            base: code, file: path,
            environment: ["CELERIAC_BROKER_URL": "amqp://env//", "CELERY_RESULT_BACKEND": "db+sqlite:///r.db",
                          "CELERIAC_WORKER_PREFETCH_MULTIPLIER": "2"],
            flags: ["broker_url": "amqp://flag//"])
        #expect(configuration.brokerURL == "amqp://flag//")
        #expect(configuration.resultBackend == "db+sqlite:///r.db")  // Celery's name as a fallback
        #expect(configuration.prefetchMultiplier == 2)
        #expect(configuration.defaultQueue == "from-file")
        #expect(configuration.acksLate)  // code survives where nothing overrides it
    }

    @Test func celeriacsVariableWinsOverCelerys() throws {
        let configuration = try CeleriacConfiguration.load(
            file: nil, environment: ["CELERY_BROKER_URL": "amqp://celery//", "CELERIAC_BROKER_URL": "amqp://ours//"])
        #expect(configuration.brokerURL == "amqp://ours//")
    }

    @Test func routesByNameAndGlob() throws {
        let path = try writeFile("""
            [task_routes."reports.*"]
            queue = "reports"
            priority = 3
            [task_routes]
            "fix.add" = { queue = "math", routing_key = "math.add" }
            """)
        let configuration = try CeleriacConfiguration.load(file: path, environment: [:])
        #expect(configuration.route(for: "fix.add")?.queue == "math")
        #expect(configuration.route(for: "fix.add")?.routingKey == "math.add")
        #expect(configuration.route(for: "reports.daily")?.queue == "reports")
        #expect(configuration.route(for: "reports.daily")?.priority == 3)
        #expect(configuration.route(for: "other") == nil)
    }

    @Test func badValuesNameTheKeyTheValueAndWhatIsAllowed() throws {
        do {
            _ = try CeleriacConfiguration.load(file: nil, environment: ["CELERIAC_TASK_DEFAULT_PRIORITY": "300"])
            Issue.record("priority 300 was accepted")
        } catch {
            #expect(error.description.contains("task_default_priority = 300"))
            #expect(error.description.contains("0 to 255"))
            #expect(error.description.contains("CELERIAC_TASK_DEFAULT_PRIORITY"))
        }
        #expect(throws: ConfigurationError.self) {
            try CeleriacConfiguration.load(file: nil, environment: ["CELERIAC_TIMEZONE": "Mars/Olympus"])
        }
        #expect(throws: ConfigurationError.self) {
            try CeleriacConfiguration.load(file: nil, environment: [:], flags: ["task_serializer": "pickle"])
        }
        #expect(throws: ConfigurationError.self) {
            try CeleriacConfiguration.load(file: nil, environment: [:], flags: ["task_acks_late": "maybe"])
        }
    }

    @Test func misspeltKeysGetASuggestion() throws {
        let path = try writeFile("broker_ulr = \"amqp://x//\"\n")
        do {
            _ = try CeleriacConfiguration.load(file: path, environment: [:])
            Issue.record("an unknown key was accepted")
        } catch {
            #expect(error == .unknownKey(key: "broker_ulr", source: path, suggestion: "broker_url"))
        }
    }

    @Test func malformedTOMLPointsAtTheLine() throws {
        let path = try writeFile("broker_url = \"amqp://x//\"\ntask_acks_late = yes please\n")
        do {
            _ = try CeleriacConfiguration.load(file: path, environment: [:])
            Issue.record("malformed TOML was accepted")
        } catch {
            guard case .invalidTOML(_, let line, _) = error else {
                Issue.record("expected invalidTOML, got \(error)")
                return
            }
            #expect(line == 2)
        }
    }

    @Test func globsMatchLikeFnmatch() {
        #expect(Glob.matches(pattern: "fix.*", name: "fix.add"))
        #expect(Glob.matches(pattern: "*.add", name: "fix.add"))
        #expect(Glob.matches(pattern: "fix.ad?", name: "fix.add"))
        #expect(!Glob.matches(pattern: "fix.*", name: "other.add"))
    }
}
