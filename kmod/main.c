// SPDX-License-Identifier: GPL-2.0
/*
 * kipc: mailbox IPC through the kernel. /dev/kipc, its file operations and
 * the ioctl ABI of include/uapi/linux/kipc.h.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/poll.h>
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

static int kipc_open(struct inode *inode, struct file *file)
{
	struct kipc_handle *h;

	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		return -ENOMEM;
	h->user = kipc_user_current();
	if (!h->user) {
		kfree(h);
		return -ENOMEM;
	}
	mutex_init(&h->lock);
	INIT_LIST_HEAD(&h->notify.node);
	file->private_data = h;
	return stream_open(inode, file);
}

static int kipc_flush(struct file *file, fl_owner_t id)
{
	kipc_notify_flush(file->private_data);
	return 0;
}

static int kipc_release(struct inode *inode, struct file *file)
{
	struct kipc_handle *h = file->private_data;

	kipc_mbox_detach(h);
	kipc_user_put(h->user);
	kfree(h);
	return 0;
}

static __poll_t kipc_poll(struct file *file, poll_table *wait)
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

static int kipc_fasync(int fd, struct file *file, int on)
{
	struct kipc_handle *h = file->private_data;
	struct kipc_mbox *mb = kipc_attached(h);

	if (!mb)
		return -ENOTCONN;
	return fasync_helper(fd, file, on, &mb->fasync);
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

static long kipc_ioc_create(struct kipc_handle *h, void __user *argp)
{
	struct kipc_create kc;
	int ret;

	ret = kipc_copy_sized(&kc, sizeof(kc), sizeof(kc), argp);
	if (ret)
		return ret;
	/* Fail before acting if the result cannot be reported. */
	if (put_user(kc.id, (u32 __user *)(argp + offsetof(struct kipc_create, id))))
		return -EFAULT;
	ret = kipc_mbox_create(h, &kc);
	if (ret)
		return ret;
	/* Too late to fail: the mailbox exists and the handle holds it. */
	return put_user(kc.id, (u32 __user *)(argp +
			offsetof(struct kipc_create, id))) ? -EFAULT : 0;
}

static long kipc_ioc_attach(struct kipc_handle *h, void __user *argp)
{
	struct kipc_attach ka;
	int ret;

	if (copy_from_user(&ka, argp, sizeof(ka)))
		return -EFAULT;
	if (put_user(ka.id, (u32 __user *)(argp + offsetof(struct kipc_attach, id))))
		return -EFAULT;
	ret = kipc_mbox_attach(h, &ka);
	if (ret)
		return ret;
	return put_user(ka.id, (u32 __user *)(argp +
			offsetof(struct kipc_attach, id))) ? -EFAULT : 0;
}

static long kipc_ioc_stat(struct kipc_handle *h, void __user *argp)
{
	struct kipc_mbox *mb = kipc_attached(h);
	struct kipc_mbox_info info;
	struct kipc_stat ks;
	u32 usize;
	int ret;

	ret = kipc_copy_sized(&ks, sizeof(ks), sizeof(ks), argp);
	if (ret)
		return ret;
	if (ks.flags)
		return -EINVAL;
	if (!mb)
		return -ENOTCONN;
	if (READ_ONCE(mb->dead))
		return -EIDRM;
	usize = ks.size;

	kipc_mbox_info(mb, &info);
	memset(&ks, 0, sizeof(ks));
	ks.size = min_t(u32, usize, sizeof(ks));
	ks.flags = info.flags;
	ks.id = info.id;
	ks.mode = info.mode;
	ks.uid = from_kuid_munged(current_user_ns(), info.uid);
	ks.gid = from_kgid_munged(current_user_ns(), info.gid);
	memcpy(ks.name, info.name, sizeof(ks.name));
	ks.depth = info.depth;
	ks.capacity = info.capacity;
	ks.bytes = info.bytes;
	ks.capacity_bytes = info.capacity_bytes;
	ks.max_msg_size = info.max_msg_size;
	ks.handles = info.handles;
	ks.blocked_senders = info.blocked_senders;
	ks.blocked_receivers = info.blocked_receivers;
	ks.notify_count = info.notify_count;
	ks.last_sender_pid = info.last_sender_pid;
	ks.last_receiver_pid = info.last_receiver_pid;
	ks.sent = info.sent;
	ks.received = info.received;
	ks.dropped = info.dropped;
	ks.ctime_ns = info.ctime_ns;
	return copy_to_user(argp, &ks, ks.size) ? -EFAULT : 0;
}

