/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One entry point per command, and its option table; the command table
 * that names them is in kipcctl.c. Each file is one group of commands.
 */
#ifndef KIPCCTL_SUBCOMMANDS_H
#define KIPCCTL_SUBCOMMANDS_H

#include "kipcctl.h"

/* cmd_mailbox.c: a mailbox's life. */
int cmd_create(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
extern const struct opt create_opts[], destroy_opts[];

/* cmd_msg.c: messages. */
int cmd_send(int argc, char **argv);
int cmd_recv(int argc, char **argv);
extern const struct opt send_opts[], recv_opts[];

/* cmd_call.c: request and reply. */
int cmd_call(int argc, char **argv);
int cmd_serve(int argc, char **argv);
extern const struct opt call_opts[], serve_opts[];

/* cmd_wait.c: signals on arrival. */
int cmd_wait(int argc, char **argv);
extern const struct opt wait_opts[];

/* cmd_list.c: the mailboxes, over netlink. */
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
extern const struct opt list_opts[], show_opts[];

/* cmd_module.c: the module itself. */
int cmd_stats(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* cmd_monitor.c: events. */
int cmd_monitor(int argc, char **argv);
extern const struct opt monitor_opts[];

/* cmd_top.c: the live view. */
int cmd_top(int argc, char **argv);
extern const struct opt top_opts[];

#endif /* KIPCCTL_SUBCOMMANDS_H */
