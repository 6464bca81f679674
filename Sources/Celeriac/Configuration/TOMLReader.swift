import Foundation

/// Reads the TOML that a `celeriac.toml` needs — tables, dotted and quoted keys, strings,
/// numbers, booleans, arrays and inline tables — into a JSON object. Dates and multi-line
/// strings are not supported and are reported as errors with their line.
enum TOMLReader {
    static func parse(_ text: String, path: String) throws(ConfigurationError) -> [String: JSONValue] {
        var root: [String: JSONValue] = [:]
        var tablePath: [String] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var cursor = Cursor(text: Array(rawLine.unicodeScalars), line: number + 1, path: path)
            cursor.skipSpaces()
            if cursor.atEndOrComment { continue }
            if cursor.peek == "[" {
                cursor.index += 1
                tablePath = try cursor.key()
                guard cursor.consume("]") else { throw cursor.error("expected ']' after a table name") }
                cursor.skipSpaces()
                guard cursor.atEndOrComment else { throw cursor.error("unexpected text after a table name") }
                try insert(.object([:]), at: tablePath, into: &root, replace: false, cursor: cursor)
                continue
            }
            let key = try cursor.key()
            guard cursor.consume("=") else { throw cursor.error("expected '=' after '\(key.joined(separator: "."))'") }
            let value = try cursor.value()
            cursor.skipSpaces()
            guard cursor.atEndOrComment else { throw cursor.error("unexpected text after a value") }
            try insert(value, at: tablePath + key, into: &root, replace: true, cursor: cursor)
        }
        return root
    }

    private static func insert(_ value: JSONValue, at path: [String], into object: inout [String: JSONValue],
                               replace: Bool, cursor: Cursor) throws(ConfigurationError) {
        let head = path[0]
        if path.count == 1 {
            if !replace, object[head] != nil { return }
            guard object[head] == nil else { throw cursor.error("'\(head)' is set twice") }
            object[head] = value
            return
        }
        var child = object[head]?.objectValue ?? [:]
        if let existing = object[head], existing.objectValue == nil {
            throw cursor.error("'\(head)' is a value, not a table")
        }
        try insert(value, at: Array(path.dropFirst()), into: &child, replace: replace, cursor: cursor)
        object[head] = .object(child)
    }

    private struct Cursor {
        let text: [Unicode.Scalar]
        var index = 0
        let line: Int
        let path: String

        init(text: [Unicode.Scalar], line: Int, path: String) {
            self.text = text
            self.line = line
            self.path = path
        }

        var peek: Unicode.Scalar? { index < text.count ? text[index] : nil }
        var atEndOrComment: Bool { peek == nil || peek == "#" || peek == "\r" }

        func error(_ reason: String) -> ConfigurationError { .invalidTOML(path: path, line: line, reason: reason) }

        mutating func skipSpaces() {
            while let c = peek, c == " " || c == "\t" { index += 1 }
        }

        mutating func consume(_ scalar: Unicode.Scalar) -> Bool {
            skipSpaces()
            guard peek == scalar else { return false }
            index += 1
            return true
        }

        /// A dotted key of bare (A-Za-z0-9_-) and quoted parts.
        mutating func key() throws(ConfigurationError) -> [String] {
            var parts: [String] = []
            repeat {
                skipSpaces()
                if peek == "\"" || peek == "'" {
                    parts.append(try quoted())
                } else {
                    var bare = ""
                    while let c = peek, c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "-" {
                        bare.unicodeScalars.append(c)
                        index += 1
                    }
                    guard !bare.isEmpty else { throw error("expected a key") }
                    parts.append(bare)
                }
                skipSpaces()
            } while consume(".")
            return parts
        }

        mutating func quoted() throws(ConfigurationError) -> String {
            let quote = peek!
            index += 1
            var out = ""
            while let c = peek {
                index += 1
                if c == quote { return out }
                if c == "\\" && quote == "\"" {
                    guard let escaped = peek else { break }
                    index += 1
                    switch escaped {
                    case "n": out += "\n"
                    case "t": out += "\t"
                    case "\"": out += "\""
                    case "\\": out += "\\"
                    default: throw error("unsupported escape '\\\(escaped)'")
                    }
                } else {
                    out.unicodeScalars.append(c)
                }
            }
            throw error("unterminated string")
        }

        mutating func value() throws(ConfigurationError) -> JSONValue {
            skipSpaces()
            guard let c = peek else { throw error("expected a value") }
            if c == "\"" || c == "'" { return .string(try quoted()) }
            if c == "[" {
                index += 1
                var values: [JSONValue] = []
                while !consume("]") {
                    values.append(try value())
                    if !consume(",") {
                        guard consume("]") else { throw error("expected ',' or ']' in an array") }
                        break
                    }
                }
                return .array(values)
            }
            if c == "{" {
                index += 1
                var object: [String: JSONValue] = [:]
                while !consume("}") {
                    let key = try self.key()
                    guard consume("=") else { throw error("expected '=' in an inline table") }
                    object[key.joined(separator: ".")] = try value()
                    if !consume(",") {
                        guard consume("}") else { throw error("expected ',' or '}' in an inline table") }
                        break
                    }
                }
                return .object(object)
            }
            var word = ""
            while let c = peek, !" \t,]}#\r".unicodeScalars.contains(c) {
                word.unicodeScalars.append(c)
                index += 1
            }
            switch word {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default:
                let digits = word.replacingOccurrences(of: "_", with: "")
                if let int = Int(digits) { return .int(int) }
                if let double = Double(digits) { return .double(double) }
                throw error("'\(word)' is not a TOML value; quote strings")
            }
        }
    }
}
