/* kernel.c: a real link through bpf_link_create
 * (docs/libbpf-behaviour.md#bpf_link_create, #the-other-low-level-calls).
 *
 * Loads a two-instruction XDP program (r0 = XDP_PASS; exit) with a raw
 * bpf(BPF_PROG_LOAD) of its own, attaches it to lo (ifindex 1) with
 * bpf_link_create, and asks the kernel about the link. c-tests/run.sh runs
 * it under `unshare --net`: lo exists (down) in a fresh network namespace
 * and generic XDP attaches to it, so nothing on the host is touched, and
 * the namespace takes anything left over with it when the test exits.
 *
 * Without root, or when the kernel refuses the program load with EPERM,
 * it prints one skip line with the reason (c-tests/run.sh counts a skip as
 * a failure under CI=true).
 */
#define _GNU_SOURCE
#include <bpflink.h>

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int load_xdp_pass(void)
{
	struct bpf_insn insns[2];
	union bpf_attr attr;
	int fd;

	memset(insns, 0, sizeof(insns));
	insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K; /* r0 = XDP_PASS */
	insns[0].dst_reg = 0;
	insns[0].imm = XDP_PASS;
	insns[1].code = BPF_JMP | BPF_EXIT;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = (__u64)(unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (__u64)(unsigned long)"GPL";
	attr.expected_attach_type = BPF_XDP;
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

static __u32 prog_id(int prog_fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return 0;
	return info.id;
}

static int cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags >= 0 && (flags & FD_CLOEXEC);
}

/* The link id is gone once the kernel freed the link (maybe deferred). */
static int wait_link_gone(__u32 id)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	int i, fd;

	for (i = 0; i < 200; i++) {
		fd = bpf_link_get_fd_by_id(id);
		if (fd == -ENOENT)
			return 1;
		if (fd >= 0)
			close(fd);
		nanosleep(&pause, NULL);
	}
	return 0;
}

int main(void)
{
	struct bpf_link_info info;
	__u32 info_len = sizeof(info);
	__u32 link_id, next = 0, id = 0;
	int prog, prog2, link, fd, ret, err, found = 0;
	unsigned int lo = if_nametoindex("lo");

	if (geteuid() != 0) {
		SKIP("kernel: real XDP link on lo", "not root (euid %u)", (unsigned)geteuid());
		return 0;
	}
	prog = load_xdp_pass();
	if (prog == -EPERM) {
		SKIP("kernel: real XDP link on lo", "BPF_PROG_LOAD: EPERM");
		return 0;
	}
	if (!CHECK(prog >= 0, "load an XDP program with bpf(BPF_PROG_LOAD) (%d)", prog))
		return check_done();
	CHECK_EQ(lo, 1, "ifindex of lo in the fresh network namespace");

	errno = 0;
	link = bpf_link_create(prog, 1, BPF_XDP, NULL);
	err = errno;
	if (!CHECK(link >= 0, "bpf_link_create(prog, 1 (lo), BPF_XDP, NULL) = %d (errno %d)", link,
		   err))
		return check_done();
	CHECK(link >= 3, "link fd %d is >= 3", link);
	CHECK(cloexec(link), "link fd has FD_CLOEXEC");

	memset(&info, 0, sizeof(info));
	ret = bpf_link_get_info_by_fd(link, &info, &info_len);
	CHECK_EQ(ret, 0, "bpf_link_get_info_by_fd(link)");
	CHECK_EQ(info.type, BPF_LINK_TYPE_XDP, "link info type (BPF_LINK_TYPE_XDP)");
	CHECK_EQ(info.type, 6, "link info type number");
	CHECK_EQ(info.prog_id, prog_id(prog), "link info prog_id == the program's id");
	CHECK_EQ(info.xdp.ifindex, 1, "link info xdp.ifindex");
	CHECK(info.id != 0, "link info id %u is non-zero", info.id);
	CHECK(info_len > 0 && info_len <= sizeof(info), "info_len %u written back", info_len);
	link_id = info.id;

	/* The id is listed and opens a second fd to the same link. */
	while (bpf_link_get_next_id(id, &next) == 0) {
		if (next == link_id)
			found = 1;
		id = next;
	}
	CHECK(found, "bpf_link_get_next_id walks to link id %u", link_id);
	fd = bpf_link_get_fd_by_id(link_id);
	CHECK(fd >= 3 && cloexec(fd), "bpf_link_get_fd_by_id(%u) = fd %d >= 3, FD_CLOEXEC", link_id,
	      fd);
	if (fd >= 0) {
		memset(&info, 0, sizeof(info));
		info_len = sizeof(info);
		ret = bpf_link_get_info_by_fd(fd, &info, &info_len);
		CHECK(ret == 0 && info.id == link_id, "the fd by id is the same link (id %u)", info.id);
		close(fd);
	}

	/* Swap the program (BPF_F_REPLACE), then detach. */
	prog2 = load_xdp_pass();
	if (CHECK(prog2 >= 0, "load a second XDP program (%d)", prog2)) {
		LIBBPF_OPTS(bpf_link_update_opts, upd, .flags = BPF_F_REPLACE,
			    .old_prog_fd = (__u32)prog2);

		ret = bpf_link_update(link, prog2, &upd);
		CHECK(ret == -EPERM && errno == EPERM,
		      "bpf_link_update(BPF_F_REPLACE, wrong old prog) = %d: the kernel's -EPERM", ret);
		upd.old_prog_fd = (__u32)prog;
		ret = bpf_link_update(link, prog2, &upd);
		CHECK_EQ(ret, 0, "bpf_link_update(BPF_F_REPLACE, old prog)");
		memset(&info, 0, sizeof(info));
		info_len = sizeof(info);
		bpf_link_get_info_by_fd(link, &info, &info_len);
		CHECK_EQ(info.prog_id, prog_id(prog2), "after update, prog_id == the new program's id");
		close(prog2);
	}
	ret = bpf_link_detach(link);
	CHECK_EQ(ret, 0, "bpf_link_detach(link)");
	memset(&info, 0, sizeof(info));
	info_len = sizeof(info);
	bpf_link_get_info_by_fd(link, &info, &info_len);
	CHECK_EQ(info.xdp.ifindex, 0, "after detach, link info xdp.ifindex");

	CHECK_EQ(close(link), 0, "close(link)");
	CHECK(wait_link_gone(link_id), "after close, link id %u is gone (-ENOENT)", link_id);

	/* The kernel, not the library, rejects an attach type it does not know. */
	errno = 0;
	ret = bpf_link_create(prog, 1, (enum bpf_attach_type)1000, NULL);
	CHECK(ret == -EINVAL && errno == EINVAL,
	      "bpf_link_create(prog, 1, attach type 1000, NULL) = %d: the kernel's -EINVAL", ret);
	close(prog);
	return check_done();
}
