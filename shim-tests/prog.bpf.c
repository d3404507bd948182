// SPDX-License-Identifier: GPL-2.0
/* BPF programs for the LD_PRELOAD shim test (shim-tests/run.sh). Built with
 *   clang -O2 -g -target bpf -I../build/oracle/include -I/usr/include/x86_64-linux-gnu
 * and opened by app.c with the real libbpf's bpf_object__open_file, which
 * attaches them through its own bpf_program__attach_* helpers. Every program
 * is trivial: they only have to exist for the links. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* The iterator context, resolved against the kernel's BTF by CO-RE. */
struct seq_file;
struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
} __attribute__((preserve_access_index));
struct task_struct {
	int pid;
} __attribute__((preserve_access_index));
struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} __attribute__((preserve_access_index));

/* Attached with bpf_program__attach_xdp (libbpf -> bpf_link_create). */
SEC("xdp")
int shim_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* Swapped in with bpf_link__update_program (libbpf-only, -> bpf_link_update). */
SEC("xdp")
int shim_xdp2(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* Never loaded (autoload off): a program without an fd. */
SEC("xdp")
int shim_xdp_noload(struct xdp_md *ctx)
{
	return XDP_DROP;
}

/* bpf_program__attach_iter and a direct bpf_link_create(BPF_TRACE_ITER);
 * read through bpf_iter_create: one line for the first task, so the text
 * is the same on every run. */
SEC("iter/task")
int shim_iter_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;

	if (ctx->task && ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "shim iter: first task\n");
	return 0;
}

/* bpf_program__attach_raw_tracepoint (libbpf -> bpf_raw_tracepoint_open_opts). */
SEC("raw_tp/sys_enter")
int shim_raw_tp(void *ctx)
{
	return 0;
}

/* bpf_program__attach (auto-attach by section; libbpf -> bpf_link_create
 * with BPF_TRACE_RAW_TP). */
SEC("tp_btf/sys_enter")
int shim_tp_btf(__u64 *ctx)
{
	return 0;
}

/* bpf_program__attach (tracepoint): libbpf opens a perf event and makes a
 * perf link with bpf_link_create(BPF_PERF_EVENT) after probing for perf
 * links with bpf_link_create(prog, -1, BPF_PERF_EVENT) -- both through the
 * PLT. The link is libbpf's larger struct bpf_link_perf, with its own
 * detach (closes the perf event fd too) and dealloc. */
SEC("tp/syscalls/sys_enter_getppid")
int shim_tp(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
