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
/*
 * Attach a new handle, not this one, and return it as the ioctl's value: a
 * file descriptor, close-on-exec, that is a handle as an open of
 * KIPC_DEVICE is. The calling handle, attached or not, is left as it was:
 * one open handle makes any number of mailboxes, one system call each.
 */
#define KIPC_CREATE_HANDLE	(1U << 1)
#define KIPC_CREATE_FLAGS	(KIPC_CREATE_TEMP | KIPC_CREATE_HANDLE)

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
	/* Appended in version 1; a caller's smaller struct gets none of it. */
	__u32 calls_pending;		/* requests not yet answered */
	__u32 callers_blocked;		/* callers waiting for their reply */
	__u64 calls;			/* requests sent by KIPC_IOC_CALL */
};

/*
 * The first struct kipc_stat, without the fields after ctime_ns: the
 * smallest @size STAT takes. STAT is matched by its number, whatever size
 * the ioctl's encoding says (a program built against an older header
 * encodes its own size); @size is what counts.
 */
#define KIPC_STAT_SIZE_VER0	176

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
/* Out only (recv): a request, KIPC_IOC_CALL's: answer its seq. */
#define KIPC_MSG_CALL		(1U << 5)
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
 * Errors. An op on a handle's mailbox fails with the first of these that
 * applies, in order:
 *
 *  1. Its argument, which needs no mailbox to check: EFAULT if it cannot be
 *     read; EINVAL for unknown flags, nonzero padding, a field its flags do
 *     not use, a bad name, mode, priority, signal number or batch count;
 *     ENAMETOOLONG; then EFAULT if what is written back cannot be written
 *     (probed before the op acts; should a receive's buffer or header
 *     become unwritable after, its message goes back where it was).
 *     CREATE with KIPC_CREATE_HANDLE: EMFILE or ENFILE without a free
 *     descriptor.
 *  2. The handle: ENOTCONN if it is not attached to a mailbox.
 *  3. The mailbox: EIDRM if it was destroyed, for every op and every
 *     caller, owner or not.
 *  4. The caller: EACCES if the mailbox's mode does not grant the op (SEND
 *     and SENDV need w; RECV, RECVV and NOTIFY with a signal need r);
 *     EPERM if DESTROY or SET comes from neither the owner nor a holder of
 *     CAP_IPC_OWNER.
 *  5. The op itself: EINVAL for a size or capacity beyond the limits,
 *     EMSGSIZE, EAGAIN, ETIMEDOUT, EINTR, EBUSY, ENOSPC, ENOMEM.
 *
 * CREATE and ATTACH, which attach a handle, check their argument (1), then
 * CREATE the limits (EINVAL), the handle (EISCONN), then the name (EEXIST)
 * and the room (ENOSPC); ATTACH the privilege KIPC_ATTACH_ALL_NS needs
 * (EPERM), the handle (EISCONN), then the mailbox (ENOENT) and its mode
 * (EACCES without r or w).
 *
 * A sender or receiver blocked when its mailbox is destroyed wakes with
 * EIDRM. An op that passed step 3 before the destroy may end as if it came
 * first (a STAT reports the mailbox as it was).
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
 * Request and reply (SPEC section 9). KIPC_IOC_CALL sends @buf as a
 * message of @type and @priority into the attached mailbox (needs w, and
 * blocks for room as SEND does, or EAGAIN under NONBLOCK) and waits for
 * its reply, which is copied to @reply_buf; @reply_len is then its length
 * and @seq the call's. @timeout_ns bounds the whole call. The receiver
 * gets the request as a message with KIPC_MSG_CALL in its flags; the
 * handle that received it owns the call, and only it can answer, with
 * KIPC_IOC_REPLY. Errors besides SEND's: EMSGSIZE in the replier if the
 * reply exceeds @reply_len (the call stays pending); ECONNRESET in the
 * caller if the owning handle closes unanswered; EIDRM if the mailbox is
 * destroyed; ENOENT for a REPLY whose caller gave up (timeout, signal,
 * exit) or that no handle of this one owns. A signal whose handler runs
 * (or that kills) during the wait for the reply ends the call with EINTR
 * and gives it up. A stop, a ptrace trap or the freezer does not: the
 * ioctl is restarted with @seq (written back, as is what is left of
 * @timeout_ns), and a CALL whose @seq is that of the calling thread's
 * interrupted call waits on for its reply instead of sending a new
 * request (EINVAL for any other nonzero @seq). A new CALL by that thread
 * on the handle gives the old one up.
 */
