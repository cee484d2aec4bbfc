/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kipc: mailbox IPC through the kernel.
 *
 * The one definition of the kipc ABI: the ioctls of /dev/kipc and the
 * generic netlink family "kipc". Every struct has fixed-width fields, explicit
 * padding and a flags word, so it has the same layout for 32- and 64-bit user
 * space. Nonzero padding and unknown flags are rejected with EINVAL. Structs
 * that may grow start with a size field (see copy_struct_from_user()).
 */
#ifndef _UAPI_LINUX_KIPC_H
#define _UAPI_LINUX_KIPC_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define KIPC_ABI_VERSION	1

#define KIPC_DEVICE		"/dev/kipc"
#define KIPC_NAME_MAX		64	/* including the terminating NUL */
#define KIPC_PRIO_MAX		32767	/* as Linux's MQ_PRIO_MAX - 1 */
#define KIPC_BATCH_MAX		64
#define KIPC_CAPACITY_MAX	(1U << 20)	/* messages a mailbox may hold */
#define KIPC_MSG_SIZE_CAP	(1U << 20)	/* bytes: max_msg_size's ceiling */

/* struct kipc_version */
struct kipc_version {
	__u32 abi_version;		/* out: KIPC_ABI_VERSION */
	__u32 flags;			/* in: 0 */
	__u32 max_msg_size_cap;		/* out: hard cap on max_msg_size */
	__u32 __pad;
};

/* struct kipc_create: flags */
#define KIPC_CREATE_TEMP	(1U << 0)	/* destroy when the last handle closes */
#define KIPC_CREATE_FLAGS	(KIPC_CREATE_TEMP)

struct kipc_create {
	__u32 size;			/* in: sizeof(struct kipc_create) */
	__u32 flags;			/* in: KIPC_CREATE_* */
	char name[KIPC_NAME_MAX];	/* in: 1..63 bytes, no '/' */
	__u32 mode;			/* in: 0..0777; 0 means 0600 */
	__u32 capacity;			/* in: messages; 0 = default_capacity */
	__u64 capacity_bytes;		/* in: 0 = default_capacity_bytes */
	__u32 max_msg_size;		/* in: 0 = the max_msg_size parameter */
	__u32 id;			/* out: the new mailbox's id */
};

/* struct kipc_attach: flags */
#define KIPC_ATTACH_BY_ID	(1U << 0)	/* look up @id, ignore @name */
/*
 * With BY_ID: the id may be of any IPC namespace's mailbox. Needs
 * CAP_IPC_OWNER in the initial user namespace (EPERM otherwise); for
 * `kipcctl -A`, to inspect and destroy what other namespaces left.
 */
#define KIPC_ATTACH_ALL_NS	(1U << 1)
#define KIPC_ATTACH_FLAGS	(KIPC_ATTACH_BY_ID | KIPC_ATTACH_ALL_NS)

struct kipc_attach {
	__u32 flags;			/* in: KIPC_ATTACH_* */
	__u32 id;			/* in with BY_ID; out: the mailbox's id */
	char name[KIPC_NAME_MAX];	/* in without BY_ID */
};

/* struct kipc_set: flags say which fields to apply */
#define KIPC_SET_MODE		(1U << 0)
#define KIPC_SET_CAPACITY	(1U << 1)
#define KIPC_SET_CAPACITY_BYTES	(1U << 2)
#define KIPC_SET_MAX_MSG_SIZE	(1U << 3)
#define KIPC_SET_FLAGS		(KIPC_SET_MODE | KIPC_SET_CAPACITY | \
				 KIPC_SET_CAPACITY_BYTES | KIPC_SET_MAX_MSG_SIZE)

struct kipc_set {
	__u32 flags;
	__u32 mode;
	__u32 capacity;
	__u32 max_msg_size;
	__u64 capacity_bytes;
};

/* struct kipc_stat: state flags (out) */
#define KIPC_STAT_TEMP		(1U << 0)

