// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl top: a live full-screen view of the mailboxes, busiest first.
 *
 * Every interval it dumps the mailboxes and the module's stats over netlink
 * (the requests of nlclient.c), works out each mailbox's send and receive
 * rates from the change in its totals, and redraws with curses. Plain
 * terminals will do (vt100, linux, a serial console): no colours, ASCII
 * bars, reverse video for the column headings.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curses.h>
#include <term.h>

#include "common.h"
#include "nlclient.h"
#include "subcommands.h"

#define TOP_INTERVAL_MS		1000
#define TOP_INTERVAL_MIN_MS	10
#define TOP_INTERVAL_MAX_MS	3600000
#define TOP_NAME_WIDTH_MAX	32
#define TOP_NAME_WIDTH_MIN	8
#define TOP_SEP			2	/* spaces between columns */
#define TOP_BAR_WIDTH_MAX	40
#define TOP_BAR_WIDTH_MIN	4

/* One mailbox on screen. */
struct row {
	const struct rec *r;
	double send_rate, recv_rate;	/* messages per second */
	double call_rate;		/* requests (KIPC_IOC_CALL) per second */
};

struct top {
	struct nl nl;
	struct recs cur, prev;		/* both sorted by id */
	struct rec stats;
	struct row *rows;
	size_t nr_rows, rows_cap;
	uint64_t t_cur, t_prev;		/* now_ns() of the samples */
	bool have_prev;
	unsigned int interval_ms;	/* --interval */
	uint64_t iterations;		/* --iterations; 0: until q */
};

#define STR_(x)	#x
#define STR(x)	STR_(x)

const struct opt top_opts[] = {
	{ .name = "interval", .kind = OPTK_NUM,
	  OPT_MEMBER(struct top, interval_ms),
	  .min = TOP_INTERVAL_MIN_MS, .max = TOP_INTERVAL_MAX_MS,
	  .hint = STR(TOP_INTERVAL_MIN_MS) ".." STR(TOP_INTERVAL_MAX_MS) " ms" },
	OPT_NUM("iterations", struct top, iterations, 1, UINT64_MAX),
	{ 0 }
};

static volatile sig_atomic_t top_stop;

static void top_on_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

static int id_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct rec *)a)->v[KIPC_A_MBOX_ID];
	uint64_t y = ((const struct rec *)b)->v[KIPC_A_MBOX_ID];

	return x < y ? -1 : x > y;
}

/* Busiest first: send+recv rate, then depth, then id. */
static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	double rx = x->send_rate + x->recv_rate;
	double ry = y->send_rate + y->recv_rate;
	uint64_t dx = x->r->v[KIPC_A_MBOX_DEPTH], dy = y->r->v[KIPC_A_MBOX_DEPTH];

	if (rx != ry)
		return rx > ry ? -1 : 1;
	if (dx != dy)
		return dx > dy ? -1 : 1;
	return id_cmp(x->r, y->r);
}

/* The change in a total, per second; 0 if it went backwards. */
static double rate(uint64_t now, uint64_t then, double secs)
{
	return now > then && secs > 0 ? (now - then) / secs : 0;
}

/* Takes a new sample and works out the rows. Returns 0 or -errno. */
static int top_sample(struct top *t)
{
	struct recs tmp = t->prev;
	double secs;
	int ret;

	t->prev = t->cur;
	t->cur = tmp;
	t->t_prev = t->t_cur;

	ret = nlc_dump(&t->nl, &t->cur);
	if (ret && ret != -EINTR)	/* a racing dump is still a picture */
		return ret;
	ret = nlc_stats(&t->nl, &t->stats);
	if (ret)
		return ret;
	t->t_cur = now_ns();
	qsort(t->cur.v, t->cur.n, sizeof(*t->cur.v), id_cmp);

	if (t->cur.n > t->rows_cap) {
		struct row *rows = realloc(t->rows, t->cur.n * sizeof(*rows));

		if (!rows)
			return -ENOMEM;
		t->rows = rows;
		t->rows_cap = t->cur.n;
	}
	secs = t->have_prev ? (t->t_cur - t->t_prev) / 1e9 : 0;
	for (size_t i = 0; i < t->cur.n; i++) {
		const struct rec *r = &t->cur.v[i], *p = NULL;
		struct row *row = &t->rows[i];

		if (t->have_prev)
			p = bsearch(r, t->prev.v, t->prev.n, sizeof(*p), id_cmp);
		/* The same id with another creation time is another mailbox. */
		if (p && p->v[KIPC_A_MBOX_CTIME] != r->v[KIPC_A_MBOX_CTIME])
			p = NULL;
		row->r = r;
		row->send_rate = p ? rate(r->v[KIPC_A_MBOX_SENT],
					  p->v[KIPC_A_MBOX_SENT], secs) : 0;
		row->recv_rate = p ? rate(r->v[KIPC_A_MBOX_RECEIVED],
					  p->v[KIPC_A_MBOX_RECEIVED], secs) : 0;
		row->call_rate = p ? rate(r->v[KIPC_A_MBOX_CALLS],
					  p->v[KIPC_A_MBOX_CALLS], secs) : 0;
	}
	t->nr_rows = t->cur.n;
	qsort(t->rows, t->nr_rows, sizeof(*t->rows), row_cmp);
	t->have_prev = true;
	return 0;
}

