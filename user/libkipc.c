// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libkipc.h"

static int kipc_ret(int ret)
{
	return ret < 0 ? -errno : ret;
}

/* Names longer than the ABI allows are the kernel's to reject. */
static int kipc_copy_name(char dst[KIPC_NAME_MAX], const char *name)
{
	size_t len = strlen(name);

	memset(dst, 0, KIPC_NAME_MAX);
	if (len >= KIPC_NAME_MAX) {
		errno = ENAMETOOLONG;
		return -ENAMETOOLONG;
	}
	memcpy(dst, name, len);
	return 0;
}

int kipc_open(int flags)
{
	return kipc_ret(open(KIPC_DEVICE, O_RDWR | O_CLOEXEC | flags));
}

int kipc_close(int fd)
{
	return kipc_ret(close(fd));
}

int kipc_version(int fd, struct kipc_version *v)
{
	memset(v, 0, sizeof(*v));
	return kipc_ret(ioctl(fd, KIPC_IOC_VERSION, v));
}

/* KIPC_IOC_CREATE of @name with @o and @flags besides: its value, or -errno. */
static int kipc_create_ioc(int fd, const char *name,
			   const struct kipc_create_opts *o, uint32_t flags,
			   uint32_t *id)
{
	struct kipc_create c = { .size = sizeof(c), .flags = flags };
	int ret;

	ret = kipc_copy_name(c.name, name);
	if (ret)
		return ret;
	if (o) {
		/* Which handle is the function's to say, not the options'. */
		if (o->flags & KIPC_CREATE_HANDLE)
			return -EINVAL;
		c.flags |= o->flags;
		c.mode = o->mode;
		c.capacity = o->capacity;
		c.capacity_bytes = o->capacity_bytes;
		c.max_msg_size = o->max_msg_size;
	}
	ret = kipc_ret(ioctl(fd, KIPC_IOC_CREATE, &c));
	if (ret >= 0 && id)
		*id = c.id;
	return ret;
}

int kipc_create(int fd, const char *name, const struct kipc_create_opts *o)
{
	uint32_t id;
	int ret = kipc_create_ioc(fd, name, o, 0, &id);

	return ret < 0 ? ret : (int)id;
}

int kipc_create_handle(int fd, const char *name,
		       const struct kipc_create_opts *o, uint32_t *id)
{
	return kipc_create_ioc(fd, name, o, KIPC_CREATE_HANDLE, id);
}

int kipc_attach(int fd, const char *name)
{
	struct kipc_attach a = { 0 };
	int ret;

	ret = kipc_copy_name(a.name, name);
	if (ret)
		return ret;
	ret = kipc_ret(ioctl(fd, KIPC_IOC_ATTACH, &a));
	return ret < 0 ? ret : (int)a.id;
}

int kipc_attach_id(int fd, uint32_t id)
{
	struct kipc_attach a = { .flags = KIPC_ATTACH_BY_ID, .id = id };
	int ret;

	ret = kipc_ret(ioctl(fd, KIPC_IOC_ATTACH, &a));
	return ret < 0 ? ret : (int)a.id;
}

int kipc_attach_id_any_ns(int fd, uint32_t id)
{
	struct kipc_attach a = {
		.flags = KIPC_ATTACH_BY_ID | KIPC_ATTACH_ALL_NS,
		.id = id,
	};
	int ret;

	ret = kipc_ret(ioctl(fd, KIPC_IOC_ATTACH, &a));
	return ret < 0 ? ret : (int)a.id;
}

int kipc_destroy(int fd)
{
	return kipc_ret(ioctl(fd, KIPC_IOC_DESTROY));
}

int kipc_stat(int fd, struct kipc_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return kipc_ret(ioctl(fd, KIPC_IOC_STAT, st));
}

int kipc_set(int fd, const struct kipc_set *s)
{
	return kipc_ret(ioctl(fd, KIPC_IOC_SET, s));
}

static int kipc_open_and(const char *name, const struct kipc_create_opts *o,
			 int create)
{
	int fd, ret;

	fd = kipc_open(0);
	if (fd < 0)
		return fd;
	ret = create ? kipc_create(fd, name, o) : kipc_attach(fd, name);
	if (ret < 0) {
		close(fd);
		errno = -ret;
		return ret;
	}
	return fd;
}

