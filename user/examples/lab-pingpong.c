// SPDX-License-Identifier: GPL-2.0
/*
 * Lab 7: one message there and back, by six IPC mechanisms.
 *
 *   lab-pingpong [ROUNDS] [SIZE]
 *
 * For each mechanism, forks an echo child and times ROUNDS (default 10000)
 * round trips of a SIZE-byte (default 64) message: parent -> child -> parent.
 * Every mechanism but shared memory copies the bytes into the kernel and
 * out again; with shared memory both processes see the same page and only
 * the wake-ups (futexes, under the semaphores) go through the kernel.
 *
 * For a fuller benchmark (throughput, sizes, batching) see `make bench`.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libkipc.h"

#define MAX_SIZE 8192

static int rounds = 10000, size = 64;

static void die(const char *what, int err)
{
	fprintf(stderr, "lab-pingpong: %s: %s\n", what, strerror(err));
	exit(1);
}

/*
 * One mechanism: how to send and receive in each direction. @dir is 0 for
 * parent -> child, 1 for child -> parent.
 */
struct mech {
	const char *name;
	const char *copies;	/* data copies through the kernel per message */
	void (*setup)(void);
	void (*xmit)(int dir, const char *buf);
	void (*rcv)(int dir, char *buf);
	void (*teardown)(void);
};

/* Reads or writes exactly @len bytes of a byte stream. */
static void full_io(int fd, char *buf, size_t len, int wr)
{
	while (len) {
		ssize_t n = wr ? write(fd, buf, len) : read(fd, buf, len);

		if (n <= 0)
			die(wr ? "write" : "read", n ? errno : EPIPE);
		buf += n;
		len -= n;
	}
}

/* ---- pipes: two of them, one per direction */
static int pipes[2][2];
static void pipe_setup(void) { if (pipe(pipes[0]) || pipe(pipes[1])) die("pipe", errno); }
static void pipe_xmit(int dir, const char *b) { full_io(pipes[dir][1], (char *)b, size, 1); }
static void pipe_rcv(int dir, char *b) { full_io(pipes[dir][0], b, size, 0); }
static void pipe_teardown(void)
{
	for (int i = 0; i < 2; i++)
		close(pipes[i][0]), close(pipes[i][1]);
}

/* ---- a UNIX-domain stream socket pair: one connection, both directions */
static int sv[2];
static void sock_setup(void) { if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) die("socketpair", errno); }
/* dir 0: parent writes sv[0], child reads sv[1]; dir 1 the other way */
static void sock_xmit(int dir, const char *b) { full_io(sv[dir], (char *)b, size, 1); }
static void sock_rcv(int dir, char *b) { full_io(sv[!dir], b, size, 0); }
static void sock_teardown(void) { close(sv[0]); close(sv[1]); }

/* ---- a System V message queue: one queue, message type = direction + 1 */
static int msqid;
static struct { long mtype; char mtext[MAX_SIZE]; } sysv_msg;
static void sysv_setup(void) { if ((msqid = msgget(IPC_PRIVATE, 0600)) < 0) die("msgget", errno); }
static void sysv_xmit(int dir, const char *b)
{
	sysv_msg.mtype = dir + 1;
	memcpy(sysv_msg.mtext, b, size);
	if (msgsnd(msqid, &sysv_msg, size, 0))
		die("msgsnd", errno);
}
static void sysv_rcv(int dir, char *b)
{
	if (msgrcv(msqid, &sysv_msg, size, dir + 1, 0) < 0)
		die("msgrcv", errno);
	memcpy(b, sysv_msg.mtext, size);
}
static void sysv_teardown(void) { msgctl(msqid, IPC_RMID, NULL); }

