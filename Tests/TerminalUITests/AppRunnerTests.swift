import Dispatch
import Synchronization
import Testing
import TerminalUI

/// A tiny program that exercises the runner: keys start jobs on lanes, jobs post
/// events, `view` prints the log.
enum ProbeProgram: TerminalProgram {
    struct State: Sendable {
        var log: [String] = []
        var sizes: [ScreenSize] = []
        var quit = false
        let witness: Witness
    }

    enum Event: Sendable { case done(String) }

    enum Effect: Sendable {
        /// Loops until cancelled, records that it saw the cancellation, then posts (dropped).
        case untilCancelled(String, lane: String)
        /// Posts at once.
        case quick(String, lane: String, replacing: Bool)
        case cancel(lane: String)
    }

    /// What jobs saw, shared with the test.
    final class Witness: Sendable {
        let cancelled = Mutex<[String]>([])
        let started = DispatchSemaphore(value: 0)
    }

    static func reduce(_ state: inout State, _ input: ProgramInput<Event>) -> [Effect] {
        switch input {
        case .start: state.log.append("start")
        case let .resize(size, _): state.sizes.append(size)
        case let .event(.done(name)): state.log.append(name)
        case .key(.char("a")): return [.untilCancelled("A", lane: "l")]
        case .key(.char("b")): return [.quick("B", lane: "l", replacing: true)]
        case .key(.char("w")): return [.untilCancelled("W", lane: "w")]
        case .key(.char("x")): return [.cancel(lane: "w")]
        case .key(.char("q")): state.quit = true
        case .key: break
        }
        return []
    }

    static func view(_ state: State, size: ScreenSize, capabilities: Capabilities) -> Screen {
        var s = Screen(width: size.columns, height: size.rows)
        s.put(state.log.joined(separator: ","), x: 0, y: 0)
        return s
    }

    static func isFinished(_ state: State) -> Bool { state.quit }

    static func work(for effect: Effect) -> Work<Event> {
        switch effect {
        case let .untilCancelled(name, lane):
            return .run(lane: lane, replacing: false) { job in
                Self.current?.started.signal()
                let deadline = ContinuousClock.now + .seconds(20)
                let idle = DispatchSemaphore(value: 0)  // never signalled: a 1 ms pause between polls
                while !job.isCancelled && ContinuousClock.now < deadline {
                    _ = idle.wait(timeout: .now() + .milliseconds(1))
                }
                if job.isCancelled { Self.current?.cancelled.withLock { $0.append(name) } }
                job.post(.done(name + "-after-cancel"))
            }
        case let .quick(name, lane, replacing):
            return .run(lane: lane, replacing: replacing) { job in job.post(.done(name)) }
        case let .cancel(lane):
            return .cancel(lane: lane)
        }
    }

    nonisolated(unsafe) static var current: Witness?
}

@Suite(.serialized) struct AppRunnerTests {
    func harness() -> (AppRunner<ProbeProgram>, MemoryTerminal, ProbeProgram.Witness) {
        let witness = ProbeProgram.Witness()
        ProbeProgram.current = witness
        let terminal = MemoryTerminal(columns: 60, rows: 5)
        return (AppRunner<ProbeProgram>(.init(witness: witness), on: terminal), terminal, witness)
    }

    func press(_ runner: AppRunner<ProbeProgram>, _ terminal: MemoryTerminal, _ key: Key) {
        terminal.pendingKeys = [key]
        runner.step(timeoutMilliseconds: 0)
    }

    @Test func startThenSizeThenKeysReachReduceAndTheScreen() {
        let (runner, terminal, _) = harness()
        defer { runner.shutdown() }
        #expect(runner.state.log == ["start"])
        #expect(runner.state.sizes == [ScreenSize(columns: 60, rows: 5)])
        terminal.size = (40, 4)
        press(runner, terminal, .resize)
        #expect(runner.state.sizes.last == ScreenSize(columns: 40, rows: 4))
        #expect(terminal.screen.width == 40 && terminal.screen.text.hasPrefix("start"))
        press(runner, terminal, .char("q"))
        #expect(runner.isFinished && !runner.step(timeoutMilliseconds: 0))
    }

    @Test func aReplacingJobCancelsTheOlderOneWhoseResultsAreDropped() {
        let (runner, terminal, witness) = harness()
        defer { runner.shutdown() }
        press(runner, terminal, .char("a"))
        #expect(witness.started.wait(timeout: .now() + 10) == .success)
        press(runner, terminal, .char("b"))
        #expect(runner.run(seconds: 20) { state, _ in state.log.contains("B") })
        #expect(witness.cancelled.withLock { $0 } == ["A"])
        // Give the cancelled job's late post every chance to arrive: it must not.
        #expect(!runner.run(seconds: 0.3) { state, _ in state.log.contains("A-after-cancel") })
        #expect(runner.state.log == ["start", "B"])
    }

    @Test func cancellingALaneStopsItsJob() {
        let (runner, terminal, witness) = harness()
        defer { runner.shutdown() }
        press(runner, terminal, .char("w"))
        #expect(witness.started.wait(timeout: .now() + 10) == .success)
        press(runner, terminal, .char("x"))
        #expect(runner.run(seconds: 20) { _, _ in witness.cancelled.withLock { $0 } == ["W"] })
        #expect(!runner.state.log.contains("W-after-cancel"))
    }

    @Test func shutdownEndsEveryThreadEvenWithAJobRunning() {
        let (runner, terminal, witness) = harness()
        press(runner, terminal, .char("w"))
        press(runner, terminal, .char("b"))
        #expect(witness.started.wait(timeout: .now() + 10) == .success)
        #expect(runner.workerThreads == 2)
        #expect(runner.shutdown() == 0)  // both lane threads joined
        #expect(runner.workerThreads == 0)
        #expect(witness.cancelled.withLock { $0 } == ["W"])
        #expect(runner.shutdown() == 0)  // twice is fine
    }
}
