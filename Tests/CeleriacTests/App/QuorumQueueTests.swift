@testable import Celeriac
import Foundation
import Testing

/// Quorum task queues in the configuration and Celery's native delayed delivery routing
/// keys, against kombu's `calculate_routing_key`.
@Suite struct QuorumQueueTests {
    @Test func aCountdownIsTwentyEightBinaryDigitsBeforeTheRoutingKey() {
        // kombu: '.'.join(list(f'{countdown:028b}')) + f'.{routing_key}'
        #expect(NativeDelayedDelivery.routingKey(countdown: 5, routingKey: "celery")
                == Array(repeating: "0", count: 25).joined(separator: ".") + ".1.0.1.celery")
        let longest = NativeDelayedDelivery.routingKey(countdown: (1 << 28) - 1, routingKey: "q.x")
        #expect(longest == Array(repeating: "1", count: 28).joined(separator: ".") + ".q.x")
        #expect(NativeDelayedDelivery.entryExchange == "celery_delayed_27")
    }

    /// As Celery's `Queues`: the default queue takes task_default_queue_type and the default
    /// exchange (named after the default queue unless set), every other queue
    /// task_create_missing_queue_type and an exchange of its own name, direct unless
    /// task_create_missing_queue_exchange_type says otherwise.
    @Test func theDefaultQueueAndTheOthersAreShapedAsCeleryShapesThem() throws {
        var configuration = CeleriacConfiguration()
        configuration.defaultQueue = "jobs"
        #expect(configuration.defaultExchange == "jobs" && configuration.defaultRoutingKey == "jobs")
        configuration.defaultExchange = "main"
        #expect(configuration.defaultExchange == "main" && configuration.defaultRoutingKey == "jobs")

        configuration.defaultQueueType = .quorum
        #expect(configuration.taskQueueShape(for: "jobs").type == .quorum)
        #expect(configuration.taskQueueShape(for: "reports").type == .classic)
        #expect(configuration.taskExchange(for: "reports") == ExchangeDeclaration(name: "reports", type: "direct"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("missing-\(UUID().uuidString.prefix(6)).toml").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try """
            task_create_missing_queue_type = "quorum"
            task_create_missing_queue_exchange_type = "topic"
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let loaded = try CeleriacConfiguration.load(file: file, environment: [:])
        #expect(loaded.taskQueueShape(for: "reports").type == .quorum && loaded.taskQueueShape(for: "celery").type == .classic)
        #expect(loaded.taskExchange(for: "reports") == ExchangeDeclaration(name: "reports", type: "topic"))
        #expect(loaded.usesQuorumQueues)
    }

    @Test func delayedDeliveryNeedsQuorumQueuesAndAnExchangeThatIsNotDirect() throws {
        var configuration = CeleriacConfiguration()
        #expect(NativeDelayedDelivery.Setup(configuration: configuration) == nil, "classic queues")
        configuration.defaultQueueType = .quorum
        let direct = try #require(NativeDelayedDelivery.Setup(configuration: configuration))
        #expect(!direct.reaches("celery"), "a direct exchange takes no #. bindings")
        configuration.defaultExchangeType = "topic"
        let setup = try #require(NativeDelayedDelivery.Setup(configuration: configuration))
        #expect(setup.reaches("celery") && !setup.reaches("reports"), "reports has a direct exchange of its own")
        #expect(configuration.taskRoutingKey(for: "celery") == "celery" && configuration.taskRoutingKey(for: "reports") == "reports")

        let now = Date()
        func message(countdown: Double) -> TaskMessage {
            TaskMessage.build(name: "demo.add", args: [], kwargs: [:], options: TaskSendOptions(countdown: countdown), replyTo: nil,
                              defaultPriority: nil, now: now)
        }
        func route(_ queue: String) -> TaskRouting {
            TaskRouting.resolve("demo.add", options: TaskSendOptions(queue: queue), configuration: configuration)
        }
        let delay = NativeDelayedDelivery.delay(of: message(countdown: 3.7), route: route("celery"), configuration: configuration, now: now)
        #expect(delay?.seconds == 3 && delay?.bindingKey == "celery")
        #expect(NativeDelayedDelivery.delay(of: message(countdown: 0.5), route: route("celery"), configuration: configuration, now: now) == nil,
                "under a second: the worker holds it, as Celery's int(countdown) is 0")
        #expect(NativeDelayedDelivery.delay(of: message(countdown: 5), route: route("reports"), configuration: configuration, now: now) == nil,
                "a queue behind a direct exchange: the worker holds it")
    }

    @Test func quorumQueuesTakeNoPriorities() throws {
        let shape = TaskQueueShape(type: .quorum, maxPriority: nil)
        #expect(shape.arguments == ["x-queue-type": "quorum"])
        #expect(TaskQueueShape(type: .classic, maxPriority: 10).arguments == ["x-max-priority": 10])
        #expect { try CeleriacConfiguration.load(file: nil, environment: ["CELERIAC_TASK_DEFAULT_QUEUE_TYPE": "quorum",
                                                                          "CELERIAC_TASK_QUEUE_MAX_PRIORITY": "10"]) } throws: {
            "\($0)".contains("quorum queues take no x-max-priority")
        }
        #expect { try CeleriacConfiguration.load(file: nil, environment: ["CELERIAC_TASK_DEFAULT_QUEUE_TYPE": "stream"]) } throws: {
            "\($0)".contains("classic, quorum")
        }
    }
}
