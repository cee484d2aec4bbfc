/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkipc: thin wrappers over the ioctls of /dev/kipc.
 *
 * Every function returns 0 (or a count) on success and -errno on failure;
 * errno is left set as well, so perror() works.
 */
#ifndef LIBKIPC_H
#define LIBKIPC_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kipc.h>

/* Opens a new handle; flags are open(2) flags such as O_NONBLOCK. */
int kipc_open(int flags);
int kipc_close(int fd);

int kipc_version(int fd, struct kipc_version *v);

struct kipc_create_opts {
	uint32_t flags;		/* KIPC_CREATE_* */
	uint32_t mode;		/* 0 = 0600 */
	uint32_t capacity;	/* 0 = module default */
	uint64_t capacity_bytes;
	uint32_t max_msg_size;
};

/* Creates @name and attaches @fd to it; returns the id (> 0). */
int kipc_create(int fd, const char *name, const struct kipc_create_opts *o);
/*
 * Creates @name on a new handle (KIPC_CREATE_HANDLE), @fd left as it was:
 * the new handle's descriptor (close-on-exec), its id in *@id if not NULL;
 * or -errno.
 */
int kipc_create_handle(int fd, const char *name,
		       const struct kipc_create_opts *o, uint32_t *id);
int kipc_attach(int fd, const char *name);
int kipc_attach_id(int fd, uint32_t id);
/* By id, in any IPC namespace (KIPC_ATTACH_ALL_NS: needs CAP_IPC_OWNER). */
int kipc_attach_id_any_ns(int fd, uint32_t id);
int kipc_destroy(int fd);
int kipc_stat(int fd, struct kipc_stat *st);
int kipc_set(int fd, const struct kipc_set *s);

/* Shortcuts: a new handle created on / attached to @name, or -errno. */
int kipc_open_create(const char *name, const struct kipc_create_opts *o);
int kipc_open_attach(const char *name);

int kipc_send(int fd, const void *buf, uint32_t len, uint32_t type,
	      uint32_t prio, uint32_t flags, uint64_t timeout_ns);
/* Fills @m (buf, len, type, flags, timeout_ns are the caller's). */
int kipc_send_msg(int fd, struct kipc_msg *m);
int kipc_recv_msg(int fd, struct kipc_msg *m);
/* Returns the length received. */
int kipc_recv(int fd, void *buf, uint32_t len, uint32_t type, uint32_t flags,
	      uint64_t timeout_ns);
/* Return how many messages moved. */
int kipc_sendv(int fd, struct kipc_msg *msgs, uint32_t count, uint32_t flags,
	       uint64_t timeout_ns);
int kipc_recvv(int fd, struct kipc_msg *msgs, uint32_t count, uint32_t flags,
	       uint64_t timeout_ns);

int kipc_notify(int fd, int signo, uint32_t flags);

/*
 * Request and reply (SPEC section 9). kipc_call() sends @req and waits for
 * the reply, up to @reply_len bytes into @reply; returns the reply's
 * length, or -errno. kipc_call_msg() is the whole struct (seq out).
 * kipc_reply() answers call @seq; kipc_reply_recv() answers (unless @seq
 * is 0) and then receives into @m as kipc_recv_msg() does (clearing
 * KIPC_MSG_CALL, out only, from the flags it is given).
 */
int kipc_call(int fd, const void *req, uint32_t len, uint32_t type,
	      void *reply, uint32_t reply_len, uint64_t timeout_ns);
int kipc_call_msg(int fd, struct kipc_call *c);
int kipc_reply(int fd, uint64_t seq, const void *buf, uint32_t len);
int kipc_reply_recv(int fd, uint64_t seq, const void *buf, uint32_t len,
		    struct kipc_msg *m);

#endif /* LIBKIPC_H */