struct kipc_call {
	__u64 buf;		/* in: the request */
	__u32 len;		/* in: its length */
	__u32 flags;		/* in: KIPC_NONBLOCK */
	__u32 type;		/* in: the request's type */
	__u32 priority;		/* in: 0..KIPC_PRIO_MAX */
	__u64 timeout_ns;	/* in, out: as in struct kipc_msg */
	__u64 reply_buf;	/* in: user pointer to the reply buffer */
	__u32 reply_len;	/* in: its size; out: the reply's length */
	__u32 __pad;
	__u64 seq;		/* in: 0 (or to resume); out: the request's */
};

struct kipc_reply {
	__u64 seq;		/* in: the call to answer */
	__u64 buf;		/* in: the reply */
	__u32 len;		/* in: its length, at most max_msg_size */
	__u32 flags;		/* in: 0 */
};

/*
 * KIPC_IOC_REPLY_RECV: @reply as KIPC_IOC_REPLY (unless its seq is 0),
 * then @msg as KIPC_IOC_RECV; if the reply fails, so does the call, which
 * then receives nothing.
 */
struct kipc_reply_recv {
	struct kipc_reply reply;
	struct kipc_msg msg;
};

#define KIPC_IOC_CALL		_IOWR(KIPC_IOC_MAGIC, 0x0b, struct kipc_call)
#define KIPC_IOC_REPLY		_IOW(KIPC_IOC_MAGIC, 0x0c, struct kipc_reply)
#define KIPC_IOC_REPLY_RECV	_IOWR(KIPC_IOC_MAGIC, 0x0d, struct kipc_reply_recv)

/*
 * read(2) and write(2) on a handle move one message each, for programs that
 * need no header (as with a pipe or mq_send()/mq_receive()): write() sends
 * its bytes as a message of type 0 and priority 0 and returns their count;
 * read() receives the best message of any type whole and returns its
 * length, or fails with EMSGSIZE, leaving it queued, if it does not fit.
 * They block unless the handle is O_NONBLOCK, need w and r as SEND and RECV
 * do, and fail as they do (and with EBADF on a descriptor opened without
 * that access, as any file); a signal restarts them under SA_RESTART. A
 * message of 0 bytes makes read() return 0: not an end of file. readv(2),
 * writev(2) and other iovec I/O fail with EINVAL: a message is one buffer.
 * The message has its seq, sender and time stamp all the same, for
 * whoever receives it with KIPC_IOC_RECV.
 */

