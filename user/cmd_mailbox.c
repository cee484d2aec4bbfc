// SPDX-License-Identifier: GPL-2.0
/* kipcctl create and destroy: a mailbox's life, through the ioctls. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "json.h"
#include "libkipc.h"
#include "subcommands.h"

struct create_args {
	uint64_t capacity, capacity_bytes, max_size;
	uint32_t mode;
	uint32_t flags;
};

/* The one octal number, as chmod(1) takes it; 0 would be the default. */
static int parse_mode(const char *cmd, const char *arg, void *args)
{
	struct create_args *a = args;
	unsigned long m;

	(void)cmd;
	if (!*arg || strspn(arg, "01234567") != strlen(arg))
		return -1;
	m = strtoul(arg, NULL, 8);
	/* 0 would be the kernel's default, 0600: not what was asked. */
	if (m > 0777 || !m)
		return -1;
	a->mode = m;
	return 0;
}

/* The rows create_check() asks about: given, 0 is refused, not "default". */
enum { CREATE_CAPACITY, CREATE_CAPACITY_BYTES, CREATE_MAX_SIZE };

const struct opt create_opts[] = {
	[CREATE_CAPACITY] =
	OPT_NUM("capacity", struct create_args, capacity, 0, UINT32_MAX),
	[CREATE_CAPACITY_BYTES] =
	OPT_NUM("capacity-bytes", struct create_args, capacity_bytes, 0, UINT64_MAX),
	[CREATE_MAX_SIZE] =
	OPT_NUM("max-size", struct create_args, max_size, 0, UINT32_MAX),
	OPT_FN("mode", parse_mode, "an octal mode, 1..0777"),
	OPT_BITS("temp", struct create_args, flags, KIPC_CREATE_TEMP),
	{ 0 }
};

/* A module parameter, or false if it cannot be read. */
static bool module_param(const char *name, uint64_t *v)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/kipc/parameters/%s", name);
	return !read_num(path, v);
}

#define GIVEN(cl, row) ((cl)->seen & (1ULL << (row)))

/*
 * What the module would refuse with EINVAL (or ENAMETOOLONG), said before
 * asking it, with the allowed range: the limits are the module parameters
 * where they can be read, else the module has the last word.
 */
static int create_check(const char *nm, const struct create_args *a,
			const struct cmdline *cl)
{
	const char *name = *nm ? nm : "''";
	uint64_t max_msg = KIPC_MSG_SIZE_CAP, max_total = UINT64_MAX, size;

	if (strlen(nm) >= KIPC_NAME_MAX)
		return kipcctl_failf("create", name, ENAMETOOLONG,
				     ": a name is 1..%d bytes, this one %zu",
				     KIPC_NAME_MAX - 1, strlen(nm));
	if (!*nm || strchr(nm, '/'))
		return kipcctl_failf("create", name, EINVAL,
				     ": a name is 1..%d bytes, without '/'",
				     KIPC_NAME_MAX - 1);
	module_param("max_msg_size", &max_msg);
	module_param("max_total_bytes", &max_total);
	if (GIVEN(cl, CREATE_CAPACITY) &&
	    (!a->capacity || a->capacity > KIPC_CAPACITY_MAX))
		return kipcctl_failf("create", name, EINVAL,
				     ": --capacity %" PRIu64 " is out of range: 1..%u messages%s",
				     a->capacity, KIPC_CAPACITY_MAX,
				     a->capacity ? "" : " (0 is not \"the default\": leave the option out)");
	if (GIVEN(cl, CREATE_MAX_SIZE) &&
	    (!a->max_size || a->max_size > max_msg))
		return kipcctl_failf("create", name, EINVAL,
				     ": --max-size %" PRIu64 " is out of range: 1..%" PRIu64 " bytes (the max_msg_size parameter)",
				     a->max_size, max_msg);
	size = GIVEN(cl, CREATE_MAX_SIZE) ? a->max_size : max_msg;
	if (GIVEN(cl, CREATE_CAPACITY_BYTES) &&
	    (!a->capacity_bytes || a->capacity_bytes < size ||
	     a->capacity_bytes > max_total))
		return kipcctl_failf("create", name, EINVAL,
				     ": --capacity-bytes %" PRIu64 " is out of range: %" PRIu64 "..%" PRIu64 " bytes (at least the largest message, --max-size %" PRIu64 "; at most max_total_bytes)",
				     a->capacity_bytes, size, max_total, size);
	return 0;
}

