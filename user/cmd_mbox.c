// SPDX-License-Identifier: GPL-2.0
/* kipcctl commands that work through the ioctls of /dev/kipc. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "kipcctl.h"
#include "libkipc.h"


enum {
	OPT_CAPACITY = 256, OPT_CAPACITY_BYTES, OPT_MAX_SIZE, OPT_MODE,
	OPT_TEMP, OPT_TYPE, OPT_PRIORITY, OPT_NONBLOCK, OPT_TIMEOUT,
	OPT_COUNT, OPT_FOLLOW, OPT_PEEK, OPT_HEX, OPT_SIGNAL, OPT_ONESHOT,
	OPT_EDGE, OPT_PERSISTENT, OPT_RAW, OPT_ID,
};

static const struct option long_options[] = {
	{ "capacity", required_argument, NULL, OPT_CAPACITY },
	{ "capacity-bytes", required_argument, NULL, OPT_CAPACITY_BYTES },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "temp", no_argument, NULL, OPT_TEMP },
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "priority", required_argument, NULL, OPT_PRIORITY },
	{ "nonblock", no_argument, NULL, OPT_NONBLOCK },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "follow", no_argument, NULL, OPT_FOLLOW },
	{ "peek", no_argument, NULL, OPT_PEEK },
	{ "hex", no_argument, NULL, OPT_HEX },
	{ "signal", required_argument, NULL, OPT_SIGNAL },
	{ "oneshot", no_argument, NULL, OPT_ONESHOT },
	{ "edge", no_argument, NULL, OPT_EDGE },
	{ "persistent", no_argument, NULL, OPT_PERSISTENT },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "id", required_argument, NULL, OPT_ID },
	{ NULL, 0, NULL, 0 },
};

/* create: which sizes were given (0 is given, and refused). */
enum { GIVEN_CAPACITY = 1, GIVEN_CAPACITY_BYTES = 2, GIVEN_MAX_SIZE = 4 };

/* Everything any of these commands can be told. */
struct opts {
	const char *name;
	const char *text;
	char **pos;		/* every positional argument (destroy) */
	int nr_pos;
	uint64_t id;		/* --id */
	struct kipc_create_opts create;
	unsigned int given;	/* GIVEN_* */
	uint32_t type;
	uint32_t priority;
	uint32_t flags;
	uint64_t timeout_ns;
	uint64_t count;
	bool follow;
	bool hex;
	bool raw;		/* --raw: one message's bytes, nothing added */
	char term;		/* after each message: '\n', or '\0' with -0 */
	int signo;
	uint32_t notify_flags;
	bool persistent;
};

/*
 * A signal by number or name: case-insensitive, with or without SIG,
 * RTMIN, RTMIN+n, RTMAX, RTMAX-n. Returns the number, or 0.
 */
static int parse_signal(const char *s)
{
	uint64_t n;

	if (parse_u64(s, SIGRTMAX, &n))
		return n;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	if (!strncasecmp(s, "RTMIN", 5) || !strncasecmp(s, "RTMAX", 5)) {
		bool min = !strncasecmp(s, "RTMIN", 5);
		int base = min ? SIGRTMIN : SIGRTMAX;

		if (!s[5])
			return base;
		if (s[5] != (min ? '+' : '-') ||
		    !parse_u64(s + 6, SIGRTMAX - SIGRTMIN, &n))
			return 0;
		return min ? base + (int)n : base - (int)n;
	}
	for (int signo = 1; signo < SIGRTMIN; signo++) {
		const char *abbrev = sigabbrev_np(signo);

		if (abbrev && !strcasecmp(s, abbrev))
			return signo;
	}
	return 0;
}

/* Why @signo cannot be waited for, or NULL if it can. */
static const char *signal_unusable(int signo)
{
	if (signo == SIGKILL || signo == SIGSTOP)
		return "cannot be caught";
	if (signo > SIGSYS && signo < SIGRTMIN)
		return "is reserved by the C library";
	return NULL;
}

