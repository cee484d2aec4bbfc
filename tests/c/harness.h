/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small test harness in the spirit of kselftest_harness.h: one function
 * per behaviour, each run in its own child process (so a crash or a hang
 * fails that test alone), results printed as TAP for tests/run.sh.
 * ASSERT_* end a test at the first failure, EXPECT_* let it go on and fail
 * it at its end; TEST_V runs a test once per VARIANT_ADD entry.
 *
 *   test_x [NAME]   only the test NAME (or NAME.VARIANT)
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

#include "common.h"

#define HARNESS_MAX_TESTS	256
#define HARNESS_TIMEOUT		60	/* seconds a test may take */

/*
 * A test, or (with @vfn) a test run once per variant: the entries that
 * VARIANT_ADD registered under its name, as kselftest's FIXTURE_VARIANT.
 */
struct harness_test {
	const char *name;
	void (*fn)(void);
	void (*vfn)(const void *variant);
};

struct harness_variant {
	const char *test;
	const char *name;
	const void *data;
};

static struct harness_test harness_tests[HARNESS_MAX_TESTS];
static int harness_nr;
static struct harness_variant harness_variants[HARNESS_MAX_TESTS];
static int harness_nv;
/* EXPECT_* failures so far in this process (each test runs in its own). */
static int harness_failures;

static inline void harness_add(struct harness_test t)
{
	if (harness_nr < HARNESS_MAX_TESTS)
		harness_tests[harness_nr++] = t;
}

#define TEST(name)							\
	static void name(void);						\
	__attribute__((constructor)) static void harness_reg_##name(void) \
	{								\
		harness_add((struct harness_test){ #name, name, NULL });	\
	}								\
	static void name(void)

/*
 * VARIANT(test) { fields };           the variant type of @test
 * VARIANT_ADD(test, vname) { .f = };  one variant, run as "test.vname"
 * TEST_V(test) { ... variant->f ... } the test, once per variant
 */
#define VARIANT(test) struct harness_variant_##test

#define VARIANT_ADD(test, vname)					\
	static const struct harness_variant_##test			\
		harness_v_##test##_##vname;				\
	__attribute__((constructor)) static void			\
	harness_regv_##test##_##vname(void)				\
	{								\
		if (harness_nv < HARNESS_MAX_TESTS)			\
			harness_variants[harness_nv++] =		\
				(struct harness_variant){ #test, #vname, \
					&harness_v_##test##_##vname };	\
	}								\
	static const struct harness_variant_##test			\
		harness_v_##test##_##vname =

#define TEST_V(test)							\
	static void test(const struct harness_variant_##test *variant);	\
	static void harness_vfn_##test(const void *v)			\
	{								\
		test(v);						\
	}								\
	__attribute__((constructor)) static void harness_reg_##test(void) \
	{								\
		harness_add((struct harness_test){ #test, NULL,		\
						   harness_vfn_##test });	\
	}								\
	static void test(const struct harness_variant_##test *variant)

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

/*
 * EXPECT_*: as ASSERT_*, but the test goes on; it fails at its end (or at
 * the end of the child it runs in, see child_exit() in util.h).
 */
#define EXPECT(cond, fmt, ...) do {					\
	if (!(cond)) {							\
		printf("# %s:%d: %s: " fmt "\n", __FILE__, __LINE__,	\
		       #cond, ##__VA_ARGS__);				\
		harness_failures++;					\
	}								\
} while (0)

#define EXPECT_TRUE(cond)	EXPECT(cond, "false")

#define EXPECT_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	EXPECT(_a == _b, "%s == %lld, expected %lld", #a, _a, _b);	\
} while (0)

/* Ends a test's (or a child's) process: status 1 if an EXPECT failed. */
static inline _Noreturn void harness_exit(void)
{
	if (harness_failures)
		printf("# %d expectation(s) failed\n", harness_failures);
	fflush(stdout);
	_exit(harness_failures ? 1 : 0);
}

static int harness_run_one(const struct harness_test *t, const void *v)
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
		if (t->vfn)
			t->vfn(v);
		else
			t->fn();
		harness_exit();
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

/* Runs item @n, @t (with variant @v, or none), unless @only names another. */
static int harness_item(int n, const struct harness_test *t,
			const struct harness_variant *v, const char *only,
			const char *prog)
{
	char name[160];

	snprintf(name, sizeof(name), "%s%s%s", t->name, v ? "." : "",
		 v ? v->name : "");
	if (only && strcmp(only, t->name) && strcmp(only, name))
		return 0;
	if (harness_run_one(t, v ? v->data : NULL)) {
		printf("ok %d - %s: %s\n", n, prog, name);
		fflush(stdout);
		return 0;
	}
	printf("not ok %d - %s: %s\n", n, prog, name);
	fflush(stdout);
	return 1;
}

/* The variants of @t, or -1 if it has none (it runs once, plainly). */
static int harness_nvariants(const struct harness_test *t)
{
	int n = 0;

	if (!t->vfn)
		return -1;
	for (int k = 0; k < harness_nv; k++)
		n += !strcmp(harness_variants[k].test, t->name);
	return n;
}

int main(int argc, char **argv)
{
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	const char *only = argc > 1 ? argv[1] : NULL;
	int failed = 0, plan = 0, n = 0;

	for (int i = 0; i < harness_nr; i++) {
		int nv = harness_nvariants(&harness_tests[i]);

		plan += nv < 0 ? 1 : nv;
	}
	printf("1..%d\n", plan);
	for (int i = 0; i < harness_nr; i++) {
		const struct harness_test *t = &harness_tests[i];

		if (harness_nvariants(t) < 0) {
			failed += harness_item(++n, t, NULL, only, prog);
			continue;
		}
		for (int k = 0; k < harness_nv; k++)
			if (!strcmp(harness_variants[k].test, t->name))
				failed += harness_item(++n, t, &harness_variants[k],
						       only, prog);
	}
	return failed ? 1 : 0;
}

#endif /* KIPC_HARNESS_H */
