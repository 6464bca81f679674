@testable import Celeriac
import Foundation
import Testing

@Suite struct TaskMessageTests {
    static let taskFixtures = (try? CeleryFixture.all("task-")) ?? []
    static let chordTaskFixtures = (try? CeleryFixture.all("chord-phase-task-")) ?? []

    @Test func thereAreTaskFixtures() {
        #expect(Self.taskFixtures.count >= 20)
        #expect(Self.chordTaskFixtures.count >= 5)
    }

    @Test(arguments: taskFixtures + chordTaskFixtures)
    func everyCapturedTaskDecodesAndEncodesToAnEqualMessage(fixture: CeleryFixture) throws {
        let task = try TaskMessage(fixture.message)
        #expect(!task.id.isEmpty)
        #expect(task.taskName.hasPrefix("fix."))
        let again = task.brokerMessage(exchange: fixture.message.exchange, routingKey: fixture.message.routingKey)
        #expect(again.properties == fixture.message.properties)
        #expect(try JSONValue(parsing: again.body) == JSONValue(parsing: fixture.message.body))
        #expect(try TaskMessage(again) == task)
    }

    @Test func headersOfACountdownTask() throws {
        let task = try TaskMessage(CeleryFixture.load("task-fix_add-3.json").message)
        #expect(task.taskName == "fix.add")
        #expect(task.args == [1, 1])
        #expect(task.eta == CeleryTime.parse("2026-11-24T23:07:36.716532+00:00"))
        #expect(task.expires == nil)
        #expect(task.timeLimit.soft == nil && task.timeLimit.hard == nil)
        #expect(task.rootID == task.id)
        #expect(task.priority == 5)
    }

    @Test func chainAndLinksSurviveAsSignatures() throws {
        let chained = try TaskMessage(CeleryFixture.load("task-fix_add-6.json").message)
        let chain = try #require(chained.embed.chain)
        #expect(chain.count == 2)
        #expect(chain[0].task == "fix.add")
        #expect(chain[0].args == [5])
        #expect(chain[0].options["task_id"] == "1febf2f8-1533-40b6-b07f-d7e9b6677d41")
        let linked = try TaskMessage(CeleryFixture.load("task-fix_add-11.json").message)
        #expect(linked.embed.callbacks == [Signature.si("fix.mul", 3, 3)])
        #expect(linked.embed.errbacks == [Signature.si("fix.add", 0, 0)])
    }

    @Test func unicodeArgumentsSurvive() throws {
        let task = try TaskMessage(CeleryFixture.load("task-fix_fail-1.json").message)
        #expect(task.args == ["boom \u{2717}"])
    }

    @Test func aBuiltMessageHasCelerysShape() throws {
        let celery = try TaskMessage(CeleryFixture.load("task-fix_add-4.json").message)
        let now = Date()
        let ours = TaskMessage.build(name: "fix.add", args: [1, 2],
                                     options: TaskSendOptions(expires: now.addingTimeInterval(60)),
                                     replyTo: "reply-queue", defaultPriority: 5, now: now)
        #expect(Set(ours.headers.keys) == Set(celery.headers.keys))
        #expect(ours.headers["lang"] == "swift")
        #expect(ours.headers["argsrepr"] == celery.headers["argsrepr"])
        #expect(ours.headers["kwargsrepr"] == "{}")
        #expect(ours.properties.expiration == "60000")
        #expect(ours.properties.deliveryMode == 2)
        #expect(ours.properties.correlationID == ours.id)
        #expect(ours.rootID == ours.id)
        #expect(ours.embed.json == celery.embed.json)
        #expect(try JSONValue(parsing: ours.body)[2] == JSONValue(parsing: celery.body)[2])
        #expect(abs(ours.expires!.timeIntervalSince(now) - 60) < 0.001)
    }