static const char *signal_name(int signo, char *buf, size_t len)
{
	int mid = (SIGRTMIN + SIGRTMAX) / 2;

	if (signo >= SIGRTMIN && signo <= mid)
		snprintf(buf, len, signo == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+%d",
			 signo - SIGRTMIN);
	else if (signo > mid && signo <= SIGRTMAX)
		snprintf(buf, len, signo == SIGRTMAX ? "SIGRTMAX" : "SIGRTMAX-%d",
			 SIGRTMAX - signo);
	else if (sigabbrev_np(signo))
		snprintf(buf, len, "SIG%s", sigabbrev_np(signo));
	else
		snprintf(buf, len, "%d", signo);
	return buf;
}

/* The name of a siginfo's si_code, as <signal.h> has it, or its number. */
static const char *si_code_name(int code, char *buf, size_t len)
{
	static const struct { int code; const char *name; } codes[] = {
		{ SI_USER, "SI_USER" }, { SI_KERNEL, "SI_KERNEL" },
		{ SI_QUEUE, "SI_QUEUE" }, { SI_TIMER, "SI_TIMER" },
		{ SI_MESGQ, "SI_MESGQ" }, { SI_ASYNCIO, "SI_ASYNCIO" },
		{ SI_SIGIO, "SI_SIGIO" }, { SI_TKILL, "SI_TKILL" },
	};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i].code == code)
			return codes[i].name;
	snprintf(buf, len, "%d", code);
	return buf;
}

/* Is @word one of the space-separated words of @list? */
static bool word_in(const char *word, const char *list)
{
	size_t len = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += len)
		if ((p == list || p[-1] == ' ') && (!p[len] || p[len] == ' '))
			return true;
	return false;
}

/*
 * Parses argv (argv[0] is the command) into @o, allowing the long options
 * named in @allowed (and "-0" for -0). Positional arguments: at least one
 * (the mailbox name) if @max_pos, at most @max_pos (-1: any number); the
 * second is send's text. Returns 0 or an exit status.
 */
