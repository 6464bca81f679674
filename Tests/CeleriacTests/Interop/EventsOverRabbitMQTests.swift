@testable import Celeriac
import Foundation
import Testing

@Suite("Events through RabbitMQ", .enabled(if: Peers.hasRabbitMQ), .timeLimit(.minutes(1)))
struct EventsOverRabbitMQTests {
    @Test func aClientWithSentEventsAnnouncesEachTask() async throws {
        var configuration = Peers.configuration(resultBackend: nil)
        configuration.sendSentEvent = true
        let app = App(configuration)
        let events = try await EventReceiver.events(on: app.transport(), routingKey: "task.#")
        let queue = "sent-\(UUID().uuidString.prefix(8))"
        let result = try await app.send("fix.add", args: [2, 3], options: TaskSendOptions(queue: queue))
        for try await event in events where event.kind == .taskSent {
            let task = try #require(event.task)
            guard task.uuid == result.id else { continue }
            #expect(task.name == "fix.add")
            #expect(task.args == "(2, 3)")
            #expect(task.queue == queue)
            #expect(event.clock ?? 0 > 0)
            break
        }
        _ = try await app.purge(queues: [queue])
        await app.close()
    }

    @Test(.enabled(if: Peers.hasPythonCelery))
    func aPythonWorkersTaskEventsDecode() async throws {
        try await PythonCeleryWorker.shared.ensureRunning()
        let app = App(Peers.configuration())
        let events = try await EventReceiver.events(on: app.transport(), routingKey: "task.#")
        let result = try await app.send("fix.mul", args: [6, 7])
        var seen: [CeleryEvent.Kind] = []
        for try await event in events where event.task?.uuid == result.id {
            seen.append(event.kind)
            if event.kind == .taskSucceeded {
                #expect(event.task?.result == "42")
                #expect(event.hostname == PythonCeleryWorker.sharedNodeName)
                break
            }
        }
        #expect(seen == [.taskReceived, .taskStarted, .taskSucceeded])
        await app.close()
    }
}
