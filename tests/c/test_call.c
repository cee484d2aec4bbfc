// SPDX-License-Identifier: GPL-2.0
/*
 * Request and reply (SPEC section 9): CALL, REPLY, REPLY_RECV, and each
 * way a call can end: answered, too long a reply, the owner closing, the
 * mailbox destroyed, the caller giving up.
 */
#include "util.h"

/* A caller in a child: calls @name with @req, expects @want (or -errno). */
static pid_t fork_caller(const char *name, const char *req, const char *want,
			 int err, uint32_t reply_len, uint64_t timeout_ns)
{
	pid_t pid = fork_child();
	char reply[256] = "";
	int fd, ret;

	if (pid)
		return pid;
	fd = attach(name);
	ret = kipc_call(fd, req, strlen(req), 7, reply, reply_len, timeout_ns);
	if (err) {
		EXPECT_EQ(ret, err);
	} else {
		EXPECT_EQ(ret, (int)strlen(want));
		EXPECT_EQ(memcmp(reply, want, strlen(want)), 0);
	}
	harness_exit();
	return 0;
}

/* Waits until @n callers of @fd's mailbox are blocked for their reply. */
static void wait_callers(int fd, uint32_t n)
{
	while (stat_of(fd).callers_blocked != n)
		usleep(1000);
}

/* Stops @pid and waits until it has stopped. */
static void stop(pid_t pid)
{
	int status;

	ASSERT_OK(kill(pid, SIGSTOP));
	ASSERT_EQ(waitpid(pid, &status, WUNTRACED), pid);
	ASSERT_EQ(WIFSTOPPED(status), 1);
}

/* Receives one request on @fd: its header, payload into @buf. */
static struct kipc_msg take_request(int fd, char *buf, uint32_t len)
{
	struct kipc_msg m = { .buf = (uintptr_t)buf, .len = len };

	ASSERT_OK(kipc_recv_msg(fd, &m));
	ASSERT_EQ(m.flags & KIPC_MSG_CALL, KIPC_MSG_CALL);
	return m;
}

