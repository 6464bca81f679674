import Testing
@testable import Celeriac

/// Expectations are what Python's `fnmatch.fnmatch` and `re.match` answer.
@Suite struct PidboxMatcherTests {
    @Test func globWildcards() {
        #expect(PidboxMatcher.glob("celery@*", matches: "celery@host"))
        #expect(PidboxMatcher.glob("*", matches: ""))
        #expect(PidboxMatcher.glob("*@vm", matches: "fixw@vm"))
        #expect(!PidboxMatcher.glob("*@vm", matches: "fixw@vm2"))
        #expect(PidboxMatcher.glob("a*b*c", matches: "aXXbYbc"))
        #expect(!PidboxMatcher.glob("a*b*c", matches: "aXXbYbcd"))
        #expect(PidboxMatcher.glob("w?@h", matches: "w1@h"))
        #expect(!PidboxMatcher.glob("w?@h", matches: "w@h"))
        #expect(PidboxMatcher.glob("celery@host", matches: "celery@host"))
        #expect(!PidboxMatcher.glob("celery@host", matches: "Celery@host"))  // case-sensitive on POSIX
    }

    @Test func globCharacterSets() {
        #expect(PidboxMatcher.glob("w[12]@h", matches: "w2@h"))
        #expect(!PidboxMatcher.glob("w[12]@h", matches: "w3@h"))
        #expect(PidboxMatcher.glob("w[!12]@h", matches: "w3@h"))
        #expect(!PidboxMatcher.glob("w[!12]@h", matches: "w1@h"))
        #expect(PidboxMatcher.glob("w[a-c]@h", matches: "wb@h"))
        #expect(!PidboxMatcher.glob("w[a-c]@h", matches: "wd@h"))
        #expect(PidboxMatcher.glob("w[]]@h", matches: "w]@h"))
        #expect(PidboxMatcher.glob("w[@h", matches: "w[@h"))  // no closing ']': a literal '['
        #expect(PidboxMatcher.glob("w[*]", matches: "w*"))
        #expect(!PidboxMatcher.glob("w[*]", matches: "wx"))
    }

    @Test func pcreMatchesAtTheStartOnly() {
        #expect(PidboxMatcher.regex("celery@.*", matchesStartOf: "celery@host"))
        #expect(PidboxMatcher.regex("cel", matchesStartOf: "celery@host"))
        #expect(!PidboxMatcher.regex("host", matchesStartOf: "celery@host"))
        #expect(PidboxMatcher.regex(".*host$", matchesStartOf: "celery@host"))
        #expect(!PidboxMatcher.regex("(", matchesStartOf: "celery@host"))  // invalid pattern matches nothing
    }

    @Test func matcherNames() {
        #expect(PidboxMatcher.matches("celery@h", pattern: "celery@*", matcher: "glob"))
        #expect(PidboxMatcher.matches("celery@h", pattern: "celery@", matcher: "pcre"))
        #expect(!PidboxMatcher.matches("celery@h", pattern: "celery@*", matcher: "unknown"))
    }
}
