// SPDX-License-Identifier: GPL-2.0
/* Mailboxes: create, attach, destroy, names, permissions, namespaces. */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>

#include "util.h"

TEST(create_attach_stat)
{
	struct kipc_create_opts o = {
		.capacity = 5, .capacity_bytes = 9000, .max_msg_size = 100,
		.mode = 0640,
	};
	const char *name = uniq("cas");
	struct kipc_stat st;
	int a, b, id;

	a = new_handle();
	id = kipc_create(a, name, &o);
	ASSERT_GE(id, 1);
	b = new_handle();
	ASSERT_EQ(kipc_attach(b, name), id);
	ASSERT_OK(kipc_stat(b, &st));
	ASSERT_EQ(st.id, id);
	ASSERT_TRUE(!strcmp(st.name, name));
	ASSERT_EQ(st.capacity, 5);
	ASSERT_EQ(st.capacity_bytes, 9000);
	ASSERT_EQ(st.max_msg_size, 100);
	ASSERT_EQ(st.mode, 0640);
	ASSERT_EQ(st.uid, 0);
	ASSERT_EQ(st.handles, 2);
	ASSERT_EQ(st.depth, 0);
	ASSERT_EQ(st.flags, 0);
	ASSERT_TRUE(st.ctime_ns > 1600000000ull * 1000000000ull);
	close(a);
	ASSERT_OK(kipc_stat(b, &st));
	ASSERT_EQ(st.handles, 1);
	ASSERT_OK(kipc_destroy(b));
}

TEST(defaults_come_from_module_parameters)
{
	struct kipc_stat st;
	int fd = new_mbox(uniq("def"), NULL);

	ASSERT_OK(kipc_stat(fd, &st));
	ASSERT_EQ(st.capacity, 64);
	ASSERT_EQ(st.capacity_bytes, 65536);
	ASSERT_EQ(st.max_msg_size, 8192);
	ASSERT_EQ(st.mode, 0600);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(attach_by_id)
{
	const char *name = uniq("byid");
	int a = new_mbox(name, NULL), b = new_handle();
	struct kipc_stat st;

	ASSERT_OK(kipc_stat(a, &st));
	ASSERT_EQ(kipc_attach_id(b, st.id), st.id);
	ASSERT_ERR(kipc_attach_id(new_handle(), 0xfffffff0u), ENOENT);
	ASSERT_OK(kipc_destroy(a));
}

TEST(ids_are_not_reused)
{
	const char *name = uniq("reuse");
	int fd = new_handle(), id1, id2;

	id1 = kipc_create(fd, name, NULL);
	ASSERT_GE(id1, 1);
	ASSERT_OK(kipc_destroy(fd));
	close(fd);
	fd = new_handle();
	id2 = kipc_create(fd, name, NULL);
	ASSERT_GE(id2, id1 + 1);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(errno_name_rules)
{
	char longname[KIPC_NAME_MAX + 8];
	int fd = new_handle();

	ASSERT_ERR(kipc_create(fd, "", NULL), EINVAL);
	ASSERT_ERR(kipc_create(fd, "a/b", NULL), EINVAL);
	memset(longname, 'n', sizeof(longname));
	longname[KIPC_NAME_MAX - 1] = '\0';	/* 63 bytes: the longest */
	ASSERT_GE(kipc_create(fd, longname, NULL), 1);
	ASSERT_OK(kipc_destroy(fd));
	close(fd);

	/* 64 bytes, no NUL inside the field: the kernel sees it whole. */
	struct kipc_create c = { .size = sizeof(c) };

	fd = new_handle();
	memset(c.name, 'n', sizeof(c.name));
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_CREATE, &c), ENAMETOOLONG);
	struct kipc_attach a = { 0 };

	memset(a.name, 'n', sizeof(a.name));
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_ATTACH, &a), ENAMETOOLONG);
}

TEST(errno_eexist_enoent)
{
	const char *name = uniq("ex");
	int a = new_mbox(name, NULL);

	ASSERT_ERR(kipc_create(new_handle(), name, NULL), EEXIST);
	ASSERT_OK(kipc_destroy(a));
	ASSERT_ERR(kipc_attach(new_handle(), name), ENOENT);
}

TEST(errno_enotconn)
{
	struct kipc_stat st;
	struct kipc_set s = { .flags = KIPC_SET_MODE, .mode = 0600 };
	struct kipc_msg m[1] = { 0 };
	char buf[4];
	int fd = new_handle();

	ASSERT_ERR(kipc_send(fd, "x", 1, 0, 0, 0, 0), ENOTCONN);
	ASSERT_ERR(kipc_recv(fd, buf, 4, 0, 0, 0), ENOTCONN);
	ASSERT_ERR(kipc_stat(fd, &st), ENOTCONN);
	ASSERT_ERR(kipc_notify(fd, SIGUSR1, 0), ENOTCONN);
	ASSERT_ERR(kipc_destroy(fd), ENOTCONN);
	ASSERT_ERR(kipc_set(fd, &s), ENOTCONN);
	ASSERT_ERR(kipc_sendv(fd, m, 1, 0, 0), ENOTCONN);
	ASSERT_ERR(kipc_recvv(fd, m, 1, 0, 0), ENOTCONN);
}

