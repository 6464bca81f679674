import Celeriac

/// Parses the Python literal subset Celery writes in argsrepr/kwargsrepr, so the dashboard can
/// re-send ("retry") a task from its events.
///
/// Two writers make these strings, and they disagree about backslashes:
/// - Celery's `celery.utils.saferepr.saferepr` (every Python producer; see its `_format_chars`)
///   wraps a string in single quotes and escapes only the quote: `C:\new` is written `'C:\new'`,
///   a newline is written raw.
/// - Python's `repr()` (and Celeriac's `JSONValue.pythonRepr`) escapes backslashes and control
///   characters: `'C:\\new'`, `'a\nb'`.
/// The text is read both ways. When only one reading works, or both give the same strings, that
/// is the answer; when both work and differ, it throws `.ambiguousBackslash` rather than guess,
/// because a retry with a silently changed argument is worse than no retry.
///
/// saferepr also cuts: strings and numbers that overrun the 1024-character budget end in `...`,
/// the next item becomes `, ...`, and containers deeper than `task_repr_maxlevels` (3) become
/// `[...]`. Every such mark is reported as truncation, never parsed as a value.
///
/// Offsets in errors count Unicode scalars from 0, as Python's `len` counts code points.
public enum PythonLiteral {
    /// Deeper nesting is refused, so hostile input can't exhaust the stack.
    public static let maximumDepth = 200

    /// Tuples and lists become `.array`, dicts `.object`, `inf`/`nan` `.double`.
    public static func parse(_ text: String) throws(PythonLiteralError) -> JSONValue {
        try read(text).value
    }

    /// The positional arguments of an argsrepr: a tuple or a list; "()" is no arguments.
    public static func arguments(_ text: String) throws(PythonLiteralError) -> [JSONValue] {
        let node = try read(text)
        guard node.shape == .tuple || node.shape == .list, case .array(let items) = node.value else {
            throw .notATuple(found: node.kindDescription)
        }
        return items
    }

    /// The keyword arguments of a kwargsrepr: a dict with str keys; "{}" is none.
    public static func keywordArguments(_ text: String) throws(PythonLiteralError) -> [String: JSONValue] {
        let node = try read(text)
        guard node.shape == .dict, case .object(let fields) = node.value else {
            throw .notADict(found: node.kindDescription)
        }
        return fields
    }

    /// Reads the text as Python's repr and as saferepr writes it, and keeps the reading that holds.
    static func read(_ text: String) throws(PythonLiteralError) -> PythonLiteralParser.Node {
        let scalars = Array(text.unicodeScalars)
        let asRepr = PythonLiteralParser.run(scalars, reading: .pythonRepr)
        let asSaferepr = PythonLiteralParser.run(scalars, reading: .saferepr)
        switch (asRepr, asSaferepr) {
        case (.success(let repr), .success(let saferepr)):
            // Same string boundaries and contents mean every other token read the same, too.
            guard repr.strings == saferepr.strings else {
                let backslash = firstDifference(repr.strings, saferepr.strings, in: scalars)
                throw .ambiguousBackslash(escape: escapeText(at: backslash, in: scalars), offset: backslash)
            }
            return repr.node
        case (.success(let repr), .failure):
            return repr.node
        case (.failure, .success(let saferepr)):
            return saferepr.node
        case (.failure(let reprError), .failure(let safereprError)):
            throw moreTelling(reprError, safereprError)
        }
    }

    /// The first backslash of the first string the two readings disagree on.
    private static func firstDifference(
        _ a: [PythonLiteralParser.StringLiteral], _ b: [PythonLiteralParser.StringLiteral], in scalars: [Unicode.Scalar]
    ) -> Int {
        var start = 0
        for i in 0..<max(a.count, b.count) {
            let left: PythonLiteralParser.StringLiteral? = i < a.count ? a[i] : nil
            let right: PythonLiteralParser.StringLiteral? = i < b.count ? b[i] : nil
            if left != right {
                start = min(left?.offset ?? scalars.count, right?.offset ?? scalars.count)
                break
            }
        }
        // `\'` reads the same both ways; the first other backslash is where they part.
        var i = start
        while i + 1 < scalars.count {
            if scalars[i] == "\\", scalars[i + 1] != "'" { return i }
            i += 1
        }
        return start
    }

