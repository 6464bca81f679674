@testable import Celeriac
import Foundation
import Testing

@Suite struct JSONValueTests {
    @Test func parsesAndSerializesEveryKind() throws {
        let text = #"{"a": [1, -2, 3.5, 1e-05, true, false, null], "b": {"c": "d\n\"q\"\u00e9\ud83d\ude00"}}"#
        let value = try JSONValue(parsing: text)
        #expect(value["a"] == [1, -2, 3.5, 1e-05, true, false, .null])
        #expect(value["b"]?["c"] == "d\n\"q\"é😀")
        #expect(try JSONValue(parsing: value.serialized) == value)
    }

    @Test func bigIntegersKeepTheirDigits() throws {
        let value = try JSONValue(parsing: "[123456789012345678901234567890, -9223372036854775808]")
        #expect(value[0] == .bigInteger("123456789012345678901234567890"))
        #expect(value[1] == .int(Int.min))
        #expect(value.serialized == "[123456789012345678901234567890, -9223372036854775808]")
    }

    @Test func pythonsSpecialFloatsAreAccepted() throws {
        let value = try JSONValue(parsing: "[NaN, Infinity, -Infinity]")
        #expect(value[0]?.doubleValue?.isNaN == true)
        #expect(value[1] == .double(.infinity))
        #expect(value[2] == .double(-.infinity))
    }

    @Test func integersStayIntegers() throws {
        #expect(try JSONValue(parsing: "5") == .int(5))
        #expect(try JSONValue(parsing: "5.0") == .double(5))
        #expect(JSONValue.double(5).serialized == "5.0")
    }

    @Test(arguments: ["", "[1,", "{\"a\" 1}", "[1] x", "\"\\q\"", "\"a\u{01}\"", "tru", "-", "1.", "{1: 2}"])
    func malformedInputIsAnErrorWithAnOffset(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test func deepNestingIsRefusedNotRecursed() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test func codableBridgeForTaskArguments() throws {
        struct Order: Codable, Equatable { var item: String; var quantity: Int }
        let value = try JSONValue(encoding: Order(item: "celeriac", quantity: 3))
        #expect(value == ["item": "celeriac", "quantity": 3])
        #expect(try value.decode(as: Order.self) == Order(item: "celeriac", quantity: 3))
    }

    /// The exact bytes: keys sorted, Python's separators, escapes only where JSON needs them,
    /// non-ASCII passed through as UTF-8, integers at both ends of their range.
    @Test func serializesToExactBytes() {
        let value: JSONValue = ["b": [0, -7, .int(Int.max), .int(Int.min)], "a": "tab\there \"q\" \\ é\u{01}", "c": .null]
        #expect(value.serialized == #"{"a": "tab\there \"q\" \\ é\u0001", "b": [0, -7, 9223372036854775807, -9223372036854775808], "c": null}"#)
    }

    @Test func longArgumentsSurvive() throws {
        let long = String(repeating: "ü", count: 200_000)
        let value: JSONValue = [.string(long), ["nested": ["deeper": [1, 2, ["x": .null]]]]]
        #expect(try JSONValue(parsing: value.serializedBytes) == value)
    }
}
