import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// link and link_error across languages on Celery's Redis result backend, with a Swift worker
/// and a Python Celery 5.7 worker (Tests/Interop/fixapp.py) side by side, as
/// CanvasRedisInteropTests runs them: callbacks built in Swift, run by the Python worker (and
/// sent on by it to either worker), and callbacks built in Python
/// (Tests/Interop/canvas_redis.py --only links) run by the Swift worker.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil && CeleriacBinary.managementURL != nil
                && CeleriacBinary.environment["CELERIAC_TEST_REDIS_URL"] != nil),
       .timeLimit(.minutes(3)))
struct CanvasLinkRedisInteropTests {
    @Test func linksAndErrbacksCrossBetweenPythonAndSwiftWorkers() async throws {
        let redis = try #require(CeleriacBinary.environment["CELERIAC_TEST_REDIS_URL"])
        try await SideBySideWorkers.run("link", redis: redis) { workers in
            let (broker, swiftQueue, pythonQueue) = (workers.broker, workers.swiftQueue, workers.pythonQueue)
            func logs() -> String { workers.logs() }
            let app = CanvasWorkflowTests.app(broker: broker, queue: swiftQueue, backend: redis, maxPriority: 10)
            defer { Task { await app.close() } }
            func onPython(_ name: String, _ args: JSONValue...) -> Signature {
                Signature(task: name, args: args, options: ["queue": .string(pythonQueue)])
            }
            func withID(_ signature: Signature) -> (Signature, String) {
                let id = UUID().uuidString.lowercased()
                return (signature.set(["task_id": .string(id)]), id)
            }

            // Built in Swift, run by the Python worker: two link callbacks, which Celery sends
            // as one group with the result first — mul(5, 10) on the Python worker and
            // mul(5, 100) on the Swift one.
            let (pythonCallback, pythonCallbackID) = withID(onPython("fix.mul", 10))
            let (swiftCallback, swiftCallbackID) = withID(Signature.s("demo.mul", 100).set(["queue": .string(swiftQueue)]))
            let linked = onPython("fix.add", 2, 3).set(["link": [pythonCallback.json, swiftCallback.json]])
            #expect(try await app.apply(linked).get(timeout: 30) == 5, "\(logs())")
            #expect(try await app.result(pythonCallbackID).get(timeout: 30) == 50, "\(logs())")
            #expect(try await app.result(swiftCallbackID).get(timeout: 30) == 500, "\(logs())")

            // A failure: Celery sends the errbacks as one group with the failed task's id, and
            // no link callback. fix.echo_request (bound, so Celery sends it as a task rather
            // than calling it with the request) reports the id it got; the immutable
            // demo.xsum([40, 2]) on the Swift worker keeps its own args.
            let (echo, echoID) = withID(onPython("fix.echo_request"))
            let (immutable, immutableID) = withID(Signature.si("demo.xsum", [40, 2]).set(["queue": .string(swiftQueue)]))
            let (notCalled, notCalledID) = withID(onPython("fix.mul", 10))
            let failing = onPython("fix.fail", "on purpose")
                .set(["link_error": [echo.json, immutable.json], "link": [notCalled.json]])
            let failed = try await app.apply(failing)
            await #expect(throws: CeleryError.self, "the task itself fails") { try await failed.get(timeout: 30) }
            let echoed = try await app.result(echoID).get(timeout: 30)
            #expect(echoed["args"] == [.string(failed.id)], "the errback got the failed task's id: \(echoed)\n\(logs())")
            #expect(try await app.result(immutableID).get(timeout: 30) == 42, "\(logs())")
            #expect(try await app.result(notCalledID).state() == .pending, "no link callback after a failure")

            // Built in Python, run by the Swift worker, on the same backend.
            let output = try await detached {
                try ChildProcess.run(["python3", PythonCluster.interop.appendingPathComponent("canvas_redis.py").path,
                                      "--broker", broker, "--redis", redis, "--swift-queue", swiftQueue,
                                      "--python-queue", pythonQueue, "--only", "links"])
            }
            try #require(output.status == 0, "\(output.stderr.suffix(1500))\n\(logs())")
            let reply = try JSONValue(parsing: output.stdout)
            #expect(reply["parent"] == 5 && reply["callback"] == 50, "\(reply)")
            #expect(reply["children"] == [reply["callback_id"] ?? .null], "Python reads the callback as the child Swift stored: \(reply)")
            #expect(reply["failed"] == "ValueError" && reply["immutable_errback"] == 42, "\(reply)")
            let mutable = reply["mutable_errback"]
            #expect(mutable?["state"] == "FAILURE" && mutable?["error"] == "ValueError" && mutable?["message"] == reply["failed_id"],
                    "the mutable errback got the failed task's id as its message: \(reply)")
            #expect(reply["failed_children"] == [], "\(reply)")
        }
    }
}