struct kipc_stat {
	__u32 size;			/* in: sizeof(struct kipc_stat) */
	__u32 flags;			/* in: 0; out: KIPC_STAT_* */
	__u32 id;
	__u32 mode;
	__u32 uid;			/* in the caller's user namespace */
	__u32 gid;
	char name[KIPC_NAME_MAX];
	__u32 depth;			/* messages queued */
	__u32 capacity;			/* messages */
	__u64 bytes;			/* payload bytes queued */
	__u64 capacity_bytes;
	__u32 max_msg_size;
	__u32 handles;			/* attached handles */
	__u32 blocked_senders;
	__u32 blocked_receivers;
	__u32 notify_count;		/* signal registrations */
	__s32 last_sender_pid;		/* in the caller's pid namespace; 0 = none */
	__s32 last_receiver_pid;
	__u32 __pad;
	__u64 sent;			/* messages queued since creation */
	__u64 received;			/* messages removed by receivers */
	__u64 dropped;			/* messages truncated or freed unread */
	__u64 ctime_ns;			/* creation time, CLOCK_REALTIME */
};

/* struct kipc_msg: flags */
#define KIPC_NONBLOCK		(1U << 0)	/* EAGAIN instead of blocking */
#define KIPC_RECV_PEEK		(1U << 1)	/* copy, leave queued */
#define KIPC_RECV_TRUNCATE	(1U << 2)	/* deliver the prefix, drop the rest */
/*
 * Selection by type. Without these flags, type 0 takes any message and
 * type T the first of type T. "First" is always: highest priority, then
 * oldest. At most one of the two.
 */
#define KIPC_RECV_TYPE_LE	(1U << 3)	/* the lowest type <= T (SysV msgtyp < 0) */
#define KIPC_RECV_TYPE_NOT	(1U << 4)	/* any type but T (SysV MSG_EXCEPT) */
#define KIPC_RECV_SELECT	(KIPC_RECV_TYPE_LE | KIPC_RECV_TYPE_NOT)
#define KIPC_SEND_FLAGS		(KIPC_NONBLOCK)
#define KIPC_RECV_FLAGS		(KIPC_NONBLOCK | KIPC_RECV_PEEK | \
				 KIPC_RECV_TRUNCATE | KIPC_RECV_SELECT)

/*
 * One message, for KIPC_IOC_SEND and KIPC_IOC_RECV, and one entry of the
 * array of KIPC_IOC_SENDV / KIPC_IOC_RECVV.
 */
struct kipc_msg {
	__u64 buf;		/* in: user pointer to the payload / buffer */
	__u32 len;		/* in: payload or buffer size; out (recv): copied */
	__u32 flags;		/* in: KIPC_NONBLOCK, KIPC_RECV_* */
	__u32 type;		/* send: in; recv: in = wanted (0 = any), out */
	__u32 priority;		/* send: in, 0..KIPC_PRIO_MAX; recv: out */
	__u64 timeout_ns;	/* in: relative, CLOCK_MONOTONIC; 0 = none */
				/* out: see "Restarts" below */
	__u64 seq;		/* out: per-mailbox sequence number */
	__u64 timestamp_ns;	/* out (recv): CLOCK_MONOTONIC at send */
	__u32 msg_len;		/* out (recv): the message's full length */
	__s32 sender_pid;	/* out (recv): in the receiver's pid namespace */
	__u32 sender_uid;	/* out (recv): in the receiver's user namespace */
	__u32 __pad;
};

/*
 * Restarts. A blocked call that a stop (SIGSTOP, then SIGCONT), a ptrace
 * trap, the freezer or a signal without a handler interrupts is restarted
 * by the kernel, as msgrcv(2) is; a signal whose handler runs fails it with
 * EINTR. So that a restarted call does not wait its whole timeout again,
 * what is left of timeout_ns is written back first (as select(2) does with
 * its timeout): after such a restart, timeout_ns holds less than was
 * passed. If it cannot be written, the call fails with EINTR instead.
 */

