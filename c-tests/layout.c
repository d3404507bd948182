/* layout.c: sizes, alignments and member offsets of the option structs in
 * <bpflink.h>, checked against libbpf v1.7.0's numbers on x86-64
 * (docs/libbpf-behaviour.md#the-opts-layouts).
 *
 * The same file is also compiled against the real libbpf 1.7.0 <bpf/bpf.h>
 * (-DLAYOUT_LIBBPF, see the Makefile), where it checks the same numbers
 * against libbpf itself. With --table, either build prints its raw table
 * instead ("name value" lines), and c-tests/run.sh compares the two tables,
 * so any member the numbers below forgot still has to agree.
 */
#include <stddef.h>
#include <string.h>

#ifdef LAYOUT_LIBBPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#else
/* bpflink's own definitions, not those of an installed <bpf/libbpf.h> */
#define BPFLINK_NO_LIBBPF_H
#include <bpflink.h>
#endif

#include "check.h"

#define MEMBER_SIZE(T, m) sizeof(((struct T *)0)->m)
/* End of the last field the library knows (libbpf's OPTS_VALID bound). */
#define LAST_END(T) (offsetof(struct T, T##__last_field) + MEMBER_SIZE(T, T##__last_field))

/* STRUCT(type, sizeof, alignof, end of __last_field)
 * MEMBER(type, member designator, offset, size) */
