// SPDX-License-Identifier: GPL-2.0
/* A small generic netlink client on libmnl; see nl.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/netlink.h>

#include "nl.h"

/* Prefer a large receive buffer: event bursts, and 10,000-mailbox dumps. */
#define NL_RCVBUF	(4 * 1024 * 1024)

static void nl_clear_err(struct nl *nl)
{
	nl->err_msg[0] = '\0';
	nl->err_attr = -1;
}

struct nlmsghdr *nl_request(struct nl *nl, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(nl->buf, 0, MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*genl)));
	nlh = mnl_nlmsg_put_header(nl->buf);
	nlh->nlmsg_type = nl->family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = nl->version ? nl->version : 1;
	return nlh;
}

/* The attribute of the saved request at byte @off, or -1. */
static int nl_req_attr_at(const struct nl *nl, uint32_t off)
{
	const struct nlattr *attr;

	if (off < MNL_NLMSG_HDRLEN || off + sizeof(*attr) > nl->req_len)
		return -1;
	attr = (const struct nlattr *)(nl->req + off);
	return mnl_attr_get_type(attr);
}

/* Extended-ack TLVs of an NLMSG_ERROR or NLMSG_DONE, starting at @off. */
static void nl_parse_ext_ack(struct nl *nl, const struct nlmsghdr *nlh,
			     size_t off)
{
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    off > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_for_each(attr, nlh, off) {
		switch (mnl_attr_get_type(attr)) {
		case NLMSGERR_ATTR_MSG:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
				break;
			snprintf(nl->err_msg, sizeof(nl->err_msg), "%s",
				 mnl_attr_get_str(attr));
			break;
		case NLMSGERR_ATTR_OFFS:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				break;
			nl->err_attr = nl_req_attr_at(nl, mnl_attr_get_u32(attr));
			break;
		}
	}
}

/* Returns the error an NLMSG_ERROR carries: 0 for an ack, or -errno. */
static int nl_parse_error(struct nl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return -EBADMSG;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len >= MNL_NLMSG_HDRLEN)
		off += MNL_ALIGN(e->msg.nlmsg_len) - MNL_NLMSG_HDRLEN;
	if (e->error)
		nl_parse_ext_ack(nl, nlh, off);
	return e->error > 0 ? -e->error : e->error;
}

/* NLMSG_DONE carries the dump's status, and an extended ack after it. */
static int nl_parse_done(struct nl *nl, const struct nlmsghdr *nlh)
{
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
		return 0;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err)
		nl_parse_ext_ack(nl, nlh, sizeof(int));
	return err > 0 ? -err : err;
}

int nl_talk(struct nl *nl, struct nlmsghdr *nlh, nl_msg_cb cb, void *data)
{
	bool dump = nlh->nlmsg_flags & NLM_F_DUMP;
	uint32_t seq = nlh->nlmsg_seq;
	bool done = false;
	int ret = 0;

	nl_clear_err(nl);
	nl->dump_intr = false;
	if (!dump)
		nlh->nlmsg_flags |= NLM_F_ACK;
	nl->req_len = nlh->nlmsg_len;
	memcpy(nl->req, nlh, nl->req_len);
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	/* Read to the end even after an error, to leave the socket clean. */
	while (!done) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, NL_BUF_SIZE);
		int len = n;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (nlh = (struct nlmsghdr *)nl->buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			int r;

			/* Events and replies to older requests. */
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != nl->portid)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				nl->dump_intr = true;

			switch (nlh->nlmsg_type) {
			case NLMSG_NOOP:
				continue;
			case NLMSG_OVERRUN:
				r = -EOVERFLOW;
				done = true;
				break;
			case NLMSG_ERROR:
				r = nl_parse_error(nl, nlh);
				/* A dump has no ack: an error ends it. */
				done = !dump || r;
				break;
			case NLMSG_DONE:
				r = nl_parse_done(nl, nlh);
				done = true;
				break;
			default:
				if (ret || !cb)
					continue;
				errno = 0;
				r = cb(nlh, data);
				if (r == MNL_CB_ERROR)
					r = errno ? -errno : -EPROTO;
				else
					r = 0;
				break;
			}
			if (r && !ret)
				ret = r;
			if (done)
				break;
		}
	}
	if (!ret && nl->dump_intr)
		ret = -EINTR;
	return ret;
}

struct nl_family_ctx {
	struct nl *nl;
	bool found;
};

static int nl_group_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type == CTRL_ATTR_MCAST_GRP_NAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
		tb[type] = attr;
	else if (type == CTRL_ATTR_MCAST_GRP_ID &&
		 mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void nl_parse_groups(struct nl *nl, const struct nlattr *nest)
{
	const struct nlattr *grp;

	mnl_attr_for_each_nested(grp, nest) {
		const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = { NULL };

		if (nl->nr_groups == NL_MAX_GROUPS)
			break;
		if (mnl_attr_parse_nested(grp, nl_group_cb, tb) < 0 ||
		    !tb[CTRL_ATTR_MCAST_GRP_NAME] || !tb[CTRL_ATTR_MCAST_GRP_ID])
			continue;
		snprintf(nl->groups[nl->nr_groups].name, GENL_NAMSIZ, "%s",
			 mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]));
		nl->groups[nl->nr_groups].id =
			mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
		nl->nr_groups++;
	}
}