int cmd_create(int argc, char **argv)
{
	struct create_args a = { 0 };
	struct kipc_create_opts c;
	struct cmdline cl;
	const char *name;
	int fd, id, ret;

	ret = parse_args(argc, argv, &a, &cl);
	if (ret)
		return ret;
	name = cl.pos[0];
	/* The module first: its limits are what the values are checked against. */
	fd = kipc_open(0);
	if (fd < 0)
		return kipcctl_fail("open", NULL, -fd);
	ret = create_check(name, &a, &cl);
	if (ret) {
		close(fd);
		return ret;
	}
	c = (struct kipc_create_opts){
		.flags = a.flags, .mode = a.mode, .capacity = a.capacity,
		.capacity_bytes = a.capacity_bytes, .max_msg_size = a.max_size,
	};
	id = kipc_create(fd, name, &c);
	if (id < 0)
		return kipcctl_fail("create", name, -id);
	if (opt_json) {
		json_open('{');
		json_str("name", name);
		json_u64("id", id);
		json_close('}');
		json_end();
	}
	if (a.flags & KIPC_CREATE_TEMP) {
		/* A temp mailbox lives as long as a handle: keep ours open. */
		fprintf(stderr, "%s: temporary mailbox %s (id %d) lives until this process ends\n",
			prog, name, id);
		pause();
	}
	close(fd);
	return KIPCCTL_OK;
}

struct destroy_args {
	uint64_t id;
};

const struct opt destroy_opts[] = {
	OPT_NUM("id", struct destroy_args, id, 1, UINT32_MAX),
	{ 0 }
};

/* Destroys the mailbox with @id (-A: of any namespace). */
static int destroy_by_id(uint64_t id)
{
	char what[32];
	int fd, ret;

	snprintf(what, sizeof(what), "id %" PRIu64, id);
	fd = kipc_open(0);
	if (fd < 0)
		return kipcctl_fail("open", NULL, -fd);
	ret = opt_all_ns ? kipc_attach_id_any_ns(fd, id) : kipc_attach_id(fd, id);
	if (ret >= 0)
		ret = kipc_destroy(fd);
	close(fd);
	return ret < 0 ? kipcctl_fail("destroy", what, -ret) : KIPCCTL_OK;
}

static int destroy_by_name(const char *name)
{
	int fd = open_mailbox(name, "destroy"), ret;

	if (fd < 0)
		return -fd;
	ret = kipc_destroy(fd);
	close(fd);
	return ret < 0 ? kipcctl_fail("destroy", name, -ret) : KIPCCTL_OK;
}

/*
 * destroy NAME..., destroy --id N, -A destroy ID...: each one is tried,
 * as ipcrm(1) does; the status is the worst.
 */
int cmd_destroy(int argc, char **argv)
{
	struct destroy_args a = { 0 };
	struct cmdline cl;
	int ret, worst = KIPCCTL_OK;

	ret = parse_args(argc, argv, &a, &cl);
	if (ret)
		return ret;
	if (!a.id && !cl.nr_pos)
		return kipcctl_usage("destroy", "missing mailbox NAME");
	if (a.id && cl.nr_pos)
		return kipcctl_usage("destroy", "give mailbox NAMEs or --id N, not both");
	if (a.id)
		return destroy_by_id(a.id);
	/* Names are per namespace: across them, an id names a mailbox. */
	for (int i = 0; opt_all_ns && i < cl.nr_pos; i++) {
		uint64_t id;

		if (!parse_u64(cl.pos[i], UINT32_MAX, &id) || !id)
			return kipcctl_usage("destroy", "with -A, give mailbox IDs, not '%s'",
					     cl.pos[i]);
	}
	/* No module: say so once, not once per name. */
	ret = kipc_open(0);
	if (ret < 0)
		return kipcctl_fail("open", NULL, -ret);
	close(ret);
	for (int i = 0; i < cl.nr_pos; i++) {
		uint64_t id = 0;

		if (opt_all_ns)
			parse_u64(cl.pos[i], UINT32_MAX, &id);	/* checked above */
		ret = opt_all_ns ? destroy_by_id(id) : destroy_by_name(cl.pos[i]);
		if (ret > worst)
			worst = ret;
	}
	return worst;
}