int kipc_open_create(const char *name, const struct kipc_create_opts *o)
{
	return kipc_open_and(name, o, 1);
}

int kipc_open_attach(const char *name)
{
	return kipc_open_and(name, NULL, 0);
}

int kipc_send_msg(int fd, struct kipc_msg *m)
{
	return kipc_ret(ioctl(fd, KIPC_IOC_SEND, m));
}

int kipc_recv_msg(int fd, struct kipc_msg *m)
{
	return kipc_ret(ioctl(fd, KIPC_IOC_RECV, m));
}

int kipc_send(int fd, const void *buf, uint32_t len, uint32_t type,
	      uint32_t prio, uint32_t flags, uint64_t timeout_ns)
{
	struct kipc_msg m = {
		.buf = (uintptr_t)buf,
		.len = len,
		.flags = flags,
		.type = type,
		.priority = prio,
		.timeout_ns = timeout_ns,
	};

	return kipc_send_msg(fd, &m);
}

int kipc_recv(int fd, void *buf, uint32_t len, uint32_t type, uint32_t flags,
	      uint64_t timeout_ns)
{
	struct kipc_msg m = {
		.buf = (uintptr_t)buf,
		.len = len,
		.flags = flags,
		.type = type,
		.timeout_ns = timeout_ns,
	};
	int ret;

	ret = kipc_recv_msg(fd, &m);
	return ret < 0 ? ret : (int)m.len;
}

int kipc_call_msg(int fd, struct kipc_call *c)
{
	return kipc_ret(ioctl(fd, KIPC_IOC_CALL, c));
}

int kipc_call(int fd, const void *req, uint32_t len, uint32_t type,
	      void *reply, uint32_t reply_len, uint64_t timeout_ns)
{
	struct kipc_call c = {
		.buf = (uintptr_t)req,
		.len = len,
		.type = type,
		.timeout_ns = timeout_ns,
		.reply_buf = (uintptr_t)reply,
		.reply_len = reply_len,
	};
	int ret;

	ret = kipc_call_msg(fd, &c);
	return ret < 0 ? ret : (int)c.reply_len;
}

int kipc_reply(int fd, uint64_t seq, const void *buf, uint32_t len)
{
	struct kipc_reply r = { .seq = seq, .buf = (uintptr_t)buf, .len = len };

	return kipc_ret(ioctl(fd, KIPC_IOC_REPLY, &r));
}

int kipc_reply_recv(int fd, uint64_t seq, const void *buf, uint32_t len,
		    struct kipc_msg *m)
{
	struct kipc_reply_recv rr = {
		.reply = { .seq = seq, .buf = (uintptr_t)buf, .len = len },
		.msg = *m,
	};
	int ret;

	/* Out only: a server's loop passes the last request's header again. */
	rr.msg.flags &= ~KIPC_MSG_CALL;

	ret = kipc_ret(ioctl(fd, KIPC_IOC_REPLY_RECV, &rr));
	*m = rr.msg;
	return ret;
}

static int kipc_batch(int fd, unsigned long cmd, struct kipc_msg *msgs,
		      uint32_t count, uint32_t flags, uint64_t timeout_ns)
{
	struct kipc_msgv v = {
		.msgs = (uintptr_t)msgs,
		.count = count,
		.flags = flags,
		.timeout_ns = timeout_ns,
	};

	return kipc_ret(ioctl(fd, cmd, &v));
}

int kipc_sendv(int fd, struct kipc_msg *msgs, uint32_t count, uint32_t flags,
	       uint64_t timeout_ns)
{
	return kipc_batch(fd, KIPC_IOC_SENDV, msgs, count, flags, timeout_ns);
}

int kipc_recvv(int fd, struct kipc_msg *msgs, uint32_t count, uint32_t flags,
	       uint64_t timeout_ns)
{
	return kipc_batch(fd, KIPC_IOC_RECVV, msgs, count, flags, timeout_ns);
}

int kipc_notify(int fd, int signo, uint32_t flags)
{
	struct kipc_notify n = { .signo = (uint32_t)signo, .flags = flags };

	return kipc_ret(ioctl(fd, KIPC_IOC_NOTIFY, &n));
}