    /// The escape as repr would spell it (`\n`, `\xe9`, `\u00e9`), for the error message.
    private static func escapeText(at backslash: Int, in scalars: [Unicode.Scalar]) -> String {
        let start = min(backslash, scalars.count)
        let length: Int
        switch start + 1 < scalars.count ? scalars[start + 1] : "\\" {
        case "x": length = 4
        case "u": length = 6
        case "U": length = 10
        default: length = 2
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[start..<min(start + length, scalars.count)])
        return String(out)
    }

    /// When both readings fail: a cut explains everything; otherwise the reading that got further
    /// is likelier the right one, so its complaint is the useful one.
    private static func moreTelling(_ repr: PythonLiteralError, _ saferepr: PythonLiteralError) -> PythonLiteralError {
        if repr.isTruncation { return repr }
        if saferepr.isTruncation { return saferepr }
        return (saferepr.offset ?? 0) > (repr.offset ?? 0) ? saferepr : repr
    }
}

/// Why an argsrepr/kwargsrepr can't be turned back into arguments. Each description says where,
/// why, and what to do instead.
public enum PythonLiteralError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text is empty or only whitespace.
    case empty
    /// A `...` cut mark at `offset`: saferepr (or Celeriac) shortened the repr to fit its limit.
    case truncated(offset: Int)
    /// `[...]`, `(...)` or `{...}` at `offset`: saferepr left out a container nested too deep.
    case elided(offset: Int)
    /// The last string, at `offset`, ends in `...` — the mark saferepr puts on a string it cut.
    case truncatedString(offset: Int)
    /// Something no JSON value can carry: `datetime.datetime(`, `Decimal(`, `set(`, `{1, 2}`,
    /// `b'`, `<object object at 0x…>`.
    case notALiteral(found: String, offset: Int)
    /// A dict key that isn't a str, e.g. `1` or `None`.
    case nonStringKey(key: String, offset: Int)
    case unexpectedCharacter(found: String, offset: Int, expected: String)
    /// The text stops while `expected` is still owed, e.g. a closing bracket.
    case unexpectedEnd(expected: String, offset: Int)
    /// The value is complete before `offset`, but more text follows.
    case trailingCharacters(offset: Int)
    /// A string Python's repr could not have written (a bad escape, a raw control character) and
    /// saferepr could not either.
    case invalidString(offset: Int, reason: String)
    /// The backslash `escape` at `offset` means one thing in saferepr's output and another in
    /// repr's, and nothing else in the text says which wrote it.
    case ambiguousBackslash(escape: String, offset: Int)
    case tooDeep(offset: Int, limit: Int)
    /// `arguments` got something other than a tuple or list; `found` names it ("a dict").
    case notATuple(found: String)
    /// `keywordArguments` got something other than a dict; `found` names it ("a tuple").
    case notADict(found: String)

    private static let fullArguments = "retry needs the full arguments — use `celeriac call` with them"
    private static let useCall = "use `celeriac call` with the arguments as JSON"

    public var description: String {
        switch self {
        case .empty:
            return "the repr is empty, so there are no arguments to re-send; \(Self.useCall)"
        case .truncated(let offset):
            return "the arguments were truncated by Celery's saferepr (argsrepr and kwargsrepr are limited to "
                + "1024 characters, and Celeriac cuts its own at the same length; the cut is marked `...` at offset "
                + "\(offset)); \(Self.fullArguments)"
        case .elided(let offset):
            return "the arguments were shortened by Celery's saferepr: a container nested deeper than "
                + "task_repr_maxlevels (3) was written as `...` at offset \(offset); \(Self.fullArguments)"
        case .truncatedString(let offset):
            return "the last string (at offset \(offset)) ends in `...`, which is how Celery's saferepr marks a "
                + "string it cut to fit argsrepr's 1024 characters, so it may not be the whole value; "
                + Self.fullArguments
        case .notALiteral(let found, let offset):
            return "found `\(found)` at offset \(offset), which is not a literal the dashboard can re-send: it can "
                + "only re-send numbers, strings, True/False/None, lists, tuples and dicts; \(Self.useCall)"
        case .nonStringKey(let key, let offset):
            return "dict key `\(key)` at offset \(offset) is not a string, JSON cannot hold it; \(Self.useCall)"
        case .unexpectedCharacter(let found, let offset, let expected):
            return "expected \(expected) at offset \(offset) but found `\(found)`; the repr is not a "
                + "well-formed Python literal"
        case .unexpectedEnd(let expected, let offset):
            return "the repr ends at offset \(offset) where \(expected) was expected; its brackets or quotes "
                + "are unbalanced"
        case .trailingCharacters(let offset):
            return "the value is complete but more text follows at offset \(offset); the repr must be one literal"
        case .invalidString(let offset, let reason):
            return "the string at offset \(offset) can't be read: \(reason)"
        case .ambiguousBackslash(let escape, let offset):
            return "`\(escape)` at offset \(offset) reads two ways: Celery's saferepr leaves backslashes in strings "
                + "as they are, so it would be those \(escape.unicodeScalars.count) characters, while Python's repr "
                + "and Celeriac escape them, so it would be one escaped character; nothing in the repr says which "
                + "wrote it, so the dashboard won't guess — use `celeriac call` with the exact arguments"
        case .tooDeep(let offset, let limit):
            return "containers nest more than \(limit) deep at offset \(offset), more than the dashboard "
                + "will read; \(Self.useCall)"
        case .notATuple(let found):
            return "argsrepr must be a tuple or list of positional arguments, but this is \(found)"
        case .notADict(let found):
            return "kwargsrepr must be a dict of keyword arguments, but this is \(found)"
        }
    }

    /// A cut by saferepr, which no other complaint about the same text could be more basic than.
    var isTruncation: Bool {
        switch self {
        case .truncated, .elided, .truncatedString: return true
        default: return false
        }
    }

    var offset: Int? {
        switch self {
        case .truncated(let offset), .elided(let offset), .truncatedString(let offset),
            .notALiteral(_, let offset), .nonStringKey(_, let offset), .unexpectedCharacter(_, let offset, _),
            .unexpectedEnd(_, let offset), .trailingCharacters(let offset), .invalidString(let offset, _),
            .ambiguousBackslash(_, let offset), .tooDeep(let offset, _):
            return offset
        case .empty, .notATuple, .notADict:
            return nil
        }
    }
}

