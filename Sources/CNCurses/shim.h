// ncursesw for Swift: the wide-character build, and static inline wrappers for what Swift
// cannot import — macros (COLOR_PAIR, A_BOLD, getch) and globals (stdscr, COLORS), which
// Swift 6's strict concurrency refuses to touch directly.
#ifndef CELERIAC_CNCURSES_SHIM_H
#define CELERIAC_CNCURSES_SHIM_H

#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <stdio.h>
#include <ncursesw/curses.h>

static inline WINDOW *celeriac_stdscr(void) { return stdscr; }
// newterm on the process's own stdout/stdin, which Swift sees as unsafe globals.
static inline int celeriac_newterm(void) { return newterm(NULL, stdout, stdin) != NULL; }
static inline int celeriac_lines(void) { return getmaxy(stdscr); }
static inline int celeriac_columns(void) { return getmaxx(stdscr); }
static inline int celeriac_colors(void) { return COLORS; }
static inline int celeriac_color_pairs(void) { return COLOR_PAIRS; }

static inline int celeriac_color_pair(int pair) { return (int)COLOR_PAIR(pair); }
static inline int celeriac_attr_bold(void) { return (int)A_BOLD; }
static inline int celeriac_attr_dim(void) { return (int)A_DIM; }
static inline int celeriac_attr_reverse(void) { return (int)A_REVERSE; }
static inline int celeriac_attr_underline(void) { return (int)A_UNDERLINE; }

static inline void celeriac_set_locale(void) { setlocale(LC_ALL, ""); }
static inline int celeriac_getch(void) { return wgetch(stdscr); }
static inline void celeriac_timeout(int milliseconds) { wtimeout(stdscr, milliseconds); }
static inline int celeriac_keypad(int on) { return keypad(stdscr, on ? TRUE : FALSE); }
static inline int celeriac_erase(void) { return werase(stdscr); }
static inline int celeriac_refresh(void) { return wrefresh(stdscr); }
static inline int celeriac_clear(void) { return wclear(stdscr); }
static inline int celeriac_attrset(int attributes) { return wattrset(stdscr, attributes); }
static inline int celeriac_mvaddstr(int y, int x, const char *text) { return mvwaddstr(stdscr, y, x, text); }
static inline int celeriac_move(int y, int x) { return wmove(stdscr, y, x); }
static inline int celeriac_clrtoeol(void) { return wclrtoeol(stdscr); }

static inline int celeriac_key_resize(void) { return KEY_RESIZE; }
static inline int celeriac_key_up(void) { return KEY_UP; }
static inline int celeriac_key_down(void) { return KEY_DOWN; }
static inline int celeriac_key_left(void) { return KEY_LEFT; }
static inline int celeriac_key_right(void) { return KEY_RIGHT; }
static inline int celeriac_key_page_up(void) { return KEY_PPAGE; }
static inline int celeriac_key_page_down(void) { return KEY_NPAGE; }
static inline int celeriac_key_home(void) { return KEY_HOME; }
static inline int celeriac_key_end(void) { return KEY_END; }
static inline int celeriac_key_enter(void) { return KEY_ENTER; }
static inline int celeriac_key_backspace(void) { return KEY_BACKSPACE; }
static inline int celeriac_key_delete(void) { return KEY_DC; }

#endif
