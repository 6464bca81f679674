#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A cursor over JSON bytes that reads one value at a time, so a caller that wants three
/// fields of an object reads those and skips the rest without building a document. It is
/// what `JSONValue(parsing:)` is built on, and what the monitor's event decoder uses to read
/// hundreds of thousands of events a second. RFC 8259, plus Python's NaN and ±Infinity.
///
/// It borrows `bytes`: use it inside `withUnsafeBytes` and never let it escape.
@frozen public struct JSONReader {
    public let bytes: UnsafeRawBufferPointer
    /// The offset of the next byte to read; a caller may move it back to re-read a value.
    public var index: Int

    @inlinable public init(_ bytes: UnsafeRawBufferPointer, at index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    @inlinable public func error(_ reason: String) -> JSONParseError { JSONParseError(reason: reason, offset: index) }

    /// The next byte, after any whitespace; nil at the end.
    @inlinable @inline(__always) public mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < bytes.count ? bytes[index] : nil
    }

    @inlinable @inline(__always) public mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// Fails unless only whitespace is left.
    @inlinable public mutating func expectEnd() throws(JSONParseError) {
        skipWhitespace()
        guard index == bytes.count else { throw error("unexpected text after the document") }
    }

    // MARK: - Containers

    /// Reads the object at the cursor, calling `body` with each key (raw bytes, escapes
    /// undone only when the key has any) and the reader placed on its value, which `body`
    /// must read or skip.
    @inlinable public mutating func readObject(
        depth: Int = 0, _ body: (_ key: JSONKey, _ reader: inout JSONReader) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        var members = try beginObject(depth: depth)
        while let key = try nextKey(&members) {
            try body(key, &self)
        }
    }

    /// Where a member-by-member read of an object stands (`beginObject`, `nextKey`).
    public struct ObjectMembers {
        @usableFromInline var first = true
        @inlinable init() {}
    }

    /// Enters the object at the cursor; read it with `nextKey` until that returns nil. The
    /// closure-free form of `readObject`, for decoders that read a few known keys fast.
    @inlinable public mutating func beginObject(depth: Int = 0) throws(JSONParseError) -> ObjectMembers {
        guard depth < JSONValue.maximumDepth else { throw error("nested deeper than \(JSONValue.maximumDepth) levels") }
        guard peek() == UInt8(ascii: "{") else { throw error("expected an object") }
        index += 1
        return ObjectMembers()
    }

    /// The next key, with the cursor placed on its value (which the caller must read or
    /// skip); nil after the closing brace.
    @inlinable @inline(__always) public mutating func nextKey(_ members: inout ObjectMembers) throws(JSONParseError) -> JSONKey? {
        if let key = nextShortKey(&members) { return key }
        return try nextKeyInFull(&members)
    }

