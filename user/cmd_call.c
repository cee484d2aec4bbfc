// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl call and serve: request and reply (SPEC section 9). serve is an
 * inetd for mailboxes: each request goes to a new CMD on its standard
 * input, and CMD's standard output is the reply.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "json.h"
#include "libkipc.h"
#include "subcommands.h"

struct call_args {
	uint32_t type;
	uint64_t timeout_ns;
};

const struct opt call_opts[] = {
	OPT_NUM("type", struct call_args, type, 0, UINT32_MAX),
	OPT_TIMEOUT(struct call_args, timeout_ns),
	{ 0 }
};

/* The reply, as recv prints a message: its bytes and a newline. */
static void print_reply(const char *name, const struct kipc_call *c,
			const char *buf)
{
	if (opt_json) {
		json_open('{');
		json_str("name", name);
		json_u64("seq", c->seq);
		json_u64("len", c->reply_len);
		if (utf8_valid(buf, c->reply_len))
			json_strn("data", buf, c->reply_len);
		else
			json_base64("data_base64", (const unsigned char *)buf,
				    c->reply_len);
		json_close('}');
		json_end();
		return;
	}
	fwrite(buf, 1, c->reply_len, stdout);
	if (!c->reply_len || buf[c->reply_len - 1] != '\n')
		putchar('\n');
	fflush(stdout);
}

int cmd_call(int argc, char **argv)
{
	struct call_args a = { 0 };
	struct kipc_call c = { 0 };
	const char *name, *text;
	char *data = NULL, *reply;
	struct cmdline cl;
	size_t len;
	int fd, ret;

	ret = parse_args(argc, argv, &a, &cl);
	if (ret)
		return ret;
	name = cl.pos[0];
	text = cl.nr_pos > 1 ? cl.pos[1] : NULL;
	fd = open_mailbox(name, "call");
	if (fd < 0)
		return -fd;
	if (!text || !strcmp(text, "-")) {
		if (isatty(STDIN_FILENO))
			fprintf(stderr, "%s: call %s: reading the request from standard input (end it with Ctrl-D)\n",
				prog, name);
		data = read_all(STDIN_FILENO, KIPC_MSG_SIZE_CAP, &len);
		if (!data)
			return kipcctl_fail("call", name, errno);
	} else {
		len = strlen(text);
	}
	reply = malloc(KIPC_MSG_SIZE_CAP);
	if (!reply)
		return kipcctl_fail("call", name, ENOMEM);
	c.buf = (uintptr_t)(data ?: text);
	c.len = len;
	c.type = a.type;
	c.timeout_ns = a.timeout_ns;
	c.reply_buf = (uintptr_t)reply;
	c.reply_len = KIPC_MSG_SIZE_CAP;
	ret = kipc_call_msg(fd, &c);
	if (!ret)
		print_reply(name, &c, reply);
	free(reply);
	free(data);
	close(fd);
	return ret < 0 ? kipcctl_fail("call", name, -ret) : KIPCCTL_OK;
}

struct serve_args {
	uint64_t count;
};

const struct opt serve_opts[] = {
	OPT_NUM("count", struct serve_args, count, 1, UINT64_MAX),
	{ 0 }
};

/*
 * Runs @cmd with @len bytes of @req on its standard input (a memfd, so
 * that no pipe can fill up while it writes): its standard output, or
 * NULL with errno set. Its standard error is ours.
 */
