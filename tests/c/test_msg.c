// SPDX-License-Identifier: GPL-2.0
/* Messages: order, selection, peek, truncation, blocking, limits, batches. */
#include <pthread.h>

#include "util.h"

static void expect_msg(int fd, const char *text, uint32_t type, uint32_t prio)
{
	char buf[256];
	struct kipc_msg m = {
		.buf = (uintptr_t)buf, .len = sizeof(buf),
	};

	memset(buf, 0, sizeof(buf));
	ASSERT_OK(kipc_recv_msg(fd, &m));
	ASSERT_EQ(m.len, strlen(text));
	ASSERT_TRUE(!memcmp(buf, text, m.len));
	ASSERT_EQ(m.type, type);
	ASSERT_EQ(m.priority, prio);
}

TEST(bytes_arrive_exactly)
{
	unsigned char out[8192], in[8192];
	struct kipc_msg m = { .buf = (uintptr_t)in, .len = sizeof(in) };
	int fd = new_mbox(uniq("bytes"), NULL);

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 7 + 3);
	ASSERT_OK(kipc_send(fd, out, sizeof(out), 42, 3, 0, 0));
	ASSERT_OK(kipc_send(fd, "", 0, 1, 0, 0, 0));
	ASSERT_OK(kipc_recv_msg(fd, &m));
	ASSERT_EQ(m.len, sizeof(out));
	ASSERT_TRUE(!memcmp(in, out, sizeof(out)));
	ASSERT_EQ(m.type, 42);
	ASSERT_EQ(m.priority, 3);
	m.len = sizeof(in);
	m.type = 0;
	ASSERT_OK(kipc_recv_msg(fd, &m));
	ASSERT_EQ(m.len, 0);
	ASSERT_EQ(m.type, 1);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(fifo_within_priority_and_priority_order)
{
	int fd = new_mbox(uniq("prio"), NULL);

	ASSERT_OK(kipc_send(fd, "low1", 4, 0, 0, 0, 0));
	ASSERT_OK(kipc_send(fd, "high1", 5, 0, 32767, 0, 0));
	ASSERT_OK(kipc_send(fd, "mid", 3, 0, 7, 0, 0));
	ASSERT_OK(kipc_send(fd, "low2", 4, 0, 0, 0, 0));
	ASSERT_OK(kipc_send(fd, "high2", 5, 0, 32767, 0, 0));
	expect_msg(fd, "high1", 0, 32767);
	expect_msg(fd, "high2", 0, 32767);
	expect_msg(fd, "mid", 0, 7);
	expect_msg(fd, "low1", 0, 0);
	expect_msg(fd, "low2", 0, 0);
	ASSERT_ERR(kipc_send(fd, "x", 1, 0, 32768, 0, 0), EINVAL);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(receive_by_type)
{
	char buf[16];
	int fd = new_mbox(uniq("type"), NULL);

	ASSERT_OK(kipc_send(fd, "a1", 2, 1, 0, 0, 0));
	ASSERT_OK(kipc_send(fd, "b1", 2, 2, 0, 0, 0));
	ASSERT_OK(kipc_send(fd, "a2", 2, 1, 0, 0, 0));
	ASSERT_OK(kipc_send(fd, "b2", 2, 2, 5, 0, 0));
	ASSERT_EQ(kipc_recv(fd, buf, sizeof(buf), 2, 0, 0), 2);
	ASSERT_TRUE(!memcmp(buf, "b2", 2));
	ASSERT_EQ(kipc_recv(fd, buf, sizeof(buf), 2, 0, 0), 2);
	ASSERT_TRUE(!memcmp(buf, "b1", 2));
	ASSERT_ERR(kipc_recv(fd, buf, sizeof(buf), 2, KIPC_NONBLOCK, 0), EAGAIN);
	ASSERT_ERR(kipc_recv(fd, buf, sizeof(buf), 9, KIPC_NONBLOCK, 0), EAGAIN);
	expect_msg(fd, "a1", 1, 0);
	expect_msg(fd, "a2", 1, 0);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(peek_leaves_message_queued)
{
	char buf[16];
	struct kipc_stat st;
	struct kipc_msg m = { .buf = (uintptr_t)buf, .len = sizeof(buf),
			      .flags = KIPC_RECV_PEEK };
	int fd = new_mbox(uniq("peek"), NULL);

	ASSERT_OK(sendstr(fd, "peekaboo", 0));
	ASSERT_OK(kipc_recv_msg(fd, &m));
	ASSERT_EQ(m.len, 8);
	ASSERT_EQ(m.seq, 1);
	ASSERT_OK(kipc_stat(fd, &st));
	ASSERT_EQ(st.depth, 1);
	ASSERT_EQ(st.received, 0);
	expect_msg(fd, "peekaboo", 0, 0);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(emsgsize_reports_length_and_keeps_message)
{
	char buf[4];
	struct kipc_msg m = { .buf = (uintptr_t)buf, .len = sizeof(buf) };
	struct kipc_stat st;
	int fd = new_mbox(uniq("small"), NULL);

	ASSERT_OK(sendstr(fd, "0123456789", 0));
	ASSERT_ERR(kipc_recv_msg(fd, &m), EMSGSIZE);
	ASSERT_EQ(m.msg_len, 10);
	ASSERT_OK(kipc_stat(fd, &st));
	ASSERT_EQ(st.depth, 1);
	expect_msg(fd, "0123456789", 0, 0);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(truncate_delivers_prefix_and_drops_rest)
{
	char buf[4];
	struct kipc_msg m = { .buf = (uintptr_t)buf, .len = sizeof(buf),
			      .flags = KIPC_RECV_TRUNCATE };
	struct kipc_stat st;
	int fd = new_mbox(uniq("trunc"), NULL);

	ASSERT_OK(sendstr(fd, "0123456789", 0));
	ASSERT_OK(kipc_recv_msg(fd, &m));
	ASSERT_EQ(m.len, 4);
	ASSERT_EQ(m.msg_len, 10);
	ASSERT_TRUE(!memcmp(buf, "0123", 4));
	ASSERT_OK(kipc_stat(fd, &st));
	ASSERT_EQ(st.depth, 0);
	ASSERT_EQ(st.dropped, 1);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(send_larger_than_max_is_emsgsize)
{
	struct kipc_create_opts o = { .max_msg_size = 10 };
	int fd = new_mbox(uniq("big"), &o);

	ASSERT_OK(kipc_send(fd, "0123456789", 10, 0, 0, 0, 0));
	ASSERT_ERR(kipc_send(fd, "0123456789X", 11, 0, 0, 0, 0), EMSGSIZE);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(seq_pid_uid_timestamp)
{
	char buf[8];
	struct kipc_msg m;
	uint64_t before = now_ns(), last = 0;
	int fd = new_mbox(uniq("seq"), NULL);

	for (int i = 0; i < 5; i++) {
		struct kipc_msg s = { .buf = (uintptr_t)"x", .len = 1 };

		ASSERT_OK(kipc_send_msg(fd, &s));
		ASSERT_EQ(s.seq, i + 1);
	}
	for (int i = 0; i < 5; i++) {
		m = (struct kipc_msg){ .buf = (uintptr_t)buf, .len = sizeof(buf) };
		ASSERT_OK(kipc_recv_msg(fd, &m));
		ASSERT_TRUE(m.seq > last);
		last = m.seq;
		ASSERT_EQ(m.sender_pid, getpid());
		ASSERT_EQ(m.sender_uid, 0);
		ASSERT_TRUE(m.timestamp_ns >= before && m.timestamp_ns <= now_ns());
	}
	ASSERT_OK(kipc_destroy(fd));
}

TEST(sender_identity_of_another_user)
{
	struct kipc_create_opts o = { .mode = 0666 };
	const char *name = uniq("who");
	int fd = new_mbox(name, &o);
	char buf[8];
	struct kipc_msg m = { .buf = (uintptr_t)buf, .len = sizeof(buf) };
	pid_t pid = fork_child();

	if (!pid) {
		become(1000, 1000);
		ASSERT_OK(sendstr(attach(name), "hi", 0));
		_exit(0);
	}
	reap_ok(pid);
	ASSERT_OK(kipc_recv_msg(fd, &m));
	ASSERT_EQ(m.sender_pid, pid);
	ASSERT_EQ(m.sender_uid, 1000);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(full_mailbox_nonblock_eagain_and_o_nonblock)
{
	struct kipc_create_opts o = { .capacity = 2 };
	const char *name = uniq("full");
	int fd = new_mbox(name, &o), nb;
	struct kipc_stat st;
	char buf[4];

	ASSERT_OK(sendstr(fd, "1", 0));
	ASSERT_OK(sendstr(fd, "2", 0));
	ASSERT_ERR(sendstr(fd, "3", KIPC_NONBLOCK), EAGAIN);
	nb = kipc_open(O_NONBLOCK);
	ASSERT_GE(nb, 0);
	ASSERT_GE(kipc_attach(nb, name), 1);
	ASSERT_ERR(sendstr(nb, "3", 0), EAGAIN);
	ASSERT_OK(kipc_stat(fd, &st));
	ASSERT_EQ(st.depth, 2);
	ASSERT_EQ(kipc_recv(nb, buf, 4, 0, 0, 0), 1);
	ASSERT_EQ(kipc_recv(nb, buf, 4, 0, 0, 0), 1);
	ASSERT_ERR(kipc_recv(nb, buf, 4, 0, 0, 0), EAGAIN);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(capacity_bytes_limits_sends)
{
	struct kipc_create_opts o = { .capacity_bytes = 100, .max_msg_size = 60 };
	char data[60] = { 0 };
	int fd = new_mbox(uniq("cbytes"), &o);

	ASSERT_OK(kipc_send(fd, data, 60, 0, 0, 0, 0));
	ASSERT_OK(kipc_send(fd, data, 40, 0, 0, 0, 0));
	ASSERT_ERR(kipc_send(fd, data, 1, 0, 0, KIPC_NONBLOCK, 0), EAGAIN);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(recv_timeout_is_etimedout)
{
	char buf[4];
	int fd = new_mbox(uniq("tmo"), NULL);
	uint64_t t0 = now_ns(), dt;

	ASSERT_ERR(kipc_recv(fd, buf, 4, 0, 0, 200000000ull), ETIMEDOUT);
	dt = now_ns() - t0;
	/* Not a benchmark: only that it waited, and did not wait forever. */
	ASSERT_TRUE(dt >= 200000000ull);
	ASSERT_TRUE(dt < 10000000000ull);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(send_timeout_is_etimedout)
{
	struct kipc_create_opts o = { .capacity = 1 };
	int fd = new_mbox(uniq("stmo"), &o);

	ASSERT_OK(sendstr(fd, "1", 0));
	ASSERT_ERR(kipc_send(fd, "2", 1, 0, 0, 0, 50000000ull), ETIMEDOUT);
	ASSERT_OK(kipc_destroy(fd));
}

static void on_alarm(int sig)
{
	(void)sig;
}

TEST(signal_interrupts_with_eintr)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	char buf[4];
	int fd = new_mbox(uniq("intr"), NULL);

	sigaction(SIGUSR1, &sa, NULL);
	pid_t parent = getpid(), pid = fork_child();

	if (!pid) {
		usleep(200000);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	ASSERT_ERR(kipc_recv(fd, buf, 4, 0, 0, 0), EINTR);
	reap_ok(pid);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(blocked_sender_wakes_when_receiver_drains)
{
	struct kipc_create_opts o = { .capacity = 1 };
	const char *name = uniq("drain");
	int fd = new_mbox(name, &o);
	char buf[4];
	pid_t pid;

	ASSERT_OK(sendstr(fd, "1", 0));
	pid = fork_child();
	if (!pid) {
		ASSERT_OK(sendstr(attach(name), "2", 0));
		_exit(0);
	}
	wait_blocked(fd, 0, 1);
	ASSERT_EQ(kipc_recv(fd, buf, 4, 0, 0, 0), 1);
	ASSERT_EQ(buf[0], '1');
	reap_ok(pid);
	ASSERT_EQ(kipc_recv(fd, buf, 4, 0, 0, 0), 1);
	ASSERT_EQ(buf[0], '2');
	ASSERT_OK(kipc_destroy(fd));
}

TEST(batches_move_in_order_and_report_counts)
{
	struct kipc_msg out[KIPC_BATCH_MAX], in[KIPC_BATCH_MAX];
	struct kipc_create_opts o = { .capacity = 100 };
	char data[KIPC_BATCH_MAX][8], got[KIPC_BATCH_MAX][8];
	int fd = new_mbox(uniq("batch"), &o);

	memset(out, 0, sizeof(out));
	for (int i = 0; i < KIPC_BATCH_MAX; i++) {
		snprintf(data[i], sizeof(data[i]), "m%02d", i);
		out[i].buf = (uintptr_t)data[i];
		out[i].len = 3;
		out[i].type = i;
	}
	ASSERT_EQ(kipc_sendv(fd, out, KIPC_BATCH_MAX, 0, 0), KIPC_BATCH_MAX);
	for (int i = 0; i < KIPC_BATCH_MAX; i++)
		ASSERT_EQ(out[i].seq, i + 1);
	/* Only 36 fit: a partial batch reports what moved. */
	ASSERT_EQ(kipc_sendv(fd, out, KIPC_BATCH_MAX, KIPC_NONBLOCK, 0), 36);

	memset(in, 0, sizeof(in));
	for (int i = 0; i < KIPC_BATCH_MAX; i++) {
		in[i].buf = (uintptr_t)got[i];
		in[i].len = sizeof(got[i]);
	}
	ASSERT_EQ(kipc_recvv(fd, in, KIPC_BATCH_MAX, 0, 0), KIPC_BATCH_MAX);
	for (int i = 0; i < KIPC_BATCH_MAX; i++) {
		ASSERT_EQ(in[i].seq, i + 1);
		ASSERT_EQ(in[i].len, 3);
		ASSERT_TRUE(!memcmp(got[i], data[i], 3));
	}
	/* RECVV waits for one, then takes what is there. */
	ASSERT_EQ(kipc_recvv(fd, in, KIPC_BATCH_MAX, 0, 0), 36);
	ASSERT_ERR(kipc_recvv(fd, in, 4, KIPC_NONBLOCK, 0), EAGAIN);
	ASSERT_OK(kipc_destroy(fd));
}

#define STREAM_MSGS 100000

TEST(two_processes_100k_messages_no_loss_no_dup_in_order)
{
	struct kipc_create_opts o = { .capacity = 64 };
	const char *name = uniq("stream");
	int fd = new_mbox(name, &o);
	struct kipc_stat st;
	uint64_t expect = 0;
	pid_t pid;

	pid = fork_child();
	if (!pid) {
		int out = attach(name);

		for (uint64_t i = 0; i < STREAM_MSGS; i++)
			if (kipc_send(out, &i, sizeof(i), 0, 0, 0, 0))
				_exit(1);
		_exit(0);
	}
	for (; expect < STREAM_MSGS; expect++) {
		uint64_t v;

		ASSERT_EQ(kipc_recv(fd, &v, sizeof(v), 0, 0, 0), sizeof(v));
		ASSERT_EQ(v, expect);
	}
	reap_ok(pid);
	ASSERT_OK(kipc_stat(fd, &st));
	ASSERT_EQ(st.sent, STREAM_MSGS);
	ASSERT_EQ(st.received, STREAM_MSGS);
	ASSERT_EQ(st.depth, 0);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(blocked_typed_receiver_gets_its_type_only)
{
	const char *name = uniq("typed");
	int fd = new_mbox(name, NULL);
	struct kipc_stat st;
	pid_t pid = fork_child();

	if (!pid) {
		char buf[8];
		struct kipc_msg m = { .buf = (uintptr_t)buf, .len = 8, .type = 2 };

		if (kipc_recv_msg(attach(name), &m) || m.type != 2 ||
		    memcmp(buf, "two", 3))
			_exit(1);
		_exit(0);
	}
	wait_blocked(fd, 1, 0);
	ASSERT_OK(kipc_send(fd, "one", 3, 1, 0, 0, 0));
	usleep(100000);
	ASSERT_OK(kipc_stat(fd, &st));
	ASSERT_EQ(st.blocked_receivers, 1);
	ASSERT_OK(kipc_send(fd, "two", 3, 2, 0, 0, 0));
	reap_ok(pid);
	ASSERT_OK(kipc_stat(fd, &st));
	ASSERT_EQ(st.depth, 1);
	ASSERT_OK(kipc_destroy(fd));
}

/*
 * A child that receives (or peeks) one message of @type, expecting @text;
 * it blocks without a timeout (one would wake it to find the message and
 * hide a lost wake-up). Exit status 0 when it got @text.
 */
static pid_t receiver(const char *name, uint32_t type, uint32_t flags,
		      const char *text)
{
	pid_t pid = fork_child();

	if (!pid) {
		char buf[16] = "";
		struct kipc_msg m = { .buf = (uintptr_t)buf, .len = sizeof(buf),
				      .type = type, .flags = flags };
		int ret = kipc_recv_msg(attach(name), &m);

		_exit(ret || m.len != strlen(text) || memcmp(buf, text, m.len));
	}
	return pid;
}

/* The exit status of @pid, or -1 (and it is killed) if it takes over 2 s. */
static int reap_within_2s(pid_t pid)
{
	int status;

	for (int i = 0; i < 200; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* A send wakes one receiver; one that only peeks must pass it on. */
TEST(peeking_waiter_passes_the_wakeup_on)
{
	const char *name = uniq("peekwake");
	int fd = new_mbox(name, NULL);
	pid_t peeker, taker;

	peeker = receiver(name, 0, KIPC_RECV_PEEK, "mail");
	wait_blocked(fd, 1, 0);
	taker = receiver(name, 0, 0, "mail");
	wait_blocked(fd, 2, 0);
	ASSERT_OK(kipc_send(fd, "mail", 4, 0, 0, 0, 0));
	ASSERT_EQ(reap_within_2s(peeker), 0);
	ASSERT_EQ(reap_within_2s(taker), 0);
	ASSERT_OK(kipc_destroy(fd));
}

/*
 * The receiver woken for a type-5 message takes the type-9 one of higher
 * priority that came in the same SENDV; the type-5 waiter must still hear.
 */
TEST(typed_waiter_hears_of_a_message_another_was_woken_for)
{
	const char *name = uniq("passon");
	int fd = new_mbox(name, NULL);
	struct kipc_msg ms[2] = {
		{ .buf = (uintptr_t)"five", .len = 4, .type = 5, .priority = 0 },
		{ .buf = (uintptr_t)"nine", .len = 4, .type = 9, .priority = 1 },
	};
	pid_t any, five;

	any = receiver(name, 0, 0, "nine");
	wait_blocked(fd, 1, 0);
	five = receiver(name, 5, 0, "five");
	wait_blocked(fd, 2, 0);
	ASSERT_EQ(kipc_sendv(fd, ms, 2, 0, 0), 2);
	ASSERT_EQ(reap_within_2s(any), 0);
	ASSERT_EQ(reap_within_2s(five), 0);
	ASSERT_OK(kipc_destroy(fd));
}