static int nl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	static const enum mnl_attr_data_type types[CTRL_ATTR_MAX + 1] = {
		[CTRL_ATTR_FAMILY_ID]	= MNL_TYPE_U16,
		[CTRL_ATTR_VERSION]	= MNL_TYPE_U32,
		[CTRL_ATTR_MCAST_GROUPS] = MNL_TYPE_NESTED,
	};
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = { NULL };
	struct nl_family_ctx *ctx = data;
	struct nl *nl = ctx->nl;

	nl_parse(nlh, types, CTRL_ATTR_MAX, tb);
	if (!tb[CTRL_ATTR_FAMILY_ID]) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	nl->family_id = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_VERSION])
		nl->version = mnl_attr_get_u32(tb[CTRL_ATTR_VERSION]);
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		nl_parse_groups(nl, tb[CTRL_ATTR_MCAST_GROUPS]);
	ctx->found = true;
	return MNL_CB_OK;
}

static int nl_resolve(struct nl *nl, const char *family)
{
	struct nl_family_ctx ctx = { .nl = nl };
	struct nlmsghdr *nlh;
	uint8_t version;
	int ret;

	nl->family_id = GENL_ID_CTRL;
	version = nl->version;
	nl->version = 1;
	nlh = nl_request(nl, CTRL_CMD_GETFAMILY, 0);
	nl->version = version;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family);
	ret = nl_talk(nl, nlh, nl_family_cb, &ctx);
	if (ret)
		return ret;
	return ctx.found ? 0 : -ENOENT;
}

int nl_open(struct nl *nl, const char *family)
{
	int one = 1, rcvbuf = NL_RCVBUF;
	int ret;

	memset(nl, 0, sizeof(*nl));
	nl_clear_err(nl);
	nl->buf = malloc(NL_BUF_SIZE);
	nl->req = malloc(NL_BUF_SIZE);
	if (!nl->buf || !nl->req) {
		ret = -ENOMEM;
		goto fail;
	}
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock) {
		ret = -errno;
		goto fail;
	}
	/* Best effort: older kernels lack them, and that is fine. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	/*
	 * SO_RCVBUF is capped at net.core.rmem_max (208 KiB by default),
	 * less than one burst of event_rate events: a monitor would lose
	 * events to ENOBUFS at once. With CAP_NET_ADMIN, force the size.
	 */
	if (setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)))
		setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto fail;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = time(NULL);

	ret = nl_resolve(nl, family);
	if (ret)
		goto fail;
	return 0;

fail:
	nl_close(nl);
	return ret;
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	free(nl->req);
	nl->sock = NULL;
	nl->buf = NULL;
	nl->req = NULL;
}

int nl_fd(const struct nl *nl)
{
	return mnl_socket_get_fd(nl->sock);
}

int nl_group_id(const struct nl *nl, const char *group)
{
	for (unsigned int i = 0; i < nl->nr_groups; i++)
		if (!strcmp(nl->groups[i].name, group))
			return nl->groups[i].id;
	return -ENOENT;
}

int nl_join(struct nl *nl, const char *group)
{
	int id = nl_group_id(nl, group);

	if (id < 0)
		return id;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &id,
				  sizeof(id)) < 0)
		return -errno;
	return 0;
}

int nl_recv_events(struct nl *nl, nl_msg_cb cb, void *data)
{
	const struct nlmsghdr *nlh;
	ssize_t n;
	int len;

	n = mnl_socket_recvfrom(nl->sock, nl->buf, NL_BUF_SIZE);
	if (n < 0)
		return -errno;
	len = n;
	for (nlh = (const struct nlmsghdr *)nl->buf; mnl_nlmsg_ok(nlh, len);
	     nlh = mnl_nlmsg_next(nlh, &len)) {
		int r;

		if (nlh->nlmsg_type != nl->family_id)
			continue;
		errno = 0;
		r = cb(nlh, data);
		if (r == MNL_CB_ERROR)
			return errno ? -errno : -EPROTO;
		if (r == MNL_CB_STOP)
			return 1;
	}
	return 0;
}

struct nl_parse_ctx {
	const enum mnl_attr_data_type *types;
	unsigned int maxtype;
	const struct nlattr **tb;
};

bool nl_attr_check(const struct nlattr *attr, enum mnl_attr_data_type type)
{
	if (mnl_attr_validate(attr, type) < 0) {
		fprintf(stderr, "warning: skipping malformed netlink attribute %u (%u bytes): %s\n",
			mnl_attr_get_type(attr), mnl_attr_get_payload_len(attr),
			strerror(errno));
		return false;
	}
	return true;
}

static int nl_parse_cb(const struct nlattr *attr, void *data)
{
	const struct nl_parse_ctx *ctx = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type > ctx->maxtype || ctx->types[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (nl_attr_check(attr, ctx->types[type]))
		ctx->tb[type] = attr;
	return MNL_CB_OK;
}

void nl_parse(const struct nlmsghdr *nlh, const enum mnl_attr_data_type *types,
	      unsigned int maxtype, const struct nlattr **tb)
{
	struct nl_parse_ctx ctx = { types, maxtype, tb };

	memset(tb, 0, (maxtype + 1) * sizeof(*tb));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return;
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), nl_parse_cb, &ctx);
}

const char *nl_err_detail(struct nl *nl, const char *(*attr_name)(int type))
{
	static char buf[sizeof(nl->err_msg) + 64];
	const char *name = NULL;
	size_t len = 0;

	buf[0] = '\0';
	if (nl->err_msg[0])
		len = snprintf(buf, sizeof(buf), ": %s", nl->err_msg);
	if (nl->err_attr >= 0 && len < sizeof(buf)) {
		if (attr_name)
			name = attr_name(nl->err_attr);
		if (name)
			snprintf(buf + len, sizeof(buf) - len, " (attribute %s)",
				 name);
		else
			snprintf(buf + len, sizeof(buf) - len, " (attribute %d)",
				 nl->err_attr);
	}
	return buf;
}