/*
 * Generic netlink family KIPC_GENL_NAME
 * =====================================
 *
 * Version KIPC_GENL_VERSION, one multicast group, KIPC_GENL_MCGRP_MONITOR;
 * resolve both by name. The family works in every network namespace.
 * kmod/kipc.yaml describes it for tools/net/ynl. Commands and attributes
 * keep their values; new ones are appended.
 *
 * Requests are checked strictly: a nonzero genlmsghdr.reserved, nlmsg_flags
 * other than NLM_F_REQUEST, NLM_F_ACK, NLM_F_ECHO and NLM_F_DUMP, an
 * attribute the command does not take or a malformed one fail with EINVAL
 * (ERANGE for a value the policy bounds: an id of 0, a flag with a
 * payload); NLM_F_DUMP on a command without a dump, and KIPC_CMD_EVENT,
 * with EOPNOTSUPP.
 *
 * Replies and errors arrive as for every generic netlink family:
 *
 *  - a do: its reply message, if it has one, with the request's seq; then,
 *    with NLM_F_ACK, an NLMSG_ERROR of error 0;
 *  - a dump: NLM_F_MULTI messages, then NLMSG_DONE, whose payload is an
 *    int: 0, or the -errno that ended the dump;
 *  - a do that fails, or a dump the checks above refuse: an NLMSG_ERROR
 *    with the -errno, and nothing else.
 *
 * With NETLINK_EXT_ACK set on the socket, a failure also carries its reason
 * (where the kernel gives one) in NLMSGERR_ATTR_MSG, in NLMSG_DONE too, and
 * in an NLMSG_ERROR the offset of the attribute to blame, if one is, in
 * NLMSGERR_ATTR_OFFS. Any request may also fail with ENOMEM. Before a u64,
 * KIPC_A_PAD may come, to align it where the architecture needs that; skip
 * it.
 *
 * Queries run as the task that sends the request (a dump's later parts, as
 * the one that reads them): they see its IPC namespace's mailboxes, with
 * uids, gids and pids in its user and pid namespaces. They need no
 * privilege.
 *
 * KIPC_CMD_MBOX_GET
 * -----------------
 *
 * A do (NLM_F_REQUEST) takes exactly one of:
 *
 *    KIPC_A_MBOX_ID: u32, 1 or more
 *    KIPC_A_MBOX_NAME: NUL-terminated string of 1..KIPC_NAME_MAX - 1
 *                      bytes, no '/'
 *
 * and, with KIPC_A_MBOX_ID only:
 *
 *    KIPC_A_ALL_NS: flag, the mailbox may be of any IPC namespace
 *
 * and replies with one KIPC_CMD_MBOX_GET message carrying every
 * KIPC_A_MBOX_* attribute. Errors, each with an extack message:
 *
 *    EINVAL: both id and name, or neither; KIPC_A_ALL_NS without the id;
 *            an empty name, or one with a '/'
 *    ENOENT: no mailbox of this id or name (in the caller's namespace,
 *            without KIPC_A_ALL_NS)
 *    EPERM:  KIPC_A_ALL_NS without CAP_IPC_OWNER in the initial user
 *            namespace
 *
 * A dump (NLM_F_REQUEST | NLM_F_DUMP) sends one such message for every
 * mailbox of the caller's IPC namespace, or of every namespace with
 * KIPC_A_ALL_NS, in id order, in as many parts as it takes. It ignores
 * KIPC_A_MBOX_ID and _NAME (once the policy has checked them). A mailbox
 * created or destroyed while it runs sets NLM_F_DUMP_INTR on a later
 * message (NLMSG_DONE if no other): dump again. EPERM, as above, is
 * checked for each part and ends the dump in NLMSG_DONE.
 *
 * KIPC_CMD_STATS_GET
 * ------------------
 *
 * A do without attributes. The reply carries every KIPC_A_STATS_*
 * attribute: the module's figures, all IPC namespaces together, and its
 * module parameters as they are now.
 *
 * KIPC_CMD_MONITOR
 * ----------------
 *
 * A do without attributes, and without a reply message. Subscribes the
 * sending socket to the events of the caller's IPC namespace, with uids,
 * gids and pids (KIPC_A_EVENT_PID too) as the caller's user and pid
 * namespaces at this request see them, until the socket is closed. No
 * privilege needed. Errors, each with an extack message:
 *
 *    EALREADY: this socket is subscribed already
 *    ENOSPC:   the user has max_user_monitors (module parameter)
 *              subscriptions; CAP_SYS_RESOURCE is exempt
 *
 * KIPC_CMD_EVENT
 * --------------
 *
 * Never a request. The command of every event message (portid 0, seq 0),
 * which carries:
 *
 *    KIPC_A_EVENT, KIPC_A_EVENT_TIME, KIPC_A_EVENT_PID,
 *    KIPC_A_EVENT_SUPPRESSED
 *    KIPC_A_EVENT_LOST: to a subscriber only
 *    every KIPC_A_MBOX_* attribute, the mailbox as it is when the event is
 *    sent
 *    KIPC_A_MSG_SEQ, KIPC_A_MSG_LEN, KIPC_A_MSG_TYPE: for
 *    KIPC_EVENT_SEND, _RECV, _CALL and _REPLY only; for the last two, the
 *    seq is the request's (the call's), the type the request's, the length
 *    the reply's (0 for a call that ended unanswered)
 *    KIPC_A_CALL_DURATION: for KIPC_EVENT_CALL and _REPLY only, the time
 *    from the request's send to the call's end (the reply, for _REPLY)
 *    KIPC_A_CALL_ERROR: for KIPC_EVENT_CALL only
 *
 * Two ways to get them:
 *
 *  - join KIPC_GENL_MCGRP_MONITOR (CAP_SYS_ADMIN over the socket's
 *    network namespace, else EPERM) in the initial network namespace, the
 *    only one events are multicast in: every IPC namespace's mailboxes,
 *    with uids, gids and pids as the initial namespaces see them.
 *    KIPC_A_EVENT_SUPPRESSED is the module's total, as
 *    KIPC_A_STATS_EVENTS_SUPPRESSED. A full socket loses events and gets
 *    netlink's ENOBUFS.
 *
 *  - KIPC_CMD_MONITOR (above): KIPC_A_EVENT_SUPPRESSED counts the events
 *    of the namespace dropped since the subscription began,
 *    KIPC_A_EVENT_LOST those this socket lost, because it was full or the
 *    event could not be built. No ENOBUFS is set on it.
 *
 * Events are built only while someone listens. KIPC_EVENT_FULL, _NOTIFY,
 * _SEND, _RECV, _CALL and _REPLY go through a token bucket per acting user (the user of
 * the handle that acted): event_rate (module parameter) per second, with
 * a burst of as many; 0 means no limit. An event it drops reaches no
 * listener and is counted. KIPC_EVENT_CREATE and _DESTROY always go out.
 */
#define KIPC_GENL_NAME		"kipc"
#define KIPC_GENL_VERSION	1
#define KIPC_GENL_MCGRP_MONITOR	"monitor"