static int parse(int argc, char **argv, struct opts *o, const char *allowed,
		 int max_pos)
{
	const char *cmd = argv[0];
	const char *why;
	uint64_t v;
	int c, idx;

	memset(o, 0, sizeof(*o));
	o->count = 1;
	o->signo = SIGUSR1;
	o->term = '\n';
	optind = 0;	/* full reset: another parse may have run */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":0", long_options, &idx)) != -1) {
		const char *arg = optarg;

		if (c == '?' || c == ':')
			return kipcctl_usage(cmd, "bad or incomplete option '%s'",
					     argv[optind - 1]);
		if (!word_in(c == '0' ? "-0" : long_options[idx].name, allowed))
			return kipcctl_usage(cmd, "option '%s%s' does not apply",
					     c == '0' ? "-" : "--",
					     c == '0' ? "0" : long_options[idx].name);
		switch (c) {
		case OPT_CAPACITY:
			if (!parse_u64(arg, UINT32_MAX, &v))
				goto bad;
			o->create.capacity = v;
			o->given |= GIVEN_CAPACITY;
			break;
		case OPT_CAPACITY_BYTES:
			if (!parse_u64(arg, UINT64_MAX, &v))
				goto bad;
			o->create.capacity_bytes = v;
			o->given |= GIVEN_CAPACITY_BYTES;
			break;
		case OPT_MAX_SIZE:
			if (!parse_u64(arg, UINT32_MAX, &v))
				goto bad;
			o->create.max_msg_size = v;
			o->given |= GIVEN_MAX_SIZE;
			break;
		case OPT_MODE: {
			char *end;
			unsigned long m;

			/* The one octal number: as chmod(1) takes it. */
			if (!*arg || strspn(arg, "01234567") != strlen(arg))
				goto bad;
			m = strtoul(arg, &end, 8);
			/* 0 would be the kernel's default, 0600: not what was asked. */
			if (m > 0777 || !m)
				goto bad;
			o->create.mode = m;
			break;
		}
		case OPT_TEMP:
			o->create.flags |= KIPC_CREATE_TEMP;
			break;
		case OPT_TYPE:
			if (!parse_u64(arg, UINT32_MAX, &v))
				goto bad;
			o->type = v;
			break;
		case OPT_PRIORITY:
			if (!parse_u64(arg, UINT32_MAX, &v))
				goto bad;
			if (v > KIPC_PRIO_MAX)
				return kipcctl_usage(cmd, "--priority %s is out of range: 0..%d",
						     arg, KIPC_PRIO_MAX);
			o->priority = v;
			break;
		case OPT_NONBLOCK:
			o->flags |= KIPC_NONBLOCK;
			break;
		case OPT_TIMEOUT:
			if (!parse_u64(arg, UINT64_MAX / 1000000, &v) || !v)
				goto bad;
			o->timeout_ns = v * 1000000;
			break;
		case OPT_COUNT:
			if (!parse_u64(arg, UINT64_MAX, &v) || !v)
				goto bad;
			o->count = v;
			break;
		case OPT_FOLLOW:
			o->follow = true;
			break;
		case OPT_PEEK:
			o->flags |= KIPC_RECV_PEEK;
			break;
		case OPT_HEX:
			o->hex = true;
			break;
		case OPT_RAW:
			o->raw = true;
			break;
		case '0':
			o->term = '\0';
			break;
		case OPT_SIGNAL:
			o->signo = parse_signal(arg);
			if (!o->signo)
				return kipcctl_usage(cmd, "unknown signal '%s' (a name such as USR1, usr2, SIGRTMIN+1, RTMAX-2, or a number)",
						     arg);
			why = signal_unusable(o->signo);
			if (why) {
				char sname[32];

				return kipcctl_usage(cmd, "signal %s %s: choose another, such as USR1 or RTMIN+1",
						     signal_name(o->signo, sname, sizeof(sname)),
						     why);
			}
			break;
		case OPT_ONESHOT:
			o->notify_flags |= KIPC_NOTIFY_ONESHOT;
			break;
		case OPT_PERSISTENT:
			o->persistent = true;
			break;
		case OPT_EDGE:
			o->notify_flags |= KIPC_NOTIFY_EDGE;
			break;
		case OPT_ID:
			if (!parse_u64(arg, UINT32_MAX, &v) || !v)
				goto bad;
			o->id = v;
			break;
		}
		continue;
bad:
		return kipcctl_usage(cmd, "bad value '%s' for --%s (%s)", arg,
				     long_options[idx].name,
				     c == OPT_MODE ? "an octal mode, 1..0777" :
				     c == OPT_TIMEOUT || c == OPT_COUNT ||
				     c == OPT_ID ? "a decimal number, 1 or more" :
				     "a decimal number");
	}
	o->pos = argv + optind;
	o->nr_pos = argc - optind;
	if (max_pos && !o->nr_pos && !o->id)
		return kipcctl_usage(cmd, "missing mailbox NAME");
	if (max_pos >= 0 && o->nr_pos > max_pos)
		return kipcctl_usage(cmd, "unexpected argument '%s'",
				     argv[optind + max_pos]);
	if (o->nr_pos)
		o->name = argv[optind];
	if (max_pos > 1 && o->nr_pos > 1)
		o->text = argv[optind + 1];
	return 0;
}

/* Opens a handle on @o->name, or says why not. Returns fd or -exit status. */
static int open_mailbox(const struct opts *o, const char *op)
{
	int fd, ret;

	fd = kipc_open(0);
	if (fd < 0)
		return -kipcctl_fail("open", NULL, -fd);
	ret = kipc_attach(fd, o->name);
	if (ret < 0) {
		close(fd);
		return -kipcctl_fail(op, o->name, -ret);
	}
	return fd;
}

/* A module parameter, or false if it cannot be read. */
static bool module_param(const char *name, uint64_t *v)
{
	char path[128], buf[32];
	bool ok = false;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/kipc/parameters/%s", name);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		ok = parse_u64(buf, UINT64_MAX, v);
	}
	fclose(f);
	return ok;
}

/*
 * What the module would refuse with EINVAL (or ENAMETOOLONG), said before
 * asking it, with the allowed range: the limits are the module parameters
 * where they can be read, else the module has the last word.
 */