    /// The next key in the common case, without the cost of a throwing call: `, "key": ` (or
    /// the first `"key": `) with a key of under sixteen bytes and no escapes, in Python's
    /// spacing or none. Anything else — the closing brace too — returns nil with nothing
    /// consumed, and `nextKey` then reads it. (Swift does not inline functions with typed
    /// throws, so a hot loop calls this one first.)
    @inlinable @inline(always) public mutating func nextShortKey(_ members: inout ObjectMembers) -> JSONKey? {
        var at = index
        if !members.first {
            guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: ",") else { return nil }
            at += bytes[at + 1] == UInt8(ascii: " ") ? 2 : 1
        }
        // The 16-byte read, then the closing quote, ':' and a space at most two bytes past it.
        guard at + 19 <= bytes.count, bytes[at] == UInt8(ascii: "\""), let key = shortString(at: at),
              bytes[at + key.raw.count + 2] == UInt8(ascii: ":") else { return nil }
        index = at + key.raw.count + 3
        if bytes[index] == UInt8(ascii: " ") { index += 1 }
        members.first = false
        return key
    }

    /// The string whose opening quote is at `quote` when it ends, without escapes, within the
    /// sixteen bytes after the quote (read as two words; the caller checks they are there).
    @inlinable @inline(always) func shortString(at quote: Int) -> JSONKey? {
        let start = quote + 1
        let first = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: start, as: UInt64.self))
        let second = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: start + 8, as: UInt64.self))
        let specialFirst = Self.specialBytes(first)
        let specialSecond = Self.specialBytes(second)
        let count = specialFirst != 0 ? specialFirst.trailingZeroBitCount >> 3
            : specialSecond != 0 ? 8 + specialSecond.trailingZeroBitCount >> 3 : 16
        guard count < 16, bytes[start + count] == UInt8(ascii: "\"") else { return nil }
        let head = count >= 8 ? first : first & ((1 << (8 * UInt64(count))) &- 1)
        let tail = count <= 8 ? 0 : second & ((1 << (8 * UInt64(count - 8))) &- 1)
        return JSONKey(raw: UnsafeRawBufferPointer(rebasing: bytes[start..<start + count]), hasEscapes: false,
                       head: head, tail: tail)
    }

    /// Any key, any spacing, and the closing brace.
    @usableFromInline mutating func nextKeyInFull(_ members: inout ObjectMembers) throws(JSONParseError) -> JSONKey? {
        guard let next = peek() else { throw error("unterminated object") }
        if next == UInt8(ascii: "}") {
            index += 1
            return nil
        }
        if !members.first {
            guard next == UInt8(ascii: ",") else { throw error("expected ',' or '}' in an object") }
            index += 1
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a string key") }
        } else {
            guard next == UInt8(ascii: "\"") else { throw error("expected a string key") }
        }
        members.first = false
        let key = try readKey()
        guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
        index += 1
        skipWhitespace()
        return key
    }

    /// Reads the array at the cursor, calling `body` with the reader placed on each element.
    @inlinable public mutating func readArray(
        depth: Int = 0, _ body: (_ reader: inout JSONReader) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        guard depth < JSONValue.maximumDepth else { throw error("nested deeper than \(JSONValue.maximumDepth) levels") }
        guard peek() == UInt8(ascii: "[") else { throw error("expected an array") }
        index += 1
        if peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            try body(&self)
            guard let next = peek() else { throw error("unterminated array") }
            index += 1
            if next == UInt8(ascii: ",") { continue }
            if next == UInt8(ascii: "]") { return }
            index -= 1
            throw error("expected ',' or ']' in an array")
        }
    }

    // MARK: - Values

    /// Reads any value into a `JSONValue`.
    @inlinable public mutating func readValue(depth: Int = 0) throws(JSONParseError) -> JSONValue {
        guard depth < JSONValue.maximumDepth else { throw error("nested deeper than \(JSONValue.maximumDepth) levels") }
        guard let first = peek() else { throw error("unexpected end of input") }
        switch first {
        case UInt8(ascii: "{"):
            var object: [String: JSONValue] = [:]
            try readObject(depth: depth) { (key, reader) throws(JSONParseError) in
                guard let name = key.validatedString else { throw reader.error("key is not valid UTF-8") }
                object[name] = try reader.readValue(depth: depth + 1)
            }
            return .object(object)
        case UInt8(ascii: "["):
            var array: [JSONValue] = []
            try readArray(depth: depth) { (reader) throws(JSONParseError) in
                array.append(try reader.readValue(depth: depth + 1))
            }
            return .array(array)
        case UInt8(ascii: "\""): return .string(try readString())
        default: return try readScalar()
        }
    }

    /// Moves past the value at the cursor without keeping it (strings are still checked).
    @inlinable public mutating func skipValue(depth: Int = 0) throws(JSONParseError) {
        guard depth < JSONValue.maximumDepth else { throw error("nested deeper than \(JSONValue.maximumDepth) levels") }
        guard let first = peek() else { throw error("unexpected end of input") }
        switch first {
        case UInt8(ascii: "{"):
            try readObject(depth: depth) { (_, reader) throws(JSONParseError) in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            try readArray(depth: depth) { (reader) throws(JSONParseError) in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""):
            _ = try scanString()
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            try skipNumber()
        default:
            _ = try readScalar()
        }
    }

    /// A string, or nil for `null`; anything else is skipped and read as nil too, as a typed
    /// field of the wrong type is treated as absent.
    @inlinable public mutating func readOptionalString() throws(JSONParseError) -> String? {
        if peek() == UInt8(ascii: "\"") { return try readString() }
        try skipValue()
        return nil
    }

    /// A number as a Double, or nil for anything else (which is skipped).
    @inlinable public mutating func readOptionalDouble() throws(JSONParseError) -> Double? {
        guard let first = peek(), first == UInt8(ascii: "-") || first &- UInt8(ascii: "0") < 10
                || first == UInt8(ascii: "N") || first == UInt8(ascii: "I")
        else {
            try skipValue()
            return nil
        }
        let isSpecial = first == UInt8(ascii: "N") || first == UInt8(ascii: "I")
            || (first == UInt8(ascii: "-") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "I"))
        guard !isSpecial else { return try readScalar().doubleValue }
        // Straight from the scan, as `readScalar().doubleValue` would give it.
        let number = try scanNumber()
        if let value = number.exactDouble { return value }
        if let integer = number.integer { return Double(integer) }
        if number.isInteger { return nil }  // past Int: a big integer, not a Double
        return parseDouble(number.range)
    }

    /// A number as an Int when it is a whole one, else nil (skipped).
    @inlinable public mutating func readOptionalInt() throws(JSONParseError) -> Int? {
        guard let first = peek(), first == UInt8(ascii: "-") || first &- UInt8(ascii: "0") < 10 else {
            try skipValue()
            return nil
        }
        return try readScalar().intValue
    }

    /// true, false, null, a number, NaN or ±Infinity.
    @inlinable mutating func readScalar() throws(JSONParseError) -> JSONValue {
        switch bytes[index] {
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "N"): try expectWord("NaN"); return .double(.nan)
        case UInt8(ascii: "I"): try expectWord("Infinity"); return .double(.infinity)
        case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "I"):
            index += 1
            try expectWord("Infinity")
            return .double(-.infinity)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber()
        default: throw error("unexpected character '\(Unicode.Scalar(bytes[index]))'")
        }
    }

    @inlinable mutating func expectWord(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count,
              memcmp(bytes.baseAddress! + index, word.utf8Start, count) == 0
        else { throw error("expected '\(word)'") }
        index += count
    }

    // MARK: - Strings

    /// Reads a string, undoing escapes and refusing invalid UTF-8.
    @inlinable public mutating func readString() throws(JSONParseError) -> String {
        let raw = try scanString()
        return try decode(raw)
    }

    /// A string as its raw bytes when it has no escapes (almost always), else decoded: for
    /// comparing with known names, or interning, without making a String first.
    @inlinable @inline(__always) public mutating func readStringToken() throws(JSONParseError) -> JSONKey {
        try readKey()
    }

    /// An object key: its raw bytes when it has no escapes (almost always), else decoded.
    @usableFromInline mutating func readKey() throws(JSONParseError) -> JSONKey {
        // Keys are short: the first sixteen bytes, read as two words, usually hold the whole
        // key and its closing quote, which the special-byte mask finds.
        if index + 17 <= bytes.count, let key = shortString(at: index) {
            index += key.raw.count + 2
            return key
        }
        let scanned = try scanString()
        let raw = UnsafeRawBufferPointer(rebasing: bytes[scanned.range])
        if scanned.hasEscapes { _ = try decode(scanned) }  // checked now, undone when asked
        let start = scanned.range.lowerBound
        guard start + 16 <= bytes.count else {
            let (head, tail) = JSONKey.words(raw)
            return JSONKey(raw: raw, hasEscapes: scanned.hasEscapes, head: head, tail: tail)
        }
        // Two loads, then the bytes past the key masked off.
        var head = bytes.loadUnaligned(fromByteOffset: start, as: UInt64.self)
        var tail = bytes.loadUnaligned(fromByteOffset: start + 8, as: UInt64.self)
        let count = raw.count
        if count < 8 {
            head &= (1 << (8 * UInt64(count))) &- 1
            tail = 0
        } else if count < 16 {
            tail &= (1 << (8 * UInt64(count - 8))) &- 1
        }
        return JSONKey(raw: raw, hasEscapes: scanned.hasEscapes, head: UInt64(littleEndian: head), tail: UInt64(littleEndian: tail))
    }

    @usableFromInline struct RawString {
        @usableFromInline var range: Range<Int>
        @usableFromInline var hasEscapes: Bool
        @inlinable init(range: Range<Int>, hasEscapes: Bool) {
            self.range = range
            self.hasEscapes = hasEscapes
        }
    }

    /// Moves past a string, checking its characters and escapes; returns where its body lies.
    @inlinable mutating func scanString() throws(JSONParseError) -> RawString {
        index += 1  // the opening quote
        let start = index
        var hasEscapes = false
        while true {
            // Eight bytes at a time, straight to the first quote, backslash or control byte.
            while index + 8 <= bytes.count {
                let special = Self.specialBytes(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
                if special == 0 {
                    index += 8
                } else {
                    index += special.trailingZeroBitCount >> 3
                    break
                }
            }
            guard index < bytes.count else { throw error("unterminated string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return RawString(range: start..<index - 1, hasEscapes: hasEscapes)
            }
            if byte < 0x20 { throw error("control character in a string; escape it") }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                index += 1
                guard index < bytes.count else { throw error("unterminated escape") }
                switch bytes[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"), UInt8(ascii: "u"):
                    break
                default: throw error("unknown escape '\\\(Unicode.Scalar(bytes[index]))'")
                }
            }
            index += 1
        }
    }

    /// The high bit of each byte of `word` that is '"', '\\' or below 0x20 (SWAR: a byte equal
    /// to zero after the XOR sets its high bit in `(v - 0x01…) & ~v & 0x80…`). Bytes after a
    /// match may be flagged falsely, never before it: the lowest flag is the first match.
    @inlinable static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        return ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (word &- ones &* 0x20) & ~word) & highs
    }

    @inlinable func decode(_ raw: RawString) throws(JSONParseError) -> String {
        let body = UnsafeRawBufferPointer(rebasing: bytes[raw.range])
        if !raw.hasEscapes {
            guard let string = Self.string(body) else {
                throw JSONParseError(reason: "string is not valid UTF-8", offset: raw.range.lowerBound)
            }
            return string
        }
        return try Self.unescape(body, offset: raw.range.lowerBound)
    }

    /// A string body with escapes (already checked by the scan) undone; `offset` places errors.
    @usableFromInline static func unescape(_ body: UnsafeRawBufferPointer, offset: Int) throws(JSONParseError) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(body.count)
        var position = 0
        while position < body.count {
            let byte = body[position]
            position += 1
            guard byte == UInt8(ascii: "\\") else {
                utf8.append(byte)
                continue
            }
            let escape = body[position]
            position += 1
            switch escape {
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                utf8.append(contentsOf: String(try unicodeEscape(body, at: &position, offset: offset + position)).utf8)
            default: utf8.append(escape)  // " \ /
            }
        }
        guard let string = String(validating: utf8, as: UTF8.self) else {
            throw JSONParseError(reason: "string is not valid UTF-8", offset: offset)
        }
        return string
    }

    /// A String of UTF-8 `bytes`, nil when they are not valid. ASCII (nearly every string a
    /// Celery event carries) is copied straight in; anything else goes through the validator.
    @inlinable public static func string(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard isASCII(bytes) else { return String(validating: bytes, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: bytes.count) { buffer in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: bytes)
            return bytes.count
        }
    }

    /// Whether every byte is below 0x80, read eight at a time.
    @inlinable public static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        var high: UInt64 = 0
        while offset + 8 <= bytes.count {
            high |= bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < bytes.count {
            high |= UInt64(bytes[offset])
            offset += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// \uXXXX (the "\u" already read), joining surrogate pairs; a lone surrogate becomes
    /// U+FFFD, as Python's decoder would otherwise keep an unencodable code point.
    @usableFromInline static func unicodeEscape(_ body: UnsafeRawBufferPointer, at position: inout Int,
                                      offset: Int) throws(JSONParseError) -> Unicode.Scalar {
        let high = try hex4(body, at: &position, offset: offset)
        guard (0xD800...0xDBFF).contains(high) else { return Unicode.Scalar(high) ?? "\u{FFFD}" }
        if position + 1 < body.count, body[position] == UInt8(ascii: "\\"), body[position + 1] == UInt8(ascii: "u") {
            var next = position + 2
            let low = try hex4(body, at: &next, offset: offset)
            if (0xDC00...0xDFFF).contains(low) {
                position = next
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
            }
        }
        return "\u{FFFD}"
    }

    @usableFromInline static func hex4(_ body: UnsafeRawBufferPointer, at position: inout Int,
                             offset: Int) throws(JSONParseError) -> UInt32 {
        guard body.count - position >= 4 else {
            throw JSONParseError(reason: "\\u escape needs four hex digits", offset: offset)
        }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = body[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw JSONParseError(reason: "\\u escape needs four hex digits", offset: offset)
            }
            value = value * 16 + digit
            position += 1
        }
        return value
    }

    // MARK: - Numbers

    /// A number's extent and, when it is a whole one that fits, its value.
    @usableFromInline struct ScannedNumber {
        @usableFromInline var range: Range<Int>
        @usableFromInline var isInteger: Bool
        @usableFromInline var integer: Int?
        @usableFromInline var exactDouble: Double?

        @inlinable init(range: Range<Int>, isInteger: Bool, integer: Int?, exactDouble: Double?) {
            self.range = range
            self.isInteger = isInteger
            self.integer = integer
            self.exactDouble = exactDouble
        }
    }

    /// Moves past a number, checking its form without converting it.
    @inlinable mutating func skipNumber() throws(JSONParseError) {
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        try skipDigits("a number needs digits")
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            try skipDigits("a number needs digits after '.'")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            try skipDigits("a number needs digits in its exponent")
        }
    }

    @inlinable mutating func skipDigits(_ complaint: StaticString) throws(JSONParseError) {
        let start = index
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        guard index > start else { throw error("\(complaint)") }
    }

    /// Reads digits into `magnitude` (negated, times ten per digit); returns how many.
    @inlinable mutating func accumulateDigits(into magnitude: inout Int, overflow: inout Bool) -> Int {
        let start = index
        while index < bytes.count, case let digit = bytes[index] &- UInt8(ascii: "0"), digit < 10 {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.subtractingReportingOverflow(Int(digit))
            overflow = overflow || o1 || o2
            magnitude = next
            index += 1
        }
        return index - start
    }

    @inlinable mutating func scanNumber() throws(JSONParseError) -> ScannedNumber {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        // Accumulated negatively so Int.min fits.
        var magnitude = 0
        var overflow = false
        guard accumulateDigits(into: &magnitude, overflow: &overflow) > 0 else { throw error("a number needs digits") }
        var isInteger = true
        var integer: Int?
        if !overflow {
            if negative { integer = magnitude } else if magnitude != Int.min { integer = -magnitude }
        }
        var fractionDigits = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            integer = nil
            index += 1
            // The digits go on into `magnitude` for the exact fast path below.
            fractionDigits = accumulateDigits(into: &magnitude, overflow: &overflow)
            guard fractionDigits > 0 else { throw error("a number needs digits after '.'") }
        }
        var hasExponent = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            hasExponent = true
            integer = nil
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let exponentStart = index
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            guard index > exponentStart else { throw error("a number needs digits in its exponent") }
        }
        // Clinger's fast path: all digits as an integer below 2^53 and a power of ten up to 22
        // divide exactly into the correctly rounded Double (most timestamps and runtimes).
        var exactDouble: Double?
        if !isInteger, !hasExponent, !overflow, magnitude > -(1 << 53), fractionDigits <= 22 {
            let value = Double(-magnitude) / Self.powersOfTen[fractionDigits]
            exactDouble = negative ? -value : value
        }
        return ScannedNumber(range: start..<index, isInteger: isInteger, integer: integer, exactDouble: exactDouble)
    }

    @inlinable mutating func readNumber() throws(JSONParseError) -> JSONValue {
        let number = try scanNumber()
        if let integer = number.integer { return .int(integer) }
        let text = UnsafeRawBufferPointer(rebasing: bytes[number.range])
        if number.isInteger { return .bigInteger(String(decoding: text, as: UTF8.self)) }
        if let value = number.exactDouble { return .double(value) }
        guard let value = parseDouble(number.range) else { throw error("number out of range") }
        return .double(value)
    }

    @usableFromInline static let powersOfTen: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                                          1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

    /// strtod on a NUL-terminated copy: correctly rounded, no String made.
    @inlinable func parseDouble(_ range: Range<Int>) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: range.count + 1) { buffer in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[range]))
            buffer[range.count] = 0
            let value = strtod(buffer.baseAddress!, nil)
            return value  // ±inf past Double's range, as Python's json reads 1e999
        }
    }
}