TEST(errno_eisconn)
{
	const char *n1 = (uniq("c1")), *n2 = (uniq("c2"));
	int a = new_mbox(n1, NULL), b = new_mbox(n2, NULL);

	ASSERT_ERR(kipc_create(a, uniq("c3"), NULL), EISCONN);
	ASSERT_ERR(kipc_attach(a, n2), EISCONN);
	ASSERT_ERR(kipc_attach(a, n1), EISCONN);
	ASSERT_OK(kipc_destroy(a));
	ASSERT_OK(kipc_destroy(b));
}

TEST(destroy_frees_name_and_gives_eidrm)
{
	const char *name = uniq("idrm");
	int a = new_mbox(name, NULL), b = attach(name);
	struct kipc_stat st;
	char buf[4];

	ASSERT_OK(sendstr(a, "queued", 0));
	ASSERT_OK(kipc_destroy(a));
	ASSERT_ERR(kipc_send(b, "x", 1, 0, 0, 0, 0), EIDRM);
	ASSERT_ERR(kipc_recv(b, buf, 4, 0, 0, 0), EIDRM);
	ASSERT_ERR(kipc_stat(b, &st), EIDRM);
	ASSERT_ERR(kipc_destroy(b), EIDRM);
	ASSERT_ERR(kipc_notify(b, SIGUSR1, 0), EIDRM);
	/* The name is free at once. */
	int c = new_mbox(name, NULL);

	ASSERT_OK(kipc_destroy(c));
}