/*
 * A batch for KIPC_IOC_SENDV / KIPC_IOC_RECVV. Entries move in order; the
 * ioctl returns how many moved. SENDV blocks (as flags and timeout_ns say)
 * for every entry; RECVV blocks only for the first and then takes what is
 * queued. An error after at least one entry moved ends the batch and is not
 * reported, as with sendmmsg(2). Entry flags may only hold
 * KIPC_RECV_TRUNCATE and KIPC_RECV_SELECT, and entry timeouts must be 0.
 */
struct kipc_msgv {
	__u64 msgs;		/* in: user pointer to struct kipc_msg[count] */
	__u32 count;		/* in: 1..KIPC_BATCH_MAX */
	__u32 flags;		/* in: KIPC_NONBLOCK */
	__u64 timeout_ns;	/* in, out: as in struct kipc_msg */
};

/* struct kipc_notify: flags */
#define KIPC_NOTIFY_ONESHOT	(1U << 0)	/* unregister after one signal */
#define KIPC_NOTIFY_EDGE	(1U << 1)	/* only on empty -> non-empty */
#define KIPC_NOTIFY_EXCLUSIVE	(1U << 2)	/* the only one; others: EBUSY */
#define KIPC_NOTIFY_IDLE	(1U << 3)	/* only if no receiver is blocked */
#define KIPC_NOTIFY_FLAGS	(KIPC_NOTIFY_ONESHOT | KIPC_NOTIFY_EDGE | \
				 KIPC_NOTIFY_EXCLUSIVE | KIPC_NOTIFY_IDLE)

/*
 * Register the calling process for a signal when a message is queued in the
 * attached mailbox: si_code SI_MESGQ, si_int the mailbox id, si_pid/si_uid the
 * sender (its pid, and its real uid as kill(2) reports it, as the registrant's
 * namespaces see them). The signal is process-directed: any thread that does
 * not block it may take it. signo 0 unregisters this handle.
 */
struct kipc_notify {
	__u32 signo;
	__u32 flags;
};

/*
 * Errors. An ioctl fails with the first of these that applies, in order:
 *
 *  1. Its argument, which needs no mailbox to check: EFAULT if it cannot be
 *     read, or what is written back cannot be written; EINVAL for unknown
 *     flags, nonzero padding, a field its flags do not use, a bad name,
 *     mode, priority, signal number or batch count; ENAMETOOLONG.
 *  2. The handle: ENOTCONN if it is not attached to a mailbox (EISCONN,
 *     for CREATE and ATTACH, if it is).
 *  3. The mailbox: EIDRM if it was destroyed, for every op and every
 *     caller, owner or not.
 *  4. The caller: EACCES if the mailbox's mode does not grant the op (SEND
 *     and SENDV need w; RECV, RECVV and NOTIFY with a signal need r);
 *     EPERM if DESTROY or SET comes from neither the owner nor a holder of
 *     CAP_IPC_OWNER.
 *  5. The op itself: EINVAL for a size or capacity beyond the limits,
 *     EMSGSIZE, EAGAIN, ETIMEDOUT, EINTR, EEXIST, ENOENT, EBUSY, ENOSPC,
 *     ENOMEM.
 *
 * A mailbox destroyed while the op waits or works ends it with EIDRM too.
 */

#define KIPC_IOC_MAGIC		0xB8

