// SPDX-License-Identifier: GPL-2.0
/* The ioctl ABI: version, unknown commands, bad pointers, padding, flags. */
#include <sys/mman.h>

#include "util.h"

TEST(version_reports_abi)
{
	struct kipc_version v;
	int fd = new_handle();

	memset(&v, 0xa5, sizeof(v));
	v.flags = 0;
	v.__pad = 0;
	ASSERT_OK(ioctl(fd, KIPC_IOC_VERSION, &v));
	ASSERT_EQ(v.abi_version, KIPC_ABI_VERSION);
	ASSERT_EQ(v.max_msg_size_cap, 1 << 20);
	ASSERT_EQ(v.flags, 0);
	ASSERT_EQ(v.__pad, 0);
}

TEST(version_rejects_flags_and_pad)
{
	struct kipc_version v = { .flags = 1 };
	int fd = new_handle();

	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_VERSION, &v), EINVAL);
	v.flags = 0;
	v.__pad = 1;
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_VERSION, &v), EINVAL);
}

TEST(unknown_ioctl_is_enotty)
{
	int fd = new_handle();

	ASSERT_SYSERR(ioctl(fd, _IO(KIPC_IOC_MAGIC, 0x7f)), ENOTTY);
	ASSERT_SYSERR(ioctl(fd, _IOW('x', 1, int), NULL), ENOTTY);
	/* The right number with the wrong size is another command. */
	ASSERT_SYSERR(ioctl(fd, _IOC(_IOC_READ | _IOC_WRITE, KIPC_IOC_MAGIC, 0, 8),
			    NULL), ENOTTY);
}

TEST(bad_pointers_are_efault)
{
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = new_handle();
	char buf[16] = "x";

	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_VERSION, NULL), EFAULT);
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_CREATE, (void *)16), EFAULT);
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_ATTACH, NULL), EFAULT);
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_STAT, NULL), EFAULT);
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_SEND, NULL), EFAULT);
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_RECV, NULL), EFAULT);
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_NOTIFY, NULL), EFAULT);
	/* A read-only struct for an ioctl that writes back. */
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_VERSION, ro), EFAULT);

	close(fd);
	fd = new_mbox(uniq("efault"), NULL);
	ASSERT_ERR(kipc_send(fd, (void *)8, 4, 0, 0, 0, 0), EFAULT);
	ASSERT_OK(kipc_send(fd, buf, 1, 0, 0, 0, 0));
	/* Receiving into a read-only buffer fails and loses nothing. */
	ASSERT_ERR(kipc_recv(fd, ro, 16, 0, 0, 0), EFAULT);
	ASSERT_EQ(kipc_recv(fd, buf, sizeof(buf), 0, 0, 0), 1);
	ASSERT_EQ(buf[0], 'x');
	ASSERT_OK(kipc_destroy(fd));
}

TEST(create_rejects_bad_size_flags_mode)
{
	struct kipc_create c = { .size = sizeof(c), .name = "x" };
	int fd = new_handle();

	snprintf(c.name, sizeof(c.name), "%s", uniq("sz"));
	c.size = 8;
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_CREATE, &c), EINVAL);
	c.size = sizeof(c);
	c.flags = 1u << 31;
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_CREATE, &c), EINVAL);
	c.flags = 0;
	c.mode = 01000;
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_CREATE, &c), EINVAL);
	c.mode = 0;
	/* Garbage after the name's NUL is not a name. */
	c.name[KIPC_NAME_MAX - 1] = 'z';
	c.name[KIPC_NAME_MAX - 2] = '\0';
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_CREATE, &c), EINVAL);
}

