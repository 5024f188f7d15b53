// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
/*
 * warden's runtime sensor. Exit-only events (as Falco since libs 0.22): one BTF raw
 * tracepoint on sys_exit reads the syscall number from the saved registers and tail-calls the
 * program of that syscall, which reads the arguments from the same registers and the return
 * value from the tracepoint. A syscall whose slot in `syscall_tail` is empty (no loaded rule
 * needs it) ends right there. fentry/fexit would avoid the dispatch, but are not available on
 * every kernel (trampolines need DYNAMIC_FTRACE_WITH_DIRECT_CALLS), raw tracepoints are.
 * Process state comes from the scheduler tracepoints.
 *
 * User space fills `syscall_tail` only with the syscalls the loaded rules need, and
 * `enabled_mask` in .rodata repeats the choice. Exec, clone and exit always run: the process
 * tree needs them.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "events.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define AT_FDCWD -100
#define S_IFMT 00170000
#define S_IFSOCK 0140000

/* Written by user space before load. */
const volatile __u64 enabled_mask = ~0ULL;
const volatile __u32 self_tgid = 0;
/* Bytes of argv kept per exec; at most WARDEN_STR_MAX. */
const volatile __u32 argv_max = WARDEN_STR_MAX;
/*
 * log2 of the per-CPU wake-up mark: a record wakes the consumer only when it brings the
 * bytes its CPU wrote since that CPU's last wake-up to (1 << wake_shift). User space sets it
 * to the mark divided by the number of CPUs, so no more than the mark is ever queued without
 * a wake-up. Below it user space is not woken at all and drains on its poll timeout, so a
 * busy producer pays for a wake-up (an irq_work and a context switch) once per mark rather
 * than once per record. 0 wakes on every record.
 */
const volatile __u32 wake_shift = 0;
/*
 * Set by user space when no loaded rule can match an open without write access (access mode
 * O_RDONLY, i.e. evt.is_open_write false): those opens then end before the timestamp, the path
 * copy and the ring buffer. The rules are analysed in user space (rules.rs), which sets this
 * only when the answer is certain, so a rule that could match still sees every open.
 */
const volatile __u32 drop_read_only_opens = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024);
} events SEC(".maps");

/* Twice the largest event, so every masked offset the verifier sees stays inside. */
struct scratch {
	__u8 buf[WARDEN_SCRATCH * 2];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WC_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/*
 * Bytes this CPU wrote since it last forced a wake-up. Per CPU rather than
 * bpf_ringbuf_query(AVAIL_DATA): the query reads the consumer's position, a cache line the
 * consumer on another CPU keeps writing, which cost a miss on nearly every event.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} wake_acc SEC(".maps");

/* Syscall number -> the program that reports it; filled by user space after load. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 512);
	__type(key, __u32);
	__type(value, __u32);
} syscall_tail SEC(".maps");

/* Kernels before 6.15 call the parent link `parent`. */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline void count(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &slot);
	if (v)
		*v += 1;
}

/*
 * Task fields are read with plain loads through the BTF-typed task pointer (the verifier
 * allows them in tp_btf programs and guards each with an exception-table entry) rather than
 * BPF_CORE_READ, which costs a bpf_probe_read_kernel call per field: with this kernel's
 * return-thunk mitigations each call is tens of ns, and begin() alone made six of them.
 */
static __always_inline int wanted(__u32 kind, struct task_struct *t)
{
	if (!(enabled_mask & (1ULL << kind)))
		return 0;
	if (self_tgid && t->tgid == self_tgid)
		return 0;
	return 1;
}

