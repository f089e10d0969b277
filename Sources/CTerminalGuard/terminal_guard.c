#define _GNU_SOURCE
#include "terminal_guard.h"
#include <execinfo.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;
static int saved_fd = -1;
static volatile sig_atomic_t handling = 0;

static const int fatal_signals[] = {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP};

static void put(int fd, const char *s) {
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

void terminal_guard_restore(void) {
    if (saved_fd < 0) return;
    /* Leave the alternate screen, show the cursor, reset attributes, new line. */
    put(saved_fd, "\x1b[?1049l\x1b[?25h\x1b[0m\r\n");
    tcsetattr(saved_fd, TCSANOW, &saved);
}

static void on_fatal(int sig) {
    if (!handling) {
        handling = 1;
        terminal_guard_restore();
        put(2, "blob app: fatal signal ");
        put(2, sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
        put(2, "; terminal restored. Backtrace for a bug report:\n");
        void *frames[48];
        int n = backtrace(frames, 48);
        backtrace_symbols_fd(frames, n, 2);
    }
    /* SA_RESETHAND put the default action back: die of the same signal. */
    raise(sig);
}

int terminal_guard_install(int tty_fd) {
    if (tcgetattr(tty_fd, &saved) != 0) return -1;
    saved_fd = tty_fd;
    /* backtrace() loads libgcc on first use, which is not signal-safe: do it now. */
    void *warm[1];
    backtrace(warm, 1);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal;
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++) {
        sigaction(fatal_signals[i], &sa, NULL);
    }
    return 0;
}

/* Signals whose default action ends the process. SIGTSTP is left alone: it stops the
 * process, and on `fg` the query would go on with the terminal cooked. */
static const int query_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
static int query_caught[sizeof query_signals / sizeof query_signals[0]];
enum { QUERY_SIGNALS = sizeof query_signals / sizeof query_signals[0] };
static struct termios query_saved;
static volatile sig_atomic_t query_fd = -1;
static struct sigaction query_previous[QUERY_SIGNALS];

static void on_query_signal(int sig) {
    int fd = query_fd;
    if (fd >= 0) tcsetattr(fd, TCSANOW, &query_saved);
    for (size_t i = 0; i < QUERY_SIGNALS; i++) {
        if (query_signals[i] == sig) sigaction(sig, &query_previous[i], NULL);
    }
    /* SA_NODEFER: the previous action (default: end or stop the process) happens now. */
    raise(sig);
}

int terminal_guard_query_begin(int tty_fd) {
    if (tcgetattr(tty_fd, &query_saved) != 0) return -1;
    struct termios raw = query_saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    query_fd = tty_fd;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_query_signal;
    sa.sa_flags = SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < QUERY_SIGNALS; i++) {
        /* One that is ignored (nohup, a background job) stays ignored. */
        sigaction(query_signals[i], NULL, &query_previous[i]);
        query_caught[i] = query_previous[i].sa_handler != SIG_IGN;
        if (query_caught[i]) sigaction(query_signals[i], &sa, NULL);
    }
    if (tcsetattr(tty_fd, TCSANOW, &raw) != 0) {
        terminal_guard_query_end();
        return -1;
    }
    return 0;
}

void terminal_guard_query_end(void) {
    int fd = query_fd;
    if (fd < 0) return;
    tcflush(fd, TCIFLUSH);
    tcsetattr(fd, TCSANOW, &query_saved);
    query_fd = -1;
    for (size_t i = 0; i < QUERY_SIGNALS; i++) {
        if (query_caught[i]) sigaction(query_signals[i], &query_previous[i], NULL);
    }
}
