/* ncurses with the wide-character API. SwiftPM drops the -D flags pkg-config gives, so
 * the defines come here; macros Swift cannot import are wrapped as functions (their
 * values are never copied). */
#ifndef CNCURSES_SHIM_H
#define CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 600
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <locale.h>
#include <langinfo.h>
#include <ncurses.h>
#include <wchar.h>

static inline unsigned int cn_attr_bold(void) { return A_BOLD; }
static inline unsigned int cn_attr_reverse(void) { return A_REVERSE; }
static inline unsigned int cn_attr_dim(void) { return A_DIM; }
static inline unsigned int cn_attr_underline(void) { return A_UNDERLINE; }
static inline unsigned int cn_color_pair(int n) { return COLOR_PAIR(n); }
static inline WINDOW *cn_stdscr(void) { return stdscr; }
static inline FILE *cn_stdout(void) { return stdout; }
static inline FILE *cn_stdin(void) { return stdin; }
static inline int cn_lines(void) { return LINES; }
static inline int cn_cols(void) { return COLS; }
static inline int cn_colors(void) { return COLORS; }
static inline int cn_color_pairs(void) { return COLOR_PAIRS; }
static inline int cn_key_code_yes(void) { return KEY_CODE_YES; }
static inline const char *cn_codeset(void) { return nl_langinfo(CODESET); }

/* Draws one character with attributes and a colour pair at (y, x). */
static inline int cn_put(int y, int x, wchar_t ch, unsigned int attrs, short pair) {
    cchar_t c;
    wchar_t s[2] = { ch, 0 };
    setcchar(&c, s, attrs, pair, NULL);
    return mvadd_wch(y, x, &c);
}

/* Reads one key: returns OK (a character in *ch), KEY_CODE_YES (a key code in *ch) or ERR. */
static inline int cn_get(wint_t *ch) { return get_wch(ch); }
/* Where ncurses left the cursor, and lines it must assume are garbled (an image drawn
 * over them behind its back). */
static inline int cn_cury(void) { return getcury(stdscr); }
static inline int cn_curx(void) { return getcurx(stdscr); }
static inline int cn_redrawln(int y, int n) { return wredrawln(stdscr, y, n); }
#endif
