@testable import Celeriac
@testable import CeleriacMonitor
import Testing

/// The reprs below are what Python 3.11 and Celery 5.7.0's `celery.utils.saferepr.saferepr`
/// print; the long ones are rebuilt here and were checked equal to saferepr's output.
@Suite struct PythonLiteralTests {
    /// The error `parse` throws, or nil when it succeeds.
    func failure(_ text: String) -> PythonLiteralError? {
        do {
            _ = try PythonLiteral.parse(text)
            return nil
        } catch {
            return error
        }
    }

    /// Where `needle` first starts in `text`, counted in Unicode scalars like the errors count.
    func offset(of needle: String, in text: String, after start: Int = 0) -> Int? {
        let haystack = Array(text.unicodeScalars)
        let pattern = Array(needle.unicodeScalars)
        guard haystack.count >= pattern.count else { return nil }
        for i in start...(haystack.count - pattern.count) where Array(haystack[i..<i + pattern.count]) == pattern {
            return i
        }
        return nil
    }

    // MARK: Scalars

    @Test func numbers() throws {
        #expect(try PythonLiteral.parse("42") == .int(42))
        #expect(try PythonLiteral.parse("-7") == .int(-7))
        #expect(try PythonLiteral.parse("0") == .int(0))
        #expect(try PythonLiteral.parse("9223372036854775807") == .int(Int.max))
        #expect(try PythonLiteral.parse("12345678901234567890123") == .bigInteger("12345678901234567890123"))
        #expect(try PythonLiteral.parse("-9223372036854775809") == .bigInteger("-9223372036854775809"))
        #expect(try PythonLiteral.parse("1.5") == .double(1.5))
        #expect(try PythonLiteral.parse("1e-05") == .double(0.00001))
        #expect(try PythonLiteral.parse("1e+16") == .double(1e16))
        #expect(try PythonLiteral.parse("-2.5E3") == .double(-2500))
        #expect(try PythonLiteral.parse("inf") == .double(.infinity))
        #expect(try PythonLiteral.parse("-inf") == .double(-.infinity))
        guard case .double(let nan) = try PythonLiteral.parse("nan") else {
            Issue.record("nan is not a double")
            return
        }
        #expect(nan.isNaN)
        guard case .double(let negativeZero) = try PythonLiteral.parse("-0.0") else {
            Issue.record("-0.0 is not a double")
            return
        }
        #expect(negativeZero == 0 && negativeZero.sign == .minus)
    }

    @Test func constants() throws {
        #expect(try PythonLiteral.parse("True") == .bool(true))
        #expect(try PythonLiteral.parse("False") == .bool(false))
        #expect(try PythonLiteral.parse("None") == .null)
    }

    @Test func plainStrings() throws {
        #expect(try PythonLiteral.parse("'hello'") == .string("hello"))
        #expect(try PythonLiteral.parse("\"hello\"") == .string("hello"))
        #expect(try PythonLiteral.parse("''") == .string(""))
        #expect(try PythonLiteral.parse("'say \"hi\"'") == .string("say \"hi\""))
        // repr picks double quotes for a string holding only single ones …
        #expect(try PythonLiteral.parse("\"it's\"") == .string("it's"))
        // … and both repr and saferepr write `\'` inside single quotes.
        #expect(try PythonLiteral.parse("'it\\'s'") == .string("it's"))
        // Python 2's prefix still reads as a str.
        #expect(try PythonLiteral.parse("u'x'") == .string("x"))
    }

    @Test func unicode() throws {
        #expect(try PythonLiteral.parse("'café'") == .string("café"))
        #expect(try PythonLiteral.parse("'🎉 party'") == .string("🎉 party"))
        #expect(try PythonLiteral.parse("('日本語', 'e\u{301}')") == .array([.string("日本語"), .string("e\u{301}")]))
        // Escapes, in a repr that shows it was written by repr() (saferepr never writes `"`).
        #expect(try PythonLiteral.parse("\"caf\\u00e9\"") == .string("café"))
        #expect(try PythonLiteral.parse("\"\\U0001f389\"") == .string("🎉"))
        #expect(try PythonLiteral.parse("\"\\xe9\"") == .string("é"))
    }

