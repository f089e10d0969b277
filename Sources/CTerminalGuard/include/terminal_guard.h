/* Restores the terminal when a terminal app dies of a fatal signal. */
#ifndef TERMINAL_GUARD_H
#define TERMINAL_GUARD_H

/* Saves the terminal settings of `tty_fd` (call before curses changes them) and installs
 * handlers for SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGTRAP. On such a signal
 * the handler, with async-signal-safe calls only, leaves the alternate screen, shows the
 * cursor, resets attributes, restores the saved settings, writes a short backtrace to
 * stderr after that, and dies of the same signal (default action), so the process ends
 * promptly and never waits on the Swift runtime's interactive backtracer.
 * Returns 0, or -1 with errno set when the settings cannot be read. */
int terminal_guard_install(int tty_fd);

/* Restores the saved settings now (for a normal exit path); harmless if none saved. */
void terminal_guard_restore(void);

/* Saves the settings of `tty_fd`, then puts it in the mode a terminal query reads its
 * answers in (ICANON and ECHO off, reads that return at once). Until
 * terminal_guard_query_end, SIGINT, SIGTERM, SIGHUP and SIGQUIT (unless ignored) first restore
 * the saved settings (async-signal-safe: tcsetattr only) and then take the action they
 * had before (usually: end the process), so Ctrl-C during a query never leaves the
 * terminal without echo. Returns 0, or -1 when the settings cannot be read or set. */
int terminal_guard_query_begin(int tty_fd);

/* Discards input not yet read (a late answer must not arrive as keys), restores the
 * settings saved by terminal_guard_query_begin and the signals' previous actions. */
void terminal_guard_query_end(void);

#endif
