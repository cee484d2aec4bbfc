// SPDX-License-Identifier: GPL-2.0
/*
 * kipc: mailbox IPC through the kernel. /dev/kipc, its file operations and
 * the ioctl ABI of include/uapi/linux/kipc.h.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/poll.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>

#include "kipc.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

#define KIPC_VERSION "0.1.0"

unsigned int kipc_max_mailboxes = 1024;
unsigned int kipc_max_msg_size = 8192;
unsigned int kipc_default_capacity = 64;
unsigned int kipc_default_capacity_bytes = 64 << 10;
unsigned long kipc_max_total_bytes = 64UL << 20;
unsigned int kipc_max_user_mailboxes = 256;
unsigned long kipc_max_user_bytes = 16UL << 20;
unsigned int kipc_event_rate = 1000;
unsigned int kipc_max_notify = 64;

static int kipc_param_set_msg_size(const char *val,
				   const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 0, KIPC_MSG_SIZE_CAP);
}

static const struct kernel_param_ops kipc_msg_size_ops = {
	.set = kipc_param_set_msg_size,
	.get = param_get_uint,
};

/* next_id is the registry's, under its lock (mailbox.c). */
static int kipc_param_set_next_id(const char *val,
				  const struct kernel_param *kp)
{
	u32 id;
	int ret;

	ret = kstrtou32(val, 0, &id);
	if (ret)
		return ret;
	return kipc_ids_set_next(id);
}

static int kipc_param_get_next_id(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%u\n", kipc_ids_next());
}

static const struct kernel_param_ops kipc_next_id_ops = {
	.set = kipc_param_set_next_id,
	.get = kipc_param_get_next_id,
};

module_param_named(max_mailboxes, kipc_max_mailboxes, uint, 0644);
MODULE_PARM_DESC(max_mailboxes, "Mailboxes at most, all namespaces (1024)");
module_param_cb(max_msg_size, &kipc_msg_size_ops, &kipc_max_msg_size, 0644);
MODULE_PARM_DESC(max_msg_size, "Largest message in bytes (8192, at most 1 MiB)");
module_param_named(default_capacity, kipc_default_capacity, uint, 0644);
MODULE_PARM_DESC(default_capacity, "Messages a new mailbox holds (64)");
module_param_named(default_capacity_bytes, kipc_default_capacity_bytes,
		   uint, 0644);
MODULE_PARM_DESC(default_capacity_bytes, "Bytes a new mailbox holds (65536)");
module_param_named(max_total_bytes, kipc_max_total_bytes, ulong, 0644);
MODULE_PARM_DESC(max_total_bytes, "Memory for all queued messages (64 MiB)");
module_param_named(max_user_mailboxes, kipc_max_user_mailboxes, uint, 0644);
MODULE_PARM_DESC(max_user_mailboxes, "Mailboxes one user (real uid, all namespaces) may create (256)");
module_param_named(max_user_bytes, kipc_max_user_bytes, ulong, 0644);
MODULE_PARM_DESC(max_user_bytes, "Memory one user's queued messages may take (16 MiB)");
/*
 * A test hook: where the cyclic id search starts, so that a test can reach
 * the wrap at 2^31 - 1 without 2^31 creates. Root only; it cannot make ids
 * collide (the search skips live ones).
 */
module_param_cb(next_id, &kipc_next_id_ops, NULL, 0600);
MODULE_PARM_DESC(next_id, "Test hook: the id the next create tries first (1..2147483647)");
module_param_named(event_rate, kipc_event_rate, uint, 0644);
MODULE_PARM_DESC(event_rate, "Per-message netlink events per second per user, 0 = no limit (1000)");
module_param_named(max_notify, kipc_max_notify, uint, 0644);
MODULE_PARM_DESC(max_notify, "Signal registrations per mailbox (64)");

/* A new handle, attached to nothing, of the current user; or NULL. */
static struct kipc_handle *kipc_handle_new(void)
{
	struct kipc_handle *h;

	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		return NULL;
	h->user = kipc_user_current();
	if (!h->user) {
		kfree(h);
		return NULL;
	}
	mutex_init(&h->lock);
	INIT_LIST_HEAD(&h->notify.node);
	h->calls = RB_ROOT;
	INIT_LIST_HEAD(&h->parked);
	return h;
}

