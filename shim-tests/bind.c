// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Binding proof for the LD_PRELOAD shim test (shim-tests/run.sh).
 *
 * Built against the real libbpf v1.7.0 (build/oracle headers, linked with
 * its libbpf.so, so its undefined symbols carry libbpf's version nodes, e.g.
 * bpf_link_create@LIBBPF_0.0.8) but it calls ONLY functions that bpflink
 * exports too, so it also runs when a directory holding bpflink as
 * libbpf.so.1 comes first in the library search path. No rpath: run.sh
 * picks the library with LD_LIBRARY_PATH. The program is loaded with a raw
 * bpf(2) syscall (bpf_prog_load is libbpf's, not ours). It never calls
 * libbpf_set_print: warnings go to the default printer (stderr).
 *
 * Prints a transcript that must be the same with the real libbpf, with
 * bpflink preloaded, and with bpflink instead of libbpf. Must run in a
 * private network namespace (it attaches XDP to lo). */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *ename(int e)
{
	const char *n = e ? strerrorname_np(e) : "0";

	return n ? n : "?";
}

static bool same_netns_as_parent(void)
{
	char a[64], b[64], pb[64];
	ssize_t na, nb;

	snprintf(pb, sizeof(pb), "/proc/%d/ns/net", (int)getppid());
	na = readlink("/proc/self/ns/net", a, sizeof(a) - 1);
	nb = readlink(pb, b, sizeof(b) - 1);
	if (na < 0 || nb < 0)
		return true;
	a[na] = b[nb] = 0;
	return !strcmp(a, b);
}

int main(void)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_link_info info;
	struct bpf_link *l;
	union bpf_attr attr;
	__u32 len = sizeof(info), id;
	char buf[64];
	int prog, fd, r;

	if (same_netns_as_parent()) {
		fprintf(stderr, "bind: refusing to run outside a private network namespace\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("libbpf_version_string() = %s, major %u, minor %u\n", libbpf_version_string(),
	       libbpf_major_version(), libbpf_minor_version());

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = (__u64)(unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (__u64)(unsigned long)"GPL";
	prog = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	printf("BPF_PROG_LOAD: %s\n", prog >= 0 ? "ok" : ename(errno));
	if (prog < 0)
		return 1;

	errno = 0;
	fd = bpf_link_create(prog, 1, BPF_XDP, NULL);
	printf("bpf_link_create(prog, lo, BPF_XDP, NULL) = %s  errno=%s\n", fd > 2 ? "fd>2" : "?",
	       ename(errno));
	memset(&info, 0, sizeof(info));
	r = bpf_link_get_info_by_fd(fd, &info, &len);
	printf("bpf_link_get_info_by_fd = %d: type %s, ifindex %u\n", r,
	       libbpf_bpf_link_type_str(info.type), info.xdp.ifindex);
	id = 0;
	r = bpf_link_get_next_id(info.id - 1, &id);
	printf("bpf_link_get_next_id(id-1) = %d, finds the link: %s\n", r, id == info.id ? "yes" : "no");
	r = bpf_link_get_fd_by_id(info.id);
	printf("bpf_link_get_fd_by_id(id) = %s\n", r > 2 ? "fd>2" : "?");
	if (r >= 0)
		close(r);
	errno = 0;
	r = bpf_link_create(prog, 1, BPF_XDP, NULL);
	printf("bpf_link_create again [lo busy] = %d  errno=%s\n", r, ename(errno));
	r = bpf_link_detach(fd);
	printf("bpf_link_detach = %d\n", r);
	close(fd);
	close(prog);

	errno = 0;
	l = bpf_link__open("/nonexistent/link");
	printf("bpf_link__open(/nonexistent/link) = %s  errno=%s, libbpf_get_error = %ld\n",
	       l ? "(object)" : "NULL", ename(errno), libbpf_get_error(l));
	r = bpf_link__destroy(l);
	printf("bpf_link__destroy(NULL) = %d\n", r);
	r = libbpf_strerror(-EBUSY, buf, sizeof(buf));
	printf("libbpf_strerror(-EBUSY) = %d \"%s\"\n", r, buf);
	return 0;
}
