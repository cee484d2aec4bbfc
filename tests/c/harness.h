/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small test harness in the spirit of kselftest_harness.h: one function
 * per behaviour, each run in its own child process (so a crash or a hang
 * fails that test alone), results printed as TAP for tests/run.sh.
 */
#ifndef KIPC_HARNESS_H
#define KIPC_HARNESS_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define HARNESS_MAX_TESTS	256
#define HARNESS_TIMEOUT		60	/* seconds a test may take */

struct harness_test {
	const char *name;
	void (*fn)(void);
};

static struct harness_test harness_tests[HARNESS_MAX_TESTS];
static int harness_nr;

#define TEST(name)							\
	static void name(void);						\
	__attribute__((constructor)) static void harness_reg_##name(void) \
	{								\
		if (harness_nr < HARNESS_MAX_TESTS)			\
			harness_tests[harness_nr++] =			\
				(struct harness_test){ #name, name };	\
	}								\
	static void name(void)

#define FAIL(fmt, ...) do {						\
	printf("# %s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__); \
	fflush(stdout);							\
	_exit(1);							\
} while (0)

#define ASSERT_TRUE(cond) do {						\
	if (!(cond))							\
		FAIL("expected %s", #cond);				\
} while (0)

#define ASSERT_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b)							\
		FAIL("%s == %lld, expected %s == %lld", #a, _a, #b, _b); \
} while (0)

#define ASSERT_NE(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a == _b)							\
		FAIL("%s == %lld, expected anything else", #a, _a);	\
} while (0)

#define ASSERT_GE(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a < _b)							\
		FAIL("%s == %lld, expected >= %lld", #a, _a, _b);	\
} while (0)

/* libkipc calls return -errno: compare with the errno expected. */
#define ASSERT_ERR(call, err) do {					\
	long long _r = (long long)(call);				\
	if (_r != -(err))						\
		FAIL("%s returned %lld (%s), expected -%s",		\
		     #call, _r, _r < 0 ? strerror((int)-_r) : "success", #err); \
} while (0)

#define ASSERT_OK(call) do {						\
	long long _r = (long long)(call);				\
	if (_r < 0)							\
		FAIL("%s failed: %s", #call, strerror((int)-_r));	\
} while (0)

/* Raw syscalls return -1 and set errno. */
#define ASSERT_SYSERR(call, err) do {					\
	errno = 0;							\
	long long _r = (long long)(call);				\
	if (_r != -1 || errno != (err))					\
		FAIL("%s returned %lld errno %d (%s), expected %s",	\
		     #call, _r, errno, strerror(errno), #err);		\
} while (0)

static int harness_run_one(const struct harness_test *t)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 0;
	if (!pid) {
		alarm(HARNESS_TIMEOUT);
		setpgid(0, 0);
		t->fn();
		fflush(stdout);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* Reap whatever the test left behind. */
	kill(-pid, SIGKILL);
	if (WIFSIGNALED(status)) {
		printf("# %s: killed by signal %d%s\n", t->name,
		       WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
		return 0;
	}
	return WIFEXITED(status) && !WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int failed = 0;

	printf("1..%d\n", harness_nr);
	for (int i = 0; i < harness_nr; i++) {
		const struct harness_test *t = &harness_tests[i];

		if (argc > 1 && strcmp(argv[1], t->name))
			continue;
		if (harness_run_one(t)) {
			printf("ok %d - %s: %s\n", i + 1, prog, t->name);
		} else {
			printf("not ok %d - %s: %s\n", i + 1, prog, t->name);
			failed++;
		}
		fflush(stdout);
	}
	return failed ? 1 : 0;
}

#endif /* KIPC_HARNESS_H */
