/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kipc

#if !defined(_KIPC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _KIPC_TRACE_H

#include <linux/sched.h>
#include <linux/tracepoint.h>

DECLARE_EVENT_CLASS(kipc_msg_class,
	TP_PROTO(u32 id, u64 seq, u32 len, u32 type, u32 prio),
	TP_ARGS(id, seq, len, type, prio),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(u64, seq)
		__field(pid_t, pid)
		__field(u32, len)
		__field(u32, type)
		__field(u32, prio)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->seq = seq;
		__entry->pid = current->tgid;
		__entry->len = len;
		__entry->type = type;
		__entry->prio = prio;
	),
	TP_printk("id=%u seq=%llu pid=%d len=%u type=%u prio=%u",
		  __entry->id, __entry->seq, __entry->pid, __entry->len,
		  __entry->type, __entry->prio)
);

DEFINE_EVENT(kipc_msg_class, kipc_send,
	TP_PROTO(u32 id, u64 seq, u32 len, u32 type, u32 prio),
	TP_ARGS(id, seq, len, type, prio));

DEFINE_EVENT(kipc_msg_class, kipc_recv,
	TP_PROTO(u32 id, u64 seq, u32 len, u32 type, u32 prio),
	TP_ARGS(id, seq, len, type, prio));

TRACE_EVENT(kipc_block,
	TP_PROTO(u32 id, bool send),
	TP_ARGS(id, send),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(pid_t, pid)
		__field(bool, send)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->pid = current->pid;
		__entry->send = send;
	),
	TP_printk("id=%u pid=%d op=%s", __entry->id, __entry->pid,
		  __entry->send ? "send" : "recv")
);

TRACE_EVENT(kipc_wake,
	TP_PROTO(u32 id, bool send, int err),
	TP_ARGS(id, send, err),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(pid_t, pid)
		__field(bool, send)
		__field(int, err)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->pid = current->pid;
		__entry->send = send;
		__entry->err = err;
	),
	TP_printk("id=%u pid=%d op=%s err=%d", __entry->id, __entry->pid,
		  __entry->send ? "send" : "recv", __entry->err)
);

/* A call ended in its caller (err 0: answered), and the time it took. */
TRACE_EVENT(kipc_call,
	TP_PROTO(u32 id, u64 seq, int err, u64 duration_ns),
	TP_ARGS(id, seq, err, duration_ns),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(u64, seq)
		__field(pid_t, pid)
		__field(int, err)
		__field(u64, duration_ns)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->seq = seq;
		__entry->pid = current->tgid;
		__entry->err = err;
		__entry->duration_ns = duration_ns;
	),
	TP_printk("id=%u seq=%llu pid=%d err=%d duration_ns=%llu",
		  __entry->id, __entry->seq, __entry->pid, __entry->err,
		  __entry->duration_ns)
);

/* A reply left its replier for the caller; the call so far. */
TRACE_EVENT(kipc_reply,
	TP_PROTO(u32 id, u64 seq, u32 len, u64 duration_ns),
	TP_ARGS(id, seq, len, duration_ns),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(u64, seq)
		__field(pid_t, pid)
		__field(u32, len)
		__field(u64, duration_ns)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->seq = seq;
		__entry->pid = current->tgid;
		__entry->len = len;
		__entry->duration_ns = duration_ns;
	),
	TP_printk("id=%u seq=%llu pid=%d len=%u duration_ns=%llu",
		  __entry->id, __entry->seq, __entry->pid, __entry->len,
		  __entry->duration_ns)
);

TRACE_EVENT(kipc_notify,
	TP_PROTO(u32 id, pid_t target, int signo),
	TP_ARGS(id, target, signo),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(pid_t, pid)
		__field(pid_t, target)
		__field(int, signo)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->pid = current->tgid;
		__entry->target = target;
		__entry->signo = signo;
	),
	TP_printk("id=%u pid=%d target=%d signo=%d", __entry->id,
		  __entry->pid, __entry->target, __entry->signo)
);

TRACE_EVENT(kipc_destroy,
	TP_PROTO(u32 id, u32 dropped),
	TP_ARGS(id, dropped),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(pid_t, pid)
		__field(u32, dropped)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->pid = current->tgid;
		__entry->dropped = dropped;
	),
	TP_printk("id=%u pid=%d dropped=%u", __entry->id, __entry->pid,
		  __entry->dropped)
);

#endif /* _KIPC_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
