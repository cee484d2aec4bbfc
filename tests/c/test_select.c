// SPDX-License-Identifier: GPL-2.0
/*
 * The queue index: receive selections (type, lowest type <= T, any type
 * but T) with priorities 0..32767, wake-ups of typed receivers behind a
 * deep queue, senders passing on room they could not use, and blocked
 * calls that survive a stop and continue.
 */
#include <pthread.h>
#include <poll.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/ptrace.h>

#include "util.h"

static void send_tp(int fd, const char *text, uint32_t type, uint32_t prio)
{
	ASSERT_OK(kipc_send(fd, text, strlen(text), type, prio, 0, 0));
}

/* Receives with @flags and @type and expects @text (or EAGAIN if NULL). */
static void expect_sel(int fd, uint32_t flags, uint32_t type, const char *text)
{
	char buf[64] = { 0 };
	struct kipc_msg m = {
		.buf = (uintptr_t)buf, .len = sizeof(buf),
		.flags = flags | KIPC_NONBLOCK, .type = type,
	};

	if (!text) {
		ASSERT_ERR(kipc_recv_msg(fd, &m), EAGAIN);
		return;
	}
	ASSERT_OK(kipc_recv_msg(fd, &m));
	if (m.len != strlen(text) || memcmp(buf, text, m.len))
		FAIL("flags %#x type %u: got '%.*s', expected '%s'", flags, type,
		     (int)m.len, buf, text);
}

TEST(lowest_type_at_or_below_t_first_by_priority)
{
	int fd = new_mbox(uniq("le"), NULL);

	send_tp(fd, "t5", 5, 0);
	send_tp(fd, "t3a", 3, 0);
	send_tp(fd, "t9", 9, 100);
	send_tp(fd, "t3b", 3, 32767);
	send_tp(fd, "t3c", 3, 32767);
	/* Lowest type <= 4 is 3; within it the highest priority, then FIFO. */
	expect_sel(fd, KIPC_RECV_TYPE_LE, 4, "t3b");
	expect_sel(fd, KIPC_RECV_TYPE_LE, 4, "t3c");
	expect_sel(fd, KIPC_RECV_TYPE_LE, 4, "t3a");
	expect_sel(fd, KIPC_RECV_TYPE_LE, 4, NULL);
	expect_sel(fd, KIPC_RECV_TYPE_LE, 2, NULL);
	/* Not the highest priority (t9) but the lowest type (t5). */
	expect_sel(fd, KIPC_RECV_TYPE_LE, 0xffffffffu, "t5");
	expect_sel(fd, KIPC_RECV_TYPE_LE, 9, "t9");
	ASSERT_OK(kipc_destroy(fd));
}

