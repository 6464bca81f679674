import AMQPProtocol
import Foundation

/// Start-up from a data dir: replay the definitions log, compact it to a snapshot of what
/// is live, then give every durable queue back its persistent messages.
extension BrokerState {
    /// Applies `--users-file` (a definitions file), after what the data dir held.
    func loadDefinitionsFile() throws(AdministrationError) {
        guard let path = configuration.definitionsFile else { return }
        guard let data = FileManager.default.contents(atPath: path),
              let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .invalidBody("\(path) is not a readable JSON definitions file (celeriac broker ctl export_definitions makes one)")
        }
        try DefinitionsDocument.import(document, into: self)
        logger.info("applied the definitions in \(path)")
    }

    func recover() throws(StorageError) {
        guard let store else { return }
        let changes = try store.recordedChanges()
        store.replaying {
            for change in changes { apply(change) }
        }
        // The users given on the command line keep the password and tags given there.
        store.replaying {
            for configured in configuration.users {
                putUser(name: configured.name, passwordHash: configured.passwordHash, tags: configured.tags)
                for (vhost, permission) in configured.permissions where virtualHosts[vhost] != nil {
                    try? grant(user: configured.name, vhost: vhost, permission)
                }
            }
        }
        try store.compact(to: snapshot())
        var messages = 0
        for vhost in virtualHosts.values {
            for queue in vhost.queues.values {
                guard let queueStore = queue.store else { continue }
                for stored in try queueStore.recover() {
                    queue.restore(stored.content, wallClockExpiry: stored.expiry, location: stored.location)
                    messages += 1
                }
                queue.dropExpiredHead()
            }
        }
        logger.info("recovered \(virtualHosts.count) vhosts, \(virtualHosts.values.reduce(0) { $0 + $1.queues.count }) durable queues and \(messages) persistent messages from \(store.storage.directory)")
    }

    private func apply(_ change: DefinitionChange) {
        let owner = ObjectIdentifier(self)
        do {
            switch change {
            case .virtualHostAdded(let name): addVirtualHost(name)
            case .virtualHostDeleted(let name): _ = deleteVirtualHost(name)
            case .userPut(let user): restoreUser(user)
            case .userDeleted(let name): _ = deleteUser(name)
            case .exchangeDeclared(let vhost, let name, let type, let autoDelete, let isInternal, let arguments):
                try virtualHosts[vhost]?.declareExchange(.init(exchange: name, type: type.rawValue, durable: true,
                                                               autoDelete: autoDelete, internal: isInternal, arguments: arguments))
            case .exchangeDeleted(let vhost, let name):
                try virtualHosts[vhost]?.deleteExchange(name, ifUnused: false)
            case .queueDeclared(let vhost, let name, let autoDelete, let arguments):
                _ = try virtualHosts[vhost]?.declareQueue(.init(queue: name, durable: true, autoDelete: autoDelete,
                                                                arguments: arguments), owner: owner)
            case .queueDeleted(let vhost, let name):
                _ = try virtualHosts[vhost]?.deleteQueue(name, ifUnused: false, ifEmpty: false, from: owner)
            case .bound(let vhost, let binding):
                try virtualHosts[vhost]?.bind(binding, from: owner)
            case .unbound(let vhost, let binding):
                try virtualHosts[vhost]?.unbind(binding, from: owner)
            }
        } catch {
            logger.warning("skipping a recorded change that no longer applies (\(change.json["op"] ?? "?")): \(error.replyText)")
        }
    }

    /// What the definitions log must hold to rebuild the broker as it is now.
    private func snapshot() -> [DefinitionChange] {
        var changes: [DefinitionChange] = []
        let configured = Set(configuration.virtualHosts)
        for vhost in virtualHosts.values.sorted(by: { $0.name < $1.name }) where !configured.contains(vhost.name) {
            changes.append(.virtualHostAdded(vhost.name))
        }
        for user in users.values.sorted(by: { $0.name < $1.name }) { changes.append(.userPut(user)) }
        for vhost in virtualHosts.values.sorted(by: { $0.name < $1.name }) {
            for exchange in vhost.exchanges.values.sorted(by: { $0.name < $1.name })
            where exchange.durable && !exchange.name.isEmpty && !exchange.name.hasPrefix("amq.") {
                changes.append(.exchangeDeclared(vhost: vhost.name, name: exchange.name, type: exchange.type,
                                                 autoDelete: exchange.autoDelete, isInternal: exchange.isInternal,
                                                 arguments: exchange.arguments))
            }
            for queue in vhost.queues.values.sorted(by: { $0.name < $1.name }) where queue.store != nil {
                changes.append(.queueDeclared(vhost: vhost.name, name: queue.name, autoDelete: queue.autoDelete,
                                              arguments: queue.arguments))
            }
            for exchange in vhost.exchanges.values.sorted(by: { $0.name < $1.name }) {
                for binding in exchange.bindings where vhost.isDurable(binding) {
                    changes.append(.bound(vhost: vhost.name, binding))
                }
            }
        }
        return changes
    }

    private func restoreUser(_ user: BrokerUser) {
        putUser(name: user.name, passwordHash: user.passwordHash, tags: user.tags)
        for (vhost, permission) in user.permissions where virtualHosts[vhost] != nil {
            try? grant(user: user.name, vhost: vhost, permission)
        }
    }
}
