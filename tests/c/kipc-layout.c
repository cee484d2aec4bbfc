// SPDX-License-Identifier: GPL-2.0
/*
 * Prints the size and field offsets of every ABI struct, so the -m32 and
 * -m64 builds can be compared; with "roundtrip", also moves a message
 * through /dev/kipc, which from a 32-bit process exercises compat_ioctl.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libkipc.h"

#define S(type) printf("%s size %zu\n", #type, sizeof(struct type))
#define F(type, field) printf("%s.%s %zu\n", #type, #field, \
			      offsetof(struct type, field))

static void layout(void)
{
	S(kipc_version);
	F(kipc_version, abi_version); F(kipc_version, flags);
	F(kipc_version, max_msg_size_cap); F(kipc_version, __pad);
	S(kipc_create);
	F(kipc_create, size); F(kipc_create, flags); F(kipc_create, name);
	F(kipc_create, mode); F(kipc_create, capacity);
	F(kipc_create, capacity_bytes); F(kipc_create, max_msg_size);
	F(kipc_create, id);
	S(kipc_attach);
	F(kipc_attach, flags); F(kipc_attach, id); F(kipc_attach, name);
	S(kipc_set);
	F(kipc_set, flags); F(kipc_set, mode); F(kipc_set, capacity);
	F(kipc_set, max_msg_size); F(kipc_set, capacity_bytes);
	S(kipc_stat);
	F(kipc_stat, size); F(kipc_stat, flags); F(kipc_stat, id);
	F(kipc_stat, mode); F(kipc_stat, uid); F(kipc_stat, gid);
	F(kipc_stat, name); F(kipc_stat, depth); F(kipc_stat, capacity);
	F(kipc_stat, bytes); F(kipc_stat, capacity_bytes);
	F(kipc_stat, max_msg_size); F(kipc_stat, handles);
	F(kipc_stat, blocked_senders); F(kipc_stat, blocked_receivers);
	F(kipc_stat, notify_count); F(kipc_stat, last_sender_pid);
	F(kipc_stat, last_receiver_pid); F(kipc_stat, __pad);
	F(kipc_stat, sent); F(kipc_stat, received); F(kipc_stat, dropped);
	F(kipc_stat, ctime_ns); F(kipc_stat, calls_pending);
	F(kipc_stat, callers_blocked); F(kipc_stat, calls);
	S(kipc_msg);
	F(kipc_msg, buf); F(kipc_msg, len); F(kipc_msg, flags);
	F(kipc_msg, type); F(kipc_msg, priority); F(kipc_msg, timeout_ns);
	F(kipc_msg, seq); F(kipc_msg, timestamp_ns); F(kipc_msg, msg_len);
	F(kipc_msg, sender_pid); F(kipc_msg, sender_uid); F(kipc_msg, __pad);
	S(kipc_msgv);
	F(kipc_msgv, msgs); F(kipc_msgv, count); F(kipc_msgv, flags);
	F(kipc_msgv, timeout_ns);
	S(kipc_notify);
	F(kipc_notify, signo); F(kipc_notify, flags);
	S(kipc_call);
	F(kipc_call, buf); F(kipc_call, len); F(kipc_call, flags);
	F(kipc_call, type); F(kipc_call, priority); F(kipc_call, timeout_ns);
	F(kipc_call, reply_buf); F(kipc_call, reply_len); F(kipc_call, __pad);
	F(kipc_call, seq);
	S(kipc_reply);
	F(kipc_reply, seq); F(kipc_reply, buf); F(kipc_reply, len);
	F(kipc_reply, flags);
	S(kipc_reply_recv);
	F(kipc_reply_recv, reply); F(kipc_reply_recv, msg);
	printf("ioctls %lx %lx %lx %lx %lx %lx %lx %lx %lx %lx %lx %lx %lx %lx\n",
	       (unsigned long)KIPC_IOC_VERSION, (unsigned long)KIPC_IOC_CREATE,
	       (unsigned long)KIPC_IOC_ATTACH, (unsigned long)KIPC_IOC_DESTROY,
	       (unsigned long)KIPC_IOC_STAT, (unsigned long)KIPC_IOC_SET,
	       (unsigned long)KIPC_IOC_SEND, (unsigned long)KIPC_IOC_RECV,
	       (unsigned long)KIPC_IOC_SENDV, (unsigned long)KIPC_IOC_RECVV,
	       (unsigned long)KIPC_IOC_NOTIFY, (unsigned long)KIPC_IOC_CALL,
	       (unsigned long)KIPC_IOC_REPLY,
	       (unsigned long)KIPC_IOC_REPLY_RECV);
}

static int roundtrip(void)
{
	struct kipc_msg batch[2] = {
		{ .buf = (uintptr_t)"b1", .len = 2 },
		{ .buf = (uintptr_t)"b2", .len = 2 },
	};
	char name[32], buf[16];
	struct kipc_stat st;
	int fd, ret;

	snprintf(name, sizeof(name), "layout-%d", getpid());
	fd = kipc_open_create(name, NULL);
	if (fd < 0 || kipc_send(fd, "hello", 5, 7, 1, 0, 0) ||
	    kipc_sendv(fd, batch, 2, 0, 0) != 2 || kipc_stat(fd, &st) ||
	    st.depth != 3 || st.size != sizeof(st))
		goto fail;
	ret = kipc_recv(fd, buf, sizeof(buf), 7, 0, 0);
	if (ret != 5 || memcmp(buf, "hello", 5) || kipc_destroy(fd))
		goto fail;
	printf("roundtrip ok (%zu-bit)\n", sizeof(long) * 8);
	return 0;
fail:
	perror("roundtrip");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "roundtrip"))
		return roundtrip();
	layout();
	return 0;
}