/// Whether `count` bytes at `a` and `b` are the same: 8 at a time, inlined, for the short
/// keys and names an event decoder compares (libc's memcmp costs more in the call).
@inlinable @inline(__always) public func sameBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Bool {
    var offset = 0
    while offset + 8 <= count {
        if a.loadUnaligned(fromByteOffset: offset, as: UInt64.self) != b.loadUnaligned(fromByteOffset: offset, as: UInt64.self) {
            return false
        }
        offset += 8
    }
    while offset < count {
        if a.load(fromByteOffset: offset, as: UInt8.self) != b.load(fromByteOffset: offset, as: UInt8.self) { return false }
        offset += 1
    }
    return true
}

/// An object key (or string token) as `JSONReader` meets it: usually its raw bytes, compared
/// without making a String. The raw bytes are borrowed from the reader's input.
@frozen public struct JSONKey {
    /// The bytes between the quotes, escapes as written.
    public let raw: UnsafeRawBufferPointer
    public let hasEscapes: Bool
    /// The first sixteen raw bytes as two little-endian words, zero past the end: a key is
    /// matched against known names in a few integer compares.
    public let head: UInt64
    public let tail: UInt64

    @inlinable init(raw: UnsafeRawBufferPointer, hasEscapes: Bool, head: UInt64, tail: UInt64) {
        self.raw = raw
        self.hasEscapes = hasEscapes
        self.head = head
        self.tail = tail
    }

    /// The first sixteen bytes of `raw` as `head` and `tail` words, read byte by byte.
    @inlinable public static func words(_ raw: UnsafeRawBufferPointer) -> (head: UInt64, tail: UInt64) {
        var head: UInt64 = 0
        var tail: UInt64 = 0
        for offset in 0..<min(raw.count, 16) {
            let byte = UInt64(raw[offset])
            if offset < 8 { head |= byte << (8 * UInt64(offset)) } else { tail |= byte << (8 * UInt64(offset - 8)) }
        }
        return (head, tail)
    }

    /// The key as a String, escapes undone; nil when it is not valid UTF-8.
    @inlinable public var validatedString: String? {
        hasEscapes ? try? JSONReader.unescape(raw, offset: 0) : JSONReader.string(raw)
    }

    /// Calls `body` with the key's UTF-8 bytes, escapes undone.
    @inlinable public func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        guard hasEscapes, var decoded = validatedString else { return try body(raw) }
        return try decoded.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}