enum { C_ID, C_NAME, C_BAR, C_DEPTH, C_BYTES, C_SEND, C_RECV, C_CALL,
	C_BLOCKED, NR_C };

static const char *const c_head[NR_C] = {
	"ID", "NAME", "DEPTH", "DEPTH/CAP", "BYTES", "SEND/s", "RECV/s",
	"CALL/s", "BLOCKED(s/r)",
};

#define CELL (KIPC_NAME_MAX + 8)

static void fmt_rate(char *buf, double r)
{
	snprintf(buf, CELL, r >= 100 || r == 0 ? "%.0f" : "%.1f", r);
}

static void row_cells(const struct row *row, char cell[NR_C][CELL])
{
	const uint64_t *v = row->r->v;

	snprintf(cell[C_ID], CELL, "%" PRIu64, v[KIPC_A_MBOX_ID]);
	text_name(cell[C_NAME], CELL, row->r->name);
	cell[C_BAR][0] = '\0';
	snprintf(cell[C_DEPTH], CELL, "%" PRIu64 "/%" PRIu64,
		 v[KIPC_A_MBOX_DEPTH], v[KIPC_A_MBOX_CAPACITY]);
	snprintf(cell[C_BYTES], CELL, "%" PRIu64, v[KIPC_A_MBOX_BYTES]);
	fmt_rate(cell[C_SEND], row->send_rate);
	fmt_rate(cell[C_RECV], row->recv_rate);
	fmt_rate(cell[C_CALL], row->call_rate);
	snprintf(cell[C_BLOCKED], CELL, "%" PRIu64 "/%" PRIu64,
		 v[KIPC_A_MBOX_BLOCKED_SENDERS], v[KIPC_A_MBOX_BLOCKED_RECEIVERS]);
}

/* "[####......]", @width characters in all. */
static void fmt_bar(char *buf, int width, uint64_t depth, uint64_t cap)
{
	int inner = width - 2, fill;

	if (!cap)
		fill = 0;
	else if (depth >= cap)
		fill = inner;
	else	/* round up: one message shows */
		fill = (int)((depth * inner + cap - 1) / cap);
	buf[0] = '[';
	for (int i = 0; i < inner; i++)
		buf[1 + i] = i < fill ? '#' : '.';
	buf[width - 1] = ']';
	buf[width] = '\0';
}

/* Lays out one line: cells separated by a space, numbers right-aligned. */
static void fmt_line(char *line, size_t len, char cell[NR_C][CELL],
		     const int *width)
{
	size_t off = 0;

	line[0] = '\0';
	for (int c = 0; c < NR_C && off < len; c++) {
		bool left = c == C_NAME || c == C_BAR;

		if (!width[c])
			continue;
		off += snprintf(line + off, len - off, "%*s%*.*s",
				off ? TOP_SEP : 0, "",
				left ? -width[c] : width[c], width[c], cell[c]);
	}
}

/* The two lines of totals and help; the next line's y, or -1 if full. */
static int top_header(const struct top *t, int nr_lines, int ncols)
{
	const uint64_t *s = t->stats.v;
	char line[512];
	int y = 0;

	snprintf(line, sizeof(line),
		 "kipc: %" PRIu64 " mailboxes, %" PRIu64 " messages (%" PRIu64
		 " bytes) queued, %" PRIu64 " sent, %" PRIu64 " received, %"
		 PRIu64 " events suppressed",
		 s[KIPC_A_STATS_MAILBOXES], s[KIPC_A_STATS_MESSAGES],
		 s[KIPC_A_STATS_BYTES], s[KIPC_A_STATS_SENT],
		 s[KIPC_A_STATS_RECEIVED], s[KIPC_A_STATS_EVENTS_SUPPRESSED]);
	mvaddnstr(y++, 0, line, ncols);
	if (y >= nr_lines)
		return -1;
	snprintf(line, sizeof(line),
		 "every %u ms, busiest first (send+recv rate, then depth); q quits",
		 t->interval_ms);
	mvaddnstr(y++, 0, line, ncols);
	return y >= nr_lines ? -1 : y;
}