static int create_check(const struct opts *o)
{
	const struct kipc_create_opts *c = &o->create;
	const char *name = *o->name ? o->name : "''";
	uint64_t max_msg = KIPC_MSG_SIZE_CAP, max_total = UINT64_MAX, size;

	if (strlen(o->name) >= KIPC_NAME_MAX)
		return kipcctl_fail_why("create", name, ENAMETOOLONG,
					"a name is 1..%d bytes, this one %zu",
					KIPC_NAME_MAX - 1, strlen(o->name));
	if (!*o->name || strchr(o->name, '/'))
		return kipcctl_fail_why("create", name, EINVAL,
					"a name is 1..%d bytes, without '/'",
					KIPC_NAME_MAX - 1);
	module_param("max_msg_size", &max_msg);
	module_param("max_total_bytes", &max_total);
	if ((o->given & GIVEN_CAPACITY) &&
	    (!c->capacity || c->capacity > KIPC_CAPACITY_MAX))
		return kipcctl_fail_why("create", name, EINVAL,
					"--capacity %u is out of range: 1..%u messages%s",
					c->capacity, KIPC_CAPACITY_MAX,
					c->capacity ? "" : " (0 is not \"the default\": leave the option out)");
	if ((o->given & GIVEN_MAX_SIZE) &&
	    (!c->max_msg_size || c->max_msg_size > max_msg))
		return kipcctl_fail_why("create", name, EINVAL,
					"--max-size %u is out of range: 1..%" PRIu64 " bytes (the max_msg_size parameter)",
					c->max_msg_size, max_msg);
	size = o->given & GIVEN_MAX_SIZE ? c->max_msg_size : max_msg;
	if ((o->given & GIVEN_CAPACITY_BYTES) &&
	    (!c->capacity_bytes || c->capacity_bytes < size ||
	     c->capacity_bytes > max_total))
		return kipcctl_fail_why("create", name, EINVAL,
					"--capacity-bytes %" PRIu64 " is out of range: %" PRIu64 "..%" PRIu64 " bytes (at least the largest message, --max-size %" PRIu64 "; at most max_total_bytes)",
					c->capacity_bytes, size, max_total, size);
	return 0;
}

int cmd_create(int argc, char **argv)
{
	struct opts o;
	int fd, id, ret;

	ret = parse(argc, argv, &o,
		    "capacity capacity-bytes max-size mode temp", 1);
	if (ret)
		return ret;
	/* The module first: its limits are what the values are checked against. */
	fd = kipc_open(0);
	if (fd < 0)
		return kipcctl_fail("open", NULL, -fd);
	ret = create_check(&o);
	if (ret) {
		close(fd);
		return ret;
	}
	id = kipc_create(fd, o.name, &o.create);
	if (id < 0)
		return kipcctl_fail("create", o.name, -id);
	if (opt_json) {
		json_open('{');
		json_str("name", o.name);
		json_u64("id", id);
		json_close('}');
		json_end();
	}
	if (o.create.flags & KIPC_CREATE_TEMP) {
		/* A temp mailbox lives as long as a handle: keep ours open. */
		fprintf(stderr, "%s: temporary mailbox %s (id %d) lives until this process ends\n",
			prog, o.name, id);
		pause();
	}
	close(fd);
	return KIPCCTL_OK;
}

/* Destroys the mailbox with @id (-A: of any namespace). */
static int destroy_by_id(uint64_t id)
{
	char what[32];
	int fd, ret;

	snprintf(what, sizeof(what), "id %" PRIu64, id);
	fd = kipc_open(0);
	if (fd < 0)
		return kipcctl_fail("open", NULL, -fd);
	ret = opt_all_ns ? kipc_attach_id_any_ns(fd, id) : kipc_attach_id(fd, id);
	if (ret >= 0)
		ret = kipc_destroy(fd);
	close(fd);
	return ret < 0 ? kipcctl_fail("destroy", what, -ret) : KIPCCTL_OK;
}

static int destroy_by_name(const char *name)
{
	int fd, ret;

	fd = kipc_open(0);
	if (fd < 0)
		return kipcctl_fail("open", NULL, -fd);
	ret = kipc_attach(fd, name);
	if (ret >= 0)
		ret = kipc_destroy(fd);
	close(fd);
	return ret < 0 ? kipcctl_fail("destroy", name, -ret) : KIPCCTL_OK;
}

/*
 * destroy NAME..., destroy --id N, -A destroy ID...: each one is tried,
 * as ipcrm(1) does; the status is the worst.
 */