/// A recursive-descent reader over Unicode scalars, for one reading of backslashes.
struct PythonLiteralParser {
    enum Reading {
        /// Python's `repr()`: `\\`, `\'`, `\"`, `\n`, `\r`, `\t`, `\xNN`, `\uNNNN`, `\UNNNNNNNN`.
        case pythonRepr
        /// Celery's saferepr: single quotes, only `\'` is an escape, everything else is raw.
        case saferepr
    }

    enum Shape { case tuple, list, dict, scalar }

    struct Node {
        var value: JSONValue
        var shape: Shape

        /// "a dict", "an int", "None": what `arguments`/`keywordArguments` got instead.
        var kindDescription: String {
            switch (shape, value) {
            case (.tuple, _): return "a tuple"
            case (.list, _): return "a list"
            case (.dict, _): return "a dict"
            case (_, .null): return "None"
            case (_, .bool(let flag)): return flag ? "True" : "False"
            case (_, .int), (_, .bigInteger): return "an int"
            case (_, .double): return "a float"
            case (_, .string): return "a string"
            case (_, .array): return "a list"
            case (_, .object): return "a dict"
            }
        }
    }

    struct StringLiteral: Equatable {
        var offset: Int
        var value: String
    }

    struct Outcome {
        var node: Node
        var strings: [StringLiteral]
    }

    let scalars: [Unicode.Scalar]
    let reading: Reading
    var index = 0
    var depth = 0
    /// Every string read, in order, so the two readings can be compared.
    var strings: [StringLiteral] = []
    /// Where the last leaf value starts, if it is a string ending in "..." (saferepr's cut string
    /// is always the last leaf: whatever follows the cut becomes `, ...`).
    var lastLeafCutString: Int?

