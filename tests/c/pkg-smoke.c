// SPDX-License-Identifier: GPL-2.0
/*
 * tests/deb.sh's program: built against the INSTALLED libkipc (kipc-tools)
 * with `cc pkg-smoke.c $(pkg-config --cflags --libs kipc)`, not by
 * user/Makefile, and run in the guest on the module that DKMS built.
 * Creates a temporary mailbox, sends one message, receives it, prints
 * "pkg-smoke: abi VERSION, type 7, priority 2: hello from libkipc".
 */
#include <stdio.h>
#include <string.h>

#include <libkipc.h>

int main(void)
{
	static const char text[] = "hello from libkipc";
	struct kipc_create_opts o = { .flags = KIPC_CREATE_TEMP };
	struct kipc_version v = { 0 };
	struct kipc_msg m;
	char buf[64];
	int fd, ret;

	fd = kipc_open_create("pkg-smoke", &o);
	if (fd < 0) {
		fprintf(stderr, "pkg-smoke: create: %s\n", strerror(-fd));
		return 1;
	}
	ret = kipc_version(fd, &v);
	if (ret == 0)
		ret = kipc_send(fd, text, strlen(text), 7, 2, 0, 0);
	if (ret < 0) {
		fprintf(stderr, "pkg-smoke: version/send: %s\n", strerror(-ret));
		return 1;
	}
	memset(&m, 0, sizeof(m));
	m.buf = (unsigned long)buf;
	m.len = sizeof(buf);
	ret = kipc_recv_msg(fd, &m);
	if (ret < 0) {
		fprintf(stderr, "pkg-smoke: recv: %s\n", strerror(-ret));
		return 1;
	}
	printf("pkg-smoke: abi %u, type %u, priority %u: %.*s\n",
	       v.abi_version, m.type, m.priority, (int)m.len, buf);
	return kipc_close(fd) < 0;
}
