// SPDX-License-Identifier: GPL-2.0
/*
 * The order of errors (include/uapi/linux/kipc.h, "Errors"): the
 * argument's shape first, then ENOTCONN, then EIDRM, then EACCES or EPERM.
 * Every op on a destroyed mailbox fails with EIDRM, whoever asks: the
 * owner, another user, one the mode shuts out.
 *
 * One process plays both users by switching its effective ids (its saved
 * uid stays 0, so it can switch back): a handle keeps working across the
 * switch, and each op is judged by who asks when it is made.
 */
#include "util.h"

#define OWNER	4101
#define OTHER	4102

static void as(uid_t uid)
{
	if (seteuid(0) || setegid(uid) || seteuid(uid))
		FAIL("cannot switch to %u: %s", uid, strerror(errno));
}

/* A mailbox of OWNER's with @mode, and OTHER's handle on it. */
static int others_handle(const char *name, uint32_t mode, int *owners)
{
	struct kipc_create_opts o = { .mode = mode };
	int fd;

	if (setgroups(0, NULL))
		FAIL("setgroups: %s", strerror(errno));
	as(OWNER);
	*owners = new_mbox(name, &o);
	as(OTHER);
	fd = attach(name);
	return fd;
}

static void destroy_as_owner(int owners)
{
	as(OWNER);
	ASSERT_OK(kipc_destroy(owners));
	as(OTHER);
}

/* Each op once, raw, so that nothing in libkipc comes between. */
static int op_send(int fd)
{
	struct kipc_msg m = { .buf = (uintptr_t)"x", .len = 1 };

	return ioctl(fd, KIPC_IOC_SEND, &m);
}

static int op_recv(int fd)
{
	char buf[8];
	struct kipc_msg m = { .buf = (uintptr_t)buf, .len = sizeof(buf),
			      .flags = KIPC_NONBLOCK };

	return ioctl(fd, KIPC_IOC_RECV, &m);
}

static int op_batch(int fd, unsigned long cmd)
{
	char buf[8];
	struct kipc_msg m = { .buf = (uintptr_t)buf, .len = 1 };
	struct kipc_msgv v = { .msgs = (uintptr_t)&m, .count = 1,
			       .flags = KIPC_NONBLOCK };

	return ioctl(fd, cmd, &v);
}

static int op_stat(int fd)
{
	struct kipc_stat st = { .size = sizeof(st) };

	return ioctl(fd, KIPC_IOC_STAT, &st);
}

static int op_set_mode(int fd, uint32_t flags)
{
	struct kipc_set ks = { .flags = flags, .mode = 0666 };

	return ioctl(fd, KIPC_IOC_SET, &ks);
}

static int op_notify(int fd, uint32_t signo)
{
	struct kipc_notify kn = { .signo = signo };

	return ioctl(fd, KIPC_IOC_NOTIFY, &kn);
}

/* Every op of @fd, well formed, fails with @err. */
static void every_op_fails(int fd, int err)
{
	ASSERT_SYSERR(op_send(fd), err);
	ASSERT_SYSERR(op_recv(fd), err);
	ASSERT_SYSERR(op_batch(fd, KIPC_IOC_SENDV), err);
	ASSERT_SYSERR(op_batch(fd, KIPC_IOC_RECVV), err);
	ASSERT_SYSERR(op_stat(fd), err);
	ASSERT_SYSERR(op_set_mode(fd, KIPC_SET_MODE), err);
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_DESTROY), err);
	ASSERT_SYSERR(op_notify(fd, SIGUSR1), err);
	ASSERT_SYSERR(op_notify(fd, 0), err);
}

TEST(a_malformed_argument_is_einval_even_on_a_handle_not_attached)
{
	struct kipc_msg m = { .priority = KIPC_PRIO_MAX + 1 };
	struct kipc_msgv v = { .count = 0 };
	struct kipc_notify kn = { .signo = 0, .flags = KIPC_NOTIFY_EDGE };
	struct kipc_stat st = { .size = sizeof(st), .flags = 1 };
	int fd = new_handle();

	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_SEND, &m), EINVAL);
	m.priority = 0;
	m.__pad = 1;
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_SEND, &m), EINVAL);
	m.__pad = 0;
	m.flags = KIPC_RECV_TYPE_LE | KIPC_RECV_TYPE_NOT;
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_RECV, &m), EINVAL);
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_SENDV, &v), EINVAL);
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_NOTIFY, &kn), EINVAL);
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_STAT, &st), EINVAL);
	ASSERT_SYSERR(op_set_mode(fd, 1U << 31), EINVAL);

	/* Well formed: now the handle is what is wrong. */
	every_op_fails(fd, ENOTCONN);
}

TEST(another_user_is_refused_by_mode_and_ownership_while_the_mailbox_lives)
{
	int owners, fd;

	/* OTHER may send (w), not receive (r), nor own. */
	fd = others_handle(uniq("live"), 0622, &owners);
	ASSERT_EQ(op_send(fd), 0);
	ASSERT_SYSERR(op_recv(fd), EACCES);
	ASSERT_SYSERR(op_batch(fd, KIPC_IOC_RECVV), EACCES);
	ASSERT_SYSERR(op_notify(fd, SIGUSR1), EACCES);
	ASSERT_SYSERR(op_set_mode(fd, KIPC_SET_MODE), EPERM);
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_DESTROY), EPERM);
	/* Needing nothing of the mode: unregistering, and STAT. */
	ASSERT_EQ(op_notify(fd, 0), 0);
	ASSERT_EQ(op_stat(fd), 0);
}

TEST(a_reader_without_w_cannot_send_while_the_mailbox_lives)
{
	int owners, fd;

	fd = others_handle(uniq("ro"), 0644, &owners);
	ASSERT_SYSERR(op_send(fd), EACCES);
	ASSERT_SYSERR(op_batch(fd, KIPC_IOC_SENDV), EACCES);
	ASSERT_SYSERR(op_recv(fd), EAGAIN);
}

/* A non-owner whom the mode denies one of r and w. */
VARIANT(a_non_owner_s_every_op_on_a_destroyed_mailbox_is_eidrm) {
	uint32_t mode;
};

VARIANT_ADD(a_non_owner_s_every_op_on_a_destroyed_mailbox_is_eidrm, no_r) {
	.mode = 0622,
};

VARIANT_ADD(a_non_owner_s_every_op_on_a_destroyed_mailbox_is_eidrm, no_w) {
	.mode = 0644,
};

TEST_V(a_non_owner_s_every_op_on_a_destroyed_mailbox_is_eidrm)
{
	int owners, fd;

	fd = others_handle(uniq("gone"), variant->mode, &owners);
	destroy_as_owner(owners);
	every_op_fails(fd, EIDRM);
}

TEST(every_op_of_the_owner_on_a_destroyed_mailbox_is_eidrm)
{
	int fd;

	fd = new_mbox(uniq("own"), NULL);
	ASSERT_OK(kipc_destroy(fd));
	every_op_fails(fd, EIDRM);
}

TEST(a_malformed_argument_is_einval_before_eidrm)
{
	struct kipc_msg m = { .priority = KIPC_PRIO_MAX + 1 };
	int owners, fd;

	fd = others_handle(uniq("shape"), 0622, &owners);
	destroy_as_owner(owners);
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_SEND, &m), EINVAL);
	ASSERT_SYSERR(op_set_mode(fd, KIPC_SET_MODE | 1U << 31), EINVAL);
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_NOTIFY,
			    &(struct kipc_notify){ .signo = 65 }), EINVAL);
}