#define KIPC_IOC_VERSION	_IOWR(KIPC_IOC_MAGIC, 0x00, struct kipc_version)
#define KIPC_IOC_CREATE		_IOWR(KIPC_IOC_MAGIC, 0x01, struct kipc_create)
#define KIPC_IOC_ATTACH		_IOWR(KIPC_IOC_MAGIC, 0x02, struct kipc_attach)
#define KIPC_IOC_DESTROY	_IO(KIPC_IOC_MAGIC, 0x03)
#define KIPC_IOC_STAT		_IOWR(KIPC_IOC_MAGIC, 0x04, struct kipc_stat)
#define KIPC_IOC_SET		_IOW(KIPC_IOC_MAGIC, 0x05, struct kipc_set)
#define KIPC_IOC_SEND		_IOWR(KIPC_IOC_MAGIC, 0x06, struct kipc_msg)
#define KIPC_IOC_RECV		_IOWR(KIPC_IOC_MAGIC, 0x07, struct kipc_msg)
#define KIPC_IOC_SENDV		_IOW(KIPC_IOC_MAGIC, 0x08, struct kipc_msgv)
#define KIPC_IOC_RECVV		_IOW(KIPC_IOC_MAGIC, 0x09, struct kipc_msgv)
#define KIPC_IOC_NOTIFY		_IOW(KIPC_IOC_MAGIC, 0x0a, struct kipc_notify)

/*
 * Generic netlink family "kipc", version 1, multicast group "monitor".
 * Commands and attributes are append-only.
 *
 * KIPC_CMD_EVENT
 * --------------
 *
 * Never a request. Each event carries KIPC_A_EVENT, _EVENT_TIME, _EVENT_PID,
 * _EVENT_SUPPRESSED and the attributes of a KIPC_CMD_MBOX_GET reply; SEND
 * and RECV add KIPC_A_MSG_SEQ, _MSG_LEN and _MSG_TYPE. Two ways to get them:
 *
 *  - join the "monitor" group: every IPC namespace's mailboxes, uids and
 *    pids as the initial namespaces see them, in the initial network
 *    namespace only. Joining needs CAP_SYS_ADMIN (EPERM otherwise).
 *    KIPC_A_EVENT_SUPPRESSED is the module's total (as KIPC_CMD_STATS_GET).
 *
 *  - KIPC_CMD_MONITOR (below): the caller's IPC namespace only.
 *    KIPC_A_EVENT_SUPPRESSED counts that namespace's events dropped since
 *    the subscription began, KIPC_A_EVENT_LOST those this socket lost
 *    because its receive buffer was full (a subscription's socket gets no
 *    ENOBUFS error for them: that count is how it learns of a loss).
 *
 * KIPC_CMD_MONITOR
 * ----------------
 *
 * A do without attributes, no privilege needed: unicast to the sending
 * socket the events of the caller's IPC namespace, with uids and pids in
 * the caller's user and pid namespaces as they were at this request, until
 * the socket is closed. EALREADY if this socket is subscribed already,
 * ENOSPC beyond the max_user_monitors module parameter (per real uid;
 * CAP_SYS_RESOURCE is exempt).
 */
#define KIPC_GENL_NAME		"kipc"
#define KIPC_GENL_VERSION	1
#define KIPC_GENL_MCGRP_MONITOR	"monitor"

enum {
	KIPC_CMD_UNSPEC,
	KIPC_CMD_MBOX_GET,	/* do: by KIPC_A_MBOX_ID or _NAME; dump: all */
	KIPC_CMD_STATS_GET,	/* module-wide figures */
	KIPC_CMD_EVENT,		/* multicast on "monitor"; unicast to subscribers */
	KIPC_CMD_MONITOR,	/* do: send this socket the caller's namespace's events */

	__KIPC_CMD_MAX,
};

#define KIPC_CMD_MAX (__KIPC_CMD_MAX - 1)

enum kipc_event {
	KIPC_EVENT_UNSPEC,
	KIPC_EVENT_CREATE,
	KIPC_EVENT_DESTROY,
	KIPC_EVENT_FULL,
	KIPC_EVENT_NOTIFY,
	KIPC_EVENT_SEND,
	KIPC_EVENT_RECV,
};

