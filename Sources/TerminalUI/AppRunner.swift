import Synchronization

/// The one run loop of every app, on any ``Terminal``: it feeds keys, size changes and
/// effect results to `reduce`, starts the effects it returns on ``Work`` lanes, and
/// draws `view`. ncurses and the tests' ``MemoryTerminal`` run exactly this loop.
public final class AppRunner<Program: TerminalProgram> {
    /// The app's state after the inputs handled so far.
    public private(set) var state: Program.State
    /// The last screen drawn.
    public private(set) var screen: Screen?
    /// The terminal drawn on.
    public let terminal: Terminal

    private let waker = Waker()
    private let inbox: Inbox<Program.Event>
    private let workers: Workers<Program.Event>
    private var size: (ScreenSize, Capabilities)?
    private var isShutDown = false

    /// Starts the app: `reduce` gets `.start`, then `.resize` with the terminal's size.
    public init(_ state: Program.State, on terminal: Terminal) {
        self.state = state
        self.terminal = terminal
        let inbox = Inbox<Program.Event>(waker: waker)
        self.inbox = inbox
        workers = Workers { event in inbox.post(event) }
        apply(.start)
        syncSize()
    }

    deinit { shutdown() }

    /// Whether the app said it is done.
    public var isFinished: Bool { Program.isFinished(state) }

    /// One turn: draw, wait at most `timeoutMilliseconds` (-1: no limit) for keys or
    /// effect results, and hand them to `reduce`. Returns false once the app is done.
    @discardableResult
    public func step(timeoutMilliseconds: Int32) -> Bool {
        if isFinished { return false }
        draw()
        let keys = terminal.waitForKeys(timeoutMilliseconds: timeoutMilliseconds, wakeFD: waker.readFD)
        waker.drain()
        // A termination signal that arrived with keys wins: typed-ahead keys must not act
        // (an Enter would publish) once the user asked the app to end.
        if TerminationSignals.isRequested { return false }
        for event in inbox.take() {
            apply(.event(event))
        }
        for key in keys where !isFinished {
            if key == .resize { syncSize() } else { apply(.key(key)) }
        }
        syncSize()
        if isFinished { return false }
        draw()
        return true
    }

    /// Runs until the app is done or SIGINT, SIGTERM or SIGHUP arrives (the caller then
    /// restores the terminal), then shuts the workers down.
    public func run() {
        TerminationSignals.install(waking: waker)
        while !TerminationSignals.isRequested && step(timeoutMilliseconds: -1) {}
        shutdown()
    }

    /// Runs turns until `condition` holds for the state and the screen drawn, at most
    /// `seconds`; whether it held. For tests and benchmarks.
    public func run(seconds: Double, until condition: (Program.State, Screen) -> Bool) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int(seconds * 1000))
        while true {
            draw()
            if let screen, condition(state, screen) { return true }
            let left = clock.now.duration(to: deadline)
            if left <= .zero || isFinished { return false }
            let ms = Int32(clamping: min(100, max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
            step(timeoutMilliseconds: ms)
        }
    }

    /// Cancels every effect and ends the worker threads; returns how many did not end
    /// in time. Called by `run` and on deinit; safe to call twice.
    @discardableResult
    public func shutdown() -> Int {
        guard !isShutDown else { return 0 }
        isShutDown = true
        return workers.shutdown()
    }

    /// Worker threads alive (one per lane used).
    public var workerThreads: Int { workers.threadCount }

    private func apply(_ input: ProgramInput<Program.Event>) {
        for effect in Program.reduce(&state, input) where !isShutDown {
            workers.submit(Program.work(for: effect))
        }
    }

    private func syncSize() {
        let (columns, rows) = terminal.size
        let now = (ScreenSize(columns: columns, rows: rows), terminal.capabilities)
        if let size, size.0 == now.0, size.1 == now.1 { return }
        size = now
        apply(.resize(now.0, now.1))
    }

    private func draw() {
        guard let (size, capabilities) = size else { return }
        let next = Program.view(state, size: size, capabilities: capabilities)
        if next != screen {
            terminal.draw(next)
            screen = next
        }
    }
}

/// Results of effects waiting for the run loop; posting wakes it.
final class Inbox<Event: Sendable>: Sendable {
    private let items = Mutex<[Event]>([])
    private let waker: Waker

    init(waker: Waker) { self.waker = waker }

    func post(_ event: Event) {
        items.withLock { $0.append(event) }
        waker.wake()
    }

    func take() -> [Event] {
        items.withLock { items in
            let out = items
            items.removeAll()
            return out
        }
    }
}