/* Column widths: the widest cell, the bar gets what is left. */
static void top_widths(const struct top *t, int ncols, int width[NR_C])
{
	char cell[NR_C][CELL];
	int rest = 0;

	for (int c = 0; c < NR_C; c++)
		width[c] = strlen(c_head[c]);
	for (size_t i = 0; i < t->nr_rows; i++) {
		row_cells(&t->rows[i], cell);
		for (int c = 0; c < NR_C; c++)
			if ((int)strlen(cell[c]) > width[c])
				width[c] = strlen(cell[c]);
	}
	if (width[C_NAME] > TOP_NAME_WIDTH_MAX)
		width[C_NAME] = TOP_NAME_WIDTH_MAX;
	for (int c = 0; c < NR_C; c++)
		if (c != C_BAR)
			rest += width[c] + TOP_SEP;
	/* Too narrow: long names give way first, down to a few characters. */
	if (rest > ncols && width[C_NAME] > TOP_NAME_WIDTH_MIN) {
		int cut = rest - ncols;

		if (cut > width[C_NAME] - TOP_NAME_WIDTH_MIN)
			cut = width[C_NAME] - TOP_NAME_WIDTH_MIN;
		width[C_NAME] -= cut;
		rest -= cut;
	}
	width[C_BAR] = ncols - rest;
	if (width[C_BAR] > TOP_BAR_WIDTH_MAX)
		width[C_BAR] = TOP_BAR_WIDTH_MAX;
	if (width[C_BAR] < TOP_BAR_WIDTH_MIN + 2)
		width[C_BAR] = 0;	/* no room: no bar */
}

/* The column headings on line @y, in reverse video across the screen. */
static void top_headings(int y, int ncols, const int width[NR_C])
{
	char cell[NR_C][CELL], line[512];

	for (int c = 0; c < NR_C; c++)
		snprintf(cell[c], CELL, "%s", c_head[c]);
	fmt_line(line, sizeof(line), cell, width);
	attron(A_REVERSE);
	mvaddnstr(y, 0, line, ncols);
	for (int x = strlen(line); x < ncols; x++)
		mvaddch(y, x, ' ');
	attroff(A_REVERSE);
}

/* The rows that fit from line @y; the last line says how many did not. */
static void top_rows(const struct top *t, int y, int nr_lines, int ncols,
		     const int width[NR_C])
{
	char cell[NR_C][CELL], line[512];
	size_t shown = 0;

	for (size_t i = 0; i < t->nr_rows && y < nr_lines; i++) {
		if (y == nr_lines - 1 && i + 1 < t->nr_rows) {
			snprintf(line, sizeof(line), "... %zu more",
				 t->nr_rows - shown);
			mvaddnstr(y++, 0, line, ncols);
			break;
		}
		row_cells(&t->rows[i], cell);
		if (width[C_BAR])
			fmt_bar(cell[C_BAR], width[C_BAR],
				t->rows[i].r->v[KIPC_A_MBOX_DEPTH],
				t->rows[i].r->v[KIPC_A_MBOX_CAPACITY]);
		fmt_line(line, sizeof(line), cell, width);
		mvaddnstr(y++, 0, line, ncols);
		shown++;
	}
}

static void top_draw(const struct top *t)
{
	int width[NR_C], y, nr_lines, ncols;

	getmaxyx(stdscr, nr_lines, ncols);
	erase();
	y = top_header(t, nr_lines, ncols);
	if (y >= 0) {
		top_widths(t, ncols, width);
		top_headings(y++, ncols, width);
		top_rows(t, y, nr_lines, ncols, width);
	}
	refresh();
}

/*
 * Whether curses can drive this terminal: it must address the cursor.
 * Prints one line and returns false if not.
 */
