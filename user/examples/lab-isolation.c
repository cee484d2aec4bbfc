// SPDX-License-Identifier: GPL-2.0
/*
 * Lab 1: two processes, two address spaces, one mailbox in the kernel.
 *
 *   lab-isolation [NAME]
 *
 * The parent creates a temporary mailbox NAME (default "lab1-fork") and
 * forks. The child changes a global variable and sends its new text through
 * the mailbox. The parent, looking at the *same virtual address*, still sees
 * its old text: after fork() each process has its own copy of memory. The
 * only way the child's text reaches the parent is through the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libkipc.h"

/* A global variable: every process has its own copy at this address. */
static char note[64] = "original text";

static void die(const char *what, int err)
{
	fprintf(stderr, "lab-isolation: %s: %s\n", what, strerror(err));
	exit(1);
}

/* Counts the mappings of this process that are shared ('s' in perms). */
static int shared_mappings(void)
{
	char line[512], perms[8];
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0;

	if (!f)
		die("/proc/self/maps", errno);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %7s", perms) == 1 && perms[3] == 's')
			n++;
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "lab1-fork";
	/* TEMP: the kernel destroys the mailbox when its last handle closes. */
	struct kipc_create_opts opts = { .flags = KIPC_CREATE_TEMP };
	struct kipc_msg m = { 0 };
	char buf[64] = "";
	int fd, ret;
	pid_t child;

	fd = kipc_open_create(name, &opts);
	if (fd < 0)
		die(name, -fd);

	printf("parent pid %d: note at %p = \"%s\"\n", getpid(), (void *)note, note);
	/* Flush before fork(), or the child inherits a copy of the buffer. */
	fflush(stdout);

	child = fork();
	if (child < 0)
		die("fork", errno);
	if (child == 0) {
		/* The child: its own handle, found by the mailbox's name. */
		int cfd = kipc_open_attach(name);

		if (cfd < 0)
			die(name, -cfd);
		strcpy(note, "written by the child");
		printf("child  pid %d: note at %p = \"%s\"\n", getpid(), (void *)note, note);
		/* user memory -> kernel buffer: the kernel copies the bytes. */
		ret = kipc_send(cfd, note, strlen(note), 0, 0, 0, 0);
		if (ret < 0)
			die("send", -ret);
		printf("child  pid %d: sent \"%s\" into mailbox %s\n", getpid(), note, name);
		exit(0);
	}

	waitpid(child, NULL, 0);
	printf("parent pid %d: note at %p = \"%s\"\n", getpid(), (void *)note, note);

	/* kernel buffer -> user memory: the second copy. */
	m.buf = (uintptr_t)buf;
	m.len = sizeof(buf) - 1;
	ret = kipc_recv_msg(fd, &m);
	if (ret < 0)
		die("recv", -ret);
	buf[m.len] = '\0';
	printf("parent pid %d: received \"%s\" from pid %d through the kernel\n",
	       getpid(), buf, m.sender_pid);
	printf("parent pid %d: shared mappings in /proc/self/maps: %d\n",
	       getpid(), shared_mappings());
	kipc_close(fd);	/* the last handle: the temporary mailbox goes away */
	return 0;
}
