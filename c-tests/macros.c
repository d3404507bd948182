/* macros.c: LIBBPF_OPTS, DECLARE_LIBBPF_OPTS and LIBBPF_OPTS_RESET from
 * <bpflink.h> behave like libbpf's (docs/libbpf-behaviour.md#libbpf_opts): the
 * whole struct is zeroed, padding included (libbpf rejects non-zero bytes
 * after the last known field), .sz is sizeof the struct, designators (nested
 * ones too) land in the right members. Each opts value is built in a function
 * called after the stack was filled with 0xa5, so stale bytes would show.
 *
 * Like libbpf's macro, LIBBPF_OPTS(T, name) with no designator at all draws
 * -pedantic's "requires at least one argument for the ..." before C2x; the
 * portable spelling is LIBBPF_OPTS(T, name, ) and is what this test uses.
 */
#define _GNU_SOURCE
#include <bpflink.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define NOINLINE __attribute__((noinline))

static NOINLINE void dirty_stack(void)
{
	volatile unsigned char junk[8192];
	size_t i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = 0xa5;
}

/* The first offset in [from, to) of buf whose byte is not zero, or -1. */
static long first_nonzero(const void *buf, size_t from, size_t to)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = from; i < to; i++)
		if (p[i])
			return (long)i;
	return -1;
}

static NOINLINE void create_opts_btf_id(__u32 id, struct bpf_link_create_opts *out)
{
	LIBBPF_OPTS(bpf_link_create_opts, o, .target_btf_id = id);

	memcpy(out, &o, sizeof(o));
}

static NOINLINE void create_opts_nested(__u32 id, struct bpf_link_create_opts *out)
{
	LIBBPF_OPTS(bpf_link_create_opts, o, .flags = BPF_F_BEFORE, .tcx.relative_id = id,
		    .tcx.expected_revision = 0x1122334455667788ULL);

	memcpy(out, &o, sizeof(o));
}

static NOINLINE void create_opts_uprobe(struct bpf_link_create_opts *out)
{
	static const unsigned long offsets[1] = { 0x1000 };

	LIBBPF_OPTS(bpf_link_create_opts, o, .uprobe_multi.path = "/bin/true",
		    .uprobe_multi.offsets = offsets, .uprobe_multi.cnt = 1,
		    .uprobe_multi.pid = 4242);

	memcpy(out, &o, sizeof(o));
}

static NOINLINE void update_opts(__u32 old_prog_fd, struct bpf_link_update_opts *out)
{
	DECLARE_LIBBPF_OPTS(bpf_link_update_opts, u, .flags = BPF_F_REPLACE,
			    .old_prog_fd = old_prog_fd);

	memcpy(out, &u, sizeof(u));
}

static NOINLINE void empty_get_opts(struct bpf_obj_get_opts *out)
{
	LIBBPF_OPTS(bpf_obj_get_opts, g, );

	memcpy(out, &g, sizeof(g));
}

static NOINLINE void reset_opts(struct bpf_link_create_opts *out)
{
	LIBBPF_OPTS(bpf_link_create_opts, o, .perf_event.bpf_cookie = ~0ULL, .iter_info_len = 9);

	/* Dirty everything after sz, padding included, then reset. */
	memset((char *)&o + sizeof(o.sz), 0xff, sizeof(o) - sizeof(o.sz));
	LIBBPF_OPTS_RESET(o, .netfilter.priority = -100, .netfilter.pf = 2);
	memcpy(out, &o, sizeof(o));
}

static NOINLINE void reset_opts_empty(struct bpf_link_update_opts *out)
{
	LIBBPF_OPTS(bpf_link_update_opts, u, .flags = 1, .old_map_fd = 3);

	memset(&u, 0xff, sizeof(u));
	LIBBPF_OPTS_RESET(u, );
	memcpy(out, &u, sizeof(u));
}

