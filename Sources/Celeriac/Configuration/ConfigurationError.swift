/// A setting that cannot be used; each case names the key, the value and what is allowed.
public enum ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidValue(key: String, value: String, source: String, allowed: String)
    case unknownKey(key: String, source: String, suggestion: String?)
    case unreadableFile(path: String, reason: String)
    case invalidTOML(path: String, line: Int, reason: String)
    /// Two settings that cannot go together, with the way out.
    case conflict(String)

    public var description: String {
        switch self {
        case .invalidValue(let key, let value, let source, let allowed):
            return "\(source): \(key) = \(value) is not allowed; \(key) takes \(allowed)"
        case .unknownKey(let key, let source, let suggestion):
            let hint = suggestion.map { "; did you mean \($0)?" } ?? ""
            return "\(source): unknown setting '\(key)'\(hint)"
        case .unreadableFile(let path, let reason):
            return "cannot read configuration file \(path): \(reason)"
        case .invalidTOML(let path, let line, let reason):
            return "\(path):\(line): \(reason)"
        case .conflict(let text):
            return text
        }
    }
}