/* ---- two POSIX message queues, one per direction */
static mqd_t mq[2];
static char mq_name[2][32];
static void posix_setup(void)
{
	struct mq_attr attr = { .mq_maxmsg = 8, .mq_msgsize = size };

	for (int i = 0; i < 2; i++) {
		snprintf(mq_name[i], sizeof(mq_name[i]), "/lab7-%d-%d", getpid(), i);
		mq[i] = mq_open(mq_name[i], O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
		if (mq[i] == (mqd_t)-1)
			die("mq_open", errno);
		mq_unlink(mq_name[i]);	/* the open descriptors keep it alive */
	}
}
static void posix_xmit(int dir, const char *b) { if (mq_send(mq[dir], b, size, 0)) die("mq_send", errno); }
static void posix_rcv(int dir, char *b) { if (mq_receive(mq[dir], b, size, NULL) < 0) die("mq_receive", errno); }
static void posix_teardown(void) { mq_close(mq[0]); mq_close(mq[1]); }

/* ---- shared memory: one shared page, two process-shared semaphores */
static struct shm {
	sem_t ready[2];		/* posted when buf holds a message for dir */
	char buf[MAX_SIZE];
} *shm;
static void shm_setup(void)
{
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);	/* survives fork() shared */
	if (shm == MAP_FAILED)
		die("mmap", errno);
	sem_init(&shm->ready[0], 1, 0);
	sem_init(&shm->ready[1], 1, 0);
}
static void shm_xmit(int dir, const char *b)
{
	memcpy(shm->buf, b, size);	/* plain stores: no system call */
	sem_post(&shm->ready[dir]);
}
static void shm_rcv(int dir, char *b)
{
	while (sem_wait(&shm->ready[dir]) && errno == EINTR)
		;
	memcpy(b, shm->buf, size);
}
static void shm_teardown(void) { munmap(shm, sizeof(*shm)); }

/* ---- kipc: two temporary mailboxes, one per direction */
static int kfd[2];
static void kipc_setup(void)
{
	struct kipc_create_opts o = { .flags = KIPC_CREATE_TEMP };
	char name[32];

	for (int i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "lab7-%d-%d", getpid(), i);
		kfd[i] = kipc_open_create(name, &o);
		if (kfd[i] < 0)
			die(name, -kfd[i]);
	}
}
static void kipc_xmit(int dir, const char *b)
{
	int ret = kipc_send(kfd[dir], b, size, 0, 0, 0, 0);

	if (ret < 0)
		die("kipc_send", -ret);
}
static void kipc_rcv(int dir, char *b)
{
	int ret = kipc_recv(kfd[dir], b, size, 0, 0, 0);

	if (ret < 0)
		die("kipc_recv", -ret);
}
static void kipc_teardown(void) { close(kfd[0]); close(kfd[1]); }

static const struct mech mechs[] = {
	{ "pipe", "2", pipe_setup, pipe_xmit, pipe_rcv, pipe_teardown },
	{ "unix socket", "2", sock_setup, sock_xmit, sock_rcv, sock_teardown },
	{ "SysV msg queue", "2", sysv_setup, sysv_xmit, sysv_rcv, sysv_teardown },
	{ "POSIX mq", "2", posix_setup, posix_xmit, posix_rcv, posix_teardown },
	{ "shared memory", "0", shm_setup, shm_xmit, shm_rcv, shm_teardown },
	{ "kipc mailbox", "2", kipc_setup, kipc_xmit, kipc_rcv, kipc_teardown },
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void measure(const struct mech *m)
{
	char out[MAX_SIZE], in[MAX_SIZE];
	double t0, t;
	pid_t child;
	int status;

	m->setup();
	child = fork();
	if (child < 0)
		die("fork", errno);
	if (child == 0) {
		/* The echo child: one warm-up round, then ROUNDS. */
		for (int i = 0; i <= rounds; i++) {
			m->rcv(0, in);
			m->xmit(1, in);
		}
		_exit(0);
	}
	memset(out, 'x', size);
	m->xmit(0, out);	/* warm-up: the child is running now */
	m->rcv(1, in);
	t0 = now();
	for (int i = 0; i < rounds; i++) {
		out[0] = (char)i;
		m->xmit(0, out);
		m->rcv(1, in);
		if (memcmp(in, out, size))
			die(m->name, EBADMSG);
	}
	t = now() - t0;
	waitpid(child, &status, 0);
	m->teardown();
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die(m->name, ECHILD);
	printf("%-16s %8d %12.1f %12.0f %8s\n", m->name, rounds,
	       t / rounds * 1e6, rounds / t, m->copies);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		rounds = atoi(argv[1]);
	if (argc > 2)
		size = atoi(argv[2]);
	if (rounds < 1 || size < 1 || size > MAX_SIZE) {
		fprintf(stderr, "usage: lab-pingpong [ROUNDS] [SIZE 1..%d]\n", MAX_SIZE);
		return 2;
	}
	printf("%d-byte messages, %d round trips each\n", size, rounds);
	printf("%-16s %8s %12s %12s %8s\n", "mechanism", "rounds",
	       "us/round", "rounds/s", "copies");
	for (size_t i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		measure(&mechs[i]);
	return 0;
}