    // MARK: Escapes and the two writers

    @Test func reprEscapesWhenTheReprShowsItIsRepr() throws {
        // Python: repr(("it's", 'a\\b', 'x\ny', '\t\r', '\x00', 'é\u200b', '"'))
        let text = #"("it's", 'a\\b', 'x\ny', '\t\r', '\x00', 'é\u200b', '\'', "\"")"#
        #expect(try PythonLiteral.arguments(text) == [
            .string("it's"), .string("a\\b"), .string("x\ny"), .string("\t\r"), .string("\u{0}"),
            .string("é\u{200B}"), .string("'"), .string("\""),
        ])
    }

    @Test func safereprStringsWhenTheReprShowsItIsSaferepr() throws {
        // saferepr(('C:\\Users\\me', 'C:\\new')): `\U` followed by "sers" is no repr escape.
        #expect(try PythonLiteral.arguments(#"('C:\Users\me', 'C:\new')"#) == [.string(#"C:\Users\me"#), .string(#"C:\new"#)])
        // saferepr(('a\nb', 'x\\ty')): repr never writes a raw newline.
        #expect(try PythonLiteral.arguments("('a\nb', 'x\\ty')") == [.string("a\nb"), .string("x\\ty")])
        // saferepr(('ab\\cd', 'ok')): `\c` is no repr escape.
        #expect(try PythonLiteral.arguments(#"('ab\cd', 'ok')"#) == [.string(#"ab\cd"#), .string("ok")])
        // A raw NUL, as saferepr writes '\x00'.
        #expect(try PythonLiteral.arguments("('\u{0}',)") == [.string("\u{0}")])
    }

    @Test func aBackslashThatReadsTwoWaysIsRefused() {
        // saferepr of 'C:\\new' and repr of 'C:\new' are the same text.
        #expect(failure(#"('C:\new',)"#) == .ambiguousBackslash(escape: #"\n"#, offset: 4))
        #expect(failure(#"('caf\u00e9',)"#) == .ambiguousBackslash(escape: #"\u00e9"#, offset: 5))
        // Celeriac's repr of "a\\b" is also saferepr's of "a\\\\b".
        #expect(failure(#"['ok', 'it\'s', 'a\\b']"#) == .ambiguousBackslash(escape: #"\\"#, offset: 18))
        let description = failure(#"('C:\new',)"#)?.description ?? ""
        #expect(description.contains("saferepr") && description.contains("celeriac call"))
    }

    @Test func badEscapesInARepr() {
        // A double-quoted string can only be repr's, so its escapes must be repr's.
        #expect(failure(#""\q""#) == .invalidString(offset: 1, reason: "`\\q` is not an escape Python's repr writes"))
        #expect(failure(#""\x4g""#) == .invalidString(offset: 1, reason: "the escape needs 2 hex digits"))
        #expect(failure(#""\ud800""#) == .invalidString(offset: 1, reason: "U+D800 is not a Unicode scalar"))
        #expect(failure(#"("a", 'b"#) == .unexpectedEnd(expected: "the closing ' of the string at offset 6", offset: 8))
    }

    // MARK: Containers

    @Test func tuplesAndLists() throws {
        #expect(try PythonLiteral.parse("(2, 3)") == .array([.int(2), .int(3)]))
        #expect(try PythonLiteral.parse("(1,)") == .array([.int(1)]))
        #expect(try PythonLiteral.parse("()") == .array([]))
        #expect(try PythonLiteral.parse("[]") == .array([]))
        #expect(try PythonLiteral.parse("[1, 'a']") == .array([.int(1), .string("a")]))
        #expect(try PythonLiteral.parse("[1, 2,]") == .array([.int(1), .int(2)]))
        // `(5)` is 5 in parentheses, as in Python.
        #expect(try PythonLiteral.parse("(5)") == .int(5))
        #expect(try PythonLiteral.parse("((1, 2))") == .array([.int(1), .int(2)]))
    }

    @Test func dicts() throws {
        #expect(try PythonLiteral.parse("{'x': 1, 'y': None}") == .object(["x": .int(1), "y": .null]))
        #expect(try PythonLiteral.parse("{}") == .object([:]))
        #expect(try PythonLiteral.parse("{\"k\": [True],}") == .object(["k": .array([.bool(true)])]))
        // Python keeps the last of a repeated key.
        #expect(try PythonLiteral.parse("{'a': 1, 'a': 2}") == .object(["a": .int(2)]))
    }

    @Test func nestedStructuresAndWhitespace() throws {
        // saferepr({'a': [1, 2], 'b': {'c': (1,)}}, 1024)
        #expect(try PythonLiteral.parse("{'a': [1, 2], 'b': {'c': (1,)}}") == .object([
            "a": .array([.int(1), .int(2)]), "b": .object(["c": .array([.int(1)])]),
        ]))
        #expect(try PythonLiteral.parse(" \n( [ {'k' :\t( ) } ] ,\r\n None )\n ") == .array([
            .array([.object(["k": .array([])])]), .null,
        ]))
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: Never.self) { try PythonLiteral.parse(deep) }
    }

    @Test func argumentsNeedATupleOrList() throws {
        #expect(try PythonLiteral.arguments("()") == [])
        #expect(try PythonLiteral.arguments("(2, 3)") == [.int(2), .int(3)])
        #expect(try PythonLiteral.arguments("[1, 'a']") == [.int(1), .string("a")])
        #expect(try PythonLiteral.arguments("('x',)") == [.string("x")])
        #expect(throws: PythonLiteralError.notATuple(found: "a dict")) { try PythonLiteral.arguments("{'a': 1}") }
        #expect(throws: PythonLiteralError.notATuple(found: "an int")) { try PythonLiteral.arguments("(5)") }
        #expect(throws: PythonLiteralError.notATuple(found: "a string")) { try PythonLiteral.arguments("'x'") }
        #expect(throws: PythonLiteralError.notATuple(found: "None")) { try PythonLiteral.arguments("None") }
    }

    @Test func keywordArgumentsNeedADictWithStrKeys() throws {
        #expect(try PythonLiteral.keywordArguments("{}") == [:])
        #expect(try PythonLiteral.keywordArguments("{'x': 1, 'y': [2.5]}") == ["x": .int(1), "y": .array([.double(2.5)])])
        #expect(throws: PythonLiteralError.notADict(found: "a tuple")) { try PythonLiteral.keywordArguments("(1,)") }
        #expect(throws: PythonLiteralError.notADict(found: "a list")) { try PythonLiteral.keywordArguments("[]") }
        // saferepr({'b': 2, 1: 'a', None: 3, (1, 2): 4}, 1024)
        #expect(throws: PythonLiteralError.nonStringKey(key: "1", offset: 9)) {
            try PythonLiteral.keywordArguments("{'b': 2, 1: 'a', None: 3, (1, 2): 4}")
        }
        #expect(failure("{None: 3}") == .nonStringKey(key: "None", offset: 1))
        #expect(failure("{(1, 2): 4}") == .nonStringKey(key: "(1, 2)", offset: 1))
        #expect(failure("{1: 'a'}")?.description.contains("is not a string, JSON cannot hold it") == true)
    }

    // MARK: What saferepr cuts (maxsize 1024, maxlevels 3)

    @Test func aLongStringCutAtTheEnd() throws {
        // saferepr(('a' * 2000,), 1024): 1023 a's, then "...", then the closing `,)`.
        let text = "('" + String(repeating: "a", count: 1023) + "...',)"
        #expect(failure(text) == .truncatedString(offset: 1))
        // saferepr(('hello world ' + 'x' * 2000,), 1024): cut at the last space, so it is short.
        #expect(failure("('hello world...',)") == .truncatedString(offset: 1))
        // saferepr(("it's " * 300,), 1024): quotes are escaped after the cut.
        let quotes = "('" + String(repeating: "it\\'s ", count: 203) + "it\\'s...',)"
        #expect(failure(quotes) == .truncatedString(offset: 1))
        // A string that merely ends in "..." can't be told from a cut one when it is last.
        #expect(failure("('Loading...',)") == .truncatedString(offset: 1))
        #expect(failure("('Loading...',)")?.description.contains("1024") == true)
        // Anywhere but last, it was not cut: a cut turns everything after it into `, ...`.
        #expect(try PythonLiteral.arguments("('Loading...', 1)") == [.string("Loading..."), .int(1)])
    }

    @Test func aLongListCut() {
        // saferepr((list(range(300)),), 1024)
        let text = "([" + (0..<226).map(String.init).joined(separator: ", ") + ", 22..., ...],)"
        #expect(text.unicodeScalars.count == 1035)
        #expect(failure(text) == .truncated(offset: offset(of: "...", in: text)!))
        let description = failure(text)?.description ?? ""
        #expect(description.contains("truncated by Celery's saferepr") && description.contains("`celeriac call`"))
    }

    @Test func aLongDictValueAndKeyCut() {
        // saferepr({'name': 'y' * 2000, 'n': 1}, 1024)
        let value = "{'name': '" + String(repeating: "y", count: 1015) + "...', ...}"
        #expect(failure(value) == .truncated(offset: value.unicodeScalars.count - 4))
        // saferepr({'k' * 2000: 1}, 1024)
        let key = "{'" + String(repeating: "k", count: 1023) + "...', ...}"
        #expect(failure(key) == .truncated(offset: key.unicodeScalars.count - 4))
    }

    @Test func aLongNumberCut() {
        // saferepr((10 ** 2000,), 1024)
        let text = "(1" + String(repeating: "0", count: 1022) + "...,)"
        #expect(failure(text) == .truncated(offset: 1024))
    }

    @Test func cutsWithTinyLimits() {
        #expect(failure("(1..., ...)") == .truncated(offset: 2))  // saferepr((1, 2, 3), 2)
        #expect(failure("(1, , ...)") == .truncated(offset: 6))  // saferepr((1, 2, 3), 3)
        #expect(failure("(123..., ...)") == .truncated(offset: 4))  // saferepr((123456789, 2), 4)
        #expect(failure("(1.5..., ...)") == .truncated(offset: 4))  // saferepr((1.5e-5, 2), 4)
        #expect(failure("(T..., ...)") == .truncated(offset: 2))  // saferepr((True, 2), 2)
        #expect(failure("([1..., ...])") == .truncated(offset: 3))  // saferepr(([1, 2], 3), 3)
        #expect(failure("([['abc']], ...)") == .truncated(offset: 12))  // saferepr(([['abc']], 3), 7)
        #expect(failure("{'a', ...}") == .truncated(offset: 6))  // saferepr({'a': 1, 'b': 2}, 4)
        #expect(failure("{'ab', ...}") == .truncated(offset: 7))  // saferepr({'ab': 1, 'b': 2}, 5)
        #expect(failure("{'kkkkkkkkk...', ...}") == .truncated(offset: 17))  // saferepr({'k' * 30: 1}, 10)
        #expect(failure("{'a': , ...}") == .truncated(offset: 8))
    }

    @Test func containersBeyondMaxlevels() {
        #expect(failure("((1, [2, [...]]),)") == .elided(offset: 10))  // saferepr(((1, [2, [3, [4]]]),), 1024)
        #expect(failure("((((...,),),),)") == .elided(offset: 4))  // saferepr(((((1,),),),), 1024)
        #expect(failure("{'a': {'b': {'c': {...}}}}") == .elided(offset: 19))
        #expect(failure("('x', {'deep': [[...]]})") == .elided(offset: 17))
        #expect(failure("[[1, [2, [...]]], []]")?.description.contains("task_repr_maxlevels") == true)
    }

    @Test func celeriacsOwnCutAnywhere() {
        // Celeriac writes repr() and cuts the text at 1021 characters plus "...": inside a string,
        // a number, a name, an escape or between items. Every cut must read as a cut.
        for padding in 0..<60 {
            let args: [JSONValue] = [
                .string(String(repeating: "p", count: padding)),
                .array((0..<60).flatMap { i -> [JSONValue] in
                    [.int(123_456 * i), .string("item \(i) \\ \n"), .bool(i % 2 == 0), .null, .double(1.25)]
                }),
            ]
            let text = JSONValue.truncatedRepr(JSONValue.pythonTupleRepr(args))
            #expect(text.hasSuffix("..."))
            guard let error = failure(text) else {
                Issue.record("a cut repr parsed: \(text.suffix(20))")
                continue
            }
            #expect(error.isTruncation, "padding \(padding): \(error)")
        }
    }

    // MARK: Not literals

    @Test func thingsThatAreNotLiterals() {
        // saferepr((datetime.datetime(2020, 1, 2), Decimal('1.5'), UUID(int=1), set(), {1, 2},
        //           frozenset({1}), b'ab', object()), 1024), one at a time
        #expect(failure("(datetime.datetime(2020, 1, 2, 0, 0), 1)") == .notALiteral(found: "datetime.datetime(", offset: 1))
        #expect(failure("{'when': datetime.date(2024, 1, 2)}") == .notALiteral(found: "datetime.date(", offset: 9))
        #expect(failure("(Decimal('1.5'),)") == .notALiteral(found: "Decimal(", offset: 1))
        #expect(failure("(UUID('00000000-0000-0000-0000-000000000001'),)") == .notALiteral(found: "UUID(", offset: 1))
        #expect(failure("(set(),)") == .notALiteral(found: "set(", offset: 1))
        #expect(failure("(1, {1, 2})") == .notALiteral(found: "{1, 2}", offset: 4))
        #expect(failure("(frozenset({1}),)") == .notALiteral(found: "frozenset(", offset: 1))
        #expect(failure("(b'ab',)") == .notALiteral(found: "b'", offset: 1))
        #expect(failure("(<object object at 0x7f8a9eec4de0>,)")
            == .notALiteral(found: "<object object at 0x7f8a9eec4de0>", offset: 1))
        #expect(failure("[<Recursion on list with id=1>]") == .notALiteral(found: "<Recursion on list with id=1>", offset: 1))
        #expect(failure("((1+2j),)") == .notALiteral(found: "+2j", offset: 3))
        #expect(failure("(2j,)") == .notALiteral(found: "2j", offset: 1))
        #expect(failure("0x1f") == .notALiteral(found: "0x1f", offset: 0))
        #expect(failure("007") == .notALiteral(found: "007", offset: 0))
        #expect(failure("Ellipsis") == .notALiteral(found: "Ellipsis", offset: 0))
        #expect(failure("r'x'") == .notALiteral(found: "r'", offset: 0))
        let description = failure("(1, datetime.datetime(2020, 1, 2, 0, 0))")?.description ?? ""
        #expect(description.contains("`datetime.datetime(` at offset 4"))
        #expect(description.contains("numbers, strings, True/False/None, lists, tuples and dicts"))
    }

    // MARK: Broken text

    @Test func unbalancedAndMalformed() {
        #expect(failure("(1, 2") == .unexpectedEnd(expected: "`,` or `)`", offset: 5))
        #expect(failure("[[[[") == .unexpectedEnd(expected: "a value", offset: 4))
        #expect(failure("{'a': 1") == .unexpectedEnd(expected: "`,` or `}`", offset: 7))
        #expect(failure("'abc") == .unexpectedEnd(expected: "the closing ' of the string at offset 0", offset: 4))
        #expect(failure("(1, 2]") == .unexpectedCharacter(found: "]", offset: 5, expected: "`,` or `)`"))
        #expect(failure("(1 2)") == .unexpectedCharacter(found: "2", offset: 3, expected: "`,` or `)`"))
        #expect(failure("{'a' 1}") == .unexpectedCharacter(found: "1", offset: 5, expected: "`:`"))
        #expect(failure("(,)") == .unexpectedCharacter(found: ",", offset: 1, expected: "a value"))
        #expect(failure("[1, 2]]") == .trailingCharacters(offset: 6))
        #expect(failure("(1, 2) x") == .trailingCharacters(offset: 7))
        #expect(failure("'a' 'b'") == .trailingCharacters(offset: 4))
    }

    @Test func emptyText() {
        #expect(failure("") == .empty)
        #expect(failure(" \n\t") == .empty)
        #expect(throws: PythonLiteralError.empty) { try PythonLiteral.arguments("") }
        #expect(throws: PythonLiteralError.empty) { try PythonLiteral.keywordArguments("") }
    }

    @Test func nestingBeyondTheLimitIsRefused() {
        let tooDeep = String(repeating: "[", count: 201) + String(repeating: "]", count: 201)
        #expect(failure(tooDeep) == .tooDeep(offset: 200, limit: 200))
        #expect(failure(String(repeating: "(", count: 100_000)) == .tooDeep(offset: 200, limit: 200))
        #expect(failure(String(repeating: "{'a': ", count: 1_000)) == .tooDeep(offset: 1_200, limit: 200))
    }

    // MARK: Round trip and fuzz

    @Test func celeriacsReprReadsBack() throws {
        let args: [JSONValue] = [
            .int(-3), .bigInteger("123456789012345678901234567890"), .double(2.5), .double(1e-05), .bool(false), .null,
            .string("it's"), .string("say \"hi\""), .string("café 🎉"), .array([]), .object([:]),
            .object(["nested": .array([.int(1), .object(["k": .string("v")])])]),
        ]
        #expect(try PythonLiteral.arguments(JSONValue.pythonTupleRepr(args)) == args)
        #expect(try PythonLiteral.arguments(JSONValue.pythonTupleRepr([.int(1)])) == [.int(1)])
        #expect(try PythonLiteral.arguments(JSONValue.pythonTupleRepr([])) == [])
        let kwargs: [String: JSONValue] = ["x": .int(1), "y's": .array([.string("z")])]
        #expect(try PythonLiteral.keywordArguments(JSONValue.object(kwargs).pythonRepr) == kwargs)
    }

    @Test func randomMutationsNeverCrash() {
        let seeds = [
            "(2, 3)", "[1, 'a']", "{'x': 1, 'y': None}", "(1,)", "()", "{}",
            "(-1.5e-05, 1e+16, inf, -inf, nan, True, False, None)", "(12345678901234567890123,)",
            #"("it's", 'a\\b', 'x\ny', '\x00', '\u00e9', '\U0001f389')"#, #"('C:\Users\me', 'C:\new')"#,
            "{'a': [1, 2], 'b': {'c': (1,)}}", "('café 🎉', 'e\u{301}')", "((1, [2, [...]]),)", "(1, , ...)",
            "{'kkk...', ...}", "(datetime.datetime(2020, 1, 2, 0, 0), b'ab', {1, 2}, <object at 0x1>)",
        ]
        let alphabet = Array("()[]{},:'\"\\.-+0123456789eEjxuUTrueFalsNonb \n\t…é🎉".unicodeScalars)
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407  // Knuth's MMIX LCG
            return Int((state >> 33) % UInt64(max(bound, 1)))
        }
        var parsed = 0
        for _ in 0..<5_000 {
            var scalars = Array(seeds[next(seeds.count)].unicodeScalars)
            for _ in 0...next(4) {
                let at = next(scalars.count + 1)
                switch next(5) {
                case 0 where !scalars.isEmpty: scalars.remove(at: min(at, scalars.count - 1))
                case 1: scalars.insert(alphabet[next(alphabet.count)], at: at)
                case 2: scalars = Array(scalars.prefix(at)) + Array("...".unicodeScalars)
                case 3 where !scalars.isEmpty:
                    let other = next(scalars.count)
                    scalars.swapAt(min(at, scalars.count - 1), other)
                default: scalars.insert(contentsOf: scalars.prefix(next(8)), at: at)
                }
            }
            var text = String.UnicodeScalarView()
            text.append(contentsOf: scalars)
            let mutated = String(text)
            do {
                _ = try PythonLiteral.parse(mutated)
                parsed += 1
            } catch {
                #expect(!error.description.isEmpty)
                if let offset = error.offset { #expect(offset >= 0 && offset <= scalars.count) }
            }
            _ = try? PythonLiteral.arguments(mutated)
            _ = try? PythonLiteral.keywordArguments(mutated)
        }
        #expect(parsed > 0)
    }
}
