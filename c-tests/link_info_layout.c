/* link_info_layout.c: struct bpflink_link_info (our tag, in bpflink.h) has
 * exactly the layout of libbpf v1.7.0's UAPI struct bpf_link_info. Compiled
 * with libbpf 1.7's include/uapi first on the path, so both structs are in
 * this translation unit; every member's offset and size is asserted equal at
 * compile time. Compiling is the test. */
#include <bpflink.h>
#include <stddef.h>

#define SAME(m)                                                                                   \
	_Static_assert(offsetof(struct bpflink_link_info, m) == offsetof(struct bpf_link_info, m), \
		       "offset of " #m);                                                          \
	_Static_assert(sizeof(((struct bpflink_link_info *)0)->m) ==                              \
			       sizeof(((struct bpf_link_info *)0)->m),                            \
		       "size of " #m)

_Static_assert(sizeof(struct bpflink_link_info) == sizeof(struct bpf_link_info), "sizeof");
_Static_assert(sizeof(struct bpflink_link_info) == 64, "64 bytes, as the 6.18 kernel reports");
_Static_assert(_Alignof(struct bpflink_link_info) == _Alignof(struct bpf_link_info), "alignof");
SAME(type); SAME(id); SAME(prog_id);
SAME(raw_tracepoint.tp_name); SAME(raw_tracepoint.tp_name_len); SAME(raw_tracepoint.cookie);
SAME(tracing.attach_type); SAME(tracing.target_obj_id); SAME(tracing.target_btf_id); SAME(tracing.cookie);
SAME(cgroup.cgroup_id); SAME(cgroup.attach_type);
SAME(iter.target_name); SAME(iter.target_name_len); SAME(iter.map.map_id);
SAME(iter.cgroup.cgroup_id); SAME(iter.cgroup.order); SAME(iter.task.tid); SAME(iter.task.pid);
SAME(netns.netns_ino); SAME(netns.attach_type);
SAME(xdp.ifindex);
SAME(struct_ops.map_id);
SAME(netfilter.pf); SAME(netfilter.hooknum); SAME(netfilter.priority); SAME(netfilter.flags);
SAME(kprobe_multi.addrs); SAME(kprobe_multi.count); SAME(kprobe_multi.flags);
SAME(kprobe_multi.missed); SAME(kprobe_multi.cookies);
SAME(uprobe_multi.path); SAME(uprobe_multi.offsets); SAME(uprobe_multi.ref_ctr_offsets);
SAME(uprobe_multi.cookies); SAME(uprobe_multi.path_size); SAME(uprobe_multi.count);
SAME(uprobe_multi.flags); SAME(uprobe_multi.pid);
SAME(perf_event.type);
SAME(perf_event.uprobe.file_name); SAME(perf_event.uprobe.name_len); SAME(perf_event.uprobe.offset);
SAME(perf_event.uprobe.cookie); SAME(perf_event.uprobe.ref_ctr_offset);
SAME(perf_event.kprobe.func_name); SAME(perf_event.kprobe.name_len); SAME(perf_event.kprobe.offset);
SAME(perf_event.kprobe.addr); SAME(perf_event.kprobe.missed); SAME(perf_event.kprobe.cookie);
SAME(perf_event.tracepoint.tp_name); SAME(perf_event.tracepoint.name_len);
SAME(perf_event.tracepoint.cookie);
SAME(perf_event.event.config); SAME(perf_event.event.type); SAME(perf_event.event.cookie);
SAME(tcx.ifindex); SAME(tcx.attach_type);
SAME(netkit.ifindex); SAME(netkit.attach_type);
SAME(sockmap.map_id); SAME(sockmap.attach_type);

int main(void)
{
	return 0;
}
