import Foundation

extension CeleriacConfiguration {
    /// The configuration a command runs with: `base` (what the code set), then the file,
    /// then the environment, then `flags` — each later source wins. A bad value anywhere
    /// stops the start with the key, the value and what is allowed.
    ///
    /// - file: a TOML file; nil reads `./celeriac.toml` when it exists.
    /// - environment: `CELERIAC_<KEY>` for every key, and Celery's `CELERY_BROKER_URL` and
    ///   `CELERY_RESULT_BACKEND` when the Celeriac names are unset.
    public static func load(base: CeleriacConfiguration = CeleriacConfiguration(), file: String? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            flags: [String: String] = [:]) throws(ConfigurationError) -> CeleriacConfiguration {
        var configuration = base
        let path = file ?? (FileManager.default.fileExists(atPath: "celeriac.toml") ? "celeriac.toml" : nil)
        if let path {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw .unreadableFile(path: path, reason: error.localizedDescription)
            }
            for (key, value) in try TOMLReader.parse(text, path: path).sorted(by: { $0.key < $1.key }) {
                try configuration.set(key, to: value, source: path)
            }
        }
        for key in ConfigurationSetting.all.keys.sorted() {
            let names = ["CELERIAC_" + key.uppercased()] + (celeryFallbacks.contains(key) ? ["CELERY_" + key.uppercased()] : [])
            if let name = names.first(where: { environment[$0] != nil }) {
                try configuration.set(key, text: environment[name]!, source: "environment variable \(name)")
            }
        }
        for (key, text) in flags.sorted(by: { $0.key < $1.key }) {
            try configuration.set(key, text: text, source: "command line")
        }
        try configuration.checkCombinations()
        return configuration
    }

    /// Settings each fine alone that RabbitMQ would refuse together.
    public func checkCombinations() throws(ConfigurationError) {
        if let priority = queueMaxPriority, usesQuorumQueues {
            let setting = defaultQueueType == .quorum ? "task_default_queue_type" : "task_create_missing_queue_type"
            throw .conflict("task_queue_max_priority = \(priority) cannot go with \(setting) = quorum: RabbitMQ's quorum queues take no x-max-priority; remove task_queue_max_priority, or keep classic queues")
        }
    }

    private static let celeryFallbacks: Set<String> = ["broker_url", "result_backend"]

    /// Sets one setting from a typed value (code or file).
    public mutating func set(_ key: String, to value: JSONValue, source: String = "code") throws(ConfigurationError) {
        let setting = try Self.setting(key, source: source)
        guard let valid = setting.validate(value) else {
            throw .invalidValue(key: key, value: value.serialized, source: source, allowed: setting.allowed)
        }
        setting.apply(&self, valid)
    }

    /// Sets one setting from text (environment or a flag).
    public mutating func set(_ key: String, text: String, source: String) throws(ConfigurationError) {
        let setting = try Self.setting(key, source: source)
        guard let value = setting.value(fromText: text), let valid = setting.validate(value) else {
            throw .invalidValue(key: key, value: text, source: source, allowed: setting.allowed)
        }
        setting.apply(&self, valid)
    }

    private static func setting(_ key: String, source: String) throws(ConfigurationError) -> ConfigurationSetting {
        if let setting = ConfigurationSetting.all[key] { return setting }
        let suggestion = ConfigurationSetting.all.keys.min { editDistance($0, key) < editDistance($1, key) }
        let close = suggestion.flatMap { editDistance($0, key) <= 3 ? $0 : nil }
        throw .unknownKey(key: key, source: source, suggestion: close)
    }

    /// Which route, if any, sends `taskName` somewhere other than the default queue.
    public func route(for taskName: String) -> TaskRoute? {
        routes.first { $0.pattern == taskName } ?? routes.first { $0.matches(taskName) }
    }
}

/// Levenshtein distance, for "did you mean" on misspelt keys.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for (i, x) in a.enumerated() {
        var current = [i + 1]
        for (j, y) in b.enumerated() {
            current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
        }
        previous = current
    }
    return previous[b.count]
}
