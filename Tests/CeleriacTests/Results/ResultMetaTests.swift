@testable import Celeriac
import Foundation
import Testing

@Suite struct ResultMetaTests {
    static let rpcResults = (try? CeleryFixture.all("rpc-result-")) ?? []

    @Test(arguments: rpcResults)
    func everyRPCResultDecodesAndEncodesEqual(fixture: CeleryFixture) throws {
        #expect(fixture.message.properties.correlationID != nil)
        let json = try JSONValue(parsing: fixture.message.body)
        let meta = try ResultMeta(json: json)
        #expect(meta.taskID == fixture.message.properties.correlationID)
        #expect(meta.json == json)
    }

    @Test func thereAreResultsOfEveryState() {
        let states = Set(Self.rpcResults.compactMap { try? ResultMeta(json: JSONValue(parsing: $0.message.body)).status })
        #expect(states.isSuperset(of: [.success, .failure, .retry, .revoked]))
    }

    @Test func aFailureCarriesCelerysException() throws {
        let fixture = try CeleryFixture.load("rpc-result-failure-1.json")
        let meta = try ResultMeta(json: JSONValue(parsing: fixture.message.body))
        #expect(meta.status == .failure)
        #expect(meta.status.isReady && meta.status.isException)
        let error = try #require(meta.error)
        #expect(error.type == "ValueError")
        #expect(error.module == "builtins")
        #expect(error.message == ["boom \u{2717}"])
        #expect(error.traceback?.contains("raise ValueError(message)") == true)
        #expect(error.pythonRepr == "ValueError('boom \u{2717}')")
        #expect(meta.name == "fix.fail")
        #expect(meta.worker == "fixw@vm")
        #expect(meta.dateDone == CeleryTime.parse("2026-11-24T23:07:36.736471+00:00"))
    }

    @Test(arguments: ["redis-result-meta-success-fix.add.json", "redis-result-meta-success-fix.xsum.json",
                      "redis-result-meta-failure-fix.fail.json"])
    func storedMetaRoundTrips(name: String) throws {
        let json = try JSONValue(parsing: Data(contentsOf: CeleryFixture.directory.appendingPathComponent(name)))
        let meta = try ResultMeta(json: json)
        #expect(meta.json == json)
        #expect(meta.other["group_id"] != nil || !name.contains("fix.add"))
    }

    @Test func aSwiftErrorTakesCelerysShape() {
        struct OutOfStock: Error, CustomStringConvertible { var description: String { "no more celeriac" } }
        let error = CeleryError(swiftError: OutOfStock())
        #expect(error.json == ["exc_type": "OutOfStock", "exc_message": ["no more celeriac"], "exc_module": "swift"])
        #expect(CeleryError(json: error.json) == error)
    }

    @Test func statePrecedenceKeepsReadyStates() {
        #expect(TaskState.success.precedence < TaskState.started.precedence)
        #expect(TaskState("PROGRESS").precedence > TaskState.failure.precedence)
        #expect(TaskState("PROGRESS").precedence < TaskState.revoked.precedence)
        #expect(!TaskState("PROGRESS").isReady)
    }

    @Test func malformedMetaIsRefused() {
        #expect(throws: ResultMetaError.notAnObject) { try ResultMeta(json: [1, 2]) }
        #expect(throws: ResultMetaError.missingField("status")) { try ResultMeta(json: ["task_id": "x"]) }
    }
}