/* Frees @h, attached to nothing any more. */
static void kipc_handle_free(struct kipc_handle *h)
{
	kipc_user_put(h->user);
	kfree(h);
}

/*
 * Every handle's file, opened or made by KIPC_CREATE_HANDLE: a stream, and
 * no inotify or fanotify events on read(2) and write(2), or a watch on
 * /dev/kipc (mode 0666) would tell anybody when anybody else sends or
 * receives (as ptmx_open() does for /dev/ptmx).
 */
static int kipc_file_init(struct inode *inode, struct file *file)
{
	file->f_mode |= FMODE_NONOTIFY;
	return stream_open(inode, file);
}

static int kipc_fop_open(struct inode *inode, struct file *file)
{
	struct kipc_handle *h = kipc_handle_new();

	if (!h)
		return -ENOMEM;
	file->private_data = h;
	return kipc_file_init(inode, file);
}

static int kipc_fop_flush(struct file *file, fl_owner_t id)
{
	kipc_notify_flush(file->private_data);
	return 0;
}

static int kipc_fop_release(struct inode *inode, struct file *file)
{
	struct kipc_handle *h = file->private_data;

	kipc_call_release(h);
	kipc_mbox_detach(h);
	kipc_handle_free(h);
	return 0;
}

static __poll_t kipc_fop_poll(struct file *file, poll_table *wait)
{
	struct kipc_handle *h = file->private_data;
	struct kipc_mbox *mb = kipc_attached(h);
	__poll_t mask = 0;

	if (!mb)
		return EPOLLERR;

	poll_wait(file, &mb->pollq, wait);

	/*
	 * Under the lock, after poll_wait(): a waker changes the state under
	 * it and looks at pollq after dropping it, so either we see the new
	 * state or it sees us on pollq (kipc_wake_pollers() needs no barrier).
	 */
	spin_lock(&mb->lock);
	if (mb->dead)
		mask = EPOLLHUP | EPOLLERR;
	else if (mb->depth)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (!mb->dead && !kipc_mbox_full(mb, 0))
		mask |= EPOLLOUT | EPOLLWRNORM;
	spin_unlock(&mb->lock);
	return mask;
}

static int kipc_fop_fasync(int fd, struct file *file, int on)
{
	struct kipc_handle *h = file->private_data;
	struct kipc_mbox *mb = kipc_attached(h);

	if (!mb)
		return -ENOTCONN;
	return fasync_helper(fd, file, on, &mb->fasync);
}

/*
 * read(2) and write(2): one message per call, for what needs no header, as
 * a pipe or a POSIX queue is used. write() sends its bytes as a message of
 * type 0 and priority 0; read() receives the best message of any type
 * whole and returns its length (EMSGSIZE if it does not fit, as
 * mq_receive(); the message stays queued). They block unless the handle is
 * O_NONBLOCK. The message still has its seq, sender and time stamp, for a
 * receiver that uses KIPC_IOC_RECV. The same gate and the same send and
 * receive as the ioctls, without their header to copy in and out. A signal
 * that interrupts them restarts them under SA_RESTART, as for a pipe.
 * readv(2) and writev(2) fail with EINVAL: a message is one buffer (SENDV
 * sends many), and the kernel would otherwise make one per iovec.
 */
static int kipc_rw_ret(int ret)
{
	return ret == -ERESTARTNOHAND ? -ERESTARTSYS : ret;
}

static ssize_t kipc_fop_write(struct file *file, const char __user *buf,
			      size_t count, loff_t *ppos)
{
	struct kipc_handle *h = file->private_data;
	struct kipc_msg m = { .buf = (uintptr_t)buf };
	struct kipc_mbox *mb;
	u32 mode;
	int ret;

	mb = kipc_mbox_gate(h, KIPC_NEED_WRITE, &mode);
	if (IS_ERR(mb))
		return PTR_ERR(mb);
	if (count > KIPC_MSG_SIZE_CAP)
		return -EMSGSIZE;
	m.len = count;
	ret = kipc_msg_send(mb, mode, file, &m);
	if (ret)
		return kipc_rw_ret(ret);
	return count;
}