TEST(sized_struct_may_grow_with_zeroes)
{
	struct {
		struct kipc_stat st;
		uint64_t future;
	} big;
	int fd = new_mbox(uniq("grow"), NULL);

	memset(&big, 0, sizeof(big));
	big.st.size = sizeof(big);
	/* ioctl numbers encode the size: use the real one. */
	ASSERT_OK(ioctl(fd, KIPC_IOC_STAT, &big));
	ASSERT_EQ(big.st.size, sizeof(struct kipc_stat));
	ASSERT_EQ(big.future, 0);
	memset(&big, 0, sizeof(big));
	big.st.size = sizeof(big);
	big.future = 1;
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_STAT, &big), EINVAL);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(stat_output_has_no_stale_bytes)
{
	struct kipc_stat st;
	int fd = new_mbox(uniq("zero"), NULL);

	memset(&st, 0xa5, sizeof(st));
	st.size = sizeof(st);
	st.flags = 0;
	ASSERT_OK(ioctl(fd, KIPC_IOC_STAT, &st));
	ASSERT_EQ(st.__pad, 0);
	/* Name bytes after the NUL are zero. */
	for (size_t i = strlen(st.name); i < sizeof(st.name); i++)
		ASSERT_EQ(st.name[i], 0);
	ASSERT_EQ(st.last_sender_pid, 0);
	ASSERT_EQ(st.dropped, 0);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(recv_output_has_no_stale_bytes)
{
	struct kipc_msg m;
	char buf[8];
	int fd = new_mbox(uniq("zr"), NULL);

	ASSERT_OK(sendstr(fd, "abc", 0));
	memset(&m, 0xa5, sizeof(m));
	m.buf = (uintptr_t)buf;
	m.len = sizeof(buf);
	m.flags = 0;
	m.type = 0;
	m.timeout_ns = 0;
	m.__pad = 0;
	ASSERT_OK(kipc_recv_msg(fd, &m));
	ASSERT_EQ(m.len, 3);
	ASSERT_EQ(m.msg_len, 3);
	ASSERT_EQ(m.priority, 0);
	ASSERT_EQ(m.__pad, 0);
	ASSERT_EQ(m.sender_pid, getpid());
	ASSERT_EQ(m.sender_uid, 0);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(msg_pad_and_unknown_flags_are_einval)
{
	struct kipc_msg m = { 0 };
	char buf[4];
	int fd = new_mbox(uniq("pad"), NULL);

	m.buf = (uintptr_t)buf;
	m.len = 1;
	m.__pad = 1;
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_SEND, &m), EINVAL);
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_RECV, &m), EINVAL);
	m.__pad = 0;
	m.flags = KIPC_RECV_PEEK;	/* not a send flag */
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_SEND, &m), EINVAL);
	m.flags = 1u << 20;
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_RECV, &m), EINVAL);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(notify_rejects_bad_signo_and_flags)
{
	int fd = new_mbox(uniq("nt"), NULL);

	ASSERT_ERR(kipc_notify(fd, 65, 0), EINVAL);
	ASSERT_ERR(kipc_notify(fd, -1, 0), EINVAL);
	ASSERT_ERR(kipc_notify(fd, SIGUSR1, 1u << 7), EINVAL);
	ASSERT_ERR(kipc_notify(fd, 0, KIPC_NOTIFY_ONESHOT), EINVAL);
	ASSERT_OK(kipc_notify(fd, SIGUSR1, 0));
	ASSERT_OK(kipc_notify(fd, 0, 0));
	ASSERT_OK(kipc_destroy(fd));
}

TEST(batch_rejects_bad_counts)
{
	struct kipc_msg msgs[KIPC_BATCH_MAX + 1];
	int fd = new_mbox(uniq("bc"), NULL);

	memset(msgs, 0, sizeof(msgs));
	ASSERT_ERR(kipc_sendv(fd, msgs, 0, 0, 0), EINVAL);
	ASSERT_ERR(kipc_sendv(fd, msgs, KIPC_BATCH_MAX + 1, 0, 0), EINVAL);
	ASSERT_ERR(kipc_recvv(fd, msgs, 0xffffffffu, 0, 0), EINVAL);
	ASSERT_ERR(kipc_sendv(fd, msgs, 1, 1u << 5, 0), EINVAL);
	ASSERT_ERR(kipc_sendv(fd, NULL, 1, 0, 0), EFAULT);
	ASSERT_OK(kipc_destroy(fd));
}