enum {
	KIPC_A_UNSPEC,
	KIPC_A_MBOX_ID,			/* u32 */
	KIPC_A_MBOX_NAME,		/* string */
	KIPC_A_MBOX_UID,		/* u32 */
	KIPC_A_MBOX_GID,		/* u32 */
	KIPC_A_MBOX_MODE,		/* u32 */
	KIPC_A_MBOX_DEPTH,		/* u32 */
	KIPC_A_MBOX_BYTES,		/* u64 */
	KIPC_A_MBOX_CAPACITY,		/* u32 */
	KIPC_A_MBOX_CAPACITY_BYTES,	/* u64 */
	KIPC_A_MBOX_MAX_MSG_SIZE,	/* u32 */
	KIPC_A_MBOX_HANDLES,		/* u32 */
	KIPC_A_MBOX_BLOCKED_SENDERS,	/* u32 */
	KIPC_A_MBOX_BLOCKED_RECEIVERS,	/* u32 */
	KIPC_A_MBOX_NOTIFY_COUNT,	/* u32 */
	KIPC_A_MBOX_SENT,		/* u64 */
	KIPC_A_MBOX_RECEIVED,		/* u64 */
	KIPC_A_MBOX_DROPPED,		/* u64 */
	KIPC_A_MBOX_LAST_SENDER_PID,	/* u32 */
	KIPC_A_MBOX_LAST_RECEIVER_PID,	/* u32 */
	KIPC_A_MBOX_CTIME,		/* u64, ns, CLOCK_REALTIME */
	KIPC_A_MBOX_FLAGS,		/* u32, KIPC_STAT_* */
	KIPC_A_PAD,
	KIPC_A_EVENT,			/* u32, enum kipc_event */
	KIPC_A_EVENT_TIME,		/* u64, ns, CLOCK_MONOTONIC */
	KIPC_A_EVENT_PID,		/* u32 */
	KIPC_A_MSG_SEQ,			/* u64 */
	KIPC_A_MSG_LEN,			/* u32 */
	KIPC_A_MSG_TYPE,		/* u32 */
	KIPC_A_EVENT_SUPPRESSED,	/* u64: events dropped by the rate limit */
	KIPC_A_STATS_MAILBOXES,		/* u32 */
	KIPC_A_STATS_MESSAGES,		/* u64 */
	KIPC_A_STATS_BYTES,		/* u64 */
	KIPC_A_STATS_MAX_MAILBOXES,	/* u32 */
	KIPC_A_STATS_MAX_MSG_SIZE,	/* u32 */
	KIPC_A_STATS_MAX_TOTAL_BYTES,	/* u64 */
	KIPC_A_STATS_DEFAULT_CAPACITY,	/* u32 */
	KIPC_A_STATS_DEFAULT_CAPACITY_BYTES, /* u64 */
	KIPC_A_STATS_SENT,		/* u64 */
	KIPC_A_STATS_RECEIVED,		/* u64 */
	KIPC_A_STATS_CREATED,		/* u64 */
	KIPC_A_STATS_DESTROYED,		/* u64 */
	KIPC_A_STATS_EVENTS_SUPPRESSED,	/* u64 */
	KIPC_A_STATS_EVENT_RATE,	/* u32: the event_rate parameter */
	KIPC_A_STATS_CHARGED_BYTES,	/* u64: vs max_total_bytes, with headers */
	KIPC_A_MBOX_NS,			/* u32: the IPC namespace's inode number */
	KIPC_A_ALL_NS,			/* flag: all namespaces (dump; GET by id) */
	KIPC_A_STATS_MAX_USER_MAILBOXES, /* u32 */
	KIPC_A_STATS_MAX_USER_BYTES,	/* u64 */
	KIPC_A_STATS_MAX_NOTIFY,	/* u32: registrations per mailbox */
	KIPC_A_EVENT_LOST,		/* u64: to a subscriber, events its full socket lost */
	KIPC_A_STATS_MONITORS,		/* u32: KIPC_CMD_MONITOR subscriptions now */

	__KIPC_A_MAX,
};

#define KIPC_A_MAX (__KIPC_A_MAX - 1)

#endif /* _UAPI_LINUX_KIPC_H */
