@testable import Celeriac
import Foundation
import Testing

@Suite struct TaskArgumentsTests {
    typealias Add = TaskFixtures.Add

    /// A tuple-like argument list read with an unkeyed container: `("ada", 3)`.
    struct Pair: Codable, Sendable, Hashable {
        var name: String
        var count: Int

        init(name: String, count: Int) {
            self.name = name
            self.count = count
        }

        init(from decoder: any Decoder) throws {
            var list = try decoder.unkeyedContainer()
            name = try list.decode(String.self)
            count = try list.decode(Int.self)
        }

        func encode(to encoder: any Encoder) throws {
            var list = encoder.unkeyedContainer()
            try list.encode(name)
            try list.encode(count)
        }
    }

    struct Address: Codable, Sendable, Hashable {
        var city: String
        var lines: [String]
    }

    struct Profile: Codable, Sendable, Hashable {
        var name: String
        var tags: [String]
        var address: Address?
        var balance: Decimal?
        var extra: [String: JSONValue]?
    }

    struct Greeting: Codable, Sendable, Hashable {
        var name: String
        var greeting: String?
        var punctuation: String
    }

    struct Flags: Codable, Sendable, Hashable {
        var verbose: Bool?
    }

    func decode<T: Decodable>(_ type: T.Type, _ args: [JSONValue], _ kwargs: [String: JSONValue] = [:],
                              names: [String] = []) throws -> T {
        try TaskArguments.decode(type, args: args, kwargs: kwargs, argumentNames: names, taskName: "fix.add")
    }

    // MARK: Decoding

    @Test func positionalAndKeywordArgumentsBindToNames() throws {
        let names = ["x", "y"]
        #expect(try decode(Add.self, [2, 3], names: names) == Add(x: 2, y: 3))
        #expect(try decode(Add.self, [2], ["y": 3], names: names) == Add(x: 2, y: 3))
        #expect(try decode(Add.self, [], ["x": 2, "y": 3], names: names) == Add(x: 2, y: 3))
    }

    @Test func withoutNamesTheArgsListIsTheValue() throws {
        #expect(try decode([Int].self, [1, 2, 3]) == [1, 2, 3])
        #expect(try decode([Int].self, []) == [])
        #expect(try decode(Pair.self, ["ada", 3]) == Pair(name: "ada", count: 3))
    }

    @Test func withoutNamesKwargsAloneAreTheValue() throws {
        #expect(try decode(Add.self, [], ["x": 1, "y": 2]) == Add(x: 1, y: 2))
        #expect(try decode(Flags.self, []) == Flags(verbose: nil))
    }

