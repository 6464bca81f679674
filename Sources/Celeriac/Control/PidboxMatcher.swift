import Foundation

/// kombu's node matchers (`kombu/matcher.py`): "glob" is Python's `fnmatch` (whole name,
/// case-sensitive as on POSIX), "pcre" is `re.match` (anchored at the start only).
enum PidboxMatcher {
    static func matches(_ node: String, pattern: String, matcher: String) -> Bool {
        switch matcher {
        case "glob": return glob(pattern, matches: node)
        case "pcre": return regex(pattern, matchesStartOf: node)
        default: return false  // kombu raises MatcherNotInstalled; the node does not act
        }
    }

    static func regex(_ pattern: String, matchesStartOf node: String) -> Bool {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return false }
        let range = NSRange(node.startIndex..<node.endIndex, in: node)
        return expression.firstMatch(in: node, options: [.anchored], range: range) != nil
    }

    static func glob(_ pattern: String, matches node: String) -> Bool {
        let tokens = GlobToken.parse(pattern)
        let text = Array(node)
        var tokenIndex = 0
        var textIndex = 0
        // The classic wildcard walk: remember the last '*' and let it absorb one more
        // character whenever the rest fails to match.
        var starToken = -1
        var starText = 0
        while textIndex < text.count {
            if tokenIndex < tokens.count, tokens[tokenIndex].isStar {
                starToken = tokenIndex
                starText = textIndex
                tokenIndex += 1
            } else if tokenIndex < tokens.count, tokens[tokenIndex].matches(text[textIndex]) {
                tokenIndex += 1
                textIndex += 1
            } else if starToken >= 0 {
                tokenIndex = starToken + 1
                starText += 1
                textIndex = starText
            } else {
                return false
            }
        }
        while tokenIndex < tokens.count, tokens[tokenIndex].isStar { tokenIndex += 1 }
        return tokenIndex == tokens.count
    }
}

/// One element of an `fnmatch` pattern.
enum GlobToken: Equatable {
    case star
    case any
    case literal(Character)
    case set(negated: Bool, members: [Character], ranges: [ClosedRange<Character>])

    var isStar: Bool { self == .star }

    func matches(_ character: Character) -> Bool {
        switch self {
        case .star, .any: return true
        case .literal(let literal): return literal == character
        case .set(let negated, let members, let ranges):
            let found = members.contains(character) || ranges.contains { $0.contains(character) }
            return found != negated
        }
    }

    /// Follows `fnmatch.translate`: `[!…]` negates, a `]` first in a set is literal, and a `[`
    /// without a closing `]` is a literal `[`.
    static func parse(_ pattern: String) -> [GlobToken] {
        let characters = Array(pattern)
        var tokens: [GlobToken] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            switch character {
            case "*":
                if tokens.last != GlobToken.star { tokens.append(.star) }
            case "?":
                tokens.append(.any)
            case "[":
                var end = index
                if end < characters.count, characters[end] == "!" { end += 1 }
                if end < characters.count, characters[end] == "]" { end += 1 }
                while end < characters.count, characters[end] != "]" { end += 1 }
                guard end < characters.count else {
                    tokens.append(.literal("["))
                    continue
                }
                var inner = Array(characters[index..<end])
                index = end + 1
                let negated = inner.first == "!"
                if negated { inner.removeFirst() }
                tokens.append(set(from: inner, negated: negated))
            default:
                tokens.append(.literal(character))
            }
        }
        return tokens
    }

    private static func set(from inner: [Character], negated: Bool) -> GlobToken {
        var members: [Character] = []
        var ranges: [ClosedRange<Character>] = []
        var index = 0
        while index < inner.count {
            if index + 2 < inner.count, inner[index + 1] == "-" {
                let low = inner[index]
                let high = inner[index + 2]
                if low <= high { ranges.append(low...high) }  // Python drops empty ranges
                index += 3
            } else {
                members.append(inner[index])
                index += 1
            }
        }
        return .set(negated: negated, members: members, ranges: ranges)
    }
}
