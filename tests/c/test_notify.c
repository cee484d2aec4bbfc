// SPDX-License-Identifier: GPL-2.0
/* Notification: signals, poll/epoll, fasync, and the kipc:* tracepoints. */
#include <poll.h>
#include <sys/epoll.h>

#include "util.h"

/* Blocks @signo and returns the set for sigtimedwait(). */
static sigset_t block(int signo)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, signo);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return set;
}

/* The next @signo within @ms, or 0 if none came. */
static int next_signal(const sigset_t *set, siginfo_t *si, int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	memset(si, 0, sizeof(*si));
	return sigtimedwait(set, si, &ts) > 0 ? si->si_signo : 0;
}

TEST(signal_carries_exact_siginfo)
{
	struct kipc_create_opts o = { .mode = 0666 };
	const char *name = uniq("sig");
	sigset_t set = block(SIGRTMIN + 1);
	int fd = new_mbox(name, &o), status;
	struct kipc_stat st;
	siginfo_t si;
	pid_t pid;

	ASSERT_OK(kipc_notify(fd, SIGRTMIN + 1, 0));
	ASSERT_OK(kipc_stat(fd, &st));
	ASSERT_EQ(st.notify_count, 1);
	pid = fork();
	if (!pid) {
		become(1000, 1000);
		_exit(sendstr(attach(name), "ding", 0) ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	ASSERT_EQ(status, 0);
	ASSERT_EQ(next_signal(&set, &si, 5000), SIGRTMIN + 1);
	ASSERT_EQ(si.si_code, SI_MESGQ);
	ASSERT_EQ(si.si_value.sival_int, st.id);
	ASSERT_EQ(si.si_pid, pid);
	ASSERT_EQ(si.si_uid, 1000);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(persistent_fires_per_message_oneshot_once)
{
	sigset_t set = block(SIGUSR1);
	const char *name = uniq("once");
	int fd = new_mbox(name, NULL), other = attach(name);
	siginfo_t si;

	ASSERT_OK(kipc_notify(fd, SIGUSR1, 0));
	ASSERT_OK(kipc_notify(other, SIGUSR2, KIPC_NOTIFY_ONESHOT));
	block(SIGUSR2);
	sigaddset(&set, SIGUSR2);
	for (int i = 0; i < 3; i++)
		ASSERT_OK(sendstr(fd, "m", 0));
	/* Standard signals do not queue: count them one message at a time. */
	int usr1 = 0, usr2 = 0;

	for (int sig; (sig = next_signal(&set, &si, 300));)
		sig == SIGUSR1 ? usr1++ : usr2++;
	ASSERT_EQ(usr2, 1);
	ASSERT_GE(usr1, 1);
	for (int i = 0; i < 3; i++) {
		ASSERT_OK(sendstr(fd, "m", 0));
		ASSERT_EQ(next_signal(&set, &si, 2000), SIGUSR1);
	}
	ASSERT_EQ(next_signal(&set, &si, 200), 0);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(realtime_signals_queue_one_per_message)
{
	sigset_t set = block(SIGRTMIN);
	int fd = new_mbox(uniq("rt"), NULL);
	siginfo_t si;
	int n = 0;

	ASSERT_OK(kipc_notify(fd, SIGRTMIN, 0));
	for (int i = 0; i < 10; i++)
		ASSERT_OK(sendstr(fd, "m", 0));
	while (next_signal(&set, &si, 300))
		n++;
	ASSERT_EQ(n, 10);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(edge_fires_only_on_empty_to_nonempty)
{
	sigset_t set = block(SIGRTMIN);
	int fd = new_mbox(uniq("edge"), NULL);
	char buf[4];
	siginfo_t si;
	int n = 0;

	ASSERT_OK(kipc_notify(fd, SIGRTMIN, KIPC_NOTIFY_EDGE));
	for (int i = 0; i < 5; i++)
		ASSERT_OK(sendstr(fd, "m", 0));
	while (next_signal(&set, &si, 300))
		n++;
	ASSERT_EQ(n, 1);
	for (int i = 0; i < 5; i++)
		ASSERT_EQ(kipc_recv(fd, buf, 4, 0, 0, 0), 1);
	ASSERT_OK(sendstr(fd, "m", 0));
	ASSERT_OK(sendstr(fd, "m", 0));
	ASSERT_EQ(next_signal(&set, &si, 2000), SIGRTMIN);
	ASSERT_EQ(next_signal(&set, &si, 200), 0);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(three_registrants_all_get_it)
{
	const char *name = uniq("three");
	int fd = new_mbox(name, NULL), status;
	pid_t pids[3];
	int pipes[3][2];

	for (int i = 0; i < 3; i++) {
		ASSERT_OK(pipe(pipes[i]));
		pids[i] = fork();
		if (!pids[i]) {
			sigset_t set = block(SIGRTMIN);
			siginfo_t si;
			int h = attach(name);

			if (kipc_notify(h, SIGRTMIN, 0))
				_exit(2);
			write(pipes[i][1], "r", 1);
			_exit(next_signal(&set, &si, 10000) == SIGRTMIN &&
			      si.si_pid == getppid() ? 0 : 1);
		}
		char c;

		ASSERT_EQ(read(pipes[i][0], &c, 1), 1);
	}
	ASSERT_OK(sendstr(fd, "all", 0));
	for (int i = 0; i < 3; i++) {
		waitpid(pids[i], &status, 0);
		ASSERT_EQ(status, 0);
	}
	ASSERT_OK(kipc_destroy(fd));
}

TEST(closed_or_exited_registrant_is_dropped)
{
	const char *name = uniq("drop");
	int fd = new_mbox(name, NULL), h, status;
	struct kipc_stat st;
	pid_t pid;

	h = attach(name);
	ASSERT_OK(kipc_notify(h, SIGUSR1, 0));
	close(h);
	pid = fork();
	if (!pid) {
		/* Exits with the registration; SIGUSR1 would kill it. */
		_exit(kipc_notify(attach(name), SIGUSR1, 0) ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	ASSERT_EQ(status, 0);
	ASSERT_OK(kipc_stat(fd, &st));
	ASSERT_EQ(st.notify_count, 0);
	/* Nobody is left to signal: this must not kill us either. */
	ASSERT_OK(sendstr(fd, "nobody", 0));
	ASSERT_OK(kipc_destroy(fd));
}

TEST(fork_child_does_not_inherit_delivery)
{
	const char *name = uniq("fork");
	int fd = new_mbox(name, NULL), status;
	sigset_t set = block(SIGRTMIN);
	siginfo_t si;
	pid_t pid;

	ASSERT_OK(kipc_notify(fd, SIGRTMIN, 0));
	pid = fork();
	if (!pid) {
		/* The child shares the handle but did not register. */
		ASSERT_OK(sendstr(fd, "from child", 0));
		_exit(next_signal(&set, &si, 300) ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	ASSERT_EQ(status, 0);
	ASSERT_EQ(next_signal(&set, &si, 2000), SIGRTMIN);
	ASSERT_EQ(si.si_pid, pid);
	ASSERT_OK(kipc_destroy(fd));
}

static short poll_one(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

	if (poll(&p, 1, 0) < 0)
		FAIL("poll: %s", strerror(errno));
	return p.revents;
}

TEST(poll_readiness_follows_the_queue)
{
	struct kipc_create_opts o = { .capacity = 2 };
	int fd = new_mbox(uniq("poll"), &o);
	char buf[4];

	ASSERT_EQ(poll_one(new_handle()), POLLERR);
	ASSERT_EQ(poll_one(fd), POLLOUT);
	ASSERT_OK(sendstr(fd, "1", 0));
	ASSERT_EQ(poll_one(fd), POLLIN | POLLOUT);
	ASSERT_OK(sendstr(fd, "2", 0));
	ASSERT_EQ(poll_one(fd), POLLIN);
	ASSERT_EQ(kipc_recv(fd, buf, 4, 0, 0, 0), 1);
	ASSERT_EQ(poll_one(fd), POLLIN | POLLOUT);
	ASSERT_OK(kipc_destroy(fd));
	ASSERT_EQ(poll_one(fd), POLLHUP | POLLERR);
}

TEST(poll_wakes_on_send_and_on_destroy)
{
	const char *name = uniq("pwake");
	int fd = new_mbox(name, NULL), status;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	pid_t pid = fork();

	if (!pid) {
		usleep(100000);
		sendstr(attach(name), "x", 0);
		usleep(100000);
		kipc_destroy(attach(name));
		_exit(0);
	}
	ASSERT_EQ(poll(&p, 1, 10000), 1);
	ASSERT_EQ(p.revents, POLLIN);
	char buf[4];

	ASSERT_EQ(kipc_recv(fd, buf, 4, 0, 0, 0), 1);
	ASSERT_EQ(poll(&p, 1, 10000), 1);
	ASSERT_EQ(p.revents, POLLHUP | POLLERR);
	waitpid(pid, &status, 0);
}

TEST(epoll_edge_and_level_triggered)
{
	int fd = new_mbox(uniq("ep"), NULL);
	int lt = epoll_create1(0), et = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd }, out;

	ASSERT_OK(epoll_ctl(lt, EPOLL_CTL_ADD, fd, &ev));
	ev.events = EPOLLIN | EPOLLET;
	ASSERT_OK(epoll_ctl(et, EPOLL_CTL_ADD, fd, &ev));
	ASSERT_EQ(epoll_wait(lt, &out, 1, 0), 0);
	ASSERT_EQ(epoll_wait(et, &out, 1, 0), 0);
	ASSERT_OK(sendstr(fd, "1", 0));
	ASSERT_EQ(epoll_wait(lt, &out, 1, 0), 1);
	ASSERT_EQ(epoll_wait(lt, &out, 1, 0), 1);
	ASSERT_EQ(epoll_wait(et, &out, 1, 0), 1);
	ASSERT_EQ(epoll_wait(et, &out, 1, 0), 0);
	ASSERT_OK(sendstr(fd, "2", 0));
	ASSERT_EQ(epoll_wait(et, &out, 1, 0), 1);
	ASSERT_OK(kipc_destroy(fd));
}

#define EP_HANDLES 100
#define EP_MSGS 10000

TEST(epoll_over_100_handles_receives_every_message_once)
{
	static unsigned char seen[EP_MSGS];
	int fds[EP_HANDLES], ep = epoll_create1(0), got = 0, status;
	char names[EP_HANDLES][KIPC_NAME_MAX];
	pid_t pid;

	for (int i = 0; i < EP_HANDLES; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };

		snprintf(names[i], sizeof(names[i]), "%s", uniq("ep100"));
		fds[i] = new_mbox(names[i], NULL);
		ASSERT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev));
	}
	pid = fork();
	if (!pid) {
		int out[EP_HANDLES];

		for (int i = 0; i < EP_HANDLES; i++)
			out[i] = attach(names[i]);
		for (uint32_t n = 0; n < EP_MSGS; n++)
			if (kipc_send(out[n % EP_HANDLES], &n, sizeof(n), 0, 0, 0, 0))
				_exit(1);
		_exit(0);
	}
	while (got < EP_MSGS) {
		struct epoll_event evs[16];
		int n = epoll_wait(ep, evs, 16, 20000);

		ASSERT_TRUE(n > 0);
		for (int i = 0; i < n; i++) {
			uint32_t v;
			int fd = fds[evs[i].data.u32];

			while (kipc_recv(fd, &v, sizeof(v), 0, KIPC_NONBLOCK, 0) == sizeof(v)) {
				ASSERT_TRUE(v < EP_MSGS);
				ASSERT_EQ(seen[v], 0);
				ASSERT_EQ(v % EP_HANDLES, evs[i].data.u32);
				seen[v] = 1;
				got++;
			}
		}
	}
	waitpid(pid, &status, 0);
	ASSERT_EQ(status, 0);
	for (int i = 0; i < EP_HANDLES; i++)
		ASSERT_OK(kipc_destroy(fds[i]));
}

TEST(fasync_delivers_sigio_and_chosen_signal)
{
	sigset_t set = block(SIGIO);
	int fd = new_mbox(uniq("async"), NULL);
	siginfo_t si;

	ASSERT_OK(fcntl(fd, F_SETOWN, getpid()));
	ASSERT_OK(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC));
	ASSERT_OK(sendstr(fd, "io", 0));
	ASSERT_EQ(next_signal(&set, &si, 2000), SIGIO);

	set = block(SIGRTMIN + 2);
	ASSERT_OK(fcntl(fd, F_SETSIG, SIGRTMIN + 2));
	ASSERT_OK(sendstr(fd, "rt", 0));
	ASSERT_EQ(next_signal(&set, &si, 2000), SIGRTMIN + 2);
	ASSERT_EQ(si.si_fd, fd);
	ASSERT_EQ(si.si_band & POLLIN, POLLIN);
	ASSERT_OK(kipc_destroy(fd));
	/* A handle not attached has no mailbox to watch. */
	int h = new_handle();

	ASSERT_OK(fcntl(h, F_SETOWN, getpid()));
	ASSERT_SYSERR(fcntl(h, F_SETFL, O_ASYNC), ENOTCONN);
}

static void write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(s, f) < 0 || fclose(f))
		FAIL("write %s: %s", path, strerror(errno));
}

TEST(tracepoints_show_block_then_wake)
{
	const char *tr = "/sys/kernel/tracing";
	const char *name = uniq("trace");
	int fd = new_mbox(name, NULL), status;
	char path[256], line[512], want_block[64], want_wake[64];
	bool block = false, wake = false, send = false, recv = false;
	pid_t pid;
	FILE *f;

	snprintf(path, sizeof(path), "%s/events/kipc/enable", tr);
	write_file(path, "1");
	snprintf(path, sizeof(path), "%s/trace", tr);
	write_file(path, "");
	pid = fork();
	if (!pid) {
		char buf[8];

		_exit(kipc_recv(attach(name), buf, sizeof(buf), 0, 0, 0) == 4 ? 0 : 1);
	}
	wait_blocked(fd, 1, 0);
	ASSERT_OK(sendstr(fd, "ping", 0));
	waitpid(pid, &status, 0);
	ASSERT_EQ(status, 0);
	snprintf(path, sizeof(path), "%s/events/kipc/enable", tr);
	write_file(path, "0");

	snprintf(want_block, sizeof(want_block), "pid=%d op=recv", pid);
	snprintf(want_wake, sizeof(want_wake), "pid=%d op=recv err=0", pid);
	snprintf(path, sizeof(path), "%s/trace", tr);
	f = fopen(path, "r");
	ASSERT_TRUE(f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "kipc_block:") && strstr(line, want_block))
			block = true;
		if (strstr(line, "kipc_wake:") && strstr(line, want_wake))
			wake = block;	/* only counts after the block */
		if (strstr(line, "kipc_send:") && strstr(line, "len=4"))
			send = true;
		if (strstr(line, "kipc_recv:") && strstr(line, "len=4") &&
		    strstr(line, "seq=1"))
			recv = send;
	}
	fclose(f);
	ASSERT_TRUE(block);
	ASSERT_TRUE(wake);
	ASSERT_TRUE(send);
	ASSERT_TRUE(recv);
	ASSERT_OK(kipc_destroy(fd));
}