static ssize_t kipc_fop_read(struct file *file, char __user *buf,
			     size_t count, loff_t *ppos)
{
	struct kipc_handle *h = file->private_data;
	/* vfs_read() caps @count at MAX_RW_COUNT. */
	struct kipc_msg m = { .buf = (uintptr_t)buf, .len = count };
	struct kipc_mbox *mb;
	u32 mode;
	int ret;

	mb = kipc_mbox_gate(h, KIPC_NEED_READ, &mode);
	if (IS_ERR(mb))
		return PTR_ERR(mb);
	ret = kipc_msg_recv(mb, mode, file, &m, NULL);
	if (ret)
		return kipc_rw_ret(ret);
	return m.len;
}

static ssize_t kipc_fop_iter(struct kiocb *iocb, struct iov_iter *iter)
{
	return -EINVAL;
}

static long kipc_ioc_version(void __user *argp)
{
	struct kipc_version kv;

	if (copy_from_user(&kv, argp, sizeof(kv)))
		return -EFAULT;
	if (kv.flags || kv.__pad)
		return -EINVAL;
	memset(&kv, 0, sizeof(kv));
	kv.abi_version = KIPC_ABI_VERSION;
	kv.max_msg_size_cap = KIPC_MSG_SIZE_CAP;
	return copy_to_user(argp, &kv, sizeof(kv)) ? -EFAULT : 0;
}

/*
 * Structs that begin with a size field may grow: an older, smaller struct
 * is zero-extended and a newer one must be zero beyond what we know.
 */
static int kipc_copy_sized(void *dst, size_t ksize, size_t minsize,
			   const void __user *argp)
{
	u32 usize;
	int ret;

	if (get_user(usize, (const u32 __user *)argp))
		return -EFAULT;
	if (usize < minsize || usize > PAGE_SIZE)
		return -EINVAL;
	ret = copy_struct_from_user(dst, ksize, argp, usize);
	return ret == -E2BIG ? -EINVAL : ret;
}

/*
 * Each ioctl below copies its argument in and checks its shape (flags,
 * padding, names, modes, priorities, counts: what needs no mailbox) here,
 * in one place, before any state: so a malformed argument fails with
 * EINVAL (or ENAMETOOLONG, EFAULT) whatever the handle is attached to.
 * Then kipc_mbox_gate() checks the state, in the order the uapi header
 * gives ("Errors").
 */

/* A name field: the name NUL-terminated, the bytes after it zero. */
static int kipc_check_name(const char *name)
{
	size_t len = strnlen(name, KIPC_NAME_MAX);

	if (len == KIPC_NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr_inv(name + len, 0, KIPC_NAME_MAX - len))
		return -EINVAL;
	return kipc_name_ok(name) ? 0 : -EINVAL;
}

/* Writes an id back (CREATE and ATTACH probe with it before they act). */
static int kipc_put_id(u32 id, void __user *idp)
{
	return put_user(id, (u32 __user *)idp) ? -EFAULT : 0;
}

/* A mode has the rwx bits of owner, group and other, and nothing else. */
static bool kipc_mode_ok(u32 mode)
{
	return mode <= 0777;
}

static const struct file_operations kipc_fops;

/*
 * CREATE with KIPC_CREATE_HANDLE: the mailbox is made on a new handle, a
 * file of its own (as an open of /dev/kipc, without the path walk and the
 * device's open), whose descriptor is installed only once nothing can fail.
 */