int cmd_destroy(int argc, char **argv)
{
	struct opts o;
	int ret, worst = KIPCCTL_OK;

	ret = parse(argc, argv, &o, "id", -1);
	if (ret)
		return ret;
	if (o.id && o.nr_pos)
		return kipcctl_usage("destroy", "give mailbox NAMEs or --id N, not both");
	if (o.id)
		return destroy_by_id(o.id);
	/* Names are per namespace: across them, an id names a mailbox. */
	for (int i = 0; opt_all_ns && i < o.nr_pos; i++) {
		uint64_t id;

		if (!parse_u64(o.pos[i], UINT32_MAX, &id) || !id)
			return kipcctl_usage("destroy", "with -A, give mailbox IDs, not '%s'",
					     o.pos[i]);
	}
	/* No module: say so once, not once per name. */
	ret = kipc_open(0);
	if (ret < 0)
		return kipcctl_fail("open", NULL, -ret);
	close(ret);
	for (int i = 0; i < o.nr_pos; i++) {
		uint64_t id = 0;

		if (opt_all_ns)
			parse_u64(o.pos[i], UINT32_MAX, &id);	/* checked above */
		ret = opt_all_ns ? destroy_by_id(id) : destroy_by_name(o.pos[i]);
		if (ret > worst)
			worst = ret;
	}
	return worst;
}