static long kipc_ioc_set(struct kipc_handle *h, void __user *argp)
{
	struct kipc_mbox *mb = kipc_attached(h);
	struct kipc_set ks;

	if (copy_from_user(&ks, argp, sizeof(ks)))
		return -EFAULT;
	if (!mb)
		return -ENOTCONN;
	return kipc_mbox_set(mb, &ks);
}

static long kipc_ioc_destroy(struct kipc_handle *h)
{
	struct kipc_mbox *mb = kipc_attached(h);

	if (!mb)
		return -ENOTCONN;
	return kipc_mbox_destroy(mb);
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

/* A receive's flags: all in @allowed, and at most one selection. */
static bool kipc_recv_flags_ok(u32 flags, u32 allowed)
{
	return !(flags & ~allowed) &&
	       (flags & KIPC_RECV_SELECT) != KIPC_RECV_SELECT;
}

static long kipc_ioc_send(struct kipc_handle *h, struct file *file,
			  struct kipc_msg __user *argp)
{
	struct kipc_msg m;
	int ret;

	if (copy_from_user(&m, argp, sizeof(m)))
		return -EFAULT;
	if ((m.flags & ~KIPC_SEND_FLAGS) || m.__pad)
		return -EINVAL;
	if (put_user(m.seq, &argp->seq))
		return -EFAULT;
	ret = kipc_send(h, file, &m, m.flags, &m.timeout_ns);
	if (ret)
		return kipc_restart_timeout(ret, m.timeout_ns, &argp->timeout_ns);
	return put_user(m.seq, &argp->seq) ? -EFAULT : 0;
}

/* The kernel's part of a received struct kipc_msg, all else zeroed. */
static void kipc_msg_out(struct kipc_msg *out, const struct kipc_msg *in)
{
	struct kipc_msg m = {
		.buf = in->buf,
		.len = in->len,
		.flags = in->flags,
		.type = in->type,
		.priority = in->priority,
		.timeout_ns = in->timeout_ns,
		.seq = in->seq,
		.timestamp_ns = in->timestamp_ns,
		.msg_len = in->msg_len,
		.sender_pid = in->sender_pid,
		.sender_uid = in->sender_uid,
	};

	*out = m;
}

static long kipc_ioc_recv(struct kipc_handle *h, struct file *file,
			  struct kipc_msg __user *argp)
{
	struct kipc_msg m, out;
	int ret;

	if (copy_from_user(&m, argp, sizeof(m)))
		return -EFAULT;
	if (!kipc_recv_flags_ok(m.flags, KIPC_RECV_FLAGS) || m.__pad)
		return -EINVAL;
	/* The header goes back after the message is gone: probe first. */
	if (copy_to_user(argp, &m, sizeof(m)))
		return -EFAULT;
	m.seq = 0;
	m.timestamp_ns = 0;
	m.msg_len = 0;
	m.sender_pid = 0;
	m.sender_uid = 0;
	ret = kipc_recv(h, file, &m, m.flags, &m.timeout_ns);
	if (ret && ret != -EMSGSIZE)
		return kipc_restart_timeout(ret, m.timeout_ns, &argp->timeout_ns);
	kipc_msg_out(&out, &m);
	if (copy_to_user(argp, &out, sizeof(out)))
		return -EFAULT;
	return ret;
}

/* Whole entries of @total bytes that a user copy leaving @left bytes moved. */
static u32 kipc_entries_done(u32 total, unsigned long left)
{
	return (total - left) / sizeof(struct kipc_msg);
}

/*
 * SENDV, RECVV. The entries are read, checked and probed for writing all
 * at once, before any moves; one that fails a check ends the batch there,
 * as if it had failed when its turn came.
 */
static long kipc_ioc_batch(struct kipc_handle *h, struct file *file,
			   void __user *argp, bool send)
{
	struct kipc_msgv __user *uv = argp;
	struct kipc_msg __user *um;
	struct kipc_msg *ms, *m;
	struct kipc_msgv v;
	u32 i, n, size;
	unsigned long left;
	int ret = 0;

	if (copy_from_user(&v, argp, sizeof(v)))
		return -EFAULT;
	if (v.flags & ~KIPC_NONBLOCK)
		return -EINVAL;
	if (!v.count || v.count > KIPC_BATCH_MAX)
		return -EINVAL;
	if (!kipc_attached(h))
		return -ENOTCONN;

	um = u64_to_user_ptr(v.msgs);
	size = v.count * sizeof(*ms);
	ms = kmalloc(size, GFP_KERNEL);
	if (!ms)
		return -ENOMEM;
	left = copy_from_user(ms, um, size);
	n = kipc_entries_done(size, left);
	if (n < v.count)
		ret = -EFAULT;
	for (i = 0; i < n; i++) {
		m = &ms[i];
		if (m->__pad || m->timeout_ns ||
		    !kipc_recv_flags_ok(m->flags, send ? 0 :
					KIPC_RECV_TRUNCATE | KIPC_RECV_SELECT)) {
			n = i;
			ret = -EINVAL;
			break;
		}
	}
	/* The results go back after the messages moved: probe first. */
	if (n) {
		left = copy_to_user(um, ms, n * sizeof(*ms));
		if (left) {
			n = kipc_entries_done(n * sizeof(*ms), left);
			ret = -EFAULT;
		}
	}
	if (!n)
		goto out_free;

	if (send) {
		ret = kipc_sendv(h, file, ms, n, v.flags, &v.timeout_ns);
		ret = kipc_restart_timeout(ret, v.timeout_ns, &uv->timeout_ns);
		n = max(ret, 0);
		for (i = 0; i < n; i++) {
			if (put_user(ms[i].seq, &um[i].seq)) {
				ret = i ?: -EFAULT;
				break;
			}
		}
		goto out_free;
	}

	for (i = 0; i < n; i++) {
		m = &ms[i];
		m->seq = 0;
		m->timestamp_ns = 0;
		m->msg_len = 0;
		m->sender_pid = 0;
		m->sender_uid = 0;
	}
	ret = kipc_recvv(h, file, ms, n, v.flags, &v.timeout_ns);
	ret = kipc_restart_timeout(ret, v.timeout_ns, &uv->timeout_ns);
	/* The first entry reports the length it needed. */
	n = ret == -EMSGSIZE ? 1 : max(ret, 0);
	for (i = 0; i < n; i++)
		kipc_msg_out(&ms[i], &ms[i]);
	if (n) {
		left = copy_to_user(um, ms, n * sizeof(*ms));
		if (left)
			ret = kipc_entries_done(n * sizeof(*ms), left) ?: -EFAULT;
	}

out_free:
	kfree(ms);
	return ret;
}

static long kipc_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct kipc_handle *h = file->private_data;
	void __user *argp = (void __user *)arg;
	struct kipc_notify kn;

	switch (cmd) {
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
		if (copy_from_user(&kn, argp, sizeof(kn)))
			return -EFAULT;
		return kipc_notify_set(h, &kn);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations kipc_fops = {
	.owner		= THIS_MODULE,
	.open		= kipc_open,
	.flush		= kipc_flush,
	.release	= kipc_release,
	.poll		= kipc_poll,
	.fasync		= kipc_fasync,
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

	ret = kipc_mbox_init();
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
	return ret;
}

static void __exit kipc_exit(void)
{
	/* First, so that no event can be sent while we tear down. */
	kipc_netlink_exit();
	misc_deregister(&kipc_misc);
	kipc_mbox_destroy_all();
	kipc_mbox_exit();
	pr_info("unloaded\n");
}

module_init(kipc_init);
module_exit(kipc_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The kipc developers");
MODULE_DESCRIPTION("Mailbox IPC through the kernel: /dev/kipc");
MODULE_VERSION(KIPC_VERSION);