    @Test func reprsFollowPython() {
        #expect(JSONValue.pythonTupleRepr([2, 3]) == "(2, 3)")
        #expect(JSONValue.pythonTupleRepr([1]) == "(1,)")
        #expect(JSONValue.pythonTupleRepr([]) == "()")
        #expect(JSONValue.object(["x": 1, "y": "it's", "z": .null, "w": true]).pythonRepr
                == "{'w': True, 'x': 1, 'y': \"it's\", 'z': None}")
        #expect(JSONValue.truncatedRepr(String(repeating: "a", count: 2000)).count == 1024)
    }

    @Test func refusesWhatIsNotProtocolTwoJSON() throws {
        var message = try CeleryFixture.load("task-fix_add-1.json").message
        var pickled = message
        pickled.properties.contentType = "application/x-python-serialize"
        #expect(throws: TaskMessageError.unsupportedContentType("application/x-python-serialize")) {
            try TaskMessage(pickled)
        }
        #expect(TaskMessageError.unsupportedContentType("application/x-python-serialize").description.contains("json"))
        var version1 = message
        version1.properties.headers["task"] = nil
        #expect(throws: TaskMessageError.protocolVersion1) { try TaskMessage(version1) }
        message.body = Array("[[1], {}]".utf8)
        #expect(throws: TaskMessageError.self) { try TaskMessage(message) }
        message.body = Array("not json".utf8)
        #expect(throws: TaskMessageError.self) { try TaskMessage(message) }
    }
}

extension CeleryFixture: CustomTestStringConvertible {
    var testDescription: String { name }
}

@Suite struct TaskSendOptionsTests {
    @Test func linksIDsShadowAndLimitsLandWhereCeleryPutsThem() throws {
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        let options = TaskSendOptions(eta: now.addingTimeInterval(30), link: [.s("fix.mul", 10)],
                                      linkError: [.si("fix.add", 0, 0)], taskID: "my-id", shadow: "shown.name",
                                      ignoreResult: true, softTimeLimit: 5, timeLimit: 10, parentID: "p", rootID: "r",
                                      groupID: "g", groupIndex: 3, retries: 2)
        let message = TaskMessage.build(name: "fix.add", args: [1, 2], options: options, now: now)
        #expect(message.id == "my-id")
        #expect(message.properties.correlationID == "my-id")
        #expect(message.shadow == "shown.name")
        #expect(message.ignoreResult)
        #expect(message.timeLimit.soft == 5 && message.timeLimit.hard == 10)
        #expect(message.parentID == "p" && message.rootID == "r")
        #expect(message.groupID == "g" && message.groupIndex == 3)
        #expect(message.retries == 2)
        #expect(message.headers["eta"] == "2025-11-24T16:00:30.000000+00:00")
        #expect(message.eta == now.addingTimeInterval(30))
        let body = try JSONValue(parsing: message.body)
        #expect(body[2]?["callbacks"] == [Signature.s("fix.mul", 10).json])
        #expect(body[2]?["errbacks"] == [Signature.si("fix.add", 0, 0).json])
        #expect(body[2]?["chain"] == .null)
    }

    @Test func expiresTakesSecondsOrADate() {
        var options = TaskSendOptions()
        options.expiresIn = 60
        #expect(abs(options.expires!.timeIntervalSinceNow - 60) < 1)
        options.expires = Date(timeIntervalSince1970: 0)
        #expect(options.expiresIn! < 0)
    }

    @Test func timesRoundTripAtMicrosecondPrecision() {
        let date = Date(timeIntervalSince1970: 1_764_025_656.716532)
        let text = CeleryTime.format(date)
        #expect(text == "2025-11-24T23:07:36.716532+00:00")
        #expect(abs(CeleryTime.parse(text)!.timeIntervalSince(date)) < 0.000_001)
        #expect(CeleryTime.parse("2026-11-24T23:07:36Z") != nil)
        #expect(CeleryTime.parse("2026-11-24T23:07:36.5+02:00") == CeleryTime.parse("2026-11-24T21:07:36.5+00:00"))
        #expect(CeleryTime.parse("yesterday") == nil)
    }
}
