/// Why an administrative change (management API, `celeriac broker ctl`) was refused.
enum AdministrationError: Error, Sendable, Hashable, CustomStringConvertible {
    case noSuchUser(String)
    case noSuchVirtualHost(String)
    case invalidBody(String)

    var description: String {
        switch self {
        case .noSuchUser(let name): return "no user '\(name)'; add it first (PUT /api/users/\(name))"
        case .noSuchVirtualHost(let name): return "no vhost '\(name)'; add it first (PUT /api/vhosts/…)"
        case .invalidBody(let reason): return "the request body is not what this endpoint takes: \(reason)"
        }
    }
}