static long kipc_create_handle(struct kipc_create *kc, void __user *idp)
{
	struct kipc_handle *h;
	struct file *file;
	int fd, ret;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	h = kipc_handle_new();
	if (!h) {
		ret = -ENOMEM;
		goto out_put_fd;
	}
	file = anon_inode_getfile("[kipc]", &kipc_fops, h, O_RDWR);
	if (IS_ERR(file)) {
		kipc_handle_free(h);
		ret = PTR_ERR(file);
		goto out_put_fd;
	}
	kipc_file_init(file_inode(file), file);
	ret = kipc_mbox_create(h, kc, &kc->id);
	if (ret) {
		fput(file);	/* kipc_fop_release() frees the handle */
		goto out_put_fd;
	}
	/* Probed: only an unmapping race can fail, and the handle is made. */
	kipc_put_id(kc->id, idp);
	fd_install(fd, file);
	return fd;

out_put_fd:
	put_unused_fd(fd);
	return ret;
}

static long kipc_ioc_create(struct kipc_handle *h, void __user *argp)
{
	void __user *idp = argp + offsetof(struct kipc_create, id);
	struct kipc_create kc;
	int ret;

	ret = kipc_copy_sized(&kc, sizeof(kc), sizeof(kc), argp);
	if (ret)
		return ret;
	if (kc.flags & ~KIPC_CREATE_FLAGS)
		return -EINVAL;
	ret = kipc_check_name(kc.name);
	if (ret)
		return ret;
	if (!kipc_mode_ok(kc.mode))
		return -EINVAL;
	/* Fail before acting if the result cannot be reported. */
	ret = kipc_put_id(kc.id, idp);
	if (ret)
		return ret;
	if (kc.flags & KIPC_CREATE_HANDLE)
		return kipc_create_handle(&kc, idp);
	ret = kipc_mbox_create(h, &kc, &kc.id);
	if (ret)
		return ret;
	/* Too late to fail: the mailbox exists and the handle holds it. */
	return kipc_put_id(kc.id, idp);
}

static int kipc_check_attach(const struct kipc_attach *ka)
{
	bool by_id = ka->flags & KIPC_ATTACH_BY_ID;

	if (ka->flags & ~KIPC_ATTACH_FLAGS)
		return -EINVAL;
	/* Names are per namespace: across them, only an id names one. */
	if ((ka->flags & KIPC_ATTACH_ALL_NS) && !by_id)
		return -EINVAL;
	if (by_id)
		return !ka->id || memchr_inv(ka->name, 0, sizeof(ka->name)) ?
		       -EINVAL : 0;
	return ka->id ? -EINVAL : kipc_check_name(ka->name);
}

static long kipc_ioc_attach(struct kipc_handle *h, void __user *argp)
{
	void __user *idp = argp + offsetof(struct kipc_attach, id);
	struct kipc_attach ka;
	int ret;

	if (copy_from_user(&ka, argp, sizeof(ka)))
		return -EFAULT;
	ret = kipc_check_attach(&ka);
	if (ret)
		return ret;
	ret = kipc_put_id(ka.id, idp);
	if (ret)
		return ret;
	ret = kipc_mbox_attach(h, &ka, &ka.id);
	if (ret)
		return ret;
	return kipc_put_id(ka.id, idp);
}

static_assert(offsetofend(struct kipc_stat, ctime_ns) == KIPC_STAT_SIZE_VER0);

static long kipc_ioc_stat(struct kipc_handle *h, void __user *argp)
{
	struct kipc_mbox_snap snap;
	struct kipc_mbox *mb;
	struct kipc_stat ks;
	int ret;

	ret = kipc_copy_sized(&ks, sizeof(ks), KIPC_STAT_SIZE_VER0, argp);
	if (ret)
		return ret;
	if (ks.flags)
		return -EINVAL;
	mb = kipc_mbox_gate(h, KIPC_NEED_NOTHING, NULL);
	if (IS_ERR(mb))
		return PTR_ERR(mb);

	kipc_mbox_snap(mb, &snap, current_user_ns(),
		       task_active_pid_ns(current));
	snap.stat.size = min_t(u32, ks.size, sizeof(snap.stat));
	return copy_to_user(argp, &snap.stat, snap.stat.size) ? -EFAULT : 0;
}