TEST(any_type_but_t_first_by_priority)
{
	int fd = new_mbox(uniq("not"), NULL);

	send_tp(fd, "a1", 1, 7);
	send_tp(fd, "b1", 2, 0);
	send_tp(fd, "a2", 1, 9);
	send_tp(fd, "c1", 3, 5);
	send_tp(fd, "b2", 2, 5);
	expect_sel(fd, KIPC_RECV_TYPE_NOT, 1, "c1");	/* prio 5, older than b2 */
	expect_sel(fd, KIPC_RECV_TYPE_NOT, 1, "b2");
	expect_sel(fd, KIPC_RECV_TYPE_NOT, 1, "b1");
	expect_sel(fd, KIPC_RECV_TYPE_NOT, 1, NULL);
	expect_sel(fd, KIPC_RECV_TYPE_NOT, 2, "a2");
	expect_sel(fd, KIPC_RECV_TYPE_NOT, 0, "a1");
	expect_sel(fd, KIPC_RECV_TYPE_NOT, 0, NULL);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(selections_check_their_flags)
{
	char buf[8];
	struct kipc_msg m = { .buf = (uintptr_t)buf, .len = sizeof(buf),
			      .flags = KIPC_RECV_SELECT | KIPC_NONBLOCK };
	struct kipc_msg v[1] = { { .buf = (uintptr_t)buf, .len = sizeof(buf),
				   .flags = KIPC_RECV_SELECT } };
	int fd = new_mbox(uniq("selflags"), NULL);

	send_tp(fd, "x", 1, 0);
	ASSERT_ERR(kipc_recv_msg(fd, &m), EINVAL);
	ASSERT_ERR(kipc_recvv(fd, v, 1, KIPC_NONBLOCK, 0), EINVAL);
	/* A batch entry may select: the lowest type <= 1 is there. */
	v[0].flags = KIPC_RECV_TYPE_LE;
	v[0].type = 1;
	ASSERT_EQ(kipc_recvv(fd, v, 1, KIPC_NONBLOCK, 0), 1);
	ASSERT_EQ(v[0].type, 1);
	ASSERT_OK(kipc_destroy(fd));
}

/* Every priority from 0 to 32767 comes out highest first. */
TEST(all_priorities_order)
{
	struct kipc_create_opts o = { .capacity = 4096,
				      .capacity_bytes = 1 << 20 };
	int fd = new_mbox(uniq("prios"), &o);
	struct kipc_msg m = { 0 };
	uint32_t p, last = 32768;

	for (p = 0; p < 4096; p++)
		ASSERT_OK(kipc_send(fd, "", 0, 1, (p * 7919) % 32768, 0, 0));
	for (p = 0; p < 4096; p++) {
		m.flags = KIPC_NONBLOCK;
		m.type = 0;
		ASSERT_OK(kipc_recv_msg(fd, &m));
		ASSERT_TRUE(m.priority < last);
		last = m.priority;
	}
	ASSERT_OK(kipc_destroy(fd));
}

struct typed_rx {
	const char *name;
	uint32_t type, flags;
	int got;			/* 0: nothing yet; else the type received */
	int err;
};

static void *typed_rx_thread(void *arg)
{
	struct typed_rx *r = arg;
	struct kipc_msg m = { .flags = r->flags, .type = r->type,
			      .timeout_ns = 30000000000ull };
	int fd = attach(r->name);

	if (kipc_recv_msg(fd, &m) < 0)
		r->err = errno;
	else
		r->got = m.type;
	close(fd);
	return NULL;
}

/*
 * Defect 1 of issue 13: with a deep queue of one type, every send woke
 * through a scan of the queue for each blocked receiver. Each typed
 * receiver must get exactly the one message meant for it.
 */
#define DEEP	20000
#define TYPED	200

TEST(typed_receivers_behind_a_deep_queue_each_get_theirs)
{
	struct kipc_create_opts o = { .capacity = DEEP + TYPED + 8,
				      .capacity_bytes = 8 << 20 };
	const char *name = uniq("deep");
	int fd = new_mbox(name, &o);
	static struct typed_rx rx[TYPED + 2];
	static struct kipc_msg batch[KIPC_BATCH_MAX];
	pthread_t th[TYPED + 2];
	struct kipc_stat st;
	int i, n;

	for (i = 0; i < KIPC_BATCH_MAX; i++)
		batch[i] = (struct kipc_msg){ .type = 1 };
	for (n = 0; n < DEEP; n += KIPC_BATCH_MAX)
		ASSERT_EQ(kipc_sendv(fd, batch, KIPC_BATCH_MAX, 0, 0),
			  KIPC_BATCH_MAX);
	for (i = 0; i < TYPED; i++)
		rx[i] = (struct typed_rx){ .name = name, .type = 1000 + i };
	/* Lowest type <= 0 and "anything but 1" match nothing queued. */
	rx[TYPED] = (struct typed_rx){ .name = name, .type = 0,
				       .flags = KIPC_RECV_TYPE_LE };
	rx[TYPED + 1] = (struct typed_rx){ .name = name, .type = 1,
					   .flags = KIPC_RECV_TYPE_NOT };
	for (i = 0; i < TYPED + 2; i++)
		ASSERT_OK(pthread_create(&th[i], NULL, typed_rx_thread, &rx[i]));
	wait_blocked(fd, TYPED + 2, 0);

	/*
	 * Type 2 can only be for the NOT-1 receiver; then type 0 only for
	 * the LE-0 one; then each typed receiver's own.
	 */
	ASSERT_OK(kipc_send(fd, "", 0, 2, 0, 0, 0));
	wait_blocked(fd, TYPED + 1, 0);
	ASSERT_OK(kipc_send(fd, "", 0, 0, 0, 0, 0));
	wait_blocked(fd, TYPED, 0);
	for (i = TYPED - 1; i >= 0; i--)
		ASSERT_OK(kipc_send(fd, "", 0, 1000 + i, i % 3, 0, 0));
	for (i = 0; i < TYPED + 2; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < TYPED; i++) {
		ASSERT_EQ(rx[i].err, 0);
		ASSERT_EQ(rx[i].got, 1000 + i);
	}
	ASSERT_EQ(rx[TYPED].err, 0);
	ASSERT_EQ(rx[TYPED].got, 0);
	ASSERT_EQ(rx[TYPED + 1].err, 0);
	ASSERT_EQ(rx[TYPED + 1].got, 2);
	ASSERT_OK(kipc_stat(fd, &st));
	ASSERT_EQ(st.depth, n);
	ASSERT_EQ(st.blocked_receivers, 0);
	ASSERT_OK(kipc_destroy(fd));
}

/*
 * A receiver woken for a message it then does not take (it peeks) passes
 * the wake-up on: the receiver behind it, which wants the same type, gets
 * the message without any further send.
 */
TEST(peeker_passes_its_wakeup_on)
{
	const char *name = uniq("passon");
	int fd = new_mbox(name, NULL), peeker;
	struct typed_rx r = { .name = name, .type = 4 };
	pthread_t th;
	pid_t pid;

	pid = fork_child();
	if (!pid) {
		struct kipc_msg m = { .flags = KIPC_RECV_PEEK | KIPC_RECV_TRUNCATE,
				      .type = 4 };

		peeker = attach(name);
		_exit(kipc_recv_msg(peeker, &m) < 0 || m.type != 4);
	}
	wait_blocked(fd, 1, 0);
	ASSERT_OK(pthread_create(&th, NULL, typed_rx_thread, &r));
	wait_blocked(fd, 2, 0);
	send_tp(fd, "", 4, 0);
	pthread_join(th, NULL);
	reap_ok(pid);
	ASSERT_EQ(r.err, 0);
	ASSERT_EQ(r.got, 4);
	ASSERT_OK(kipc_destroy(fd));
}

struct tx {
	const char *name;
	uint32_t len;
	uint64_t timeout_ns;
	int err;
};

static void *tx_thread(void *arg)
{
	static char big[2048];
	struct tx *t = arg;
	int fd = attach(t->name);

	if (kipc_send(fd, big, t->len, 0, 0, 0, t->timeout_ns) < 0)
		t->err = errno;
	close(fd);
	return NULL;
}

static volatile int hog_run, hog_on;

/* Keeps CPU 1 busy at real-time priority: nothing else runs there. */
static void *hog_thread(void *arg)
{
	struct sched_param sp = { .sched_priority = 50 };

	(void)arg;
	if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp))
		return NULL;
	hog_on = 1;
	while (hog_run)
		;
	return NULL;
}

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		FAIL("sched_setaffinity: %s", strerror(errno));
}

