// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
/*
 * Minimal programs of every trampoline-based type the sensor could use instead of the
 * sys_exit raw tracepoint, plus that tracepoint as the control (tools/lsm-probe/run.sh).
 * Each only counts its runs. Built once per program with -DPROG=<n>, so one refusal does not
 * hide the others.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";
__u64 hits;

#if PROG == 1
SEC("lsm/file_open")
int BPF_PROG(p, struct file *file)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}
#elif PROG == 2
SEC("lsm/bprm_check_security")
int BPF_PROG(p, struct linux_binprm *bprm)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}
#elif PROG == 3
SEC("lsm.s/file_open")
int BPF_PROG(p, struct file *file)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}
#elif PROG == 4
SEC("lsm_cgroup/file_open")
int BPF_PROG(p, struct file *file)
{
	return 1;
}
#elif PROG == 5
SEC("fentry/security_file_open")
int BPF_PROG(p, struct file *file)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}
#elif PROG == 6
SEC("tp_btf/sys_exit")
int BPF_PROG(p, struct pt_regs *regs, long ret)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}
#endif