    @Test func aNameGivenTwiceIsAnError() {
        #expect(throws: TaskArgumentError.multipleValues(task: "fix.add", argument: "x")) {
            try decode(Add.self, [1], ["x": 2], names: ["x", "y"])
        }
        #expect(TaskArgumentError.multipleValues(task: "fix.add", argument: "x").description
            == "task 'fix.add' got multiple values for argument 'x'")
    }

    @Test func tooManyPositionalArgumentsAreAnError() {
        #expect(throws: TaskArgumentError.tooManyPositional(task: "fix.add", accepted: 2, given: 3)) {
            try decode(Add.self, [1, 2, 3], names: ["x", "y"])
        }
        #expect(TaskArgumentError.tooManyPositional(task: "fix.add", accepted: 2, given: 3).description
            == "task 'fix.add' takes 2 positional arguments but 3 were given")
    }

    @Test func argsAndKwargsWithoutNamesAreAnError() {
        let error = #expect(throws: TaskArgumentError.self) { try decode([Int].self, [1], ["y": 2]) }
        guard case .mixedWithoutNames? = error else {
            Issue.record("expected mixedWithoutNames, got \(String(describing: error))")
            return
        }
    }

    @Test func aWrongTypeNamesTheArgumentTheTypeAndWhatCame() {
        let error = #expect(throws: TaskArgumentError.self) { try decode(Add.self, [1, "three"], names: ["x", "y"]) }
        let text = error?.description ?? ""
        #expect(text.contains("task 'fix.add'"))
        #expect(text.contains("Add(x, y)"))
        #expect(text.contains("argument 'y' should be Int, got 'three'"))
        #expect(text.contains("args (1, 'three') kwargs {}"))
    }

    @Test func aMissingArgumentIsNamed() {
        let error = #expect(throws: TaskArgumentError.self) { try decode(Add.self, [1], names: ["x", "y"]) }
        #expect(error?.description.contains("missing argument 'y'") == true)
    }

    @Test func aWrongElementOfAnArgsListIsLocated() {
        let error = #expect(throws: TaskArgumentError.self) { try decode([Int].self, [1, "x"]) }
        #expect(error?.description.contains("args[1] should be Int, got 'x'") == true)
    }

    @Test func aNestedWrongTypeIsLocated() {
        let kwargs: [String: JSONValue] = ["tags": [], "address": ["city": 7, "lines": []]]
        let error = #expect(throws: TaskArgumentError.self) { try decode(Profile.self, ["ada"], kwargs, names: ["name"]) }
        #expect(error?.description.contains("argument 'address.city' should be String, got 7") == true)
    }

    @Test func unicodeBigIntegersNestedKwargsAndNullDecode() throws {
        let kwargs: [String: JSONValue] = [
            "tags": ["naïve", "日本語", "🥕"],
            "address": ["city": "Zürich", "lines": ["Bahnhofstrasse 1"]],
            "balance": .bigInteger("123456789012345678901234567890"),
            "extra": ["nested": ["deep": [1, .null, "ü"]]],
        ]
        let profile = try decode(Profile.self, ["Zoë \u{1F955}"], kwargs, names: ["name"])
        #expect(profile.name == "Zoë 🥕")
        #expect(profile.tags == ["naïve", "日本語", "🥕"])
        #expect(profile.address == Address(city: "Zürich", lines: ["Bahnhofstrasse 1"]))
        #expect(profile.balance == Decimal(string: "123456789012345678901234567890"))
        #expect(profile.extra == ["nested": ["deep": [1, .null, "ü"]]])

        let withNull = try decode(Profile.self, ["ada"], ["tags": [], "address": .null], names: ["name"])
        #expect(withNull.address == nil)
        #expect(withNull.balance == nil)
    }

    @Test func anIntegerBeyondIntFailsTheTaskInsteadOfCrashing() {
        let error = #expect(throws: TaskArgumentError.self) {
            try decode(Add.self, [.bigInteger("99999999999999999999"), 1], names: ["x", "y"])
        }
        guard case .undecodable(let task, _, _, let received)? = error else {
            Issue.record("expected undecodable, got \(String(describing: error))")
            return
        }
        #expect(task == "fix.add")
        #expect(received.contains("99999999999999999999"))
    }

    @Test func emptyArgumentsAcceptOnlyAnEmptyCall() throws {
        #expect(try decode(EmptyArguments.self, []) == EmptyArguments())
        #expect(throws: TaskArgumentError.unexpected(task: "fix.add", received: "args (1,) kwargs {}")) {
            try decode(EmptyArguments.self, [1])
        }
        #expect(throws: TaskArgumentError.self) { try decode(EmptyArguments.self, [], ["a": 1]) }
    }

    // MARK: Encoding (what delay and applyAsync send)

    func encode<T: Encodable>(_ value: T, names: [String] = []) throws -> (args: [JSONValue], kwargs: [String: JSONValue]) {
        try TaskArguments.encode(value, argumentNames: names, taskName: "fix.add")
    }

    @Test func namedFieldsGoPositionallyInOrder() throws {
        let call = try encode(Add(x: 2, y: 3), names: ["x", "y"])
        #expect(call.args == [2, 3])
        #expect(call.kwargs == [:])
        let partly = try encode(Add(x: 2, y: 3), names: ["x"])
        #expect(partly.args == [2])
        #expect(partly.kwargs == ["y": 3])
    }

    @Test func positionalStopsAtTheFirstMissingOptional() throws {
        let names = ["name", "greeting", "punctuation"]
        let value = Greeting(name: "Ada", greeting: nil, punctuation: "!")
        let call = try encode(value, names: names)
        #expect(call.args == ["Ada"])
        #expect(call.kwargs == ["punctuation": "!"])
        let back = try TaskArguments.decode(Greeting.self, args: call.args, kwargs: call.kwargs,
                                            argumentNames: names, taskName: "fix.greet")
        #expect(back == value)
    }

    @Test func withoutNamesListsAreArgsAndObjectsAreKwargs() throws {
        let list = try encode([1, 2, 3])
        #expect(list.args == [1, 2, 3])
        #expect(list.kwargs == [:])
        let object = try encode(Add(x: 1, y: 2))
        #expect(object.args == [])
        #expect(object.kwargs == ["x": 1, "y": 2])
        let pair = try encode(Pair(name: "ada", count: 3))
        #expect(pair.args == ["ada", 3])
        let single = try encode(5)
        #expect(single.args == [5])
        let empty = try encode(EmptyArguments())
        #expect(empty.args == [] && empty.kwargs == [:])
    }

    @Test func anUnencodableArgumentIsATaskArgumentError() {
        let error = #expect(throws: TaskArgumentError.self) { try encode([Double.nan]) }
        guard case .unencodable(let task, _)? = error else {
            Issue.record("expected unencodable, got \(String(describing: error))")
            return
        }
        #expect(task == "fix.add")
    }
}
