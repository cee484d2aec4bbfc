// SPDX-License-Identifier: GPL-2.0
/* kipcctl send and recv: messages, through the ioctls. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "libkipc.h"
#include "subcommands.h"

struct send_args {
	uint32_t type, priority, flags;
	uint64_t timeout_ns;
	uint64_t count;
};

static int parse_priority(const char *cmd, const char *arg, void *args)
{
	struct send_args *a = args;
	uint64_t v;

	if (!parse_u64(arg, UINT32_MAX, &v))
		return -1;
	if (v > KIPC_PRIO_MAX)
		return kipcctl_usage(cmd, "--priority %s is out of range: 0..%d",
				     arg, KIPC_PRIO_MAX);
	a->priority = v;
	return 0;
}

const struct opt send_opts[] = {
	OPT_NUM("type", struct send_args, type, 0, UINT32_MAX),
	OPT_FN("priority", parse_priority, NULL),
	OPT_BITS("nonblock", struct send_args, flags, KIPC_NONBLOCK),
	OPT_TIMEOUT(struct send_args, timeout_ns),
	OPT_NUM("count", struct send_args, count, 1, UINT64_MAX),
	{ 0 }
};

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

/* Sends @m @a->count times; returns how many went, *@ret 0 or -errno. */
static uint64_t send_all(int fd, const char *name, const struct send_args *a,
			 struct kipc_msg *m, int *ret)
{
	uint64_t i;

	*ret = 0;
	for (i = 0; i < a->count; i++) {
		/* Nor a silent block on a full mailbox, for a person. */
		if (!(a->flags & KIPC_NONBLOCK) && isatty(STDERR_FILENO) &&
		    mailbox_full(fd, m->len)) {
			fprintf(stderr, "%s: send %s: the mailbox is full: waiting for room (Ctrl-C gives up)\n",
				prog, name);
		}
		m->timeout_ns = a->timeout_ns;
		*ret = kipc_send_msg(fd, m);
		if (*ret < 0)
			break;
	}
	return i;
}

int cmd_send(int argc, char **argv)
{
	struct send_args a = { .count = 1 };
	struct kipc_msg m = { 0 };
	const char *name, *text;
	struct cmdline cl;
	char *data = NULL;
	size_t len;
	uint64_t i;
	int fd, ret;

	ret = parse_args(argc, argv, &a, &cl);
	if (ret)
		return ret;
	name = cl.pos[0];
	text = cl.nr_pos > 1 ? cl.pos[1] : NULL;
	fd = open_mailbox(name, "send");
	if (fd < 0)
		return -fd;
	if (!text || !strcmp(text, "-")) {
		/* Not a silent wait for input the user did not know we want. */
		if (isatty(STDIN_FILENO))
			fprintf(stderr, "%s: send %s: reading the message from standard input (end it with Ctrl-D)\n",
				prog, name);
		data = read_all(STDIN_FILENO, KIPC_MSG_SIZE_CAP, &len);
		if (!data)
			return kipcctl_fail("send", name, errno);
	} else {
		len = strlen(text);
	}

	m.buf = (uintptr_t)(data ?: text);
	m.len = len;
	m.type = a.type;
	m.priority = a.priority;
	m.flags = a.flags;
	i = send_all(fd, name, &a, &m, &ret);
	free(data);
	close(fd);
	if (ret < 0) {
		if (i)
			fprintf(stderr, "%s: send %s: %" PRIu64 " of %" PRIu64 " sent\n",
				prog, name, i, a.count);
		return kipcctl_fail("send", name, -ret);
	}
	if (opt_json) {
		json_open('{');
		json_str("name", name);
		json_u64("sent", i);
		json_u64("last_seq", m.seq);
		json_close('}');
		json_end();
	}
	return KIPCCTL_OK;
}

struct recv_args {
	const char *name;
	uint32_t type, flags;
	uint64_t timeout_ns;
	uint64_t count;
	bool follow;
	bool hex;
	bool raw;		/* --raw: one message's bytes, nothing added */
	bool nul;		/* -0: end each message with NUL, not newline */
};

const struct opt recv_opts[] = {
	OPT_NUM("type", struct recv_args, type, 0, UINT32_MAX),
	OPT_BITS("nonblock", struct recv_args, flags, KIPC_NONBLOCK),
	OPT_TIMEOUT(struct recv_args, timeout_ns),
	OPT_NUM("count", struct recv_args, count, 1, UINT64_MAX),
	OPT_FLAG("follow", struct recv_args, follow),
	OPT_BITS("peek", struct recv_args, flags, KIPC_RECV_PEEK),
	OPT_FLAG("hex", struct recv_args, hex),
	{ .short_name = '0', .kind = OPTK_FLAG, OPT_MEMBER(struct recv_args, nul) },
	OPT_FLAG("raw", struct recv_args, raw),
	{ 0 }
};

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
 * ends with a newline (NUL with -0), unless --raw asked for the bytes
 * alone; -j is one object per line.
 */
static void print_msg(const struct recv_args *o, const struct kipc_msg *m,
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
	} else {
		if (o->hex)
			for (uint32_t i = 0; i < m->len; i++)
				printf("%02x%s", buf[i], i + 1 < m->len ? " " : "");
		else if (isatty(STDOUT_FILENO))
			print_escaped(buf, m->len);
		else
			fwrite(buf, 1, m->len, stdout);
		putchar(o->nul ? '\0' : '\n');
	}
	fflush(stdout);
}

int cmd_recv(int argc, char **argv)
{
	struct recv_args o = { .count = 1 };
	struct cmdline cl;
	unsigned char *buf;
	uint64_t i;
	int fd, ret;

	ret = parse_args(argc, argv, &o, &cl);
	if (ret)
		return ret;
	o.name = cl.pos[0];
	if (o.raw && (o.follow || o.count > 1))
		return kipcctl_usage("recv", "--raw is for one message: its bytes, with nothing to tell where another would start (use -0 or the default newline)");
	if (o.raw && (o.hex || o.nul || opt_json))
		return kipcctl_usage("recv", "--raw prints the bytes alone: not with %s",
				     o.hex ? "--hex" : o.nul ? "-0" : "-j");
	fd = open_mailbox(o.name, "recv");
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