    static func run(_ scalars: [Unicode.Scalar], reading: Reading) -> Result<Outcome, PythonLiteralError> {
        var parser = PythonLiteralParser(scalars: scalars, reading: reading)
        do throws(PythonLiteralError) {
            let node = try parser.parseDocument()
            return .success(Outcome(node: node, strings: parser.strings))
        } catch {
            return .failure(error)
        }
    }

    // MARK: Document

    mutating func parseDocument() throws(PythonLiteralError) -> Node {
        skipWhitespace()
        guard index < scalars.count else { throw .empty }
        do throws(PythonLiteralError) {
            let node = try parseValue()
            skipWhitespace()
            if index < scalars.count {
                if let cut = truncationMark(at: index) { throw .truncated(offset: cut) }
                throw .trailingCharacters(offset: index)
            }
            if let cut = lastLeafCutString { throw .truncatedString(offset: cut) }
            return node
        } catch {
            // Celeriac cuts its reprs anywhere and appends "...", often inside a string.
            if case .unexpectedEnd = error, let cut = trailingEllipsis() { throw .truncated(offset: cut) }
            throw error
        }
    }

    mutating func parseValue() throws(PythonLiteralError) -> Node {
        skipWhitespace()
        guard let scalar = current else { throw .unexpectedEnd(expected: "a value", offset: index) }
        switch scalar {
        case "(": return try parseTuple()
        case "[": return try parseList()
        case "{": return try parseDict()
        case "'", "\"": return Node(value: .string(try parseString(startingAt: index)), shape: .scalar)
        case "-", "0"..."9": return try parseNumber()
        case "." where isEllipsis(at: index): throw .truncated(offset: index)
        case _ where Self.isIdentifierStart(scalar): return try parseName()
        default: throw unexpected(expected: "a value")
        }
    }

    // MARK: Containers

    mutating func parseTuple() throws(PythonLiteralError) -> Node {
        let (items, sawComma) = try parseSequence(closedBy: ")")
        // `(5)` is 5 in parentheses, not a tuple; Python writes a one-item tuple `(5,)`.
        if items.count == 1, !sawComma, let only = items.first { return only }
        return Node(value: .array(items.map(\.value)), shape: .tuple)
    }

    mutating func parseList() throws(PythonLiteralError) -> Node {
        let (items, _) = try parseSequence(closedBy: "]")
        return Node(value: .array(items.map(\.value)), shape: .list)
    }

    /// Items between the opening bracket at `index` and `close`; Python allows a trailing comma.
    mutating func parseSequence(closedBy close: Unicode.Scalar) throws(PythonLiteralError) -> ([Node], Bool) {
        try enterContainer(closedBy: close)
        var items: [Node] = []
        var sawComma = false
        skipWhitespace()
        while current != close {
            items.append(try parseValue())
            skipWhitespace()
            guard current != close else { break }
            guard current == "," else { throw unexpected(expected: "`,` or `\(close)`") }
            index += 1
            sawComma = true
            skipWhitespace()
        }
        index += 1
        depth -= 1
        return (items, sawComma)
    }

    mutating func parseDict() throws(PythonLiteralError) -> Node {
        let open = index
        try enterContainer(closedBy: "}")
        var fields: [String: JSONValue] = [:]
        skipWhitespace()
        while current != "}" {
            let keyStart = index
            let key = try parseValue()
            let keyEnd = index
            skipWhitespace()
            guard current == ":" else {
                if fields.isEmpty, current == "," || current == "}", truncationMark(at: index) == nil {
                    throw .notALiteral(found: excerpt(from: open, through: "}"), offset: open)
                }
                throw unexpected(expected: "`:`")
            }
            guard case .string(let name) = key.value else {
                throw .nonStringKey(key: text(from: keyStart, to: keyEnd), offset: keyStart)
            }
            index += 1
            fields[name] = try parseValue().value  // a repeated key: the last wins, as in Python
            skipWhitespace()
            guard current != "}" else { break }
            guard current == "," else { throw unexpected(expected: "`,` or `}`") }
            index += 1
            skipWhitespace()
        }
        index += 1
        depth -= 1
        return Node(value: .object(fields), shape: .dict)
    }

