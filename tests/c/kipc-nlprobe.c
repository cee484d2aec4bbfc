// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-nlprobe: send one hand-made (possibly malformed) request to the
 * generic netlink family "kipc" and say what the kernel answered.
 *
 *   kipc-nlprobe [--dump] [--reserved N] [--version N] CMD [ATTR...]
 *
 * CMD is a number or get, stats, event, monitor. Each ATTR is TYPE:KIND[:VALUE]:
 * TYPE a number (or id, name), KIND one of u8 u16 u32 u64 (VALUE a
 * number), str (VALUE with its NUL), raw (VALUE without a NUL), empty.
 *
 * Prints "ok N" (N reply messages) and exits 0, or "error ENAME: what the
 * kernel said" and exits 1; exits 2 on a usage error, 3 if the family is
 * missing.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/kipc.h>

static char buf[1 << 16];
static char extack[256];

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
			*(int *)data = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(int *)data)++;
	return MNL_CB_OK;
}

/* NLMSG_ERROR with a nonzero error: keep the extack message. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	size_t off = sizeof(*e);

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!e->error)
		return MNL_CB_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += MNL_ALIGN(e->msg.nlmsg_len) - MNL_NLMSG_HDRLEN;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    off <= mnl_nlmsg_get_payload_len(nlh))
		mnl_attr_for_each(attr, nlh, off)
			if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
			    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
				snprintf(extack, sizeof(extack), "%s",
					 mnl_attr_get_str(attr));
	errno = -e->error;
	return MNL_CB_ERROR;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	int err = 0;

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err < 0) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP] = noop_cb,
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = done_cb,
	[NLMSG_OVERRUN] = noop_cb,
};

/* Sends @nlh and runs @cb on the replies. Returns 0 or -errno. */
static int talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data)
{
	unsigned int portid = mnl_socket_get_portid(nl);
	unsigned int seq = nlh->nlmsg_seq;
	int ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run2(buf, ret, seq, portid, cb, data, ctl_cb,
				  NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

static struct nlmsghdr *request(uint16_t type, uint16_t flags, uint8_t cmd,
				uint8_t version, uint16_t reserved)
{
	static unsigned int seq;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	if (!seq)
		seq = time(NULL);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	genl->reserved = reserved;
	return nlh;
}

static int usage(void)
{
	fprintf(stderr, "usage: kipc-nlprobe [--dump] [--reserved N] [--version N] CMD [TYPE:KIND[:VALUE]...]\n");
	return 2;
}

static int add_attr(struct nlmsghdr *nlh, char *spec)
{
	char *kind = strchr(spec, ':'), *val = NULL;
	unsigned long long v = 0;
	unsigned long type;

	if (!kind)
		return -1;
	*kind++ = '\0';
	val = strchr(kind, ':');
	if (val)
		*val++ = '\0';
	if (!strcmp(spec, "id"))
		type = KIPC_A_MBOX_ID;
	else if (!strcmp(spec, "name"))
		type = KIPC_A_MBOX_NAME;
	else
		type = strtoul(spec, NULL, 0);
	if (!type || type > 0x3fff)
		return -1;
	if (val && strncmp(kind, "str", 3) && strcmp(kind, "raw"))
		v = strtoull(val, NULL, 0);

	if (!strcmp(kind, "u8"))
		mnl_attr_put_u8(nlh, type, v);
	else if (!strcmp(kind, "u16"))
		mnl_attr_put_u16(nlh, type, v);
	else if (!strcmp(kind, "u32"))
		mnl_attr_put_u32(nlh, type, v);
	else if (!strcmp(kind, "u64"))
		mnl_attr_put_u64(nlh, type, v);
	else if (!strcmp(kind, "str"))
		mnl_attr_put_strz(nlh, type, val ? val : "");
	else if (!strcmp(kind, "raw"))
		mnl_attr_put(nlh, type, val ? strlen(val) : 0, val ? val : "");
	else if (!strcmp(kind, "empty"))
		mnl_attr_put(nlh, type, 0, NULL);
	else
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dump", no_argument, NULL, 'd' },
		{ "reserved", required_argument, NULL, 'r' },
		{ "version", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long reserved = 0, version = KIPC_GENL_VERSION;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	int family = -1, replies = 0, one = 1, c, ret;
	uint16_t flags = NLM_F_ACK;
	unsigned long cmd;

	while ((c = getopt_long(argc, argv, "+d", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			flags = NLM_F_DUMP;
			break;
		case 'r':
			reserved = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			version = strtoul(optarg, NULL, 0);
			break;
		default:
			return usage();
		}
	}
	if (optind >= argc)
		return usage();
	if (!strcmp(argv[optind], "get"))
		cmd = KIPC_CMD_MBOX_GET;
	else if (!strcmp(argv[optind], "stats"))
		cmd = KIPC_CMD_STATS_GET;
	else if (!strcmp(argv[optind], "event"))
		cmd = KIPC_CMD_EVENT;
	else if (!strcmp(argv[optind], "monitor"))
		cmd = KIPC_CMD_MONITOR;
	else
		cmd = strtoul(argv[optind], NULL, 0);

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink");
		return 1;
	}
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));

	nlh = request(GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, KIPC_GENL_NAME);
	if (talk(nl, nlh, family_cb, &family) || family < 0) {
		fprintf(stderr, "kipc-nlprobe: no generic netlink family \"%s\"\n",
			KIPC_GENL_NAME);
		return 3;
	}

	nlh = request(family, flags, cmd, version, reserved);
	for (int i = optind + 1; i < argc; i++)
		if (add_attr(nlh, argv[i]))
			return usage();
	ret = talk(nl, nlh, count_cb, &replies);
	mnl_socket_close(nl);
	if (ret) {
		printf("error %s%s%s\n", strerrorname_np(-ret) ?: "?",
		       extack[0] ? ": " : "", extack);
		return 1;
	}
	printf("ok %d\n", replies);
	return 0;
}
