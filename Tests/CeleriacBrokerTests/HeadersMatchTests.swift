import AMQPProtocol
@testable import CeleriacBroker
import Testing

struct HeadersMatchTests {
    @Test func allNeedsEveryNonXKeyAndIgnoresXKeys() throws {
        let match = try HeadersMatch(bindingArguments: ["x-match": "all", "a": 1, "b": "two", "x-extra": "ignored"])
        #expect(match.matches(["a": 1, "b": "two", "c": true]))
        #expect(!match.matches(["a": 1]))
        #expect(!match.matches(["a": 2, "b": "two"]))
        #expect(!match.matches(nil))
    }

    @Test func anyNeedsOneAndAllIsTheDefault() throws {
        let any = try HeadersMatch(bindingArguments: ["x-match": "any", "a": 1, "b": 2])
        #expect(any.matches(["b": 2]))
        #expect(!any.matches(["c": 2]))
        let defaultAll = try HeadersMatch(bindingArguments: ["a": 1, "b": 2])
        #expect(!defaultAll.matches(["b": 2]))
    }

    @Test func voidAsksOnlyForPresenceAndWithXComparesXKeys() throws {
        let present = try HeadersMatch(bindingArguments: ["flag": .void])
        #expect(present.matches(["flag": "anything"]))
        #expect(!present.matches(["other": 1]))
        let withX = try HeadersMatch(bindingArguments: ["x-match": "all-with-x", "x-tenant": "t1"])
        #expect(withX.matches(["x-tenant": "t1"]))
        #expect(!withX.matches(["x-tenant": "t2"]))
    }

    @Test func anUnknownXMatchIsAPreconditionFailure() {
        #expect(throws: AMQPException.self) { try HeadersMatch(bindingArguments: ["x-match": "some"]) }
        do {
            _ = try HeadersMatch(bindingArguments: ["x-match": "some"])
        } catch {
            #expect(error.code == .preconditionFailed)
        }
    }
}
