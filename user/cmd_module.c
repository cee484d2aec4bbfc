// SPDX-License-Identifier: GPL-2.0
/* kipcctl stats and version: the module's figures and its ABI. */
#include <stdio.h>
#include <unistd.h>

#include "json.h"
#include "libkipc.h"
#include "nlclient.h"
#include "subcommands.h"

int cmd_stats(int argc, char **argv)
{
	struct cmdline cl;
	struct rec r;
	struct nl nl;
	int ret;

	ret = parse_args(argc, argv, NULL, &cl);
	if (ret)
		return ret;
	ret = nlc_open(&nl, "stats");
	if (ret)
		return ret;
	ret = nlc_stats(&nl, &r);
	if (ret)
		ret = nlc_fail(&nl, "stats", NULL, ret);
	else
		print_rec(&r, &stats_fields);
	nl_close(&nl);
	return ret;
}

int cmd_version(int argc, char **argv)
{
	struct kipc_version v;
	struct cmdline cl;
	int fd, ret;

	ret = parse_args(argc, argv, NULL, &cl);
	if (ret)
		return ret;
	/* The tool's version, whatever happens with the module's. */
	fd = kipc_open(0);
	ret = fd < 0 ? fd : kipc_version(fd, &v);
	if (fd >= 0)
		close(fd);
	if (opt_json) {
		json_open('{');
		json_str("tool", KIPCCTL_VERSION);
		json_u64("tool_abi", KIPC_ABI_VERSION);
		if (ret >= 0)
			json_u64("module_abi", v.abi_version);
		json_close('}');
		json_end();
	} else if (ret >= 0) {
		printf("kipcctl %s (ABI %d), module ABI %u\n", KIPCCTL_VERSION,
		       KIPC_ABI_VERSION, v.abi_version);
	} else {
		printf("kipcctl %s (ABI %d), module %s\n", KIPCCTL_VERSION,
		       KIPC_ABI_VERSION, fd < 0 ? "not loaded" : "ABI unknown");
		fflush(stdout);
	}
	if (fd < 0)
		return kipcctl_fail("open", NULL, -fd);
	if (ret < 0)
		return kipcctl_fail("version", NULL, -ret);
	return KIPCCTL_OK;
}