/* Reads all of standard input, up to @max bytes. */
static char *read_stdin(size_t max, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	ssize_t r;

	while (buf) {
		if (n == cap) {
			char *nb = cap > max ? NULL : realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				errno = EMSGSIZE;
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(STDIN_FILENO, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (!r)
			break;
		n += r;
	}
	*len = n;
	return buf;
}

/*
 * Whether a message of @len bytes would have to wait for room now (a hint
 * only: the state may change before the send; no event is caused).
 */
static bool mailbox_full(int fd, size_t len)
{
	struct kipc_stat st;

	if (kipc_stat(fd, &st) < 0)
		return false;
	return st.depth >= st.capacity ||
	       (st.depth && st.bytes + len > st.capacity_bytes);
}

int cmd_send(int argc, char **argv)
{
	struct kipc_msg m = { 0 };
	char *data = NULL;
	size_t len;
	uint64_t i;
	struct opts o;
	int fd, ret;

	ret = parse(argc, argv, &o,
		    "type priority nonblock timeout count", 2);
	if (ret)
		return ret;
	fd = open_mailbox(&o, "send");
	if (fd < 0)
		return -fd;
	if (!o.text || !strcmp(o.text, "-")) {
		/* Not a silent wait for input the user did not know we want. */
		if (isatty(STDIN_FILENO))
			fprintf(stderr, "%s: send %s: reading the message from standard input (end it with Ctrl-D)\n",
				prog, o.name);
		data = read_stdin(KIPC_MSG_SIZE_CAP, &len);
		if (!data)
			return kipcctl_fail("send", o.name, errno);
	} else {
		len = strlen(o.text);
	}

	m.buf = (uintptr_t)(data ?: o.text);
	m.len = len;
	m.type = o.type;
	m.priority = o.priority;
	m.flags = o.flags;
	m.timeout_ns = o.timeout_ns;
	for (i = 0; i < o.count; i++) {
		/* Nor a silent block on a full mailbox, for a person. */
		if (!(o.flags & KIPC_NONBLOCK) && isatty(STDERR_FILENO) &&
		    mailbox_full(fd, len)) {
			fprintf(stderr, "%s: send %s: the mailbox is full: waiting for room (Ctrl-C gives up)\n",
				prog, o.name);
		}
		m.timeout_ns = o.timeout_ns;
		ret = kipc_send_msg(fd, &m);
		if (ret < 0)
			break;
	}
	free(data);
	close(fd);
	if (ret < 0) {
		if (i)
			fprintf(stderr, "%s: send %s: %" PRIu64 " of %" PRIu64 " sent\n",
				prog, o.name, i, o.count);
		return kipcctl_fail("send", o.name, -ret);
	}
	if (opt_json) {
		json_open('{');
		json_str("name", o.name);
		json_u64("sent", i);
		json_u64("last_seq", m.seq);
		json_close('}');
		json_end();
	}
	return KIPCCTL_OK;
}

/*
 * On a terminal: UTF-8, newlines and tabs as they are, other bytes as \xNN,
 * and so the C1 controls (U+0080..U+009F, bytes C2 80..C2 9F): U+009B is a
 * CSI to many terminals, and the sender is not the one whose terminal it is.
 */
static void print_escaped(const unsigned char *buf, size_t len)
{
	size_t n;

	for (size_t i = 0; i < len; i += n) {
		n = utf8_seq((const char *)buf + i, len - i);
		if (n == 2 && buf[i] == 0xc2 && buf[i + 1] < 0xa0) {
			printf("\\x%02x\\x%02x", buf[i], buf[i + 1]);
		} else if (n > 1) {
			fwrite(buf + i, 1, n, stdout);
		} else {
			n = 1;
			if (buf[i] == '\n' || buf[i] == '\t' ||
			    (buf[i] >= 0x20 && buf[i] < 0x7f))
				putchar(buf[i]);
			else
				printf("\\x%02x", buf[i]);
		}
	}
}

/*
 * One message. Messages stay apart wherever the output goes (SPEC 7): each
 * ends with o->term ('\n', or NUL with -0), unless --raw asked for the
 * bytes alone; -j is one object per line.
 */
static void print_msg(const struct opts *o, const struct kipc_msg *m,
		      const unsigned char *buf)
{
	if (opt_json) {
		json_open('{');
		json_str("name", o->name);
		json_u64("seq", m->seq);
		json_u64("type", m->type);
		json_u64("priority", m->priority);
		json_u64("len", m->len);
		json_u64("msg_len", m->msg_len);
		json_i64("sender_pid", m->sender_pid);
		json_u64("sender_uid", m->sender_uid);
		json_u64("time_ns", mono_to_real_ns(m->timestamp_ns));
		if (utf8_valid((const char *)buf, m->len))
			json_strn("data", (const char *)buf, m->len);
		else if (o->hex)
			json_hex("data_hex", buf, m->len);
		else
			json_base64("data_base64", buf, m->len);
		json_close('}');
		json_end();
		return;
	}
	if (o->raw) {
		fwrite(buf, 1, m->len, stdout);
	} else if (o->hex) {
		for (uint32_t i = 0; i < m->len; i++)
			printf("%02x%s", buf[i], i + 1 < m->len ? " " : "");
		putchar(o->term);
	} else if (isatty(STDOUT_FILENO)) {
		print_escaped(buf, m->len);
		putchar(o->term);
	} else {
		fwrite(buf, 1, m->len, stdout);
		putchar(o->term);
	}
	fflush(stdout);
}

int cmd_recv(int argc, char **argv)
{
	unsigned char *buf;
	struct opts o;
	uint64_t i;
	int fd, ret;

	ret = parse(argc, argv, &o,
		    "type nonblock timeout count follow peek hex raw -0", 1);
	if (ret)
		return ret;
	if (o.raw && (o.follow || o.count > 1))
		return kipcctl_usage("recv", "--raw is for one message: its bytes, with nothing to tell where another would start (use -0 or the default newline)");
	if (o.raw && (o.hex || !o.term || opt_json))
		return kipcctl_usage("recv", "--raw prints the bytes alone: not with %s",
				     o.hex ? "--hex" : !o.term ? "-0" : "-j");
	fd = open_mailbox(&o, "recv");
	if (fd < 0)
		return -fd;
	buf = malloc(KIPC_MSG_SIZE_CAP);
	if (!buf)
		return kipcctl_fail("recv", o.name, ENOMEM);

	for (i = 0; o.follow || i < o.count; i++) {
		struct kipc_msg m = {
			.buf = (uintptr_t)buf,
			.len = KIPC_MSG_SIZE_CAP,
			.type = o.type,
			.flags = o.flags,
			.timeout_ns = o.timeout_ns,
		};

		ret = kipc_recv_msg(fd, &m);
		if (ret < 0)
			break;
		print_msg(&o, &m, buf);
	}
	free(buf);
	close(fd);
	return ret < 0 ? kipcctl_fail("recv", o.name, -ret) : KIPCCTL_OK;
}

/* Prints one delivery, as text or JSON. */
static void print_delivery(const struct signalfd_siginfo *si)
{
	char sname[32], code[16];
	const char *c = si_code_name(si->ssi_code, code, sizeof(code));

	signal_name(si->ssi_signo, sname, sizeof(sname));
	if (opt_json) {
		json_open('{');
		json_str("signal", sname);
		json_str("si_code", c);
		json_u64("mailbox_id", (uint32_t)si->ssi_int);
		json_i64("sender_pid", (int32_t)si->ssi_pid);
		json_u64("sender_uid", si->ssi_uid);
		json_close('}');
		json_end();
	} else {
		printf("signal=%s si_code=%s mailbox_id=%u sender_pid=%d sender_uid=%u\n",
		       sname, c, (uint32_t)si->ssi_int, (int32_t)si->ssi_pid,
		       si->ssi_uid);
		fflush(stdout);
	}
}

/*
 * Registers for the signal and takes each one from a signalfd, while
 * polling the handle: a destroyed mailbox reports POLLHUP, and the wait
 * ends with its errno (EIDRM) instead of lasting forever.
 */
int cmd_wait(int argc, char **argv)
{
	struct signalfd_siginfo si;
	struct pollfd pfd[2];
	struct kipc_stat st;
	char sname[32];
	sigset_t set;
	struct opts o;
	uint64_t i = 0;
	int fd, sfd, ret;

	ret = parse(argc, argv, &o, "signal count oneshot persistent edge", 1);
	if (ret)
		return ret;
	if (o.persistent && (o.notify_flags & KIPC_NOTIFY_ONESHOT))
		return kipcctl_usage("wait", "--oneshot or --persistent, not both");
	fd = open_mailbox(&o, "wait");
	if (fd < 0)
		return -fd;

	sigemptyset(&set);
	sigaddset(&set, o.signo);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		return kipcctl_fail("wait", "signalfd", errno);
	pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = fd, .events = 0 };	/* HUP, ERR */

	ret = kipc_notify(fd, o.signo, o.notify_flags);
	if (ret < 0)
		goto fail;
	fprintf(stderr, "%s: waiting for %s on %s\n", prog,
		signal_name(o.signo, sname, sizeof(sname)), o.name);
	while (i < o.count) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto fail;
		}
		/* Deliveries first: they came before the destroy. */
		if (pfd[0].revents & POLLIN) {
			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				continue;
			print_delivery(&si);
			/* A one-shot registration is spent by each delivery. */
			if (++i < o.count && (o.notify_flags & KIPC_NOTIFY_ONESHOT)) {
				ret = kipc_notify(fd, o.signo, o.notify_flags);
				if (ret < 0)
					goto fail;
			}
			continue;
		}
		if (pfd[1].revents) {
			ret = kipc_stat(fd, &st);
			if (ret >= 0)
				ret = -EIDRM;
			goto fail;
		}
	}
	close(sfd);
	close(fd);
	return KIPCCTL_OK;
