import Celeriac
@testable import CeleriacWorker
import Foundation
import Testing

/// The prefork pipes' frames and what they carry, over a real pipe.
@Suite struct PoolFrameTests {
    /// Frames written whole, in pieces or back to back come out as they went in, then nil
    /// when the writer closes.
    @Test func framesSurviveAPipeInAnyPieces() throws {
        var descriptors: [Int32] = [0, 0]
        try #require(pipe(&descriptors) == 0)
        let frames = [PoolFrame(kind: .ready, payload: Array("{\"pid\":1}".utf8)),
                      PoolFrame(kind: .outcome, payload: Array(repeating: 7, count: 200_000)),
                      PoolFrame(kind: .progress, payload: [])]
        let bytes = frames.flatMap(\.bytes)
        let writeEnd = descriptors[1]
        let writer = Thread {
            var offset = 0
            for size in [1, 3, 4096, 65_536, 1, 150_000, Int.max] where offset < bytes.count {
                let end = min(bytes.count, offset + size)
                _ = bytes[offset..<end].withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
                offset = end
            }
            close(writeEnd)
        }
        writer.start()
        var reader = PoolFrameReader(descriptor: descriptors[0])
        var read: [PoolFrame] = []
        while let frame = try reader.next() { read.append(frame) }
        close(descriptors[0])
        #expect(read == frames)
    }

    @Test func anUnknownKindOrAnAbsurdLengthIsAnError() throws {
        for bytes: [UInt8] in [[0, 0, 0, 1, 99], [0xFF, 0xFF, 0xFF, 0xFF, 1]] {
            var descriptors: [Int32] = [0, 0]
            try #require(pipe(&descriptors) == 0)
            _ = bytes.withUnsafeBytes { write(descriptors[1], $0.baseAddress, $0.count) }
            close(descriptors[1])
            var reader = PoolFrameReader(descriptor: descriptors[0])
            #expect(throws: PoolFrameReader.ReadError.self) { _ = try reader.next() }
            close(descriptors[0])
        }
    }

    /// The child rebuilds the message the worker decoded, headers, properties and body alike.
    @Test func aJobCarriesTheWholeMessage() throws {
        var message = TaskMessage(headers: ["id": "t-1", "task": "demo.add", "retries": 2, "eta": "2026-11-25T10:00:00+00:00",
                                            "timelimit": [5, 3], "custom": ["a": [1, 2]]],
                                  args: [2, "✓"], kwargs: ["y": 3.5], properties: .json)
        message.properties.correlationID = "t-1"
        message.properties.replyTo = "reply-q"
        message.properties.priority = 4
        let delivery = DeliveryInfo(exchange: "celery", routingKey: "celery", priority: 4, redelivered: true)
        let decoded = try ChildJob(frame: ChildJob(message: message, delivery: delivery).frame)
        #expect(decoded.message == message)
        #expect(decoded.delivery == delivery)
    }

    @Test(arguments: [
        TaskOutcome.success(["total": 3, "items": [1, "two", .null]]),
        .failure(CeleryError(type: "ValueError", message: ["boom ✗"], module: "builtins", traceback: "Traceback…")),
        .retry(TaskRetryPlan(countdown: 4, error: CeleryError(type: "Retry", message: [], module: "celery.exceptions"), retries: 2)),
        .retry(TaskRetryPlan(eta: Date(timeIntervalSince1970: 1_795_000_000.25),
                             error: CeleryError(type: "IOError", message: ["x"], module: "builtins"), retries: 1)),
        .rejected(requeue: true, reason: nil),
        .rejected(requeue: false, reason: CeleryError(type: "Reject", message: ["no"], module: "celery.exceptions")),
        .ignored,
    ])
    func everyOutcomeCrossesThePipe(outcome: TaskOutcome) throws {
        let decoded = try ChildOutcome(frame: ChildOutcome(taskID: "t-9", outcome: outcome, residentKiB: 12_345).frame)
        #expect(decoded.taskID == "t-9")
        #expect(decoded.outcome == outcome)
        #expect(decoded.residentKiB == 12_345)
    }

    @Test func progressCrossesThePipe() throws {
        let decoded = try ChildProgress(frame: ChildProgress(taskID: "t-2", state: TaskState("PROGRESS"), meta: ["done": 2]).frame)
        #expect(decoded.taskID == "t-2" && decoded.state == TaskState("PROGRESS") && decoded.meta == ["done": 2])
    }

    @Test func aMalformedOutcomeIsAnErrorNotACrash() {
        for payload in ["", "[]", "{\"kind\":\"failure\"}", "{\"kind\":\"teleported\"}"] {
            #expect(throws: (any Error).self) { _ = try ChildOutcome(frame: PoolFrame(kind: .outcome, payload: Array(payload.utf8))) }
        }
        #expect(throws: (any Error).self) { _ = try ChildJob(frame: PoolFrame(kind: .run, payload: [0, 0, 0, 50, 1])) }
    }
}

@Suite struct PoolErrorsTests {
    @Test func signalsAreReadAsCelerysSignumReadsThem() {
        #expect(PoolErrors.signalNumber("SIGKILL") == SIGKILL)
        #expect(PoolErrors.signalNumber("term") == SIGTERM)
        #expect(PoolErrors.signalNumber("9") == 9)
        #expect(PoolErrors.signalNumber("SIGNOPE") == nil)
        #expect(PoolErrors.signalNumber("0") == nil)
    }

    /// billiard's wording, from a wait status.
    @Test func exitStatusesReadAsBilliardWordsThem() {
        #expect(PoolErrors.exitDescription(SIGKILL) == "signal 9 (SIGKILL)")
        #expect(PoolErrors.exitDescription(3 << 8) == "exitcode 3")
        #expect(PoolErrors.exitDescription(0) == "exitcode 0")
    }

    /// A task that stops by its cancellation after the soft limit fails as Celery's would;
    /// one that caught the limit and returned keeps its result.
    @Test func theSoftLimitNamesACancelledTask() {
        let cancelled = TaskOutcome.failure(CeleryError(swiftError: CancellationError()))
        #expect(PoolErrors.afterSoftLimit(cancelled) == .failure(PoolErrors.softTimeLimitExceeded))
        #expect(PoolErrors.afterSoftLimit(.success(1)) == .success(1))
    }
}
