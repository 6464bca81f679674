@testable import Celeriac
import Testing

@Suite struct JSONObjectWriterTests {
    @Test func writesFieldsInOrderAndParsesBackToTheSameValues() throws {
        var writer = JSONObjectWriter()
        writer.field("uuid", "9f1c")
        writer.field("quoted", "a \"b\" \\ c\n\u{01}é😀")
        writer.field("retries", -3)
        writer.field("runtime", 0.25)
        writer.field("eta", .null)
        writer.field("nested", ["x": [1, 2]])
        let bytes = writer.finished()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"uuid": "9f1c", "quoted": "a \"b\" \\ c\n\u0001é😀", "retries": -3"#))
        #expect(try JSONValue(parsing: bytes) == [
            "uuid": "9f1c", "quoted": "a \"b\" \\ c\n\u{01}é😀", "retries": -3, "runtime": 0.25, "eta": .null,
            "nested": ["x": [1, 2]],
        ])
    }

    @Test func anEmptyObjectIsBraces() {
        #expect(JSONObjectWriter().finished() == Array("{}".utf8))
    }

    @Test func timestampsHaveMicrosecondsAndParseBack() throws {
        var writer = JSONObjectWriter()
        writer.field("a", timestamp: 1_764_143_123.042117)
        writer.field("b", timestamp: 5.5)
        writer.field("c", timestamp: -1.25)  // outside the fast path: Python's repr
        let bytes = writer.finished()
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"a": 1764143123.042117, "b": 5.500000, "c": -1.25}"#)
        #expect(try JSONValue(parsing: bytes)["b"] == 5.5)
    }

    @Test func commonResultsEncodeWithoutTheEncoderAndAsItWould() throws {
        let none: Int? = nil
        // Compared as they serialize: JSONValue's == takes 3 and 3.0 for the same number.
        #expect(try JSONValue(encoding: none).serialized == "null")
        #expect(try JSONValue(encoding: Optional(3)).serialized == "3")
        #expect(try JSONValue(encoding: Optional(Optional(true))).serialized == "true")
        #expect(try JSONValue(encoding: 3).serialized == "3")
        #expect(try JSONValue(encoding: "x").serialized == #""x""#)
        #expect(try JSONValue(encoding: 2.5).serialized == "2.5")
        #expect(try JSONValue(encoding: [1, 2]).serialized == "[1, 2]")
    }
}