    /// Steps over an opening bracket, refusing runaway depth and saferepr's elided containers.
    mutating func enterContainer(closedBy close: Unicode.Scalar) throws(PythonLiteralError) {
        let open = index
        depth += 1
        guard depth <= PythonLiteral.maximumDepth else {
            throw .tooDeep(offset: open, limit: PythonLiteral.maximumDepth)
        }
        index += 1
        skipWhitespace()
        // saferepr writes a container beyond task_repr_maxlevels as `[...]`, `{...}`, `(...)` or
        // `(...,)`; a `...` not closed like that is a length cut, which parseValue reports.
        let after = index + 3
        let closed = scalar(at: after) == close || (close == ")" && scalar(at: after) == "," && scalar(at: after + 1) == ")")
        if isEllipsis(at: index), closed { throw .elided(offset: index) }
    }

    // MARK: Strings

    /// A string literal whose opening quote is at `index`; `start` is where its prefix began.
    mutating func parseString(startingAt start: Int) throws(PythonLiteralError) -> String {
        guard let quote = current else { throw .unexpectedEnd(expected: "a string", offset: index) }
        if reading == .saferepr, quote == "\"" {
            throw .invalidString(offset: start, reason: "Celery's saferepr writes strings in single quotes only")
        }
        index += 1
        var out = String.UnicodeScalarView()
        while true {
            guard let scalar = current else {
                throw .unexpectedEnd(expected: "the closing \(quote) of the string at offset \(start)", offset: index)
            }
            if scalar == quote { break }
            if scalar == "\\" {
                switch reading {
                case .pythonRepr: try readReprEscape(into: &out)
                case .saferepr: readSafereprEscape(quote: quote, into: &out)
                }
                continue
            }
            if reading == .pythonRepr, Self.isUnprintable(scalar) {
                throw .invalidString(
                    offset: index, reason: "U+\(Self.hex(scalar.value)) is not escaped, and Python's repr escapes it")
            }
            out.append(scalar)
            index += 1
        }
        index += 1
        let value = String(out)
        strings.append(StringLiteral(offset: start, value: value))
        lastLeafCutString = value.hasSuffix("...") ? start : nil
        return value
    }

    /// saferepr only turns `'` into `\'`; any other backslash is the string's own.
    mutating func readSafereprEscape(quote: Unicode.Scalar, into out: inout String.UnicodeScalarView) {
        if scalar(at: index + 1) == quote {
            out.append(quote)
            index += 2
        } else {
            out.append("\\")
            index += 1
        }
    }

    /// The escapes Python's repr writes; anything else means repr didn't write this string.
    mutating func readReprEscape(into out: inout String.UnicodeScalarView) throws(PythonLiteralError) {
        let backslash = index
        guard let escape = scalar(at: index + 1) else {
            throw .unexpectedEnd(expected: "an escape after the backslash", offset: index + 1)
        }
        index += 2
        switch escape {
        case "\\", "'", "\"": out.append(escape)
        case "n": out.append("\n")
        case "r": out.append("\r")
        case "t": out.append("\t")
        case "x": out.append(try readHexEscape(digits: 2, from: backslash))
        case "u": out.append(try readHexEscape(digits: 4, from: backslash))
        case "U": out.append(try readHexEscape(digits: 8, from: backslash))
        default:
            throw .invalidString(offset: backslash, reason: "`\\\(escape)` is not an escape Python's repr writes")
        }
    }