/* A field SET does not apply must be 0. */
static int kipc_check_set(const struct kipc_set *ks)
{
	if (ks->flags & ~KIPC_SET_FLAGS)
		return -EINVAL;
	if ((!(ks->flags & KIPC_SET_MODE) && ks->mode) ||
	    (!(ks->flags & KIPC_SET_CAPACITY) && ks->capacity) ||
	    (!(ks->flags & KIPC_SET_CAPACITY_BYTES) && ks->capacity_bytes) ||
	    (!(ks->flags & KIPC_SET_MAX_MSG_SIZE) && ks->max_msg_size))
		return -EINVAL;
	return kipc_mode_ok(ks->mode) ? 0 : -EINVAL;
}

static long kipc_ioc_set(struct kipc_handle *h, void __user *argp)
{
	struct kipc_mbox *mb;
	struct kipc_set ks;
	int ret;

	if (copy_from_user(&ks, argp, sizeof(ks)))
		return -EFAULT;
	ret = kipc_check_set(&ks);
	if (ret)
		return ret;
	mb = kipc_mbox_gate(h, KIPC_NEED_OWNER, NULL);
	if (IS_ERR(mb))
		return PTR_ERR(mb);
	return kipc_mbox_set(mb, &ks);
}

static long kipc_ioc_destroy(struct kipc_handle *h)
{
	struct kipc_mbox *mb = kipc_mbox_gate(h, KIPC_NEED_OWNER, NULL);

	if (IS_ERR(mb))
		return PTR_ERR(mb);
	return kipc_mbox_destroy(mb);
}

static long kipc_ioc_notify(struct kipc_handle *h, void __user *argp)
{
	struct kipc_notify kn;
	struct kipc_mbox *mb;

	if (copy_from_user(&kn, argp, sizeof(kn)))
		return -EFAULT;
	if (kn.flags & ~KIPC_NOTIFY_FLAGS)
		return -EINVAL;
	if (!valid_signal(kn.signo) || (!kn.signo && kn.flags))
		return -EINVAL;
	/* Reading is what a registration is for; signo 0 only unregisters. */
	mb = kipc_mbox_gate(h, kn.signo ? KIPC_NEED_READ : KIPC_NEED_NOTHING,
			    NULL);
	if (IS_ERR(mb))
		return PTR_ERR(mb);
	return kipc_notify_set(h, mb, &kn);
}

/*
 * A call that a stop, a ptrace trap or a signal without a handler cut
 * short returns -ERESTARTNOHAND and is restarted by the kernel with the
 * same argument; what is left of its timeout is written back there first
 * (as select(2) does), so the restarted call does not wait anew.
 */
static int kipc_restart_timeout(int ret, u64 left, u64 __user *utimeout)
{
	/* Unwritable: the restart would wait anew, so be interrupted. */
	if (ret == -ERESTARTNOHAND && left && put_user(left, utimeout))
		return -EINTR;
	return ret;
}

/* A message to send: zero padding, flags in @allowed, a priority in range. */
static bool kipc_send_shape_ok(const struct kipc_msg *m, u32 allowed)
{
	return !(m->flags & ~allowed) && !m->__pad &&
	       m->priority <= KIPC_PRIO_MAX;
}

/* A receive: zero padding, flags in @allowed, at most one selection. */
static bool kipc_recv_shape_ok(const struct kipc_msg *m, u32 allowed)
{
	return !(m->flags & ~allowed) && !m->__pad &&
	       (m->flags & KIPC_RECV_SELECT) != KIPC_RECV_SELECT;
}

static long kipc_ioc_send(struct kipc_handle *h, struct file *file,
			  struct kipc_msg __user *argp)
{
	struct kipc_mbox *mb;
	struct kipc_msg m;
	u32 mode;
	int ret;

	if (copy_from_user(&m, argp, sizeof(m)))
		return -EFAULT;
	if (!kipc_send_shape_ok(&m, KIPC_SEND_FLAGS))
		return -EINVAL;
	if (put_user(m.seq, &argp->seq))
		return -EFAULT;
	mb = kipc_mbox_gate(h, KIPC_NEED_WRITE, &mode);
	if (IS_ERR(mb))
		return PTR_ERR(mb);
	ret = kipc_msg_send(mb, mode, file, &m);
	if (ret)
		return kipc_restart_timeout(ret, m.timeout_ns, &argp->timeout_ns);
	return put_user(m.seq, &argp->seq) ? -EFAULT : 0;
}

