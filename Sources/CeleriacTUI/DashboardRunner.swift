import Celeriac
import CeleriacMonitor
import Dispatch
import Foundation
import NIOConcurrencyHelpers

/// Runs the dashboard: one thread owns the terminal (ncurses is not thread-safe), reads keys,
/// hands them to the controller and draws a frame when something changed — a key, the
/// cluster, or the clock (ages tick once a second). Actions run as tasks and report to the
/// status line when their replies are in.
public final class DashboardRunner: Sendable {
    public struct Options: Sendable {
        public var colors = true
        public var glyphs = Glyphs.unicode
        public var readOnly = false
        /// Shown in the top bar, e.g. "amqp://localhost:5672//" (never the password).
        public var brokerLabel = ""
        /// Whether the dashboard ends on SIGINT, SIGTERM and SIGHUP itself. A caller that
        /// already watches them (the demo) says no and calls `requestStop()`: a second
        /// watcher would set the signal to SIG_IGN again under the first one's handler, and
        /// then neither hears it.
        public var watchesSignals = true

        public init() {}
    }

    private let monitor: Monitor
    private let options: Options
    private let stopRequested = NIOLockedValueBox(false)

    public init(monitor: Monitor, options: Options) {
        self.monitor = monitor
        self.options = options
    }

    /// Shows the dashboard until the user quits or SIGINT/SIGTERM/SIGHUP arrives; the terminal
    /// is restored either way.
    public func run() async throws {
        let signals = options.watchesSignals ? watchSignals() : []
        defer { signals.forEach { $0.cancel() } }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread { [self] in
                do {
                    try self.loop()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "celeriac-top-terminal"
            thread.start()
        }
    }

    /// Ends the dashboard as a signal would, for a caller that watches the signals itself.
    public func requestStop() {
        stopRequested.withLockedValue { $0 = true }
    }

    private func watchSignals() -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { [stopRequested] in stopRequested.withLockedValue { $0 = true } }
            source.resume()
            return source
        }
    }

    private func loop() throws {
        var terminal = try CursesTerminal(colors: options.colors, asciiOnly: options.glyphs.isASCII)
        defer { terminal.end() }
        let data = StoreData(monitor: monitor)
        var controller = DashboardController(state: DashboardState(readOnly: options.readOnly))
        var lastChange = -1
        var lastFrame = 0.0
        var anchor = SelectionAnchor()
        var dirty = true
        while !stopRequested.withLockedValue({ $0 }) {
            if let key = terminal.readKey(timeout: 100) {
                dirty = true
                if key != .resize {
                    let effects = controller.handle(key, data: data, pageSize: DashboardView.pageSize(rows: terminal.rows))
                    if effects.contains(.quit) { return }
                    apply(effects)
                    anchor.remember(controller.state, data: data)
                    controller.state.taskToSelect = nil
                }
            }
            anchor.restore(&controller.state, store: monitor.store)
            let now = Date().timeIntervalSince1970
            let change = monitor.store.read { $0.changeCount }
            guard dirty || change != lastChange || now - lastFrame >= 1 else { continue }
            draw(&terminal, controller.state, now: now)
            lastChange = change
            lastFrame = now
            dirty = false
        }
    }

    private func draw(_ terminal: inout CursesTerminal, _ state: DashboardState, now: Double) {
        terminal.beginFrame()
        monitor.store.read { model in
            let context = FrameContext(model: model, state: state, glyphs: options.glyphs, now: now,
                                       brokerLabel: options.brokerLabel)
            DashboardView.draw(&terminal, context)
        }
        terminal.endFrame()
    }

    private func apply(_ effects: [DashboardEffect]) {
        for effect in effects {
            switch effect {
            case .quit: break
            case .lookUpWorkflow(let taskID):
                let actions = monitor.actions
                Task { await actions.lookUpWorkflow(around: taskID) }
            case .setQuery(let query): monitor.store.setTaskQuery(query)
            case .status(let kind, let text): monitor.store.post(kind, text)
            case .perform(let action): perform(action)
            }
        }
    }

    private func perform(_ action: DashboardAction) {
        let monitor = monitor
        monitor.store.post(.info, "\(action.question.dropLast()) …")
        Task {
            let reports = await action.perform(monitor.actions)
            let ok = reports.allSatisfy(\.succeeded)
            monitor.store.post(ok ? .success : .error, reports.map(\.summary).joined(separator: " | "))
        }
    }
}

/// Keeps the same task selected while new ones arrive above it (unless following the newest).
struct SelectionAnchor {
    private var taskID: String?
    private var indexVersion = -1

    mutating func remember(_ state: DashboardState, data: any DashboardData) {
        taskID = state.follow ? nil : state.taskToSelect ?? data.rowID(.tasks, at: state.selected(.tasks))
        if state.taskToSelect != nil { indexVersion = -1 }  // find it in the list as it is now
    }

    mutating func restore(_ state: inout DashboardState, store: MonitorStore) {
        if state.follow, state.screen == .tasks {
            state.selection[.tasks] = 0
            return
        }
        guard let taskID else { return }
        let (version, index) = store.read { model -> (Int, Int?) in
            guard model.taskIndex.builtAt != indexVersion else { return (indexVersion, nil) }
            return (model.taskIndex.builtAt, model.taskIndex.ids.firstIndex(of: taskID))
        }
        indexVersion = version
        if let index { state.selection[.tasks] = index }
    }
}