static __always_inline struct warden_hdr *begin(__u32 kind, __s64 ret, struct task_struct *t)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return NULL;
	struct warden_hdr *h = (struct warden_hdr *)s->buf;
	const struct cred *cred = t->cred;

	h->kind = kind;
	h->size = sizeof(*h);
	h->ts_boot = bpf_ktime_get_boot_ns();
	h->ret = ret;
	for (int i = 0; i < 6; i++)
		h->args[i] = 0;
	/* 64 bits whether kernel_cap_t is one u64 (6.3+) or two u32 (before). */
	h->cap_eff = *(const __u64 *)&cred->cap_effective;
	h->pid = t->tgid;
	h->tid = t->pid;
	h->ppid = t->real_parent->tgid;
	/* Effective ids, as user.uid and group.gid report them. */
	h->uid = cred->euid.val;
	h->gid = cred->egid.val;
	h->cpu = bpf_get_smp_processor_id();
	h->nstr = 0;
	h->flags = 0;
	h->abi = WARDEN_ABI;
	__builtin_memcpy(h->comm, t->comm, sizeof(h->comm));
	return h;
}

static __always_inline void put_len(__u8 *buf, __u32 off, __u32 len)
{
	buf[off] = len & 0xff;
	buf[off + 1] = (len >> 8) & 0xff;
}

/* Kind of source for put_str. */
#define SRC_USER_STR 0
#define SRC_KERNEL_STR 1
#define SRC_USER_BYTES 2

/* Appends one string; an unreadable source gives an empty string so indexes stay stable. */
static __always_inline void put_str(struct warden_hdr *h, int src, const void *ptr, __u32 max)
{
	__u8 *buf = (__u8 *)h;
	__u32 off = h->size;
	__u32 idx = h->nstr;
	long n = 0;

	if (off >= WARDEN_STR_START_MAX) {
		/* No room left: record an empty, truncated string. */
		h->flags |= (WF_TRUNC0 << (idx & 7));
		count(WC_TRUNC);
		return;
	}
	barrier_var(off);
	off &= (WARDEN_STR_START_MAX - 1);
	if (max > WARDEN_STR_MAX)
		max = WARDEN_STR_MAX;
	barrier_var(max);
	if (ptr) {
		if (src == SRC_USER_STR)
			n = bpf_probe_read_user_str(&buf[off + 2], max & (WARDEN_STR_MAX * 2 - 1), ptr);
		else if (src == SRC_KERNEL_STR)
			n = bpf_probe_read_kernel_str(&buf[off + 2], max & (WARDEN_STR_MAX * 2 - 1), ptr);
		else {
			__u32 m = max & (WARDEN_STR_MAX - 1);
			if (max >= WARDEN_STR_MAX)
				m = WARDEN_STR_MAX - 1;
			if (m > 0 && bpf_probe_read_user(&buf[off + 2], m, ptr) == 0)
				n = m;
		}
	}
	if (n < 0)
		n = 0;
	if (src != SRC_USER_BYTES) {
		/* The _str helpers count the NUL; a full buffer means the source went on. */
		if (n >= max && max > 0) {
			h->flags |= (WF_TRUNC0 << (idx & 7));
			count(WC_TRUNC);
		}
		if (n > 0)
			n -= 1;
	}
	put_len(buf, off, (__u32)n);
	barrier_var(n);
	h->size = off + 2 + ((__u32)n & (WARDEN_STR_MAX * 2 - 1));
	h->nstr = idx + 1;
}

/*
 * BPF_RB_FORCE_WAKEUP when this record brings its CPU's bytes since the last wake-up to the
 * per-CPU mark, else BPF_RB_NO_WAKEUP. A wake-up is sometimes sent when the consumer has
 * already drained on its timeout; that costs one spare wake-up per mark, never a late one.
 */
static __always_inline __u64 wake_flags(__u32 size)
{
	__u32 zero = 0;
	__u64 *acc;

	if (!wake_shift)
		return 0;
	acc = bpf_map_lookup_elem(&wake_acc, &zero);
	if (!acc)
		return 0;
	/* What the record occupies in the ring: its 8-byte header, rounded up to 8. */
	*acc += ((__u64)size + 8 + 7) & ~7ULL;
	if (*acc >> wake_shift) {
		*acc = 0;
		return BPF_RB_FORCE_WAKEUP;
	}
	return BPF_RB_NO_WAKEUP;
}

static __always_inline void submit(struct warden_hdr *h)
{
	__u32 size = h->size;
	if (size > WARDEN_SCRATCH || size < sizeof(*h))
		return;
	/* Keep the mask: clang would drop it after the check above, and the verifier wants it. */
	barrier_var(size);
	size &= (WARDEN_SCRATCH * 2 - 1);
	if (bpf_ringbuf_output(&events, h, size, wake_flags(size)) == 0)
		count(WC_EVENTS);
	else
		count(WC_DROPS);
}