TEST(a_call_gets_its_reply_and_the_request_is_a_message)
{
	const char *name = uniq("call");
	int fd = new_mbox(name, NULL);
	pid_t pid = fork_caller(name, "hello", "HELLO", 0, 64, 0);
	char buf[64] = "";
	struct kipc_msg m = take_request(fd, buf, sizeof(buf));

	ASSERT_EQ(m.len, 5);
	ASSERT_EQ(memcmp(buf, "hello", 5), 0);
	ASSERT_EQ(m.type, 7);
	ASSERT_EQ(m.sender_pid, pid);
	ASSERT_OK(kipc_reply(fd, m.seq, "HELLO", 5));
	reap_ok(pid);
	/* Answered once: a second reply finds nothing. */
	ASSERT_EQ(kipc_reply(fd, m.seq, "x", 1), -ENOENT);
	ASSERT_EQ(stat_of(fd).depth, 0);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(reply_recv_answers_and_takes_the_next_request)
{
	const char *name = uniq("rr");
	int fd = new_mbox(name, NULL);
	char buf[64], out[64];
	struct kipc_msg m = { .buf = (uintptr_t)buf, .len = sizeof(buf) };
	pid_t pid[3];
	uint64_t seq = 0;
	int i;

	for (i = 0; i < 3; i++)
		pid[i] = fork_caller(name, "abc", "ABC", 0, 64, 0);
	for (i = 0; i < 3; i++) {
		m.len = sizeof(buf);
		ASSERT_OK(kipc_reply_recv(fd, seq, out, i ? 3 : 0, &m));
		ASSERT_EQ(m.flags & KIPC_MSG_CALL, KIPC_MSG_CALL);
		ASSERT_EQ(m.len, 3);
		memcpy(out, "ABC", 3);
		seq = m.seq;
	}
	ASSERT_OK(kipc_reply(fd, seq, out, 3));
	for (i = 0; i < 3; i++)
		reap_ok(pid[i]);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(a_failed_reply_in_reply_recv_receives_nothing)
{
	const char *name = uniq("rrfail");
	int fd = new_mbox(name, NULL);
	char buf[8];
	struct kipc_msg m = { .buf = (uintptr_t)buf, .len = sizeof(buf) };

	ASSERT_OK(sendstr(fd, "queued", 0));
	ASSERT_EQ(kipc_reply_recv(fd, 12345, "x", 1, &m), -ENOENT);
	ASSERT_EQ(stat_of(fd).depth, 1);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(a_reply_too_long_for_the_caller_fails_and_leaves_the_call_pending)
{
	const char *name = uniq("toolong");
	int fd = new_mbox(name, NULL);
	pid_t pid = fork_caller(name, "q", "ok", 0, 4, 0);
	char buf[8];
	struct kipc_msg m = take_request(fd, buf, sizeof(buf));

	ASSERT_EQ(kipc_reply(fd, m.seq, "too long", 8), -EMSGSIZE);
	ASSERT_OK(kipc_reply(fd, m.seq, "ok", 2));
	reap_ok(pid);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(the_owner_closing_unanswered_resets_the_caller)
{
	const char *name = uniq("reset");
	int fd = new_mbox(name, NULL);
	pid_t pid = fork_caller(name, "q", NULL, -ECONNRESET, 8, 0);
	int server = attach(name);
	char buf[8];

	take_request(server, buf, sizeof(buf));
	close(server);
	reap_ok(pid);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(the_owner_dying_unanswered_resets_the_caller)
{
	const char *name = uniq("died");
	int fd = new_mbox(name, NULL);
	pid_t pid = fork_caller(name, "q", NULL, -ECONNRESET, 8, 0);
	char buf[8];

	IN_CHILD() {
		int server = attach(name);

		take_request(server, buf, sizeof(buf));
		_exit(0);	/* with the call unanswered */
	}
	reap_ok(pid);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(destroy_fails_queued_and_owned_calls_with_eidrm)
{
	const char *name = uniq("idrm");
	int fd = new_mbox(name, NULL);
	pid_t owned = fork_caller(name, "1", NULL, -EIDRM, 8, 0);
	char buf[8];
	struct kipc_msg m = take_request(fd, buf, sizeof(buf));
	pid_t queued = fork_caller(name, "2", NULL, -EIDRM, 8, 0);

	while (stat_of(fd).depth < 1)
		usleep(1000);
	ASSERT_OK(kipc_destroy(fd));
	reap_ok(owned);
	reap_ok(queued);
	ASSERT_EQ(kipc_reply(fd, m.seq, "x", 1), -EIDRM);
}

TEST(a_reply_to_a_caller_that_timed_out_is_enoent)
{
	const char *name = uniq("gaveup");
	int fd = new_mbox(name, NULL);
	pid_t pid = fork_caller(name, "q", NULL, -ETIMEDOUT, 8, 50000000);
	char buf[8];
	struct kipc_msg m = take_request(fd, buf, sizeof(buf));

	reap_ok(pid);
	ASSERT_EQ(kipc_reply(fd, m.seq, "late", 4), -ENOENT);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(a_reply_to_a_caller_that_exited_is_enoent)
{
	const char *name = uniq("exited");
	int fd = new_mbox(name, NULL);
	pid_t pid = fork_caller(name, "q", NULL, 0, 8, 0);
	char buf[8];
	struct kipc_msg m = take_request(fd, buf, sizeof(buf));

	kill(pid, SIGKILL);
	ASSERT_EQ(WTERMSIG(reap(pid)), SIGKILL);
	ASSERT_EQ(kipc_reply(fd, m.seq, "late", 4), -ENOENT);
	ASSERT_OK(kipc_destroy(fd));
}

static void on_usr1(int sig)
{
	(void)sig;
}

TEST(a_signal_with_a_handler_ends_the_call_with_eintr)
{
	const char *name = uniq("eintr");
	int fd = new_mbox(name, NULL);
	struct sigaction sa = { .sa_handler = on_usr1 };
	pid_t pid;
	char buf[8];
	struct kipc_msg m;

	ASSERT_OK(sigaction(SIGUSR1, &sa, NULL));
	pid = fork_caller(name, "q", NULL, -EINTR, 8, 0);
	m = take_request(fd, buf, sizeof(buf));
	wait_callers(fd, 1);
	kill(pid, SIGUSR1);
	reap_ok(pid);
	ASSERT_EQ(kipc_reply(fd, m.seq, "late", 4), -ENOENT);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(a_peek_sees_a_request_but_does_not_own_it)
{
	const char *name = uniq("peek");
	int fd = new_mbox(name, NULL);
	int other = attach(name);
	pid_t pid = fork_caller(name, "q", "r", 0, 8, 0);
	char buf[8];
	struct kipc_msg m = { .buf = (uintptr_t)buf, .len = sizeof(buf),
			      .flags = KIPC_RECV_PEEK };

	ASSERT_OK(kipc_recv_msg(fd, &m));
	ASSERT_EQ(m.flags & KIPC_MSG_CALL, KIPC_MSG_CALL);
	ASSERT_EQ(kipc_reply(fd, m.seq, "r", 1), -ENOENT);
	m = take_request(other, buf, sizeof(buf));
	/* Only the handle that took it may answer. */
	ASSERT_EQ(kipc_reply(fd, m.seq, "r", 1), -ENOENT);
	ASSERT_OK(kipc_reply(other, m.seq, "r", 1));
	reap_ok(pid);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(a_batch_receive_takes_several_requests)
{
	const char *name = uniq("batch");
	int fd = new_mbox(name, NULL);
	pid_t a = fork_caller(name, "a", "A", 0, 8, 0);
	pid_t b = fork_caller(name, "b", "B", 0, 8, 0);
	char buf[2][8];
	struct kipc_msg ms[2] = {
		{ .buf = (uintptr_t)buf[0], .len = 8 },
		{ .buf = (uintptr_t)buf[1], .len = 8 },
	};
	char up;
	int i;

	while (stat_of(fd).depth < 2)
		usleep(1000);
	ASSERT_EQ(kipc_recvv(fd, ms, 2, 0, 0), 2);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(ms[i].flags & KIPC_MSG_CALL, KIPC_MSG_CALL);
		up = buf[i][0] - 'a' + 'A';
		ASSERT_OK(kipc_reply(fd, ms[i].seq, &up, 1));
	}
	reap_ok(a);
	reap_ok(b);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(call_and_reply_check_their_arguments_and_the_mailbox)
{
	const char *name = uniq("args");
	struct kipc_create_opts o = { .capacity = 1 };
	int fd = new_mbox(name, &o), none = new_handle();
	char reply[8];
	struct kipc_call c = { .buf = (uintptr_t)"q", .len = 1,
			       .reply_buf = (uintptr_t)reply, .reply_len = 8 };
	struct kipc_reply r = { .seq = 1, .flags = 1 };

	c.__pad = 1;
	ASSERT_EQ(kipc_call_msg(fd, &c), -EINVAL);
	c.__pad = 0;
	c.seq = 1;
	ASSERT_EQ(kipc_call_msg(fd, &c), -EINVAL);
	c.seq = 0;
	c.flags = KIPC_RECV_PEEK;
	ASSERT_EQ(kipc_call_msg(fd, &c), -EINVAL);
	c.flags = 0;
	c.priority = KIPC_PRIO_MAX + 1;
	ASSERT_EQ(kipc_call_msg(fd, &c), -EINVAL);
	c.priority = 0;
	ASSERT_EQ(kipc_call_msg(none, &c), -ENOTCONN);
	ASSERT_EQ(kipc_reply(none, 1, "x", 1), -ENOTCONN);
	ASSERT_EQ(ioctl(fd, KIPC_IOC_REPLY, &r), -1);
	ASSERT_EQ(errno, EINVAL);
	ASSERT_EQ(kipc_reply(fd, 999, "x", 1), -ENOENT);
	/* Full: NONBLOCK fails to queue the request, as SEND would. */
	ASSERT_OK(sendstr(fd, "fill", 0));
	c.flags = KIPC_NONBLOCK;
	ASSERT_EQ(kipc_call_msg(fd, &c), -EAGAIN);
	c.flags = 0;
	c.timeout_ns = 10000000;
	ASSERT_EQ(kipc_call_msg(fd, &c), -ETIMEDOUT);
	ASSERT_EQ(stat_of(fd).depth, 1);
	ASSERT_OK(kipc_destroy(fd));
	ASSERT_EQ(kipc_call_msg(fd, &c), -EIDRM);
}

TEST(a_call_needs_the_write_bit)
{
	const char *name = uniq("mode");
	struct kipc_create_opts o = { .mode = 0644 };
	int fd = new_mbox(name, &o);
	char reply[8];

	IN_CHILD_AS(65534, 65534) {
		int h = attach(name);

		ASSERT_EQ(kipc_call(h, "q", 1, 0, reply, 8, 0), -EACCES);
	}
	ASSERT_OK(kipc_destroy(fd));
}

TEST(stat_counts_calls_pending_and_callers_blocked)
{
	const char *name = uniq("stat");
	int fd = new_mbox(name, NULL);
	pid_t pid = fork_caller(name, "q", "r", 0, 8, 0);
	struct kipc_stat st;
	char buf[8];
	struct kipc_msg m;

	wait_callers(fd, 1);
	st = stat_of(fd);
	ASSERT_EQ(st.calls_pending, 1);
	ASSERT_EQ(st.calls, 1);
	ASSERT_EQ(st.depth, 1);
	m = take_request(fd, buf, sizeof(buf));
	st = stat_of(fd);
	/* Received, not answered: still pending. */
	ASSERT_EQ(st.calls_pending, 1);
	ASSERT_EQ(st.callers_blocked, 1);
	ASSERT_EQ(st.depth, 0);
	ASSERT_OK(kipc_reply(fd, m.seq, "r", 1));
	reap_ok(pid);
	st = stat_of(fd);
	ASSERT_EQ(st.calls_pending, 0);
	ASSERT_EQ(st.callers_blocked, 0);
	ASSERT_EQ(st.calls, 1);
	ASSERT_EQ(st.sent, 1);
	ASSERT_OK(kipc_destroy(fd));
}

/* STAT as a program built against the first header encodes it. */
#define KIPC_IOC_STAT_VER0 \
	_IOWR(KIPC_IOC_MAGIC, 0x04, char[KIPC_STAT_SIZE_VER0])

TEST(stat_takes_the_first_structs_size_and_fills_only_that)
{
	const char *name = uniq("stat0");
	int fd = new_mbox(name, NULL);
	union {
		struct kipc_stat st;
		unsigned char b[sizeof(struct kipc_stat)];
	} u;
	size_t i;

	ASSERT_OK(sendstr(fd, "abc", 0));
	memset(&u, 0xa5, sizeof(u));
	u.st.size = KIPC_STAT_SIZE_VER0;
	u.st.flags = 0;
	ASSERT_OK(ioctl(fd, KIPC_IOC_STAT_VER0, &u));
	ASSERT_EQ(u.st.size, KIPC_STAT_SIZE_VER0);
	ASSERT_EQ(u.st.depth, 1);
	ASSERT_EQ(u.st.bytes, 3);
	ASSERT_EQ(strcmp(u.st.name, name), 0);
	for (i = KIPC_STAT_SIZE_VER0; i < sizeof(u); i++)
		ASSERT_EQ(u.b[i], 0xa5);
	/* The new header's number, with the old size: the same. */
	ASSERT_OK(ioctl(fd, KIPC_IOC_STAT, &u));
	ASSERT_EQ(u.st.size, KIPC_STAT_SIZE_VER0);
	u.st.size = KIPC_STAT_SIZE_VER0 - 8;
	ASSERT_EQ(ioctl(fd, KIPC_IOC_STAT, &u), -1);
	ASSERT_EQ(errno, EINVAL);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(a_stop_and_continue_do_not_end_a_call)
{
	const char *name = uniq("stop");
	int fd = new_mbox(name, NULL);
	pid_t pid = fork_caller(name, "q", "one", 0, 8, 0);
	char buf[8];
	struct kipc_msg m = take_request(fd, buf, sizeof(buf));
	struct kipc_stat st;

	wait_callers(fd, 1);
	stop(pid);
	/* Parked: not blocked, still pending. */
	st = stat_of(fd);
	ASSERT_EQ(st.callers_blocked, 0);
	ASSERT_EQ(st.calls_pending, 1);
	ASSERT_OK(kill(pid, SIGCONT));
	/* Restarted: it waits again for the same call. */
	wait_callers(fd, 1);
	ASSERT_OK(kipc_reply(fd, m.seq, "one", 3));
	reap_ok(pid);
	ASSERT_EQ(stat_of(fd).calls, 1);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(a_reply_to_a_stopped_caller_is_taken_when_it_continues)
{
	const char *name = uniq("stopped");
	int fd = new_mbox(name, NULL);
	pid_t pid = fork_caller(name, "q", "two", 0, 8, 0);
	char buf[8];
	struct kipc_msg m = take_request(fd, buf, sizeof(buf));

	wait_callers(fd, 1);
	stop(pid);
	ASSERT_OK(kipc_reply(fd, m.seq, "two", 3));
	ASSERT_EQ(stat_of(fd).calls_pending, 0);
	ASSERT_OK(kill(pid, SIGCONT));
	reap_ok(pid);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(a_caller_killed_while_stopped_gave_up)
{
	const char *name = uniq("stopkill");
	int fd = new_mbox(name, NULL);
	pid_t pid = fork_caller(name, "q", NULL, 0, 8, 0);
	char buf[8];
	struct kipc_msg m = take_request(fd, buf, sizeof(buf));

	wait_callers(fd, 1);
	stop(pid);
	kill(pid, SIGKILL);
	ASSERT_EQ(WTERMSIG(reap(pid)), SIGKILL);
	ASSERT_EQ(kipc_reply(fd, m.seq, "late", 4), -ENOENT);
	ASSERT_EQ(stat_of(fd).calls_pending, 0);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(a_stop_of_one_caller_leaves_the_other_calls_alone)
{
	const char *name = uniq("stop2");
	int fd = new_mbox(name, NULL);
	pid_t a = fork_caller(name, "a", "A", 0, 8, 0);
	pid_t b;
	char buf[2][8];
	struct kipc_msg ma, mb;

	ma = take_request(fd, buf[0], sizeof(buf[0]));
	b = fork_caller(name, "b", "B", 0, 8, 0);
	mb = take_request(fd, buf[1], sizeof(buf[1]));
	wait_callers(fd, 2);
	stop(a);
	ASSERT_OK(kipc_reply(fd, mb.seq, "B", 1));
	reap_ok(b);
	ASSERT_OK(kill(a, SIGCONT));
	ASSERT_OK(kipc_reply(fd, ma.seq, "A", 1));
	reap_ok(a);
	ASSERT_OK(kipc_destroy(fd));
}