#define LAYOUT(STRUCT, MEMBER)                                                 \
	STRUCT(bpf_link_create_opts, 80, 8, 76)                                \
	MEMBER(bpf_link_create_opts, sz, 0, 8)                                 \
	MEMBER(bpf_link_create_opts, flags, 8, 4)                              \
	MEMBER(bpf_link_create_opts, iter_info, 16, 8)                         \
	MEMBER(bpf_link_create_opts, iter_info_len, 24, 4)                     \
	MEMBER(bpf_link_create_opts, target_btf_id, 28, 4)                     \
	MEMBER(bpf_link_create_opts, perf_event, 32, 8)                        \
	MEMBER(bpf_link_create_opts, perf_event.bpf_cookie, 32, 8)             \
	MEMBER(bpf_link_create_opts, kprobe_multi, 32, 32)                     \
	MEMBER(bpf_link_create_opts, kprobe_multi.flags, 32, 4)                \
	MEMBER(bpf_link_create_opts, kprobe_multi.cnt, 36, 4)                  \
	MEMBER(bpf_link_create_opts, kprobe_multi.syms, 40, 8)                 \
	MEMBER(bpf_link_create_opts, kprobe_multi.addrs, 48, 8)                \
	MEMBER(bpf_link_create_opts, kprobe_multi.cookies, 56, 8)              \
	MEMBER(bpf_link_create_opts, uprobe_multi, 32, 48)                     \
	MEMBER(bpf_link_create_opts, uprobe_multi.flags, 32, 4)                \
	MEMBER(bpf_link_create_opts, uprobe_multi.cnt, 36, 4)                  \
	MEMBER(bpf_link_create_opts, uprobe_multi.path, 40, 8)                 \
	MEMBER(bpf_link_create_opts, uprobe_multi.offsets, 48, 8)              \
	MEMBER(bpf_link_create_opts, uprobe_multi.ref_ctr_offsets, 56, 8)      \
	MEMBER(bpf_link_create_opts, uprobe_multi.cookies, 64, 8)              \
	MEMBER(bpf_link_create_opts, uprobe_multi.pid, 72, 4)                  \
	MEMBER(bpf_link_create_opts, tracing, 32, 8)                           \
	MEMBER(bpf_link_create_opts, tracing.cookie, 32, 8)                    \
	MEMBER(bpf_link_create_opts, netfilter, 32, 16)                        \
	MEMBER(bpf_link_create_opts, netfilter.pf, 32, 4)                      \
	MEMBER(bpf_link_create_opts, netfilter.hooknum, 36, 4)                 \
	MEMBER(bpf_link_create_opts, netfilter.priority, 40, 4)                \
	MEMBER(bpf_link_create_opts, netfilter.flags, 44, 4)                   \
	MEMBER(bpf_link_create_opts, tcx, 32, 16)                              \
	MEMBER(bpf_link_create_opts, tcx.relative_fd, 32, 4)                   \
	MEMBER(bpf_link_create_opts, tcx.relative_id, 36, 4)                   \
	MEMBER(bpf_link_create_opts, tcx.expected_revision, 40, 8)             \
	MEMBER(bpf_link_create_opts, netkit, 32, 16)                           \
	MEMBER(bpf_link_create_opts, netkit.relative_fd, 32, 4)                \
	MEMBER(bpf_link_create_opts, netkit.relative_id, 36, 4)                \
	MEMBER(bpf_link_create_opts, netkit.expected_revision, 40, 8)          \
	MEMBER(bpf_link_create_opts, cgroup, 32, 16)                           \
	MEMBER(bpf_link_create_opts, cgroup.relative_fd, 32, 4)                \
	MEMBER(bpf_link_create_opts, cgroup.relative_id, 36, 4)                \
	MEMBER(bpf_link_create_opts, cgroup.expected_revision, 40, 8)          \
	STRUCT(bpf_link_update_opts, 24, 8, 20)                                \
	MEMBER(bpf_link_update_opts, sz, 0, 8)                                 \
	MEMBER(bpf_link_update_opts, flags, 8, 4)                              \
	MEMBER(bpf_link_update_opts, old_prog_fd, 12, 4)                       \
	MEMBER(bpf_link_update_opts, old_map_fd, 16, 4)                        \
	STRUCT(bpf_get_fd_by_id_opts, 16, 8, 16)                               \
	MEMBER(bpf_get_fd_by_id_opts, sz, 0, 8)                                \
	MEMBER(bpf_get_fd_by_id_opts, open_flags, 8, 4)                        \
	MEMBER(bpf_get_fd_by_id_opts, token_fd, 12, 4)                         \
	STRUCT(bpf_raw_tp_opts, 24, 8, 24)                                     \
	MEMBER(bpf_raw_tp_opts, sz, 0, 8)                                      \
	MEMBER(bpf_raw_tp_opts, tp_name, 8, 8)                                 \
	MEMBER(bpf_raw_tp_opts, cookie, 16, 8)                                 \
	STRUCT(bpf_obj_pin_opts, 16, 8, 16)                                    \
	MEMBER(bpf_obj_pin_opts, sz, 0, 8)                                     \
	MEMBER(bpf_obj_pin_opts, file_flags, 8, 4)                             \
	MEMBER(bpf_obj_pin_opts, path_fd, 12, 4)                               \
	STRUCT(bpf_obj_get_opts, 16, 8, 16)                                    \
	MEMBER(bpf_obj_get_opts, sz, 0, 8)                                     \
	MEMBER(bpf_obj_get_opts, file_flags, 8, 4)                             \
	MEMBER(bpf_obj_get_opts, path_fd, 12, 4)                               \
	STRUCT(bpf_prog_query_opts, 64, 8, 64)                                 \
	MEMBER(bpf_prog_query_opts, query_flags, 8, 4)                         \
	MEMBER(bpf_prog_query_opts, attach_flags, 12, 4)                       \
	MEMBER(bpf_prog_query_opts, prog_ids, 16, 8)                           \
	MEMBER(bpf_prog_query_opts, prog_cnt, 24, 4)                           \
	MEMBER(bpf_prog_query_opts, count, 24, 4)                              \
	MEMBER(bpf_prog_query_opts, prog_attach_flags, 32, 8)                  \
	MEMBER(bpf_prog_query_opts, link_ids, 40, 8)                           \
	MEMBER(bpf_prog_query_opts, link_attach_flags, 48, 8)                  \
	MEMBER(bpf_prog_query_opts, revision, 56, 8)                           \
	STRUCT(bpf_perf_event_opts, 24, 8, 18)                                 \
	MEMBER(bpf_perf_event_opts, bpf_cookie, 8, 8)                          \
	MEMBER(bpf_perf_event_opts, force_ioctl_attach, 16, 1)                 \
	MEMBER(bpf_perf_event_opts, dont_enable, 17, 1)                        \
	STRUCT(bpf_kprobe_opts, 32, 8, 32)                                     \
	MEMBER(bpf_kprobe_opts, bpf_cookie, 8, 8)                              \
	MEMBER(bpf_kprobe_opts, offset, 16, 8)                                 \
	MEMBER(bpf_kprobe_opts, retprobe, 24, 1)                               \
	MEMBER(bpf_kprobe_opts, attach_mode, 28, 4)                            \
	STRUCT(bpf_kprobe_multi_opts, 48, 8, 43)                               \
	MEMBER(bpf_kprobe_multi_opts, syms, 8, 8)                              \
	MEMBER(bpf_kprobe_multi_opts, addrs, 16, 8)                            \
	MEMBER(bpf_kprobe_multi_opts, cookies, 24, 8)                          \
	MEMBER(bpf_kprobe_multi_opts, cnt, 32, 8)                              \
	MEMBER(bpf_kprobe_multi_opts, retprobe, 40, 1)                         \
	MEMBER(bpf_kprobe_multi_opts, session, 41, 1)                          \
	MEMBER(bpf_kprobe_multi_opts, unique_match, 42, 1)                     \
	STRUCT(bpf_uprobe_multi_opts, 56, 8, 50)                               \
	MEMBER(bpf_uprobe_multi_opts, syms, 8, 8)                              \
	MEMBER(bpf_uprobe_multi_opts, offsets, 16, 8)                          \
	MEMBER(bpf_uprobe_multi_opts, ref_ctr_offsets, 24, 8)                  \
	MEMBER(bpf_uprobe_multi_opts, cookies, 32, 8)                          \
	MEMBER(bpf_uprobe_multi_opts, cnt, 40, 8)                              \
	MEMBER(bpf_uprobe_multi_opts, retprobe, 48, 1)                         \
	MEMBER(bpf_uprobe_multi_opts, session, 49, 1)                          \
	STRUCT(bpf_uprobe_opts, 48, 8, 44)                                     \
	MEMBER(bpf_uprobe_opts, ref_ctr_offset, 8, 8)                          \
	MEMBER(bpf_uprobe_opts, bpf_cookie, 16, 8)                             \
	MEMBER(bpf_uprobe_opts, retprobe, 24, 1)                               \
	MEMBER(bpf_uprobe_opts, func_name, 32, 8)                              \
	MEMBER(bpf_uprobe_opts, attach_mode, 40, 4)                            \
	STRUCT(bpf_tracepoint_opts, 16, 8, 16)                                 \
	MEMBER(bpf_tracepoint_opts, bpf_cookie, 8, 8)