/* What a receiver gets back is the kernel's to fill: start from zero. */
static void kipc_msg_clear_out(struct kipc_msg *m)
{
	m->seq = 0;
	m->timestamp_ns = 0;
	m->msg_len = 0;
	m->sender_pid = 0;
	m->sender_uid = 0;
}

static long kipc_ioc_recv(struct kipc_handle *h, struct file *file,
			  struct kipc_msg __user *argp)
{
	struct kipc_mbox *mb;
	struct kipc_msg m;
	u32 mode;
	int ret;

	if (copy_from_user(&m, argp, sizeof(m)))
		return -EFAULT;
	if (!kipc_recv_shape_ok(&m, KIPC_RECV_FLAGS))
		return -EINVAL;
	/* The header goes back: probe first (so EFAULT comes before state). */
	if (copy_to_user(argp, &m, sizeof(m)))
		return -EFAULT;
	mb = kipc_mbox_gate(h, KIPC_NEED_READ, &mode);
	if (IS_ERR(mb))
		return PTR_ERR(mb);
	kipc_msg_clear_out(&m);
	/* ... with the message (kipc_msg_put()), which goes back should that fail. */
	ret = kipc_msg_recv(mb, mode, file, &m, argp);
	if (ret == -EMSGSIZE)
		return kipc_msg_put(argp, &m) ?: ret;
	return kipc_restart_timeout(ret, m.timeout_ns, &argp->timeout_ns);
}

/* Whole entries of @total bytes that a user copy leaving @left bytes moved. */
static u32 kipc_entries_done(u32 total, unsigned long left)
{
	return (total - left) / sizeof(struct kipc_msg);
}

/* A batch: its header, its entries, and how many of them may move. */
struct kipc_batch {
	struct kipc_msgv		v;
	struct kipc_msgv __user		*uv;
	struct kipc_msg __user		*um;
	struct kipc_msg			*ms;
	u32				n;
	u32				mode;	/* as the gate saw it */
};

/*
 * SENDV and RECVV's first phase: the entries are read, checked and probed
 * for writing all at once, before any moves; b->n says how many passed.
 * One that fails ends the batch there, as if it had failed when its turn
 * came: the error is returned only if it is the first.
 */
static int kipc_batch_fetch(struct kipc_batch *b, bool send)
{
	u32 size = b->v.count * sizeof(*b->ms);
	unsigned long left;
	int ret = 0;
	u32 i;

	b->um = u64_to_user_ptr(b->v.msgs);
	b->ms = kmalloc(size, GFP_KERNEL);
	if (!b->ms)
		return -ENOMEM;
	left = copy_from_user(b->ms, b->um, size);
	b->n = kipc_entries_done(size, left);
	if (b->n < b->v.count)
		ret = -EFAULT;
	for (i = 0; i < b->n; i++) {
		const struct kipc_msg *m = &b->ms[i];
		/* An entry may only select and truncate, and never time out. */
		bool ok = send ? kipc_send_shape_ok(m, 0) :
			  kipc_recv_shape_ok(m, KIPC_RECV_TRUNCATE |
					     KIPC_RECV_SELECT);

		if (!ok || m->timeout_ns) {
			b->n = i;
			ret = -EINVAL;
			break;
		}
	}
	/* The results go back after the messages moved: probe first. */
	if (b->n) {
		left = copy_to_user(b->um, b->ms, b->n * sizeof(*b->ms));
		if (left) {
			b->n = kipc_entries_done(b->n * sizeof(*b->ms), left);
			ret = -EFAULT;
		}
	}
	return b->n ? 0 : ret;
}

/* SENDV's second phase: move, then write back each sequence number. */
static int kipc_batch_send(struct kipc_batch *b, struct kipc_mbox *mb,
			   struct file *file)
{
	int ret;
	u32 i, n;