enum kipc_cmd {
	KIPC_CMD_UNSPEC,
	KIPC_CMD_MBOX_GET,	/* do: one mailbox; dump: all */
	KIPC_CMD_STATS_GET,	/* do: module-wide figures */
	KIPC_CMD_EVENT,		/* events only, never a request */
	KIPC_CMD_MONITOR,	/* do: subscribe this socket to events */

	__KIPC_CMD_MAX,
};

#define KIPC_CMD_MAX (__KIPC_CMD_MAX - 1)

/* KIPC_A_EVENT: what happened. */
enum kipc_event {
	KIPC_EVENT_UNSPEC,	/* never sent */
	KIPC_EVENT_CREATE,	/* a mailbox was created */
	KIPC_EVENT_DESTROY,	/* a mailbox was destroyed */
	KIPC_EVENT_FULL,	/* a sender found it full: blocked, or EAGAIN */
	KIPC_EVENT_NOTIFY,	/* a send delivered a notification signal */
	KIPC_EVENT_SEND,	/* a message was queued */
	KIPC_EVENT_RECV,	/* a message was received, not peeked */
	KIPC_EVENT_CALL,	/* a call ended in its caller: answered, or not */
	KIPC_EVENT_REPLY,	/* a call was answered */
};

enum kipc_attr {
	KIPC_A_UNSPEC,
	KIPC_A_MBOX_ID,			/* u32 */
	KIPC_A_MBOX_NAME,		/* string */
	KIPC_A_MBOX_UID,		/* u32 */
	KIPC_A_MBOX_GID,		/* u32 */
	KIPC_A_MBOX_MODE,		/* u32 */
	KIPC_A_MBOX_DEPTH,		/* u32: messages queued */
	KIPC_A_MBOX_BYTES,		/* u64: payload bytes queued */
	KIPC_A_MBOX_CAPACITY,		/* u32: messages */
	KIPC_A_MBOX_CAPACITY_BYTES,	/* u64 */
	KIPC_A_MBOX_MAX_MSG_SIZE,	/* u32 */
	KIPC_A_MBOX_HANDLES,		/* u32 */
	KIPC_A_MBOX_BLOCKED_SENDERS,	/* u32 */
	KIPC_A_MBOX_BLOCKED_RECEIVERS,	/* u32 */
	KIPC_A_MBOX_NOTIFY_COUNT,	/* u32: signal registrations */
	KIPC_A_MBOX_SENT,		/* u64 */
	KIPC_A_MBOX_RECEIVED,		/* u64 */
	KIPC_A_MBOX_DROPPED,		/* u64 */
	KIPC_A_MBOX_LAST_SENDER_PID,	/* u32: 0 = none */
	KIPC_A_MBOX_LAST_RECEIVER_PID,	/* u32: 0 = none */
	KIPC_A_MBOX_CTIME,		/* u64, ns, CLOCK_REALTIME */
	KIPC_A_MBOX_FLAGS,		/* u32, KIPC_STAT_* */
	KIPC_A_PAD,			/* alignment of a u64; skip it */
	KIPC_A_EVENT,			/* u32, enum kipc_event */
	KIPC_A_EVENT_TIME,		/* u64, ns, CLOCK_MONOTONIC */
	KIPC_A_EVENT_PID,		/* u32: who acted (0: not in the pid ns) */
	KIPC_A_MSG_SEQ,			/* u64 */
	KIPC_A_MSG_LEN,			/* u32: bytes (never the bytes) */
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
	KIPC_A_ALL_NS,			/* flag: all namespaces (MBOX_GET) */
	KIPC_A_STATS_MAX_USER_MAILBOXES, /* u32 */
	KIPC_A_STATS_MAX_USER_BYTES,	/* u64 */
	KIPC_A_STATS_MAX_NOTIFY,	/* u32: registrations per mailbox */
	KIPC_A_EVENT_LOST,		/* u64: events a subscriber's socket lost */
	KIPC_A_STATS_MONITORS,		/* u32: KIPC_CMD_MONITOR subscriptions now */
	KIPC_A_MBOX_CALLS_PENDING,	/* u32: requests not yet answered */
	KIPC_A_MBOX_CALLERS_BLOCKED,	/* u32: callers waiting for a reply */
	KIPC_A_MBOX_CALLS,		/* u64: requests sent by KIPC_IOC_CALL */
	KIPC_A_CALL_DURATION,		/* u64, ns: from the request to the end */
	KIPC_A_CALL_ERROR,		/* u32: 0 answered, else the errno */

	__KIPC_A_MAX,
};

#define KIPC_A_MAX (__KIPC_A_MAX - 1)

#endif /* _UAPI_LINUX_KIPC_H */
