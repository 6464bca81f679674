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

    @Test func delayedDeliveryNeedsQuorumQueuesAndAnExchangeThatIsNotDirect() throws {
        var configuration = CeleriacConfiguration()
        #expect(NativeDelayedDelivery.Setup(configuration: configuration) == nil, "classic queues")
        configuration.defaultQueueType = .quorum
        #expect(NativeDelayedDelivery.Setup(configuration: configuration) == nil, "a direct exchange")
        configuration.defaultExchangeType = "topic"
        let setup = try #require(NativeDelayedDelivery.Setup(configuration: configuration))
        #expect(setup.exchange(for: "celery") == "celery" && setup.exchange(for: "reports") == "reports")

        let now = Date()
        func message(countdown: Double) -> TaskMessage {
            TaskMessage.build(name: "demo.add", args: [], kwargs: [:], options: TaskSendOptions(countdown: countdown), replyTo: nil,
                              defaultPriority: nil, now: now)
        }
        #expect(NativeDelayedDelivery.delay(of: message(countdown: 3.7), configuration: configuration, now: now) == 3)
        #expect(NativeDelayedDelivery.delay(of: message(countdown: 0.5), configuration: configuration, now: now) == nil,
                "under a second: the worker holds it, as Celery's int(countdown) is 0")
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
