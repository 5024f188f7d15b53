/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The wire format between sensor.bpf.c and src/decode.rs. Every event is one header, an
 * optional socket block (WF_SOCK) and `nstr` length-prefixed byte strings. decode.rs checks
 * every length against this layout; change both together and bump WARDEN_ABI.
 */
#ifndef WARDEN_EVENTS_H
#define WARDEN_EVENTS_H

#define WARDEN_ABI 2
#define WARDEN_COMM_LEN 16
/* Longest single string (a path, or the argv blob of an exec). */
#define WARDEN_STR_MAX 4096
/* Longest cgroup kernfs name kept (a container id with its runtime prefix fits easily). */
#define WARDEN_CG_MAX 128
/* A string is only started below this offset, so the verifier can bound every write. */
#define WARDEN_STR_START_MAX 8192
/* Per-CPU scratch where one event is assembled before it is copied into the ring buffer. */
#define WARDEN_SCRATCH 16384

/* One kind per syscall (or scheduler tracepoint): the kind names evt.type in user space. */
enum warden_kind {
	WK_EXECVE = 1,
	WK_EXECVEAT = 2,
	WK_CLONE = 3,
	WK_EXIT = 4,
	WK_OPEN = 5,
	WK_OPENAT = 6,
	WK_OPENAT2 = 7,
	WK_CONNECT = 8,
	WK_SENDTO = 9,
	WK_SENDMSG = 10,
	WK_SOCKET = 11,
	WK_RENAME = 12,
	WK_RENAMEAT = 13,
	WK_RENAMEAT2 = 14,
	WK_UNLINK = 15,
	WK_UNLINKAT = 16,
	WK_MKDIR = 17,
	WK_MKDIRAT = 18,
	WK_SYMLINK = 19,
	WK_SYMLINKAT = 20,
	WK_LINK = 21,
	WK_LINKAT = 22,
	WK_SETUID = 23,
	WK_SETGID = 24,
	WK_PTRACE = 25,
	WK_INIT_MODULE = 26,
	WK_FINIT_MODULE = 27,
	WK_DUP = 28,
	WK_DUP2 = 29,
	WK_DUP3 = 30,
	WK_MAX = 31,
};

/* Header flags. */
#define WF_SOCK 0x1
/* Bit (WF_TRUNC0 << i): string i was cut at its capture limit. */
#define WF_TRUNC0 0x100

/* Slots of the per-CPU counter map. */
enum warden_counter {
	WC_EVENTS = 0,  /* events written to the ring buffer */
	WC_DROPS = 1,   /* events lost because the ring buffer was full */
	WC_TRUNC = 2,   /* strings cut at their capture limit */
	WC_FILTERED = 3, /* opens dropped because no loaded rule can match them */
	WC_MAX = 4,
};

struct warden_hdr {
	__u32 kind;
	__u32 size;      /* bytes of header + socket block + strings */
	__u64 ts_boot;   /* bpf_ktime_get_boot_ns() */
	__s64 ret;       /* syscall return value; 0 for scheduler events */
	__u64 args[6];   /* numeric arguments, per kind (see decode.rs) */
	__u64 cap_eff;   /* effective capabilities of the caller */
	__u32 pid;       /* tgid */
	__u32 tid;
	__u32 ppid;      /* tgid of the real parent */
	__u32 uid;
	__u32 gid;
	__u32 cpu;
	__u16 nstr;
	__u16 flags;
	__u32 abi;
	char comm[WARDEN_COMM_LEN];
};

/* Addresses in network byte order as the kernel keeps them; ports in host order. */
struct warden_sock {
	__u16 family;
	__u16 type;
	__u16 proto;
	__u16 lport;
	__u16 rport;
	__u16 pad[3];
	__u8 laddr[16];
	__u8 raddr[16];
};

#endif