/*
 * Defect 5 of issue 13: a sender woken for room that another sender took
 * first went back to sleep without passing the room on, and a smaller
 * sender behind it slept with room available until its timeout. Here the
 * woken sender (995 bytes) cannot run, its CPU held by a real-time hog,
 * until a fresh sender has taken the room; the 10-byte sender behind it
 * must then get in.
 */
TEST(sender_woken_for_taken_room_passes_it_on)
{
	struct kipc_create_opts o = { .capacity = 16, .capacity_bytes = 2000,
				      .max_msg_size = 1000 };
	const char *name = uniq("sroom");
	int fd = new_mbox(name, &o), status, rt;
	static char buf[2048];
	struct tx small = { .name = name, .len = 10,
			    .timeout_ns = 5000000000ull };
	struct kipc_stat st;
	pthread_t th, hog;
	FILE *f;
	pid_t big;

	ASSERT_GE(sysconf(_SC_NPROCESSORS_ONLN), 2);
	/* No real-time throttling: the hog must keep CPU 1 to itself. */
	f = fopen("/proc/sys/kernel/sched_rt_runtime_us", "r+");
	ASSERT_TRUE(f && fscanf(f, "%d", &rt) == 1);
	rewind(f);
	fprintf(f, "-1\n");
	fflush(f);
	pin_to_cpu(0);

	ASSERT_OK(kipc_send(fd, buf, 1000, 0, 0, 0, 0));
	ASSERT_OK(kipc_send(fd, buf, 1000, 0, 0, 0, 0));
	big = fork_child();
	if (!big) {
		struct tx t = { .name = name, .len = 995 };

		pin_to_cpu(1);
		tx_thread(&t);
		_exit(t.err);
	}
	wait_blocked(fd, 0, 1);
	ASSERT_OK(pthread_create(&th, NULL, tx_thread, &small));
	wait_blocked(fd, 0, 2);

	hog_run = 1;
	{
		pthread_attr_t attr;
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(1, &set);
		pthread_attr_init(&attr);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		ASSERT_OK(pthread_create(&hog, &attr, hog_thread, NULL));
	}
	while (!hog_on)
		usleep(1000);
	/* The big sender is woken for 1000 bytes but cannot run... */
	ASSERT_EQ(kipc_recv(fd, buf, sizeof(buf), 0, 0, 0), 1000);
	/* ...so a fresh sender takes 990 of them, leaving room for 10. */
	ASSERT_OK(kipc_send(fd, buf, 990, 0, 0, KIPC_NONBLOCK, 0));
	hog_run = 0;
	pthread_join(hog, NULL);

	pthread_join(th, NULL);
	ASSERT_EQ(small.err, 0);
	ASSERT_OK(kipc_stat(fd, &st));
	ASSERT_EQ(st.bytes, 1000 + 990 + 10);
	ASSERT_EQ(st.blocked_senders, 1);
	ASSERT_OK(kipc_destroy(fd));
	status = reap(big);
	ASSERT_EQ(WEXITSTATUS(status), EIDRM);
	rewind(f);
	fprintf(f, "%d\n", rt);
	fclose(f);
}