static bool top_terminal_ok(void)
{
	const char *term = getenv("TERM");
	const char *cup;
	int err = 0;

	if (!term || !*term) {
		fprintf(stderr, "%s: top: TERM is not set: top needs a full-screen terminal (try `%s list`)\n",
			prog, prog);
		return false;
	}
	if (setupterm(term, STDOUT_FILENO, &err) != OK || err != 1) {
		fprintf(stderr, "%s: top: terminal '%s' is %s: top needs a full-screen terminal (try `%s list`)\n",
			prog, term, err == -1 ? "not in the terminfo database" :
			"unknown or too generic", prog);
		return false;
	}
	cup = tigetstr("cup");
	if (!cup || cup == (char *)-1 || tigetflag("hc") > 0) {
		fprintf(stderr, "%s: top: terminal '%s' cannot move the cursor: top needs a full-screen terminal (try `%s list`)\n",
			prog, term, prog);
		del_curterm(cur_term);
		return false;
	}
	del_curterm(cur_term);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s: top: standard input and output must be a terminal (try `%s list`)\n",
			prog, prog);
		return false;
	}
	return true;
}

static int64_t now_ms(void)
{
	return now_ns() / 1000000;
}

/*
 * Waits up to the interval for keys, redrawing on a resize. Returns 1 to
 * quit (q, or a signal), 0 to take the next sample.
 */
static int top_wait(const struct top *t, const sigset_t *waitmask)
{
	int64_t deadline = now_ms() + t->interval_ms;
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };

	for (;;) {
		int64_t left = deadline - now_ms();
		struct timespec ts;
		int ch;

		if (left <= 0)
			return 0;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		/* Signals (SIGINT, SIGTERM, SIGWINCH) get in only here. */
		if (ppoll(&pfd, 1, &ts, waitmask) < 0 && errno != EINTR)
			return 1;
		if (top_stop)
			return 1;
		/* A resize shows as KEY_RESIZE, without input on stdin. */
		while ((ch = getch()) != ERR) {
			if (ch == 'q' || ch == 'Q')
				return 1;
			if (ch == KEY_RESIZE || ch == 12 /* ^L */) {
				if (ch == 12)
					clearok(curscr, TRUE);
				top_draw(t);
			}
		}
		if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
			return 1;
	}
}

/*
 * SIGINT, SIGTERM and SIGHUP end the loop cleanly. Blocked but while
 * waiting (*@waitmask), so none is lost between a check and the wait. Set
 * before curses starts, which then leaves them to us.
 */
static void top_signals(sigset_t *waitmask)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = top_on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&block, sigs[i]);
	}
	sigprocmask(SIG_BLOCK, &block, waitmask);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigdelset(waitmask, sigs[i]);
}

/* Curses on stdout, keys from stdin without waiting; NULL if it fails. */
static SCREEN *top_screen(void)
{
	SCREEN *screen = newterm(NULL, stdout, stdin);

	if (!screen) {
		fprintf(stderr, "%s: top: cannot start curses on terminal '%s'\n",
			prog, getenv("TERM"));
		return NULL;
	}
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	return screen;
}

/* Draw, wait, sample, until q, a signal or --iterations: 0 or -errno. */
static int top_loop(struct top *t, const sigset_t *waitmask)
{
	uint64_t done = 0;
	int ret;

	for (;;) {
		top_draw(t);
		if (t->iterations && ++done >= t->iterations)
			return 0;
		if (top_wait(t, waitmask))
			return 0;
		ret = top_sample(t);
		if (ret)
			return ret;
	}
}

int cmd_top(int argc, char **argv)
{
	struct top t = { .interval_ms = TOP_INTERVAL_MS };
	sigset_t waitmask;
	struct cmdline cl;
	SCREEN *screen;
	int ret;

	ret = parse_args(argc, argv, &t, &cl);
	if (ret)
		return ret;
	if (opt_json)
		return kipcctl_usage("top", "no JSON output: use `%s -j list`",
				     prog);
	if (!top_terminal_ok())
		return KIPCCTL_ERROR;
	ret = nlc_open(&t.nl, "top");
	if (ret)
		return ret;
	/* The first sample before the screen: errors print plainly. */
	ret = top_sample(&t);
	if (ret) {
		ret = nlc_fail(&t.nl, "top", NULL, ret);
		goto out_free;
	}
	top_signals(&waitmask);
	screen = top_screen();
	if (!screen) {
		ret = KIPCCTL_ERROR;
		goto out_free;
	}
	ret = top_loop(&t, &waitmask);
	endwin();
	delscreen(screen);
	if (ret)
		ret = nlc_fail(&t.nl, "top", NULL, ret);
out_free:
	nl_close(&t.nl);
	free(t.cur.v);
	free(t.prev.v);
	free(t.rows);
	return ret;
}
