import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// Canvas across languages on Celery's Redis result backend, with a Swift worker and a
/// Python Celery 5.7 worker (Tests/Interop/fixapp.py) side by side: workflows built in Python
/// run on the Swift worker (Tests/Interop/canvas_redis.py), workflows built in Swift run on
/// the Python worker, and chords whose header runs on both at once complete once, whichever
/// worker finishes last. Saved groups are read across too.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil && CeleriacBinary.managementURL != nil
                && CeleriacBinary.environment["CELERIAC_TEST_REDIS_URL"] != nil),
       .timeLimit(.minutes(3)))
struct CanvasRedisInteropTests {
    @Test func workflowsCrossBetweenPythonAndSwiftWorkers() async throws {
        let redis = try #require(CeleriacBinary.environment["CELERIAC_TEST_REDIS_URL"])
        try await SideBySideWorkers.run("canvas", redis: redis) { workers in
            let (broker, swiftQueue, pythonQueue) = (workers.broker, workers.swiftQueue, workers.pythonQueue)
            func logs() -> String { workers.logs() }

            let app = CanvasWorkflowTests.app(broker: broker, queue: swiftQueue, backend: redis, maxPriority: 10)
            defer { Task { await app.close() } }
            guard case .group(let swiftGroup) = try await app.apply(.group((1...3).map { Signature.s("demo.add", .int($0), 10) })) else {
                Issue.record("a group gives a GroupResult"); return
            }
            try await app.save(swiftGroup)

            // Built in Python, run by the Swift worker (and, for two chords, by both).
            let output = try await detached {
                try ChildProcess.run(["python3", PythonCluster.interop.appendingPathComponent("canvas_redis.py").path,
                                      "--broker", broker, "--redis", redis, "--swift-queue", swiftQueue,
                                      "--python-queue", pythonQueue, "--swift-group", swiftGroup.id])
            }
            try #require(output.status == 0, "\(output.stderr.suffix(1500))\n\(logs())")
            let reply = try JSONValue(parsing: output.stdout)
            #expect(reply["chain"] == 35, "\(reply)")
            #expect(reply["group"] == [0, 2, 4, 6], "\(reply)")
            #expect(reply["chord"] == 6, "\(reply)")
            // Celery's get() raises the failed header task's own error (it checks a result's
            // parents first); the body holds the ChordError the Swift worker stored.
            #expect(reply["chord_error"]?["raised"] == "ValueError", "\(reply)")
            #expect(reply["chord_error"]?["body_state"] == "FAILURE" && reply["chord_error"]?["body_error"] == "ChordError", "\(reply)")
            #expect(reply["chord_error"]?["body_message"]?.stringValue?.contains("raised ValueError('header ✗')") == true, "\(reply)")
            #expect(reply["mixed_header"] == 20, "a header on both kinds of worker: \(reply)\n\(logs())")
            #expect(reply["python_body"] == 6, "\(reply)")
            #expect(reply["swift_group"] == [11, 12, 13], "Python restored the group Swift saved: \(reply)")
            #expect(reply["starmap"] == [3, 7] && reply["chunks"] == [[1, 4], [9]], "\(reply)")

            // Built in Swift, run by the Python worker.
            func onPython(_ name: String, _ args: JSONValue...) -> Signature {
                Signature(task: name, args: args, options: ["queue": .string(pythonQueue)])
            }
            let chain = onPython("fix.add", 1, 2) | onPython("fix.mul", 10) | onPython("fix.add", 5)
            #expect(try await app.apply(chain).get(timeout: 30) == 35, "\(logs())")
            #expect(try await app.apply(.group([onPython("fix.add", 1, 1), onPython("fix.mul", 3, 3)])).get(timeout: 30) == [2, 9])
            let pythonChord = Signature.chord([onPython("fix.add", 1, 1), onPython("fix.add", 2, 2)], body: onPython("fix.xsum"))
            #expect(try await app.apply(pythonChord).get(timeout: 30) == 6, "\(logs())")
            let mixed = Signature.chord([onPython("fix.add", 5, 5), .s("demo.add", 6, 6), onPython("fix.add", 7, 7)],
                                        body: Signature.s("demo.xsum").set(["queue": .string(swiftQueue)]))
            #expect(try await app.apply(mixed).get(timeout: 30) == 36, "\(logs())")

            let starmap = Signature.starmap(onPython("fix.add"), [[1, 2], [3, 4]]).set(["queue": .string(pythonQueue)])
            #expect(try await app.apply(starmap).get(timeout: 30) == [3, 7], "Python's built-in starmap: \(logs())")

            let pythonGroupID = try #require(reply["python_group"]?.stringValue)
            let restored = try #require(try await app.groupResult(pythonGroupID))
            #expect(try await restored.get(timeout: 10) == [0, 2, 4, 6], "Swift restored the group Python saved")
        }
    }
}