	ret = kipc_msg_sendv(mb, b->mode, file, b->ms, b->n, b->v.flags,
			     &b->v.timeout_ns);
	ret = kipc_restart_timeout(ret, b->v.timeout_ns, &b->uv->timeout_ns);
	n = max(ret, 0);
	for (i = 0; i < n; i++)
		if (put_user(b->ms[i].seq, &b->um[i].seq))
			return i ?: -EFAULT;
	return ret;
}

/* RECVV's second phase: move; each header goes back with its message. */
static int kipc_batch_recv(struct kipc_batch *b, struct kipc_mbox *mb,
			   struct file *file)
{
	int ret;
	u32 i;

	for (i = 0; i < b->n; i++)
		kipc_msg_clear_out(&b->ms[i]);
	ret = kipc_msg_recvv(mb, b->mode, file, b->ms, b->um, b->n,
			     b->v.flags, &b->v.timeout_ns);
	/* The first entry reports the length it needed. */
	if (ret == -EMSGSIZE)
		return kipc_msg_put(b->um, b->ms) ?: ret;
	return kipc_restart_timeout(ret, b->v.timeout_ns, &b->uv->timeout_ns);
}

/* SENDV, RECVV: fetch the entries, pass the gate, then move. */
static long kipc_ioc_batch(struct kipc_handle *h, struct file *file,
			   void __user *argp, bool send)
{
	struct kipc_batch b = { .uv = argp };
	struct kipc_mbox *mb;
	int ret;

	if (copy_from_user(&b.v, argp, sizeof(b.v)))
		return -EFAULT;
	if (b.v.flags & ~KIPC_NONBLOCK)
		return -EINVAL;
	if (!b.v.count || b.v.count > KIPC_BATCH_MAX)
		return -EINVAL;
	ret = kipc_batch_fetch(&b, send);
	if (ret)
		goto out_free;
	mb = kipc_mbox_gate(h, send ? KIPC_NEED_WRITE : KIPC_NEED_READ,
			    &b.mode);
	if (IS_ERR(mb))
		ret = PTR_ERR(mb);
	else if (send)
		ret = kipc_batch_send(&b, mb, file);
	else
		ret = kipc_batch_recv(&b, mb, file);
out_free:
	kfree(b.ms);
	return ret;
}

static long kipc_ioc_call(struct kipc_handle *h, struct file *file,
			  struct kipc_call __user *argp)
{
	struct kipc_msg req;
	struct kipc_mbox *mb;
	struct kipc_call c;
	u32 mode;
	int ret;

	if (copy_from_user(&c, argp, sizeof(c)))
		return -EFAULT;
	/* The request is checked as a SEND of it would be. */
	req = kipc_call_request(&c);
	if (!kipc_send_shape_ok(&req, KIPC_SEND_FLAGS) || c.__pad)
		return -EINVAL;
	/* What goes back is probed first: EFAULT before the request goes. */
	if (put_user(c.seq, &argp->seq) ||
	    !access_ok(u64_to_user_ptr(c.reply_buf), c.reply_len))
		return -EFAULT;
	mb = kipc_mbox_gate(h, KIPC_NEED_WRITE, &mode);
	if (IS_ERR(mb))
		return PTR_ERR(mb);
	ret = kipc_call(mb, mode, file, &c);
	if (c.seq && put_user(c.seq, &argp->seq))
		ret = ret ?: -EFAULT;
	if (ret)
		return kipc_restart_timeout(ret, c.timeout_ns, &argp->timeout_ns);
	return put_user(c.reply_len, &argp->reply_len) ? -EFAULT : 0;
}

static long kipc_ioc_reply(struct kipc_handle *h, struct kipc_reply __user *argp)
{
	struct kipc_mbox *mb;
	struct kipc_reply r;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	if (r.flags)
		return -EINVAL;
	mb = kipc_mbox_gate(h, KIPC_NEED_NOTHING, NULL);
	if (IS_ERR(mb))
		return PTR_ERR(mb);
	return kipc_call_reply(mb, h, &r);
}