#define PRINT_STRUCT(T, size, align, last_end)                                 \
	printf("%s sizeof %zu\n", #T, sizeof(struct T));                       \
	printf("%s alignof %zu\n", #T, _Alignof(struct T));                    \
	printf("%s last_field_end %zu\n", #T, LAST_END(T));
#define PRINT_MEMBER(T, m, off, size)                                          \
	printf("%s.%s offset %zu\n", #T, #m, offsetof(struct T, m));           \
	printf("%s.%s size %zu\n", #T, #m, MEMBER_SIZE(T, m));

#define CHECK_STRUCT(T, size, align, last_end)                                 \
	CHECK_EQ(sizeof(struct T), size, "sizeof(struct " #T ")");             \
	CHECK_EQ(_Alignof(struct T), align, "_Alignof(struct " #T ")");        \
	CHECK_EQ(LAST_END(T), last_end, "end of " #T "__last_field");
#define CHECK_MEMBER(T, m, off, size)                                          \
	CHECK_EQ(offsetof(struct T, m), off, "offsetof(" #T ", " #m ")");      \
	CHECK_EQ(MEMBER_SIZE(T, m), size, "sizeof(" #T "." #m ")");

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--table") == 0) {
		LAYOUT(PRINT_STRUCT, PRINT_MEMBER)
		return 0;
	}
	LAYOUT(CHECK_STRUCT, CHECK_MEMBER)
	return check_done();
}
