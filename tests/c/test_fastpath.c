// SPDX-License-Identifier: GPL-2.0
/*
 * The fast paths: read(2) and write(2) on a handle, one message each, and a
 * message handed straight to a receiver already blocked for it. Each keeps
 * every guarantee of the ordinary path: the header, the errors, and nothing
 * lost when a copy faults.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "util.h"

TEST(write_sends_one_message_with_a_full_header)
{
	uint64_t before = now_ns();
	char buf[16] = { 0 };
	struct kipc_msg m = { .buf = (uintptr_t)buf, .len = sizeof(buf) };
	int fd = new_mbox(uniq("write"), NULL);

	ASSERT_EQ(write(fd, "hello", 5), 5);
	ASSERT_EQ(write(fd, "", 0), 0);
	ASSERT_EQ(stat_of(fd).depth, 2);
	ASSERT_OK(kipc_recv_msg(fd, &m));
	ASSERT_EQ(m.len, 5);
	ASSERT_TRUE(!memcmp(buf, "hello", 5));
	ASSERT_EQ(m.type, 0);
	ASSERT_EQ(m.priority, 0);
	ASSERT_EQ(m.seq, 1);
	ASSERT_EQ(m.sender_pid, getpid());
	ASSERT_EQ(m.sender_uid, getuid());
	ASSERT_TRUE(m.timestamp_ns >= before && m.timestamp_ns <= now_ns());
	/* A write of nothing is a message of nothing, as in a SEQPACKET socket. */
	m = (struct kipc_msg){ .buf = (uintptr_t)buf, .len = sizeof(buf) };
	ASSERT_OK(kipc_recv_msg(fd, &m));
	ASSERT_EQ(m.len, 0);
	ASSERT_EQ(m.seq, 2);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(read_takes_the_best_message_whole_or_fails_with_emsgsize)
{
	char buf[64];
	int fd = new_mbox(uniq("read"), NULL);

	ASSERT_OK(kipc_send(fd, "low", 3, 1, 1, 0, 0));
	ASSERT_OK(kipc_send(fd, "high", 4, 7, 5, 0, 0));
	ASSERT_EQ(read(fd, buf, sizeof(buf)), 4);
	ASSERT_TRUE(!memcmp(buf, "high", 4));
	/* Too small: EMSGSIZE, as mq_receive(), and the message stays. */
	ASSERT_SYSERR(read(fd, buf, 2), EMSGSIZE);
	ASSERT_EQ(stat_of(fd).depth, 1);
	ASSERT_EQ(stat_of(fd).dropped, 0);
	ASSERT_EQ(read(fd, buf, 3), 3);
	ASSERT_TRUE(!memcmp(buf, "low", 3));
	ASSERT_EQ(stat_of(fd).received, 2);
	/* Empty: O_NONBLOCK on the handle says EAGAIN. */
	ASSERT_EQ(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	ASSERT_SYSERR(read(fd, buf, sizeof(buf)), EAGAIN);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(read_and_write_fail_as_receive_and_send_do)
{
	struct kipc_create_opts o = { .max_msg_size = 16, .mode = 0622 };
	const char *name = uniq("rwerr");
	char big[17] = { 0 }, buf[32];
	int fd = new_handle(), mb;

	ASSERT_SYSERR(write(fd, "x", 1), ENOTCONN);
	ASSERT_SYSERR(read(fd, buf, sizeof(buf)), ENOTCONN);
	close(fd);

	mb = new_mbox(name, &o);
	ASSERT_SYSERR(write(mb, big, sizeof(big)), EMSGSIZE);
	ASSERT_EQ(stat_of(mb).sent, 0);
	/* Another user may write (w for other), not read. */
	IN_CHILD_AS(65534, 65534) {
		int h = attach(name);

		ASSERT_EQ(write(h, "ok", 2), 2);
		ASSERT_SYSERR(read(h, buf, sizeof(buf)), EACCES);
	}
	ASSERT_EQ(stat_of(mb).depth, 1);
	fd = attach(name);
	ASSERT_OK(kipc_destroy(mb));
	ASSERT_SYSERR(write(fd, "x", 1), EIDRM);
	ASSERT_SYSERR(read(fd, buf, sizeof(buf)), EIDRM);
}

TEST(readv_and_writev_fail_with_einval_moving_nothing)
{
	char a[4], b[4];
	struct iovec iov[2] = { { "xx", 2 }, { "yy", 2 } };
	struct iovec rv[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	int fd = new_mbox(uniq("iov"), NULL);

	ASSERT_SYSERR(writev(fd, iov, 2), EINVAL);
	ASSERT_SYSERR(writev(fd, iov, 1), EINVAL);
	ASSERT_EQ(stat_of(fd).sent, 0);
	ASSERT_OK(sendstr(fd, "msg", 0));
	ASSERT_SYSERR(readv(fd, rv, 2), EINVAL);
	ASSERT_EQ(stat_of(fd).depth, 1);
	ASSERT_OK(kipc_destroy(fd));
}

/* Nobody learns of anybody's traffic from a watch on /dev/kipc. */
TEST(read_and_write_make_no_inotify_events)
{
	int fd = new_mbox(uniq("notify"), NULL), in;
	char buf[256];

	in = inotify_init1(IN_NONBLOCK);
	ASSERT_GE(in, 0);
	ASSERT_GE(inotify_add_watch(in, KIPC_DEVICE, IN_ACCESS | IN_MODIFY), 0);
	ASSERT_EQ(write(fd, "hi", 2), 2);
	ASSERT_EQ(read(fd, buf, sizeof(buf)), 2);
	ASSERT_SYSERR(read(in, buf, sizeof(buf)), EAGAIN);
	close(in);
	ASSERT_OK(kipc_destroy(fd));
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
}

/* A blocked read that a signal's handler interrupts goes on (SA_RESTART). */
TEST(a_blocked_read_restarts_after_an_sa_restart_handler)
{
	const char *name = uniq("restart");
	int fd = new_mbox(name, NULL);
	pid_t pid = fork_child();

	if (!pid) {
		struct sigaction sa = { .sa_handler = on_signal,
					.sa_flags = SA_RESTART };
		int h = attach(name);
		char buf[8];

		sigaction(SIGUSR1, &sa, NULL);
		_exit(read(h, buf, sizeof(buf)) == 4 && got_signal &&
		      !memcmp(buf, "late", 4) ? 0 : 1);
	}
	wait_blocked(fd, 1, 0);
	ASSERT_EQ(kill(pid, SIGUSR1), 0);
	usleep(100 * 1000);
	wait_blocked(fd, 1, 0);
	ASSERT_OK(kipc_send(fd, "late", 4, 0, 0, 0, 0));
	reap_ok(pid);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(a_blocked_receiver_is_handed_the_message)
{
	const char *name = uniq("handoff");
	int fd = new_mbox(name, NULL);
	pid_t pid = fork_blocked_receiver_as((uid_t)-1, (gid_t)-1, name, fd,
					     5, "hello");
	struct kipc_stat st;

	ASSERT_OK(kipc_send(fd, "hello", 5, 3, 0, 0, 0));
	reap_ok(pid);
	st = stat_of(fd);
	ASSERT_EQ(st.depth, 0);
	ASSERT_EQ(st.bytes, 0);
	ASSERT_EQ(st.sent, 1);
	ASSERT_EQ(st.received, 1);
	ASSERT_EQ(st.last_receiver_pid, pid);
	ASSERT_EQ(st.blocked_receivers, 0);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(a_blocked_receiver_too_small_for_the_message_leaves_it_queued)
{
	const char *name = uniq("nohandoff");
	char big[100] = "big";
	int fd = new_mbox(name, NULL);
	pid_t pid = fork_blocked_receiver_as((uid_t)-1, (gid_t)-1, name, fd,
					     -EMSGSIZE, NULL);

	ASSERT_OK(kipc_send(fd, big, sizeof(big), 0, 0, 0, 0));
	reap_ok(pid);
	ASSERT_EQ(stat_of(fd).depth, 1);
	ASSERT_EQ(stat_of(fd).received, 0);
	ASSERT_EQ(kipc_recv(fd, big, sizeof(big), 0, 0, 0), (int)sizeof(big));
	ASSERT_OK(kipc_destroy(fd));
}

/*
 * A peeker first in line, a taker behind it. X's send wakes the peeker
 * (which does not take); Y's, right after, must not hand Y to the taker
 * while X, older, is queued: the taker gets X, and Y stays. All on one
 * CPU, the sender SCHED_FIFO, so that nobody it wakes runs between them.
 */
TEST(a_blocked_receiver_is_never_handed_a_message_newer_than_one_queued)
{
	struct sched_param fifo = { .sched_priority = 1 }, other = { 0 };
	const char *name = uniq("order");
	int fd = new_mbox(name, NULL);
	cpu_set_t cpu0;
	char buf[8];
	pid_t peeker, taker;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	ASSERT_EQ(sched_setaffinity(0, sizeof(cpu0), &cpu0), 0);

	peeker = fork_child();
	if (!peeker) {
		int n = kipc_recv(attach(name), buf, sizeof(buf), 0,
				  KIPC_RECV_PEEK, 0);

		_exit(n == 1 && buf[0] == 'X' ? 0 : 1);
	}
	wait_blocked(fd, 1, 0);
	taker = fork_child();
	if (!taker) {
		int n = kipc_recv(attach(name), buf, sizeof(buf), 0, 0, 0);

		_exit(n == 1 && buf[0] == 'X' ? 0 : 1);
	}
	wait_blocked(fd, 2, 0);
	ASSERT_EQ(sched_setscheduler(0, SCHED_FIFO, &fifo), 0);
	ASSERT_OK(kipc_send(fd, "X", 1, 0, 0, 0, 0));
	ASSERT_OK(kipc_send(fd, "Y", 1, 0, 0, 0, 0));
	ASSERT_EQ(sched_setscheduler(0, SCHED_OTHER, &other), 0);
	reap_ok(peeker);
	reap_ok(taker);
	ASSERT_EQ(kipc_recv(fd, buf, sizeof(buf), 0, KIPC_NONBLOCK, 0), 1);
	ASSERT_EQ(buf[0], 'Y');
	ASSERT_OK(kipc_destroy(fd));
}

/* A receiver blocked with its header in a page the main thread seals. */
struct sealed_recv {
	int fd;
	struct kipc_msg *m;	/* at the start of its own page */
	char buf[16];
	int err;
};

static void *sealed_receiver(void *arg)
{
	struct sealed_recv *r = arg;

	r->m->buf = (uintptr_t)r->buf;
	r->m->len = sizeof(r->buf);
	r->err = ioctl(r->fd, KIPC_IOC_RECV, r->m) ? errno : 0;
	return NULL;
}

TEST(a_handed_message_whose_header_cannot_be_written_goes_back)
{
	long page = sysconf(_SC_PAGESIZE);
	const char *name = uniq("sealed");
	int fd = new_mbox(name, NULL), sender = attach(name);
	struct sealed_recv r = { .fd = fd };
	char buf[16] = { 0 };
	pthread_t t;

	r.m = mmap(NULL, page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(r.m != MAP_FAILED);
	memset(r.m, 0, sizeof(*r.m));
	ASSERT_EQ(pthread_create(&t, NULL, sealed_receiver, &r), 0);
	wait_blocked(fd, 1, 0);
	/* The header was read when the call began; now it cannot be written. */
	ASSERT_EQ(mprotect(r.m, page, PROT_READ), 0);
	ASSERT_OK(kipc_send(sender, "kept", 4, 0, 0, 0, 0));
	ASSERT_EQ(pthread_join(t, NULL), 0);
	ASSERT_EQ(r.err, EFAULT);
	ASSERT_EQ(stat_of(fd).depth, 1);
	ASSERT_EQ(stat_of(fd).received, 0);
	ASSERT_EQ(kipc_recv(fd, buf, sizeof(buf), 0, 0, 0), 4);
	ASSERT_TRUE(!memcmp(buf, "kept", 4));
	ASSERT_OK(kipc_destroy(fd));
}