/*
 * Defect 8 of issue 13: a stop and continue (or a ptrace attach, or the
 * freezer) must not end a blocked call with EINTR; it goes on waiting,
 * with what is left of its timeout.
 */
/* It is still blocked: one message, and it must exit 0, having got it. */
static void expect_still_receiving(int fd, pid_t pid)
{
	wait_blocked(fd, 1, 0);
	ASSERT_OK(sendstr(fd, "ok", 0));
	reap_ok(pid);
}

TEST(stop_and_continue_do_not_interrupt_a_blocked_receive)
{
	const char *name = uniq("stopcont");
	int fd = new_mbox(name, NULL), status;
	pid_t pid = fork_blocked_receiver(name, fd, 2);

	ASSERT_OK(kill(pid, SIGSTOP));
	ASSERT_EQ(waitpid(pid, &status, WUNTRACED), pid);
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_OK(kill(pid, SIGCONT));
	expect_still_receiving(fd, pid);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(ptrace_attach_and_detach_do_not_interrupt_a_blocked_receive)
{
	const char *name = uniq("ptrace");
	int fd = new_mbox(name, NULL), status;
	pid_t pid = fork_blocked_receiver(name, fd, 2);

	ASSERT_OK(ptrace(PTRACE_ATTACH, pid, NULL, NULL));
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_OK(ptrace(PTRACE_DETACH, pid, NULL, NULL));
	expect_still_receiving(fd, pid);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(restarted_receive_keeps_what_is_left_of_its_timeout)
{
	const char *name = uniq("stoptmo");
	int fd = new_mbox(name, NULL), status;
	struct kipc_msg *m;
	pid_t pid;

	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_TRUE(m != MAP_FAILED);
	pid = fork_child();
	if (!pid) {
		int h = attach(name);

		m->timeout_ns = 3000000000ull;
		_exit(-kipc_recv_msg(h, m));
	}
	wait_blocked(fd, 1, 0);
	ASSERT_OK(kill(pid, SIGSTOP));
	ASSERT_EQ(waitpid(pid, &status, WUNTRACED), pid);
	ASSERT_OK(kill(pid, SIGCONT));
	status = reap(pid);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), ETIMEDOUT);
	/* The restarted call read back what was left, not the 3 s again. */
	ASSERT_TRUE(m->timeout_ns > 0 && m->timeout_ns < 3000000000ull);
	ASSERT_OK(kipc_destroy(fd));
}