    mutating func readHexEscape(digits: Int, from backslash: Int) throws(PythonLiteralError) -> Unicode.Scalar {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let scalar = current else {
                throw .unexpectedEnd(expected: "\(digits) hex digits in the escape at offset \(backslash)", offset: index)
            }
            guard let digit = Self.hexValue(scalar) else {
                throw .invalidString(offset: backslash, reason: "the escape needs \(digits) hex digits")
            }
            value = value &* 16 &+ digit
            index += 1
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw .invalidString(offset: backslash, reason: "U+\(Self.hex(value)) is not a Unicode scalar")
        }
        return scalar
    }

    // MARK: Numbers and names

    /// Python's int and float reprs: `-12`, `1.5`, `1e-05`, `1e+16`, `-inf`.
    mutating func parseNumber() throws(PythonLiteralError) -> Node {
        let start = index
        if current == "-" {
            index += 1
            if isEllipsis(at: index) { throw .truncated(offset: index) }
            if let scalar = current, Self.isIdentifierStart(scalar) {
                let name = readName()
                if isEllipsis(at: index) { throw .truncated(offset: index) }
                guard name == "inf" else { throw .notALiteral(found: "-" + name, offset: start) }
                return leaf(.double(-.infinity))
            }
        }
        let digitsStart = index
        skipDigits()
        guard index > digitsStart else { throw .notALiteral(found: word(from: start), offset: start) }
        var isInteger = true
        if current == ".", let next = scalar(at: index + 1), Self.isDigit(next) {
            isInteger = false
            index += 1
            skipDigits()
        }
        if current == "e" || current == "E" {
            var exponent = index + 1
            if scalar(at: exponent) == "+" || scalar(at: exponent) == "-" { exponent += 1 }
            if let digit = scalar(at: exponent), Self.isDigit(digit) {
                isInteger = false
                index = exponent
                skipDigits()
            }
        }
        // saferepr cuts a long number like any text: `123...`.
        if let cut = ellipsisInWord(from: index) { throw .truncated(offset: cut) }
        let literal = text(from: start, to: index)
        let leadingZero = scalars[digitsStart] == "0" && index - digitsStart > 1 && isInteger
        if leadingZero || current.map({ Self.isIdentifierPart($0) || $0 == "." }) == true {
            throw .notALiteral(found: word(from: start), offset: start)  // 2j, 0x1f, 007
        }
        if isInteger {
            if let value = Int(literal) { return leaf(.int(value)) }
            return leaf(.bigInteger(literal))
        }
        guard let value = Double(literal) else { throw .notALiteral(found: literal, offset: start) }
        return leaf(.double(value))
    }

    /// True/False/None, saferepr's `inf`/`nan`, a `u'…'` string; any other name is not a literal.
    mutating func parseName() throws(PythonLiteralError) -> Node {
        let start = index
        let name = readName()
        if let quote = current, quote == "'" || quote == "\"" {
            guard name == "u" || name == "U" else {
                throw .notALiteral(found: name + String(quote), offset: start)  // b'', r'', f''
            }
            return Node(value: .string(try parseString(startingAt: start)), shape: .scalar)
        }
        if isEllipsis(at: index) { throw .truncated(offset: index) }  // `Tr...`
        switch name {
        case "True": return leaf(.bool(true))
        case "False": return leaf(.bool(false))
        case "None": return leaf(.null)
        case "inf": return leaf(.double(.infinity))
        case "nan": return leaf(.double(.nan))
        default: throw .notALiteral(found: current == "(" ? name + "(" : name, offset: start)
        }
    }

    /// A dotted name such as `datetime.datetime`, stopping before `...`.
    mutating func readName() -> String {
        let start = index
        while let scalar = current {
            if Self.isIdentifierPart(scalar) {
                index += 1
            } else if scalar == ".", let next = self.scalar(at: index + 1), Self.isIdentifierStart(next) {
                index += 1
            } else {
                break
            }
        }
        return text(from: start, to: index)
    }

    mutating func leaf(_ value: JSONValue) -> Node {
        lastLeafCutString = nil
        return Node(value: value, shape: .scalar)
    }

    // MARK: Cut marks

    func isEllipsis(at position: Int) -> Bool {
        scalar(at: position) == "." && scalar(at: position + 1) == "." && scalar(at: position + 2) == "."
    }

    /// `...` in the run of text from `position` to the next delimiter: `123...`, `Tr...`, `e...`.
    func ellipsisInWord(from position: Int) -> Int? {
        var i = position
        while let scalar = scalar(at: i), !Self.isDelimiter(scalar) {
            if isEllipsis(at: i) { return i }
            i += 1
        }
        return nil
    }

    /// A cut mark at `position`, alone or after a comma: saferepr writes `, ...` in place of
    /// whatever it left out, even right after a `, ` or `: ` (`(1, , ...)`, `{'a', ...}`).
    func truncationMark(at position: Int) -> Int? {
        if let cut = ellipsisInWord(from: position) { return cut }
        var i = skippingWhitespace(from: position)
        guard scalar(at: i) == "," else { return nil }
        i = skippingWhitespace(from: i + 1)
        return isEllipsis(at: i) ? i : nil
    }

    /// Where the text's final `...` starts, if it ends with one.
    func trailingEllipsis() -> Int? {
        var end = scalars.count
        while end > 0, Self.isWhitespace(scalars[end - 1]) { end -= 1 }
        return end >= 3 && isEllipsis(at: end - 3) ? end - 3 : nil
    }

    /// The error for an unwelcome scalar at `index`: a cut, a broken structure, or a non-literal.
    func unexpected(expected: String) -> PythonLiteralError {
        guard let scalar = current else { return .unexpectedEnd(expected: expected, offset: index) }
        if let cut = truncationMark(at: index) { return .truncated(offset: cut) }
        if Self.isStructural(scalar) || Self.isDigit(scalar) || scalar == "'" || scalar == "\"" {
            return .unexpectedCharacter(found: String(scalar), offset: index, expected: expected)
        }
        return .notALiteral(found: word(from: index), offset: index)
    }

    // MARK: Scanning

    var current: Unicode.Scalar? { scalar(at: index) }

    func scalar(at position: Int) -> Unicode.Scalar? {
        position >= 0 && position < scalars.count ? scalars[position] : nil
    }

    mutating func skipWhitespace() { index = skippingWhitespace(from: index) }

    func skippingWhitespace(from position: Int) -> Int {
        var i = max(position, 0)
        while let scalar = scalar(at: i), Self.isWhitespace(scalar) { i += 1 }
        return i
    }

    mutating func skipDigits() {
        while let scalar = current, Self.isDigit(scalar) { index += 1 }
    }

    func text(from start: Int, to end: Int, limit: Int = 40) -> String {
        let lower = min(max(start, 0), scalars.count)
        let upper = min(max(end, lower), scalars.count, lower + limit)
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[lower..<upper])
        return String(out) + (upper < max(end, lower) ? "…" : "")
    }

    /// What to show for a non-literal: `<object object at 0x…>` whole, `Decimal(`, or a word.
    func word(from start: Int) -> String {
        if scalar(at: start) == "<" { return excerpt(from: start, through: ">") }
        var end = start + 1
        while let scalar = scalar(at: end), !Self.isDelimiter(scalar) { end += 1 }
        if scalar(at: end) == "(" { end += 1 }
        return text(from: start, to: end, limit: 24)
    }

    func excerpt(from start: Int, through closer: Unicode.Scalar) -> String {
        var end = start + 1
        while let scalar = scalar(at: end), scalar != closer { end += 1 }
        return text(from: start, to: min(end + 1, scalars.count))
    }

    // MARK: Character classes (ASCII, as repr writes them)

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" || s == "\n" || s == "\r" }
    static func isDigit(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) }
    static func isIdentifierStart(_ s: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(s) || ("A"..."Z").contains(s) || s == "_"
    }
    static func isIdentifierPart(_ s: Unicode.Scalar) -> Bool { isIdentifierStart(s) || isDigit(s) }
    static func isStructural(_ s: Unicode.Scalar) -> Bool { "()[]{},:".unicodeScalars.contains(s) }
    static func isDelimiter(_ s: Unicode.Scalar) -> Bool {
        isWhitespace(s) || isStructural(s) || s == "'" || s == "\""
    }

    /// What Python's `str.isprintable` rejects, which is what `repr` escapes.
    static func isUnprintable(_ s: Unicode.Scalar) -> Bool {
        if s == " " { return false }
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return true
        default:
            return false
        }
    }

    static func hexValue(_ s: Unicode.Scalar) -> UInt32? {
        switch s {
        case "0"..."9": return s.value - 0x30
        case "a"..."f": return s.value - 0x61 + 10
        case "A"..."F": return s.value - 0x41 + 10
        default: return nil
        }
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