fail:
	close(sfd);
	close(fd);
	return kipcctl_fail("wait", o.name, -ret);
}

int cmd_version(int argc, char **argv)
{
	struct kipc_version v;
	struct opts o;
	int fd, ret;

	ret = parse(argc, argv, &o, "", 0);
	if (ret)
		return ret;
	/* The tool's version, whatever happens with the module's. */
	fd = kipc_open(0);
	ret = fd < 0 ? fd : kipc_version(fd, &v);
	if (fd >= 0)
		close(fd);
	if (opt_json) {
		json_open('{');
		json_str("tool", KIPCCTL_VERSION);
		json_u64("tool_abi", KIPC_ABI_VERSION);
		if (ret >= 0)
			json_u64("module_abi", v.abi_version);
		json_close('}');
		json_end();
	} else if (ret >= 0) {
		printf("kipcctl %s (ABI %d), module ABI %u\n", KIPCCTL_VERSION,
		       KIPC_ABI_VERSION, v.abi_version);
	} else {
		printf("kipcctl %s (ABI %d), module %s\n", KIPCCTL_VERSION,
		       KIPC_ABI_VERSION, fd < 0 ? "not loaded" : "ABI unknown");
		fflush(stdout);
	}
	if (fd < 0)
		return kipcctl_fail("open", NULL, -fd);
	if (ret < 0)
		return kipcctl_fail("version", NULL, -ret);
	return KIPCCTL_OK;
}
