/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small generic netlink client on libmnl: resolves a family and its
 * multicast groups by name, sends requests, runs a callback on each reply
 * and reports errors with the kernel's extended ack.
 */
#ifndef KIPC_NL_H
#define KIPC_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#define NL_BUF_SIZE	(64 * 1024)	/* room for any dump skb */
#define NL_MAX_GROUPS	8

struct nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family_id;
	uint8_t version;		/* the family's version, as the kernel says */
	unsigned int nr_groups;
	struct {
		char name[GENL_NAMSIZ];
		uint32_t id;
	} groups[NL_MAX_GROUPS];
	bool dump_intr;			/* last request: NLM_F_DUMP_INTR seen */
	char *buf;			/* NL_BUF_SIZE: requests and replies */
	char *req;			/* a copy of the last request */
	size_t req_len;
	/* Of the last error: the kernel's extack message and bad attribute. */
	char err_msg[256];
	int err_attr;			/* attribute type, or -1 */
};

/*
 * Opens a generic netlink socket and resolves @family. Returns 0, -ENOENT if
 * the kernel has no such family, or another -errno.
 */
int nl_open(struct nl *nl, const char *family);
void nl_close(struct nl *nl);

/* Starts a request for @cmd in nl->buf; add attributes with mnl_attr_put*. */
struct nlmsghdr *nl_request(struct nl *nl, uint8_t cmd, uint16_t flags);

/*
 * Called for each reply message with its attributes after the genl header.
 * Returns MNL_CB_OK to go on, MNL_CB_STOP to end, MNL_CB_ERROR (with errno
 * set) to fail.
 */
typedef int (*nl_msg_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Sends the request built in nl->buf and reads replies until the ack (or
 * NLMSG_DONE of a dump), calling @cb on each. Returns 0 or -errno; on a
 * kernel error nl->err_msg and nl->err_attr say what the kernel said.
 */
int nl_talk(struct nl *nl, struct nlmsghdr *nlh, nl_msg_cb cb, void *data);

/* A multicast group's id, or -ENOENT. */
int nl_group_id(const struct nl *nl, const char *group);
int nl_join(struct nl *nl, const char *group);

/*
 * Reads one batch of multicast messages (blocking unless the socket is
 * nonblocking) and calls @cb on each message of the family. Returns 0, 1
 * if @cb returned MNL_CB_STOP, or -errno: -ENOBUFS means the kernel dropped
 * messages because the socket's receive buffer was full.
 */
int nl_recv_events(struct nl *nl, nl_msg_cb cb, void *data);
int nl_fd(const struct nl *nl);

/*
 * Fills tb[0..maxtype] with the attributes of @nlh after the genl header,
 * each checked against types[type] (MNL_TYPE_*). Attributes beyond
 * @maxtype, or whose type is MNL_TYPE_UNSPEC in @types, are skipped (a
 * newer kernel may send more); a malformed one is skipped with a warning.
 */
void nl_parse(const struct nlmsghdr *nlh, const enum mnl_attr_data_type *types,
	      unsigned int maxtype, const struct nlattr **tb);

/*
 * Is @attr a valid @type (MNL_TYPE_*), as mnl_attr_validate() checks? If
 * not, says so on stderr, as nl_parse() does of the attributes it skips.
 */
bool nl_attr_check(const struct nlattr *attr, enum mnl_attr_data_type type);

/*
 * What the kernel said about the last error, "" if nothing, else ": MSG"
 * and " (attribute NAME)" if it pointed at an attribute of the request.
 * Valid until the next call.
 */
const char *nl_err_detail(struct nl *nl, const char *(*attr_name)(int type));

#endif /* KIPC_NL_H */