int main(void)
{
	struct bpf_link_create_opts c;
	struct bpf_link_update_opts u;
	struct bpf_obj_get_opts g;
	volatile __u32 id = 0xabcd;
	int ret;

	dirty_stack();
	create_opts_btf_id(id, &c);
	CHECK_EQ(c.sz, 80, "LIBBPF_OPTS(bpf_link_create_opts, .target_btf_id): .sz");
	CHECK_EQ(c.target_btf_id, 0xabcd, "LIBBPF_OPTS(bpf_link_create_opts, .target_btf_id): .target_btf_id");
	CHECK_EQ(first_nonzero(&c, 8, 28), -1,
		 "LIBBPF_OPTS(bpf_link_create_opts, .target_btf_id): first non-zero byte in [8,28), padding 12..16 included");
	CHECK_EQ(first_nonzero(&c, 32, sizeof(c)), -1,
		 "LIBBPF_OPTS(bpf_link_create_opts, .target_btf_id): first non-zero byte in [32,80), tail 76..80 included");

	dirty_stack();
	create_opts_nested(id, &c);
	CHECK_EQ(c.sz, 80, "LIBBPF_OPTS(.tcx.relative_id, .tcx.expected_revision): .sz");
	CHECK_EQ(c.flags, BPF_F_BEFORE, "LIBBPF_OPTS(.tcx.relative_id, ...): .flags == BPF_F_BEFORE");
	CHECK_EQ(c.tcx.relative_id, 0xabcd, "LIBBPF_OPTS(.tcx.relative_id): .tcx.relative_id");
	CHECK_EQ(c.tcx.relative_fd, 0, "LIBBPF_OPTS(.tcx.relative_id): .tcx.relative_fd");
	CHECK(c.tcx.expected_revision == 0x1122334455667788ULL,
	      "LIBBPF_OPTS(.tcx.expected_revision): value at byte 40");
	CHECK_EQ(c.netkit.relative_id, 0xabcd, "union: .netkit.relative_id aliases .tcx.relative_id");
	CHECK_EQ(c.cgroup.relative_id, 0xabcd, "union: .cgroup.relative_id aliases .tcx.relative_id");
	CHECK_EQ(((unsigned char *)&c)[36] | ((unsigned char *)&c)[37] << 8, 0xabcd,
		 "LIBBPF_OPTS(.tcx.relative_id): bytes 36..38 (little endian)");
	CHECK_EQ(first_nonzero(&c, 12, 32), -1, "LIBBPF_OPTS(.tcx...): first non-zero byte in [12,32)");
	CHECK_EQ(first_nonzero(&c, 48, sizeof(c)), -1, "LIBBPF_OPTS(.tcx...): first non-zero byte in [48,80)");

	dirty_stack();
	create_opts_uprobe(&c);
	CHECK_EQ(c.uprobe_multi.pid, 4242, "LIBBPF_OPTS(.uprobe_multi.pid): value");
	CHECK_EQ(*(__u32 *)((char *)&c + 72), 4242, "LIBBPF_OPTS(.uprobe_multi.pid): at byte 72");
	CHECK(c.uprobe_multi.path && strcmp(c.uprobe_multi.path, "/bin/true") == 0,
	      "LIBBPF_OPTS(.uprobe_multi.path): value");
	CHECK_EQ(c.uprobe_multi.cnt, 1, "LIBBPF_OPTS(.uprobe_multi.cnt): value");
	CHECK_EQ(first_nonzero(&c, 76, sizeof(c)), -1, "LIBBPF_OPTS(.uprobe_multi...): tail padding 76..80 zero");

	dirty_stack();
	update_opts(7, &u);
	CHECK_EQ(u.sz, 24, "DECLARE_LIBBPF_OPTS(bpf_link_update_opts): .sz");
	CHECK_EQ(u.flags, BPF_F_REPLACE, "DECLARE_LIBBPF_OPTS(bpf_link_update_opts): .flags");
	CHECK_EQ(u.old_prog_fd, 7, "DECLARE_LIBBPF_OPTS(bpf_link_update_opts): .old_prog_fd");
	CHECK_EQ(u.old_map_fd, 0, "DECLARE_LIBBPF_OPTS(bpf_link_update_opts): .old_map_fd");
	CHECK_EQ(first_nonzero(&u, 20, sizeof(u)), -1,
		 "DECLARE_LIBBPF_OPTS(bpf_link_update_opts): tail padding 20..24 zero");

	dirty_stack();
	empty_get_opts(&g);
	CHECK_EQ(g.sz, 16, "LIBBPF_OPTS(bpf_obj_get_opts, g, ): .sz");
	CHECK_EQ(first_nonzero(&g, 8, sizeof(g)), -1, "LIBBPF_OPTS(bpf_obj_get_opts, g, ): rest zero");

	dirty_stack();
	reset_opts(&c);
	CHECK_EQ(c.sz, 80, "LIBBPF_OPTS_RESET(create opts): .sz");
	CHECK_EQ(c.netfilter.priority, -100, "LIBBPF_OPTS_RESET(.netfilter.priority = -100)");
	CHECK_EQ(c.netfilter.pf, 2, "LIBBPF_OPTS_RESET(.netfilter.pf = 2)");
	CHECK_EQ(first_nonzero(&c, 8, 32), -1, "LIBBPF_OPTS_RESET(create opts): [8,32) zeroed again");
	CHECK_EQ(first_nonzero(&c, 48, sizeof(c)), -1, "LIBBPF_OPTS_RESET(create opts): [48,80) zeroed again");

	dirty_stack();
	reset_opts_empty(&u);
	CHECK_EQ(u.sz, 24, "LIBBPF_OPTS_RESET(u, ): .sz");
	CHECK_EQ(first_nonzero(&u, 8, sizeof(u)), -1, "LIBBPF_OPTS_RESET(u, ): everything after sz zero");

	/* The library accepts what the macros build: validation passes and the
	 * call reaches the kernel, which rejects the bad fd (without root,
	 * bpf() may say EPERM first). */
	update_opts(0, &u);
	u.flags = 0;
	ret = bpf_link_update(-1, -1, &u);
	CHECK(ret == -EBADF || (geteuid() != 0 && ret == -EPERM),
	      "bpf_link_update(-1, -1, DECLARE_LIBBPF_OPTS opts) passes validation: %d (-EBADF from the kernel)",
	      ret);
	create_opts_btf_id(0, &c);
	c.target_btf_id = 0;
	ret = bpf_link_create(-1, 0, BPF_XDP, &c);
	CHECK(ret == -EBADF || (geteuid() != 0 && ret == -EPERM),
	      "bpf_link_create(-1, 0, BPF_XDP, LIBBPF_OPTS opts) passes validation: %d (-EBADF from the kernel)",
	      ret);
	return check_done();
}
