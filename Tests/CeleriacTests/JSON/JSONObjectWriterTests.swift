@testable import Celeriac
import Testing

@Suite struct JSONObjectWriterTests {
    @Test func writesFieldsInOrderAndParsesBackToTheSameValues() throws {
        var writer = JSONObjectWriter()
        writer.field("uuid", "9f1c")
        writer.field("quote\"d", "a \"b\" \\ c\n\u{01}é😀")
        writer.field("retries", -3)
        writer.field("runtime", 0.25)
        writer.field("eta", .null)
        writer.field("nested", ["x": [1, 2]])
        let bytes = writer.finished()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"uuid": "9f1c", "quote\"d": "a \"b\" \\ c\n\u0001é😀", "retries": -3"#))
        #expect(try JSONValue(parsing: bytes) == [
            "uuid": "9f1c", "quote\"d": "a \"b\" \\ c\n\u{01}é😀", "retries": -3, "runtime": 0.25, "eta": .null,
            "nested": ["x": [1, 2]],
        ])
    }

    @Test func anEmptyObjectIsBraces() {
        #expect(JSONObjectWriter().finished() == Array("{}".utf8))
    }
}
