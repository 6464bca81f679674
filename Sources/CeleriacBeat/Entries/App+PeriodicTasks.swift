import Celeriac
import NIOConcurrencyHelpers

extension App {
    /// The periodic tasks defined in code for this app; `celeriac beat -A APP` runs them with
    /// those of `beat_schedule` (a name in both is refused).
    ///
    ///     try app.periodicTasks.add(PeriodicTask(name: "cleanup", task: "proj.cleanup",
    ///                                            schedule: .crontab(try Crontab(expression: "0 3 * * *"))))
    public var periodicTasks: PeriodicTaskRegistry { PeriodicTaskRegistry.of(self) }

    /// Adds one periodic task: Celery's `app.add_periodic_task(schedule, sig, name=..., **options)`,
    /// with the options Celery passes on to `apply_async` (queue, exchange, routing_key,
    /// priority, expires — seconds after each send) and the entry's own: `oneOff` (run once,
    /// then disable), `enabled`, and `catchUp` for runs missed while no beat could send them
    /// (nil: the beat's default, once — Celery's behaviour). The defaults send as Celery does.
    ///
    ///     try app.addPeriodicTask("tick", task: "demo.add", args: [2, 3], schedule: .every(.seconds(30)),
    ///                             queue: "periodic", expires: 25)
    public func addPeriodicTask(_ name: String, task: String, args: [JSONValue] = [], kwargs: [String: JSONValue] = [:],
                                schedule: BeatSchedule, queue: String? = nil, exchange: String? = nil,
                                routingKey: String? = nil, priority: Int? = nil, expires: Double? = nil,
                                oneOff: Bool = false, enabled: Bool = true, catchUp: CatchUp? = nil) throws(PeriodicTaskError) {
        try periodicTasks.add(PeriodicTask(name: name, task: task, args: args, kwargs: kwargs, schedule: schedule,
                                           queue: queue, exchange: exchange, routingKey: routingKey, priority: priority,
                                           expires: expires, enabled: enabled, oneOff: oneOff, catchUp: catchUp))
    }
}

/// An app's periodic tasks, by name.
public final class PeriodicTaskRegistry: Sendable {
    private let entries = NIOLockedValueBox<[String: PeriodicTask]>([:])
    /// Each app's registry, kept beside the app rather than in it (the core knows no beat);
    /// the weak reference tells a live app from a freed one whose address was reused.
    private struct Slot {
        weak var app: App?
        let registry: PeriodicTaskRegistry
    }
    private static let registries = NIOLockedValueBox<[ObjectIdentifier: Slot]>([:])

    static func of(_ app: App) -> PeriodicTaskRegistry {
        registries.withLockedValue { registries in
            if let slot = registries[ObjectIdentifier(app)], slot.app === app { return slot.registry }
            let registry = PeriodicTaskRegistry()
            registries[ObjectIdentifier(app)] = Slot(app: app, registry: registry)
            return registry
        }
    }

    public func add(_ entry: PeriodicTask) throws(PeriodicTaskError) {
        let added = entries.withLockedValue { entries in
            guard entries[entry.name] == nil else { return false }
            entries[entry.name] = entry
            return true
        }
        guard added else { throw .invalidEntry(name: entry.name, reason: "a periodic task of that name is already added") }
    }

    /// Every entry, sorted by name.
    public var all: [PeriodicTask] {
        entries.withLockedValue { $0.values.sorted { $0.name < $1.name } }
    }
}