/*
 * The index against a model: random sends (types 0..7, a few priorities
 * including the extremes) and random non-blocking receives with every
 * selection; each receive must return exactly the message the model picks
 * (highest priority, then oldest, among those the selection admits).
 */
struct model_msg {
	uint32_t type, prio;
	uint64_t seq;
	int live;
};

static int model_admits(uint32_t sel, uint32_t t, uint32_t type, uint32_t low)
{
	if (sel == KIPC_RECV_TYPE_LE)
		return type == low && type <= t;
	if (sel == KIPC_RECV_TYPE_NOT)
		return type != t;
	return !t || type == t;
}

TEST(selections_agree_with_a_model)
{
	static struct model_msg q[4096];
	static const uint32_t prios[] = { 0, 1, 2, 16384, 32767 };
	static const uint32_t sels[] = { 0, KIPC_RECV_TYPE_LE, KIPC_RECV_TYPE_NOT };
	struct kipc_create_opts o = { .capacity = 4096,
				      .capacity_bytes = 1 << 20 };
	int fd = new_mbox(uniq("model"), &o), nq = 0, step;
	unsigned int seed = 12345;

	for (step = 0; step < 20000; step++) {
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 2 && nq < 4096) {
			struct kipc_msg m = { .type = (seed >> 8) % 8,
					      .priority = prios[(seed >> 4) % 5] };

			ASSERT_OK(kipc_send_msg(fd, &m));
			q[nq++] = (struct model_msg){ m.type, m.priority, m.seq, 1 };
			continue;
		}
		uint32_t sel = sels[(seed >> 4) % 3], t = (seed >> 8) % 9;
		uint32_t low = UINT32_MAX;
		int best = -1;

		for (int i = 0; i < nq; i++)
			if (q[i].live && q[i].type < low)
				low = q[i].type;
		for (int i = 0; i < nq; i++) {
			if (!q[i].live || !model_admits(sel, t, q[i].type, low))
				continue;
			if (best < 0 || q[i].prio > q[best].prio)
				best = i;	/* seq order: the first of a prio wins */
		}
		struct kipc_msg m = { .flags = sel | KIPC_NONBLOCK, .type = t };
		int ret = kipc_recv_msg(fd, &m);

		if (best < 0) {
			ASSERT_ERR(ret, EAGAIN);
			continue;
		}
		ASSERT_OK(ret);
		if (m.seq != q[best].seq)
			FAIL("step %d: sel %#x t %u got seq %llu, model %llu", step,
			     sel, t, (unsigned long long)m.seq,
			     (unsigned long long)q[best].seq);
		q[best].live = 0;
		/* Compact now and then. */
		if (step % 512 == 0) {
			int j = 0;

			for (int i = 0; i < nq; i++)
				if (q[i].live)
					q[j++] = q[i];
			nq = j;
		}
	}
	ASSERT_OK(kipc_destroy(fd));
}

/* Item 10 of issue 13: room freed in a full mailbox tells O_ASYNC owners. */
TEST(room_again_sends_poll_out_to_async_owners)
{
	struct kipc_create_opts o = { .capacity = 1 };
	int fd = new_mbox(uniq("pollout"), &o), sig = SIGRTMIN + 3;
	struct timespec ts = { .tv_sec = 2 };
	char buf[8];
	siginfo_t si;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	ASSERT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	ASSERT_OK(fcntl(fd, F_SETOWN, getpid()));
	ASSERT_OK(fcntl(fd, F_SETSIG, sig));
	ASSERT_OK(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC));
	ASSERT_OK(sendstr(fd, "full", 0));
	ASSERT_EQ(sigtimedwait(&set, &si, &ts), sig);
	ASSERT_EQ(si.si_code, POLL_IN);
	ASSERT_EQ(kipc_recv(fd, buf, sizeof(buf), 0, 0, 0), 4);
	ASSERT_EQ(sigtimedwait(&set, &si, &ts), sig);
	ASSERT_EQ(si.si_code, POLL_OUT);
	ASSERT_EQ(si.si_fd, fd);
	ASSERT_EQ(si.si_band & POLLOUT, POLLOUT);
	ASSERT_OK(kipc_destroy(fd));
}
