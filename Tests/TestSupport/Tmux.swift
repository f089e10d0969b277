import Glibc

/// A private tmux server for end-to-end tests of the terminal apps; `kill()` (or
/// deinit) stops it and removes its socket (tmux leaves the socket file behind).
public final class Tmux {
    /// The server's socket path (`tmux -S`), in a folder of its own.
    public let socket: String
    private let folder: String
    private var alive = true

    /// Starts nothing yet; the first session starts the server.
    public init() {
        folder = Fixtures.makeTempDirectory()
        socket = folder + "/tmux.sock"
    }

    deinit { kill() }

    /// Runs a tmux command.
    @discardableResult
    public func run(_ args: [String]) -> Spawn.Result {
        Spawn.run("/usr/bin/tmux", ["-S", socket, "-f", "/dev/null"] + args, seconds: 20)
    }

    /// A detached session running an interactive shell with a known prompt.
    public func newShell(_ name: String, width: Int, height: Int, directory: String, environment: [String: String]) {
        let env = environment.map { "\($0.key)=\($0.value)" }.sorted()
        run(["new-session", "-d", "-s", name, "-x", String(width), "-y", String(height), "-c", directory,
             "/usr/bin/env"] + env + ["PS1=$ ", "/bin/bash", "--norc", "--noprofile"])
    }

    /// Types text and optionally Enter.
    public func send(_ session: String, _ keys: [String], literal: Bool = false) {
        run(["send-keys", "-t", session] + (literal ? ["-l"] : []) + keys)
    }

    /// The visible screen.
    public func capture(_ session: String) -> String {
        run(["capture-pane", "-p", "-t", session]).out
    }

    /// The pane's whole history and screen, wrapped lines joined: what was printed, as
    /// long as the lines are and however far they scrolled (a backtrace carrying the
    /// clone's path wraps and scrolls differently at every path length).
    public func captureHistory(_ session: String) -> String {
        run(["capture-pane", "-p", "-J", "-S", "-", "-t", session]).out
    }

    /// Waits (polling the screen, at most `seconds`) until `condition` holds; returns the
    /// last screen seen and whether it held.
    public func waitFor(_ session: String, seconds: Double = 20, history: Bool = false,
                        _ condition: (String) -> Bool) -> (Bool, String) {
        let deadline = now() + seconds
        var screen = ""
        while now() < deadline {
            screen = history ? captureHistory(session) : capture(session)
            if condition(screen) { return (true, screen) }
            var p = pollfd(fd: -1, events: 0, revents: 0)
            _ = poll(&p, 0, 50)
        }
        return (false, screen)
    }

    /// Whether the tmux binary exists.
    public static var available: Bool { access("/usr/bin/tmux", X_OK) == 0 }

    /// Stops the server.
    public func kill() {
        guard alive else { return }
        alive = false
        run(["kill-server"])
        Fixtures.removeTree(folder)
    }
}

extension Tmux {
    /// Whether `screen` has a line `label` followed by `path`, whole or cut at its start
    /// with "…" (the apps keep a path's most specific end when it does not fit, so what
    /// shows depends on how long the clone's path is).
    public static func screen(_ screen: String, shows label: String, path: String) -> Bool {
        for line in screen.split(separator: "\n") {
            guard let r = line.firstRange(of: label) else { continue }
            var value = line[r.upperBound...].drop { $0 == " " }
            if let gap = value.firstRange(of: "  ") { value = value[..<gap.lowerBound] }
            while value.last == " " { value = value.dropLast() }
            if value == path { return true }
            if value.hasPrefix("\u{2026}"), value.count > 1, path.hasSuffix(String(value.dropFirst())) { return true }
        }
        return false
    }
}
