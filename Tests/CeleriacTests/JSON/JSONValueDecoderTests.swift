@testable import Celeriac
import Foundation
import Testing

/// `JSONValue.decode(as:)` reads a parsed value directly. It must agree with JSONDecoder on the
/// same text: the same value, or an error of the same kind at the same coding path.
@Suite struct JSONValueDecoderTests {
    struct Order: Codable, Equatable {
        var id: Int
        var items: [Item]
        var note: String?
        var rush: Bool
        var weights: [String: Double]
        var tags: Set<String>?
    }

    struct Item: Codable, Equatable {
        var sku: String
        var count: UInt8
        var price: Float
        var code: Int64?
    }

    enum Kind: String, Codable { case small, large }

    /// What a decode gave, comparable across the two decoders.
    enum Outcome<T: Equatable>: Equatable {
        case value(T)
        case typeMismatch(path: String)
        case valueNotFound(path: String)
        case keyNotFound(key: String, path: String)
        case dataCorrupted(path: String)
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    static func outcome<T: Decodable & Equatable>(_ decode: () throws -> T) -> Outcome<T> {
        do {
            return .value(try decode())
        } catch DecodingError.typeMismatch(_, let context) {
            return .typeMismatch(path: path(context.codingPath))
        } catch DecodingError.valueNotFound(_, let context) {
            return .valueNotFound(path: path(context.codingPath))
        } catch DecodingError.keyNotFound(let key, let context) {
            return .keyNotFound(key: key.stringValue, path: path(context.codingPath))
        } catch DecodingError.dataCorrupted(let context) {
            return .dataCorrupted(path: path(context.codingPath))
        } catch {
            Issue.record("not a DecodingError: \(error)")
            return .dataCorrupted(path: "?")
        }
    }

    func agree<T: Decodable & Equatable>(_ type: T.Type, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let parsed = try JSONValue(parsing: Data(text.utf8))
        let direct = Self.outcome { try parsed.decode(as: type) }
        let foundation = Self.outcome { try JSONDecoder().decode(type, from: Data(text.utf8)) }
        #expect(direct == foundation, "\(T.self) from \(text)", sourceLocation: sourceLocation)
    }

    static let good = #"{"id": 7, "items": [{"sku": "a-1", "count": 3, "price": 2.5}, {"sku": "b", "count": 255, "price": 1, "code": 9000000000}], "note": null, "rush": false, "weights": {"x": 1, "y": 0.25}, "tags": ["p", "q"]}"#

    @Test func aNestedValueDecodesAsJSONDecoderDecodesIt() throws {
        try agree(Order.self, Self.good)
        try agree([Kind].self, #"["small", "large"]"#)
        try agree([Int: String].self, #"{"1": "one", "2": "two"}"#)
        try agree([Double].self, "[1, 2.5, -0.0, 1e300]")
        try agree([Int].self, "[2.0, 1e2, -9223372036854775808]")
        try agree([String?].self, #"["a", null]"#)
        try agree(Bool?.self, "null")
    }

    @Test func aWrongKindAMissingKeyAndANullAreTheSameErrorsAtTheSamePath() throws {
        try agree(Order.self, Self.good.replacingOccurrences(of: #""count": 3"#, with: #""count": "3""#))
        try agree(Order.self, Self.good.replacingOccurrences(of: #""rush": false"#, with: #""rush": 0"#))
        try agree(Order.self, Self.good.replacingOccurrences(of: #""sku": "b", "#, with: ""))
        try agree(Order.self, Self.good.replacingOccurrences(of: #""id": 7"#, with: #""id": null"#))
        try agree(Order.self, Self.good.replacingOccurrences(of: #""items": ["#, with: #""items": [null, "#))
        try agree(Order.self, "[1, 2]")
        try agree([Int].self, #"{"a": 1}"#)
        try agree([Int].self, "null")
        try agree(Kind.self, #""medium""#)
        try agree(TaskArgumentsTests.Pair.self, #"["ada"]"#)
    }

    /// JSONDecoder reports these as text that is "not valid JSON" at no path; the direct
    /// decoder names the number and where it is, which tells the caller more.
    @Test func aNumberThatDoesNotFitIsDataCorruptedWhereItIs() throws {
        for (text, path) in [(#"{"sku": "a", "count": 256, "price": 1}"#, "count"),
                             (#"{"sku": "a", "count": 1.5, "price": 1}"#, "count"),
                             (#"{"sku": "a", "count": 1, "price": 1e300}"#, "price"),
                             (#"{"sku": "a", "count": 1, "price": 1, "code": 99999999999999999999}"#, "code")] {
            let parsed = try JSONValue(parsing: Data(text.utf8))
            #expect(Self.outcome { try parsed.decode(as: Item.self) } == .dataCorrupted(path: path), "\(text)")
        }
    }

    /// The types JSONDecoder gives a form of their own keep it: Data as base64, URL as a
    /// string, Decimal as a number, and an error inside them is placed where they are.
    @Test func foundationsSpecialTypesKeepTheirJSONForms() throws {
        struct Special: Codable, Equatable {
            var data: Data
            var url: URL
            var amount: Decimal
            var when: Date
        }
        try agree(Special.self, #"{"data": "aGk=", "url": "https://example.com/a?b=1", "amount": 12.5, "when": 1000.5}"#)
        let bad = try JSONValue(parsing: Data(#"{"data": 1, "url": "u", "amount": 1, "when": 0}"#.utf8))
        #expect(Self.outcome { try bad.decode(as: Special.self) } == .typeMismatch(path: "data"))
    }

    /// The error a task's caller sees names the argument as before.
    @Test func aBadTaskArgumentIsStillNamed() throws {
        let error = #expect(throws: TaskArgumentError.self) {
            try TaskArguments.decode(TaskFixtures.Add.self, args: [.int(1), .string("x")], kwargs: [:],
                                     argumentNames: ["x", "y"], taskName: "demo.add")
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("argument 'y' should be Int, got 'x'"))
    }
}