/* ---- sockets ---------------------------------------------------------------------------- */

static __always_inline struct file *fd_file(long fd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **arr;
	struct file *f = NULL;

	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	arr = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &arr[fd]);
	return f;
}

/* Appends the socket block for `fd` when it is a socket; returns whether it was. */
static __always_inline int put_sock(struct warden_hdr *h, long fd)
{
	struct file *f = fd_file(fd);
	struct warden_sock *ws;
	struct socket *so;
	struct sock *sk;
	__u32 off = h->size;

	if (!f)
		return 0;
	if ((BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return 0;
	if (off != sizeof(*h))
		return 0; /* the block always sits right after the header */
	so = (struct socket *)BPF_CORE_READ(f, private_data);
	if (!so)
		return 0;
	sk = BPF_CORE_READ(so, sk);
	ws = (struct warden_sock *)((__u8 *)h + sizeof(*h));
	__builtin_memset(ws, 0, sizeof(*ws));
	ws->type = BPF_CORE_READ(so, type);
	if (sk) {
		ws->family = BPF_CORE_READ(sk, __sk_common.skc_family);
		ws->proto = BPF_CORE_READ(sk, sk_protocol);
		ws->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		ws->rport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (ws->family == 2 /* AF_INET */) {
			bpf_probe_read_kernel(ws->laddr, 4, &sk->__sk_common.skc_rcv_saddr);
			bpf_probe_read_kernel(ws->raddr, 4, &sk->__sk_common.skc_daddr);
		} else if (ws->family == 10 /* AF_INET6 */) {
			bpf_probe_read_kernel(ws->laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
			bpf_probe_read_kernel(ws->raddr, 16, &sk->__sk_common.skc_v6_daddr);
		}
	}
	h->flags |= WF_SOCK;
	h->size = off + sizeof(*ws);
	return 1;
}

/* ---- cgroup names ------------------------------------------------------------------------ */

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	struct kernfs_node___old *old = (void *)kn;
	if (bpf_core_field_exists(old->parent))
		return BPF_CORE_READ(old, parent);
	return BPF_CORE_READ(kn, __parent);
}

/*
 * Appends the kernfs names of the task's cgroup and of its parent: enough to recognise every
 * runtime's container id pattern in user space, even after the process is gone. On a hybrid
 * cgroup v1/v2 host the v2 cgroup is often the root; then the memory controller's v1 cgroup
 * is the one the runtime placed the task in.
 */
static __always_inline void put_cgroup(struct warden_hdr *h, struct task_struct *t)
{
	struct cgroup *cg = BPF_CORE_READ(t, cgroups, dfl_cgrp);
	struct kernfs_node *kn;

	if (!cg || BPF_CORE_READ(cg, level) == 0)
		cg = BPF_CORE_READ(t, cgroups, subsys[memory_cgrp_id], cgroup);
	kn = cg ? BPF_CORE_READ(cg, kn) : NULL;
	put_str(h, SRC_KERNEL_STR, kn ? BPF_CORE_READ(kn, name) : NULL, WARDEN_CG_MAX);
	kn = kn ? kn_parent(kn) : NULL;
	put_str(h, SRC_KERNEL_STR, kn ? BPF_CORE_READ(kn, name) : NULL, WARDEN_CG_MAX);
}

/* ---- executable path ---------------------------------------------------------------------- */

/* Path components walked per executable: deeper paths are cut (and flagged truncated). */
#define EXE_DEPTH 48
/* NAME_MAX + 1: the longest component bpf_probe_read_kernel_str may copy. */
#define NAME_CAP 256

/* State of one executable path walk, shared with the bpf_loop callback. */
struct exe_walk {
	struct dentry *d;
	struct vfsmount *vm;
	struct mount *mnt;
	struct dentry *mnt_root;
	struct dentry *root_d;
	struct vfsmount *root_vm;
	__u64 mnt_off;
	__u32 off;
	__u32 len;
	int cut;
};

/*
 * One step of d_path's walk. A bpf_loop callback rather than an unrolled loop: the verifier
 * checks the body once, where a plain bounded loop over the varying length blows its
 * complexity limit (E2BIG).
 */
static long exe_step(__u32 i, void *ctx)
{
	/* Locals, not w->...: BPF_CORE_READ would relocate the access to our own struct too. */
	struct exe_walk *w = ctx;
	struct dentry *d = w->d;
	struct mount *mnt = w->mnt;
	struct dentry *parent;
	const unsigned char *name;
	struct scratch *s;
	__u32 zero = 0;
	__u32 at;
	long n;

	if (d == w->root_d && w->vm == w->root_vm) {
		w->cut = 0;
		return 1;
	}
	if (d == w->mnt_root) {
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
		struct vfsmount *vm;
		if (!up || up == mnt) {
			w->cut = 0;
			return 1;
		}
		w->d = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		vm = (struct vfsmount *)((__u8 *)up + w->mnt_off);
		w->vm = vm;
		w->mnt_root = BPF_CORE_READ(vm, mnt_root);
		return 0;
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (!parent || parent == d) {
		/* The root of a filesystem mounted nowhere (memfd, anonymous files). */
		w->cut = 0;
		return 1;
	}
	if (w->len > WARDEN_STR_MAX - NAME_CAP)
		return 1;
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 1;
	name = BPF_CORE_READ(d, d_name.name);
	at = (w->off + 2 + w->len) & (WARDEN_SCRATCH - 1);
	n = bpf_probe_read_kernel_str(&s->buf[at], NAME_CAP, name);
	if (n > 0)
		w->len += n;
	w->d = parent;
	return 0;
}

/*
 * Appends the path of the task's executable (mm->exe_file, what /proc/PID/exe resolves) as
 * its components, leaf first, each NUL-terminated; user space reverses and joins them. The
 * walk is d_path's: up the dentries to the mount's root, across to the parent mount at the
 * mountpoint, and it stops at the task's own root (chroot, a container's pivot_root) or the
 * namespace's top mount. So the path is resolved (no symlinks) and as the process itself
 * sees it, whether or not the process is still alive when user space reads the event.
 * Falco's drivers send the same as execve's `trusted_exepath`.
 */
static __always_inline void put_exepath(struct warden_hdr *h, struct task_struct *t)
{
	__u8 *buf = (__u8 *)h;
	__u32 off = h->size;
	__u32 idx = h->nstr;
	__u32 len = 0;
	struct file *f = BPF_CORE_READ(t, mm, exe_file);
	struct exe_walk w = {};

	if (off >= WARDEN_STR_START_MAX) {
		h->flags |= (WF_TRUNC0 << (idx & 7));
		count(WC_TRUNC);
		return;
	}
	barrier_var(off);
	off &= (WARDEN_STR_START_MAX - 1);
	if (f) {
		struct vfsmount *vm = BPF_CORE_READ(f, f_path.mnt);
		w.d = BPF_CORE_READ(f, f_path.dentry);
		w.vm = vm;
		w.root_d = BPF_CORE_READ(t, fs, root.dentry);
		w.root_vm = BPF_CORE_READ(t, fs, root.mnt);
		w.mnt_off = bpf_core_field_offset(struct mount, mnt);
		w.mnt = (struct mount *)((__u8 *)vm - w.mnt_off);
		w.mnt_root = BPF_CORE_READ(vm, mnt_root);
		w.off = off;
		w.cut = 1;
		bpf_loop(EXE_DEPTH, exe_step, &w, 0);
		len = w.len;
		if (w.cut) {
			h->flags |= (WF_TRUNC0 << (idx & 7));
			count(WC_TRUNC);
		}
	}
	barrier_var(len);
	len &= (WARDEN_STR_MAX * 2 - 1);
	put_len(buf, off, len);
	h->size = off + 2 + len;
	h->nstr = idx + 1;
}

/* ---- process lifecycle ------------------------------------------------------------------- */

/*
 * Every syscall exit passes here; only the selected ones go further. Kept to one load and
 * the tail call: an unselected syscall (close, read, ...) pays nothing else. The sensor's
 * own syscalls are dropped by the tail-called program (wanted()).
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(dispatch, struct pt_regs *regs, long ret)
{
	__u32 nr = (__u32)regs->orig_ax;

	bpf_tail_call(ctx, &syscall_tail, nr & 511);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u64 key = bpf_get_current_pid_tgid();
	/* The exec's own registers still hold its syscall number (322 = execveat on x86-64). */
	struct pt_regs *uregs = (struct pt_regs *)bpf_task_pt_regs(p);
	__u32 kind = BPF_CORE_READ(uregs, orig_ax) == 322 ? WK_EXECVEAT : WK_EXECVE;
	struct warden_hdr *h;
	struct tty_struct *tty;
	struct mm_struct *mm;
	struct pid *tp;
	unsigned long a0, a1;
	__u32 tty_nr = 0;

	if (self_tgid && (key >> 32) == self_tgid)
		return 0;
	h = begin(kind, 0, bpf_get_current_task_btf());
	if (!h)
		return 0;
	tty = BPF_CORE_READ(p, signal, tty);
	if (tty) {
		__u32 major = BPF_CORE_READ(tty, driver, major);
		__u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
		/* The encoding of tty_nr in /proc/PID/stat, which is what proc.tty compares. */
		tty_nr = (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
	}
	h->args[0] = tty_nr;
	tp = BPF_CORE_READ(p, signal, pids[PIDTYPE_SID]);
	h->args[1] = tp ? BPF_CORE_READ(tp, numbers[0].nr) : 0;
	h->args[2] = (__u32)-1;
	if (bpf_core_field_exists(p->loginuid))
		h->args[2] = BPF_CORE_READ(p, loginuid.val);
	mm = BPF_CORE_READ(p, mm);
	a0 = BPF_CORE_READ(mm, arg_start);
	a1 = BPF_CORE_READ(mm, arg_end);
	h->args[3] = a1 > a0 ? a1 - a0 : 0;
	tp = BPF_CORE_READ(p, thread_pid);
	if (tp) {
		__u32 level = BPF_CORE_READ(tp, level);
		struct upid up = {};
		bpf_probe_read_kernel(&up, sizeof(up), &tp->numbers[level & 31]);
		h->args[4] = up.nr;
	}
	h->args[5] = BPF_CORE_READ(p, start_boottime);
	put_cgroup(h, p);
	put_str(h, SRC_KERNEL_STR, BPF_CORE_READ(bprm, filename), WARDEN_STR_MAX);
	put_exepath(h, p);
	{
		__u32 want = h->args[3];
		__u32 cap = argv_max;
		if (cap > WARDEN_STR_MAX - 1)
			cap = WARDEN_STR_MAX - 1;
		if (want > cap) {
			want = cap;
			h->flags |= (WF_TRUNC0 << (h->nstr & 7));
			count(WC_TRUNC);
		}
		put_str(h, SRC_USER_BYTES, (const void *)a0, want);
	}
	submit(h);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct warden_hdr *h;
	__u32 tgid = child->tgid;

	/* A new thread is not a new process: the tree tracks processes only. */
	if (child->pid != tgid)
		return 0;
	if (self_tgid && t->tgid == self_tgid)
		return 0;
	h = begin(WK_CLONE, tgid, t);
	if (!h)
		return 0;
	h->args[0] = tgid;
	h->args[5] = child->start_boottime;
	put_cgroup(h, parent);
	submit(h);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	struct warden_hdr *h;

	if (p->pid != p->tgid)
		return 0;
	if (self_tgid && p->tgid == self_tgid)
		return 0;
	h = begin(WK_EXIT, 0, bpf_get_current_task_btf());
	if (!h)
		return 0;
	h->args[0] = p->exit_code;
	submit(h);
	return 0;
}

/* ---- syscalls ---------------------------------------------------------------------------- */

/* x86-64 syscall argument registers, in order: plain loads from the BTF-typed pt_regs. */
#define ARG0(r) ((r)->di)
#define ARG1(r) ((r)->si)
#define ARG2(r) ((r)->dx)
#define ARG3(r) ((r)->r10)
#define ARG4(r) ((r)->r8)
#define ARG5(r) ((r)->r9)

/*
 * Whether this exit is an open no loaded rule can match (see drop_read_only_opens). `kind` is
 * a constant in each program, so every other syscall compiles to nothing here.
 */
static __always_inline int filtered(__u32 kind, struct pt_regs *regs)
{
	__u64 flags = 0;

	if (!drop_read_only_opens)
		return 0;
	if (kind == WK_OPEN)
		flags = ARG1(regs);
	else if (kind == WK_OPENAT)
		flags = ARG2(regs);
	else if (kind == WK_OPENAT2)
		/* open_how.flags is the first field; unreadable is 0, as fill_openat2 reports it. */
		bpf_probe_read_user(&flags, sizeof(flags), (void *)ARG2(regs));
	else
		return 0;
	/* render.rs renders 1 as O_WRONLY and 2 or 3 as O_RDWR: both are open_write. */
	if (flags & 3)
		return 0;
	count(WC_FILTERED);
	return 1;
}

#define SYSCALL_EXIT(sys, kind)                                                    \
	static __always_inline void fill_##sys(struct warden_hdr *h, struct pt_regs *regs, \
					       long ret);                          \
	SEC("tp_btf/sys_exit")                                                     \
	int BPF_PROG(exit_##sys, struct pt_regs *regs, long ret)                   \
	{                                                                          \
		struct task_struct *t = bpf_get_current_task_btf();                \
		struct warden_hdr *h;                                              \
		if (!wanted(kind, t) || filtered(kind, regs))                      \
			return 0;                                                  \
		h = begin(kind, ret, t);                                           \
		if (!h)                                                            \
			return 0;                                                  \
		fill_##sys(h, regs, ret);                                          \
		submit(h);                                                         \
		return 0;                                                          \
	}                                                                          \
	static __always_inline void fill_##sys(struct warden_hdr *h, struct pt_regs *regs, \
					       long ret)

#define USTR(p) put_str(h, SRC_USER_STR, (const void *)(p), WARDEN_STR_MAX)

SYSCALL_EXIT(open, WK_OPEN)
{
	h->args[0] = (__u64)(__s64)AT_FDCWD;
	h->args[1] = ARG1(regs);
	h->args[2] = ARG2(regs);
	USTR(ARG0(regs));
}

SYSCALL_EXIT(openat, WK_OPENAT)
{
	h->args[0] = ARG0(regs);
	h->args[1] = ARG2(regs);
	h->args[2] = ARG3(regs);
	USTR(ARG1(regs));
}

SYSCALL_EXIT(openat2, WK_OPENAT2)
{
	struct open_how how = {};
	bpf_probe_read_user(&how, sizeof(how), (void *)ARG2(regs));
	h->args[0] = ARG0(regs);
	h->args[1] = how.flags;
	h->args[2] = how.mode;
	h->args[3] = how.resolve;
	USTR(ARG1(regs));
}

/* The remote address as the caller passed it: raw sockaddr bytes, parsed in user space. */
static __always_inline void put_sockaddr(struct warden_hdr *h, __u64 ptr, __u64 len)
{
	if (len > 128)
		len = 128;
	put_str(h, SRC_USER_BYTES, ptr ? (const void *)ptr : NULL, ptr ? (__u32)len : 0);
}

SYSCALL_EXIT(connect, WK_CONNECT)
{
	h->args[0] = ARG0(regs);
	put_sock(h, (long)h->args[0]);
	put_sockaddr(h, ARG1(regs), ARG2(regs));
}

SYSCALL_EXIT(sendto, WK_SENDTO)
{
	h->args[0] = ARG0(regs);
	h->args[1] = ARG2(regs);
	put_sock(h, (long)h->args[0]);
	put_sockaddr(h, ARG4(regs), ARG5(regs));
}

SYSCALL_EXIT(sendmsg, WK_SENDMSG)
{
	struct user_msghdr m = {};
	h->args[0] = ARG0(regs);
	bpf_probe_read_user(&m, sizeof(m), (void *)ARG1(regs));
	put_sock(h, (long)h->args[0]);
	put_sockaddr(h, (__u64)m.msg_name, m.msg_namelen > 0 ? m.msg_namelen : 0);
}

SYSCALL_EXIT(socket, WK_SOCKET)
{
	h->args[0] = ARG0(regs);
	h->args[1] = ARG1(regs);
	h->args[2] = ARG2(regs);
}

SYSCALL_EXIT(rename, WK_RENAME)
{
	USTR(ARG0(regs));
	USTR(ARG1(regs));
}

SYSCALL_EXIT(renameat, WK_RENAMEAT)
{
	h->args[0] = ARG0(regs);
	h->args[1] = ARG2(regs);
	USTR(ARG1(regs));
	USTR(ARG3(regs));
}

SYSCALL_EXIT(renameat2, WK_RENAMEAT2)
{
	h->args[0] = ARG0(regs);
	h->args[1] = ARG2(regs);
	h->args[2] = ARG4(regs);
	USTR(ARG1(regs));
	USTR(ARG3(regs));
}

SYSCALL_EXIT(unlink, WK_UNLINK)
{
	h->args[0] = (__u64)(__s64)AT_FDCWD;
	USTR(ARG0(regs));
}

SYSCALL_EXIT(unlinkat, WK_UNLINKAT)
{
	h->args[0] = ARG0(regs);
	h->args[1] = ARG2(regs);
	USTR(ARG1(regs));
}

SYSCALL_EXIT(mkdir, WK_MKDIR)
{
	h->args[0] = (__u64)(__s64)AT_FDCWD;
	h->args[1] = ARG1(regs);
	USTR(ARG0(regs));
}

SYSCALL_EXIT(mkdirat, WK_MKDIRAT)
{
	h->args[0] = ARG0(regs);
	h->args[1] = ARG2(regs);
	USTR(ARG1(regs));
}

SYSCALL_EXIT(symlink, WK_SYMLINK)
{
	h->args[0] = (__u64)(__s64)AT_FDCWD;
	USTR(ARG0(regs));
	USTR(ARG1(regs));
}

SYSCALL_EXIT(symlinkat, WK_SYMLINKAT)
{
	h->args[0] = ARG1(regs);
	USTR(ARG0(regs));
	USTR(ARG2(regs));
}

SYSCALL_EXIT(link, WK_LINK)
{
	USTR(ARG0(regs));
	USTR(ARG1(regs));
}

SYSCALL_EXIT(linkat, WK_LINKAT)
{
	h->args[0] = ARG0(regs);
	h->args[1] = ARG2(regs);
	h->args[2] = ARG4(regs);
	USTR(ARG1(regs));
	USTR(ARG3(regs));
}

SYSCALL_EXIT(setuid, WK_SETUID)
{
	h->args[0] = ARG0(regs);
}

SYSCALL_EXIT(setgid, WK_SETGID)
{
	h->args[0] = ARG0(regs);
}

SYSCALL_EXIT(ptrace, WK_PTRACE)
{
	h->args[0] = ARG0(regs);
	h->args[1] = ARG1(regs);
}

SYSCALL_EXIT(init_module, WK_INIT_MODULE)
{
	h->args[0] = ARG1(regs);
	USTR(ARG2(regs));
}

SYSCALL_EXIT(finit_module, WK_FINIT_MODULE)
{
	h->args[0] = ARG0(regs);
	h->args[1] = ARG2(regs);
	USTR(ARG1(regs));
}

SYSCALL_EXIT(dup, WK_DUP)
{
	h->args[0] = ARG0(regs);
	put_sock(h, (long)h->args[0]);
}

SYSCALL_EXIT(dup2, WK_DUP2)
{
	h->args[0] = ARG0(regs);
	h->args[1] = ARG1(regs);
	put_sock(h, (long)h->args[0]);
}

SYSCALL_EXIT(dup3, WK_DUP3)
{
	h->args[0] = ARG0(regs);
	h->args[1] = ARG1(regs);
	h->args[2] = ARG2(regs);
	put_sock(h, (long)h->args[0]);
}