static char *run_cmd(char **cmd, const char *req, size_t len, size_t *out)
{
	int in = memfd_create("kipc-request", MFD_CLOEXEC), pfd[2];
	char *buf = NULL;
	int status, err;
	pid_t pid;

	if (in < 0)
		return NULL;
	if ((len && write(in, req, len) != (ssize_t)len) ||
	    lseek(in, 0, SEEK_SET) || pipe2(pfd, O_CLOEXEC)) {
		err = errno;
		close(in);
		errno = err;
		return NULL;
	}
	fflush(stdout);
	pid = fork();
	if (!pid) {
		if (dup2(in, STDIN_FILENO) < 0 || dup2(pfd[1], STDOUT_FILENO) < 0)
			_exit(126);
		execvp(cmd[0], cmd);
		fprintf(stderr, "%s: serve: %s: %s\n", prog, cmd[0], strerror(errno));
		_exit(127);
	}
	close(in);
	close(pfd[1]);
	if (pid > 0)
		buf = read_all(pfd[0], KIPC_MSG_SIZE_CAP, out);
	err = errno;
	close(pfd[0]);
	if (pid < 0) {
		errno = err;
		return NULL;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (buf && status)
		fprintf(stderr, "%s: serve: %s exited with status %#x; its output is the reply\n",
			prog, cmd[0], status);
	errno = err;
	return buf;
}

/*
 * Answers request @m (its bytes in @buf) with CMD's output: 0, or -errno
 * if there was none to send (said on stderr; the server goes on). The
 * reply is sent by the caller's next REPLY_RECV, or here with @last.
 */
static int serve_one(int fd, const char *name, char **cmd,
		     const struct kipc_msg *m, const char *buf, bool last,
		     char **reply, size_t *len)
{
	int ret;

	*reply = run_cmd(cmd, buf, m->len, len);
	if (!*reply) {
		ret = errno;
		kipcctl_failf("serve", name, ret, ": running %s for call %" PRIu64,
			      cmd[0], (uint64_t)m->seq);
		return -ret;
	}
	if (!last)
		return 0;
	ret = kipc_reply(fd, m->seq, *reply, *len);
	if (ret < 0)
		kipcctl_failf("serve", name, -ret, ": reply to call %" PRIu64,
			      (uint64_t)m->seq);
	free(*reply);
	*reply = NULL;
	return ret;
}

int cmd_serve(int argc, char **argv)
{
	struct serve_args a = { 0 };
	char *buf, *reply = NULL;
	struct kipc_msg m = { 0 };
	uint64_t seq = 0, i;
	struct cmdline cl;
	size_t len = 0;
	const char *name;
	int fd, ret;

	ret = parse_args(argc, argv, &a, &cl);
	if (ret)
		return ret;
	if (cl.nr_pos < 2)
		return kipcctl_usage("serve", "a command to run for each request is missing: serve NAME -- CMD [ARGS]");
	name = cl.pos[0];
	fd = open_mailbox(name, "serve");
	if (fd < 0)
		return -fd;
	buf = malloc(KIPC_MSG_SIZE_CAP);
	if (!buf)
		return kipcctl_fail("serve", name, ENOMEM);
	for (i = 0; !a.count || i < a.count;) {
		m = (struct kipc_msg){ .buf = (uintptr_t)buf,
				       .len = KIPC_MSG_SIZE_CAP };
		ret = kipc_reply_recv(fd, seq, reply, len, &m);
		free(reply);
		reply = NULL;
		/* The reply failed (its caller gave up): say so, go on. */
		if (seq && (ret == -ENOENT || ret == -EMSGSIZE)) {
			kipcctl_failf("serve", name, -ret,
				      ": call %" PRIu64 " not answered", seq);
			seq = 0;
			continue;
		}
		seq = 0;
		if (ret < 0)
			break;
		if (!(m.flags & KIPC_MSG_CALL)) {
			fprintf(stderr, "%s: serve %s: message %" PRIu64 " is not a call: not answered\n",
				prog, name, (uint64_t)m.seq);
			continue;
		}
		i++;
		if (!serve_one(fd, name, cl.pos + 1, &m, buf,
			       a.count && i == a.count, &reply, &len) && reply)
			seq = m.seq;
	}
	free(reply);
	free(buf);
	close(fd);
	return ret < 0 ? kipcctl_fail("serve", name, -ret) : KIPCCTL_OK;
}