/* REPLY_RECV: the reply, unless its seq is 0; then, if that went, RECV. */
static long kipc_ioc_reply_recv(struct kipc_handle *h, struct file *file,
				struct kipc_reply_recv __user *argp)
{
	u64 seq;
	long ret;

	if (get_user(seq, &argp->reply.seq))
		return -EFAULT;
	if (seq) {
		ret = kipc_ioc_reply(h, &argp->reply);
		if (ret)
			return ret;
	}
	return kipc_ioc_recv(h, file, &argp->msg);
}

/*
 * STAT's struct grows (its size field says how much the caller knows), so
 * its number is matched whatever size it encodes: a program built against
 * an older header encodes the older size.
 */
static unsigned int kipc_ioctl_cmd(unsigned int cmd)
{
	if ((cmd & ~IOCSIZE_MASK) == (KIPC_IOC_STAT & ~IOCSIZE_MASK))
		return KIPC_IOC_STAT;
	return cmd;
}

static long kipc_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct kipc_handle *h = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (kipc_ioctl_cmd(cmd)) {
	case KIPC_IOC_VERSION:
		return kipc_ioc_version(argp);
	case KIPC_IOC_CREATE:
		return kipc_ioc_create(h, argp);
	case KIPC_IOC_ATTACH:
		return kipc_ioc_attach(h, argp);
	case KIPC_IOC_DESTROY:
		return kipc_ioc_destroy(h);
	case KIPC_IOC_STAT:
		return kipc_ioc_stat(h, argp);
	case KIPC_IOC_SET:
		return kipc_ioc_set(h, argp);
	case KIPC_IOC_SEND:
		return kipc_ioc_send(h, file, argp);
	case KIPC_IOC_RECV:
		return kipc_ioc_recv(h, file, argp);
	case KIPC_IOC_SENDV:
		return kipc_ioc_batch(h, file, argp, true);
	case KIPC_IOC_RECVV:
		return kipc_ioc_batch(h, file, argp, false);
	case KIPC_IOC_NOTIFY:
		return kipc_ioc_notify(h, argp);
	case KIPC_IOC_CALL:
		return kipc_ioc_call(h, file, argp);
	case KIPC_IOC_REPLY:
		return kipc_ioc_reply(h, argp);
	case KIPC_IOC_REPLY_RECV:
		return kipc_ioc_reply_recv(h, file, argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations kipc_fops = {
	.owner		= THIS_MODULE,
	.open		= kipc_fop_open,
	.flush		= kipc_fop_flush,
	.release	= kipc_fop_release,
	.read		= kipc_fop_read,
	.write		= kipc_fop_write,
	.read_iter	= kipc_fop_iter,
	.write_iter	= kipc_fop_iter,
	.poll		= kipc_fop_poll,
	.fasync		= kipc_fop_fasync,
	.unlocked_ioctl	= kipc_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= no_llseek,
};

static struct miscdevice kipc_misc = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= "kipc",
	.fops		= &kipc_fops,
	.mode		= 0666,
};

static int __init kipc_init(void)
{
	int ret;

	kipc_mbox_init();
	ret = kipc_kmsg_init();
	if (ret)
		return ret;
	ret = kipc_netlink_init();
	if (ret)
		goto out_mbox_exit;
	ret = misc_register(&kipc_misc);
	if (ret)
		goto out_netlink_exit;
	pr_info("loaded, ABI version %d, /dev/kipc ready\n", KIPC_ABI_VERSION);
	return 0;

out_netlink_exit:
	kipc_netlink_exit();
out_mbox_exit:
	kipc_mbox_exit();
	kipc_kmsg_exit();
	return ret;
}

static void __exit kipc_exit(void)
{
	/* First, so that no event can be sent while we tear down. */
	kipc_netlink_exit();
	misc_deregister(&kipc_misc);
	kipc_mbox_destroy_all();
	kipc_mbox_exit();
	kipc_kmsg_exit();
	pr_info("unloaded\n");
}

module_init(kipc_init);
module_exit(kipc_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The kipc developers");
MODULE_DESCRIPTION("Mailbox IPC through the kernel: /dev/kipc");
MODULE_VERSION(KIPC_VERSION);