TEST(mailbox_outlives_its_creator)
{
	const char *name = uniq("life");
	struct kipc_stat st;
	int fd;

	IN_CHILD()
		ASSERT_OK(sendstr(new_mbox(name, NULL), "left behind", 0));
	fd = attach(name);

	ASSERT_OK(kipc_stat(fd, &st));
	ASSERT_EQ(st.depth, 1);
	ASSERT_EQ(st.handles, 1);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(temp_mailbox_dies_with_its_last_handle)
{
	struct kipc_create_opts o = { .flags = KIPC_CREATE_TEMP };
	const char *name = uniq("temp");
	struct kipc_stat st;
	int a = new_mbox(name, &o), b = attach(name);

	ASSERT_OK(kipc_stat(a, &st));
	ASSERT_EQ(st.flags, KIPC_STAT_TEMP);
	close(a);
	ASSERT_OK(sendstr(b, "still here", 0));
	close(b);
	ASSERT_ERR(kipc_attach(new_handle(), name), ENOENT);
}

/* Descriptors this process has open now. */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		FAIL("opendir /proc/self/fd: %s", strerror(errno));
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

TEST(create_handle_makes_each_mailbox_on_a_new_handle)
{
	struct kipc_create_opts temp = { .flags = KIPC_CREATE_TEMP };
	const char *a = uniq("newh-a"), *b = uniq("newh-b");
	int factory = new_handle(), ha, hb, hb2, before;
	char buf[8];
	uint32_t id;

	ha = kipc_create_handle(factory, a, NULL, &id);
	ASSERT_GE(ha, 0);
	ASSERT_TRUE(fcntl(ha, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(stat_of(ha).id, id);
	ASSERT_TRUE(!strcmp(stat_of(ha).name, a));
	ASSERT_EQ(stat_of(ha).handles, 1);
	/* The calling handle is left as it was: free, so still a factory. */
	ASSERT_ERR(kipc_stat(factory, &(struct kipc_stat){ 0 }), ENOTCONN);
	/* An attached handle makes mailboxes too, and stays attached. */
	hb = kipc_create_handle(ha, b, &temp, NULL);
	ASSERT_GE(hb, 0);
	ASSERT_EQ(stat_of(ha).id, id);
	ASSERT_OK(sendstr(hb, "via b", 0));
	hb2 = attach(b);
	ASSERT_EQ(kipc_recv(hb2, buf, sizeof(buf), 0, 0, 0), 5);
	close(hb2);
	/* libkipc: which handle is the function's to choose. */
	ASSERT_ERR(kipc_create(factory, uniq("newh-c"),
			       &(struct kipc_create_opts){
					.flags = KIPC_CREATE_HANDLE }), EINVAL);
	/* A name that exists: EEXIST, and no descriptor is left behind. */
	before = open_fds();
	ASSERT_ERR(kipc_create_handle(factory, a, NULL, NULL), EEXIST);
	ASSERT_EQ(open_fds(), before);
	/* The new handle is a handle: closing the last one ends a temp. */
	close(hb);
	ASSERT_ERR(kipc_attach(new_handle(), b), ENOENT);
	ASSERT_OK(kipc_destroy(ha));
}

TEST(mode_bits_are_enforced)
{
	struct kipc_create_opts o = { .mode = 0620 };
	const char *name = uniq("mode");
	int owner = new_mbox(name, &o);
	char buf[8];

	/* Other: no bits at all. */
	IN_CHILD_AS(1001, 1001)
		ASSERT_ERR(kipc_attach(new_handle(), name), EACCES);
	/* In the mailbox's group (0), which has w only. */
	IN_CHILD_AS(1000, 0) {
		int fd = attach(name);

		ASSERT_OK(sendstr(fd, "from group", 0));
		ASSERT_ERR(kipc_recv(fd, buf, sizeof(buf), 0, KIPC_NONBLOCK, 0),
			   EACCES);
		ASSERT_ERR(kipc_notify(fd, SIGUSR1, 0), EACCES);
	}
	ASSERT_OK(kipc_destroy(owner));
}

TEST(chmod_and_destroy_need_owner)
{
	struct kipc_create_opts o = { .mode = 0666 };
	const char *name = uniq("own");
	struct kipc_set s = { .flags = KIPC_SET_MODE, .mode = 0600 };

	IN_CHILD_AS(1000, 1000)
		new_mbox(name, &o);	/* stays: mailboxes outlive handles */
	IN_CHILD_AS(1001, 1001) {
		int fd = attach(name);

		ASSERT_ERR(kipc_destroy(fd), EPERM);
		ASSERT_ERR(kipc_set(fd, &s), EPERM);
	}
	IN_CHILD_AS(1000, 1000) {
		int fd = attach(name);
		struct kipc_stat st;

		ASSERT_OK(kipc_set(fd, &s));
		st = stat_of(fd);
		ASSERT_EQ(st.mode, 0600);
		ASSERT_EQ(st.uid, 1000);
		ASSERT_EQ(st.gid, 1000);
	}

	/* root has CAP_IPC_OWNER. */
	ASSERT_OK(kipc_destroy(attach(name)));
}

TEST(set_validates_and_applies)
{
	struct kipc_set s = { .flags = KIPC_SET_CAPACITY, .capacity = 0 };
	struct kipc_stat st;
	int fd = new_mbox(uniq("set"), NULL);

	ASSERT_ERR(kipc_set(fd, &s), EINVAL);
	s = (struct kipc_set){ .flags = 1u << 9 };
	ASSERT_ERR(kipc_set(fd, &s), EINVAL);
	/* A field without its flag is an unknown field. */
	s = (struct kipc_set){ .flags = KIPC_SET_MODE, .mode = 0600, .capacity = 3 };
	ASSERT_ERR(kipc_set(fd, &s), EINVAL);
	s = (struct kipc_set){ .flags = KIPC_SET_MAX_MSG_SIZE, .max_msg_size = 1 << 21 };
	ASSERT_ERR(kipc_set(fd, &s), EINVAL);
	s = (struct kipc_set){
		.flags = KIPC_SET_CAPACITY | KIPC_SET_MAX_MSG_SIZE | KIPC_SET_MODE,
		.capacity = 3, .max_msg_size = 16, .mode = 0644,
	};
	ASSERT_OK(kipc_set(fd, &s));
	ASSERT_OK(kipc_stat(fd, &st));
	ASSERT_EQ(st.capacity, 3);
	ASSERT_EQ(st.max_msg_size, 16);
	ASSERT_EQ(st.mode, 0644);
	ASSERT_ERR(kipc_send(fd, "seventeen bytes!!", 17, 0, 0, 0, 0), EMSGSIZE);
	ASSERT_OK(kipc_destroy(fd));
}

TEST(ipc_namespaces_are_separate)
{
	const char *name = uniq("ns");
	int fd = new_mbox(name, NULL);
	struct kipc_stat st;

	ASSERT_OK(kipc_stat(fd, &st));
	IN_CHILD() {
		if (unshare(CLONE_NEWIPC))
			FAIL("unshare: %s", strerror(errno));
		ASSERT_ERR(kipc_attach(new_handle(), name), ENOENT);
		ASSERT_ERR(kipc_attach_id(new_handle(), st.id), ENOENT);
		/* The name is free here. */
		int mine = new_mbox(name, NULL);

		ASSERT_OK(kipc_destroy(mine));
	}
	ASSERT_OK(kipc_destroy(fd));
}
