import Celeriac

extension PeriodicTask {
    /// The entries of a `beat_schedule` table, as `celeriac.toml` writes them:
    ///
    ///     [beat_schedule.add-every-10s]
    ///     task = "demo.add"
    ///     schedule = 10                 # seconds, or "30 s", "1.5 min", "2 h"; or crontab = "30 7 * * mon-fri";
    ///     args = [2, 3]                 # or solar = "sunset", latitude = 52.5, longitude = 13.4
    ///
    /// and optionally kwargs, queue, exchange, routing_key, priority, expires, relative,
    /// enabled, one_off, catch_up ("once", "skip" or "replay N"). Sorted by name.
    public static func entries(from table: [String: JSONValue]) throws(PeriodicTaskError) -> [PeriodicTask] {
        try table.keys.sorted().map { name throws(PeriodicTaskError) in
            try PeriodicTask(name: name, table: table[name]?.objectValue ?? [:])
        }
    }

    /// The entry as a `beat_schedule` table: what `init(name:table:)` reads back to it.
    public var table: [String: JSONValue] {
        var table: [String: JSONValue] = ["task": .string(task)]
        switch schedule {
        case .interval(let interval):
            table["schedule"] = .double(interval.seconds)
            if interval.relative { table["relative"] = true }
        case .crontab(let crontab): table["crontab"] = .string(crontab.expression)
        case .solar(let solar):
            table["solar"] = .string(solar.event.rawValue)
            table["latitude"] = .double(solar.latitude)
            table["longitude"] = .double(solar.longitude)
        }
        if !args.isEmpty { table["args"] = .array(args) }
        if !kwargs.isEmpty { table["kwargs"] = .object(kwargs) }
        let optional: [(String, JSONValue?)] = [
            ("queue", queue.map(JSONValue.string)), ("exchange", exchange.map(JSONValue.string)),
            ("routing_key", routingKey.map(JSONValue.string)), ("priority", priority.map(JSONValue.int)),
            ("expires", expires.map(JSONValue.double)),
        ]
        for case let (key, value?) in optional { table[key] = value }
        if !enabled { table["enabled"] = false }
        if oneOff { table["one_off"] = true }
        if let catchUp { table["catch_up"] = .string(catchUp.spec) }
        return table
    }

    public init(name: String, table: [String: JSONValue]) throws(PeriodicTaskError) {
        func problem(_ text: String) -> PeriodicTaskError { .invalidEntry(name: name, reason: text) }
        guard let task = table["task"]?.stringValue, !task.isEmpty else { throw problem("it needs task = \"module.name\"") }
        let given = ["schedule", "crontab", "solar"].filter { table[$0] != nil }
        guard given.count == 1 else { throw problem("give exactly one of schedule (seconds or a duration), crontab or solar") }
        let schedule: BeatSchedule
        do {
            if let every = table["schedule"] {
                let relative = table["relative"]?.boolValue ?? false
                if let seconds = every.doubleValue {
                    schedule = .interval(try IntervalSchedule(seconds: seconds, relative: relative))
                } else if let text = every.stringValue, case .interval(let interval) = try BeatSchedule(spec: text) {
                    // The duration spellings of the one-line spec: "30 s", "30s", "1.5 min", "every 2 h relative".
                    schedule = .interval(try IntervalSchedule(seconds: interval.seconds, relative: relative || interval.relative))
                } else {
                    throw problem("schedule is seconds (30) or a duration (\"30 s\", \"1.5 min\", \"2 h\", \"1 d\"); use crontab = or solar = for the other kinds")
                }
            } else if let cron = table["crontab"] {
                guard let text = cron.stringValue else { throw problem("crontab is a string such as \"30 7 * * mon-fri\"") }
                schedule = .crontab(try Crontab(expression: text))
            } else {
                guard let event = table["solar"]?.stringValue, let latitude = table["latitude"]?.doubleValue,
                      let longitude = table["longitude"]?.doubleValue else {
                    throw problem("solar needs an event (e.g. \"sunset\") with latitude and longitude")
                }
                schedule = .solar(try SolarSchedule(event: event, latitude: latitude, longitude: longitude))
            }
        } catch let error as PeriodicTaskError {
            throw error
        } catch {
            throw problem("\(error)")
        }
        guard let args = table["args"].map({ $0.arrayValue }) ?? [] else { throw problem("args is a list") }
        guard let kwargs = table["kwargs"].map({ $0.objectValue }) ?? [:] else { throw problem("kwargs is a table") }
        var catchUp: CatchUp?
        if let given = table["catch_up"] {
            guard let spec = given.stringValue else { throw problem("catch_up is a string: \"once\", \"skip\" or \"replay N\"") }
            do {
                catchUp = try CatchUp(spec: spec)
            } catch {
                throw problem("\(error)")
            }
        }
        self.init(name: name, task: task, args: args, kwargs: kwargs, schedule: schedule,
                  queue: table["queue"]?.stringValue, exchange: table["exchange"]?.stringValue,
                  routingKey: table["routing_key"]?.stringValue, priority: table["priority"]?.intValue,
                  expires: table["expires"]?.doubleValue, enabled: table["enabled"]?.boolValue ?? true,
                  oneOff: table["one_off"]?.boolValue ?? false, catchUp: catchUp)
    }
}

public enum PeriodicTaskError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidEntry(name: String, reason: String)

    public var description: String {
        switch self {
        case .invalidEntry(let name, let reason): return "beat_schedule entry '\(name)': \(reason)"
        }
    }
}
