import Foundation

/// The management APIs of a cluster's nodes, given as `http://n1:15672;http://n2:15672`:
/// every node's API reports every queue of the cluster, so any one that answers will do.
/// Asks the one that answered last, and when it does not, the others in order — a node
/// that is down or cut off costs one request timeout, not the queue view.
actor ManagementFailover {
    private let apis: [ManagementAPI]
    private var current = 0

    init(_ apis: [ManagementAPI]) {
        self.apis = apis
    }

    /// The queues, and which node's API told them (nil with a single API: nothing to tell).
    /// Throws the last node's error when none answers.
    func queues(vhost: String) async throws(ManagementAPIError) -> (queues: [ManagedQueue], node: String?) {
        var lastError: ManagementAPIError?
        for step in 0..<apis.count {
            let index = (current + step) % apis.count
            do {
                let queues = try await apis[index].queues(vhost: vhost)
                current = index
                return (queues, apis.count > 1 ? apis[index].displayURL : nil)
            } catch {
                lastError = error
            }
        }
        throw lastError!
    }
}

extension ManagementAPI {
    /// Each `;`-separated URL of `urls`, in order; an invalid one is an error naming it.
    public static func failoverList(_ urls: String, requestTimeout: Double = 5) throws(ManagementAPIError) -> [ManagementAPI] {
        var apis: [ManagementAPI] = []
        for url in urls.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where !url.isEmpty {
            apis.append(try ManagementAPI(url: url, requestTimeout: requestTimeout))
        }
        guard !apis.isEmpty else { throw .invalidURL(urls, reason: "it names no URL") }
        return apis
    }
}
