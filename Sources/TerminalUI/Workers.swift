import Dispatch
import Glibc
import Synchronization

/// How the runner carries out one effect.
public enum Work<Event: Sendable>: Sendable {
    /// Runs `body` on the thread of `lane`, after what the lane already queued; with
    /// `replacing`, whatever the lane runs or queues is cancelled first (the newest
    /// preview wins, say).
    case run(lane: String, replacing: Bool, body: @Sendable (JobContext<Event>) -> Void)
    /// Cancels what `lane` runs or queues.
    case cancel(lane: String)
}

/// What a running job can ask and do.
public struct JobContext<Event: Sendable>: Sendable {
    let lane: Lane<Event>
    let generation: Int

    /// True once the job was cancelled (replaced, cancelled, or the app is ending).
    /// Long jobs poll it; nothing they post afterwards is delivered.
    public var isCancelled: Bool { lane.isStale(generation) }

    /// Delivers an event to the app, unless the job was cancelled.
    public func post(_ event: Event) {
        if !isCancelled { lane.deliver(event) }
    }
}

/// Runs effects on one thread per lane, each lane in order; cancellable per lane, and
/// shut down when the app ends (threads joined, or detached after a bounded wait when
/// a job ignores cancellation inside a blocking call).
final class Workers<Event: Sendable>: Sendable {
    private let lanes = Mutex<[String: Lane<Event>]>([:])
    private let deliver: @Sendable (Event) -> Void

    init(deliver: @escaping @Sendable (Event) -> Void) {
        self.deliver = deliver
    }

    func submit(_ work: Work<Event>) {
        switch work {
        case let .run(name, replacing, body):
            lane(name)?.enqueue(body, replacing: replacing)
        case let .cancel(name):
            lanes.withLock { $0[name] }?.cancel()
        }
    }

    /// Cancels everything and waits (at most `timeout` per lane) for the threads to end.
    /// Returns how many threads did not end in time (they were detached).
    @discardableResult
    func shutdown(timeout: Duration = .seconds(2)) -> Int {
        let all = lanes.withLock { lanes -> [Lane<Event>] in
            let all = Array(lanes.values)
            lanes.removeAll()
            return all
        }
        all.forEach { $0.stop() }
        return all.filter { !$0.join(timeout: timeout) }.count
    }

    /// The number of lane threads currently alive.
    var threadCount: Int { lanes.withLock { $0.count } }

    private func lane(_ name: String) -> Lane<Event>? {
        lanes.withLock { lanes in
            if let existing = lanes[name] { return existing }
            let created = Lane(deliver: deliver)
            lanes[name] = created
            return created
        }
    }
}

/// One lane: a queue of jobs and the thread that runs them.
final class Lane<Event: Sendable>: @unchecked Sendable {
    private struct State {
        var queue: [(body: @Sendable (JobContext<Event>) -> Void, generation: Int)] = []
        var generation = 0
        var stopping = false
    }

    private let state = Mutex(State())
    private let jobsReady = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let deliverEvent: @Sendable (Event) -> Void
    // Written once in init, before any other thread can see the lane.
    private var thread = pthread_t()

    init(deliver: @escaping @Sendable (Event) -> Void) {
        deliverEvent = deliver
        thread = Sys.startThread { [self] in loop() }
    }

    func enqueue(_ body: @escaping @Sendable (JobContext<Event>) -> Void, replacing: Bool) {
        state.withLock { s in
            if replacing {
                s.generation += 1
                s.queue.removeAll()
            }
            s.queue.append((body, s.generation))
        }
        jobsReady.signal()
    }

    func cancel() {
        state.withLock { s in
            s.generation += 1
            s.queue.removeAll()
        }
    }

    func stop() {
        state.withLock { s in
            s.generation += 1
            s.queue.removeAll()
            s.stopping = true
        }
        jobsReady.signal()
    }

    /// Waits for the thread to end; false (and the thread detached) after `timeout`.
    func join(timeout: Duration) -> Bool {
        let ns = Int(timeout.components.seconds) * 1_000_000_000 + Int(timeout.components.attoseconds / 1_000_000_000)
        if finished.wait(timeout: .now() + .nanoseconds(ns)) == .success {
            Sys.join(thread)
            return true
        }
        Sys.detach(thread)
        return false
    }

    func isStale(_ generation: Int) -> Bool {
        state.withLock { $0.generation != generation || $0.stopping }
    }

    func deliver(_ event: Event) { deliverEvent(event) }

    private func loop() {
        while true {
            jobsReady.wait()
            let next = state.withLock { s -> (job: (@Sendable (JobContext<Event>) -> Void, Int)?, stop: Bool) in
                if s.stopping { return (nil, true) }
                if s.queue.isEmpty { return (nil, false) }
                let job = s.queue.removeFirst()
                return ((job.body, job.generation), false)
            }
            if next.stop { break }
            guard let (body, generation) = next.job else { continue }
            body(JobContext(lane: self, generation: generation))
        }
        finished.signal()
    }
}
