/* link_info: create a real BPF link with bpflink and show what the kernel
 * says about it. The main job of the README (`make run`).
 *
 * It loads a two-instruction XDP program ("return XDP_PASS"), attaches it to
 * the loopback device with bpf_link_create(), prints the link fd and the
 * kernel's link info, swaps the program with bpf_link_update(), detaches the
 * link and closes it. `make run` starts it in a private network namespace
 * (unshare --net), so the host's interfaces are never touched. Needs root
 * (CAP_BPF + CAP_NET_ADMIN). Build by hand:
 *   cc -Iinclude examples/link_info.c -Lbuild/lib -lbpflink
 */
#include <bpflink.h>

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int load_xdp_pass(void)
{
	/* r0 = XDP_PASS (2); exit */
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 2 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = (__u64)(unsigned long)insns;
	attr.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	attr.license = (__u64)(unsigned long)"GPL";
	attr.expected_attach_type = BPF_XDP;
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

static int prog_id(int prog_fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return 0;
	return (int)info.id;
}

static void bring_up(const char *ifname)
{
	struct ifreq ifr;
	int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (sk < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	if (ioctl(sk, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(sk, SIOCSIFFLAGS, &ifr);
	}
	close(sk);
}

static int show(const char *when, int link_fd)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	int err;

	memset(&info, 0, sizeof(info));
	err = bpf_link_get_info_by_fd(link_fd, &info, &len);
	if (err) {
		fprintf(stderr, "bpf_link_get_info_by_fd: %s\n", strerror(-err));
		return err;
	}
	printf("%-16s link id %u, type %u (%s), prog id %u, ifindex %u\n", when, info.id, info.type,
	       info.type == BPF_LINK_TYPE_XDP ? "xdp" : "?", info.prog_id, info.xdp.ifindex);
	return 0;
}

int main(void)
{
	LIBBPF_OPTS(bpf_link_update_opts, upd, .flags = BPF_F_REPLACE);
	unsigned int ifindex;
	int prog1, prog2, link, err, flags;

	bring_up("lo");
	ifindex = if_nametoindex("lo");
	prog1 = load_xdp_pass();
	prog2 = load_xdp_pass();
	if (prog1 < 0 || prog2 < 0) {
		fprintf(stderr, "cannot load an XDP program: %s (run as root)\n",
			strerror(-(prog1 < 0 ? prog1 : prog2)));
		return 1;
	}

	link = bpf_link_create(prog1, (int)ifindex, BPF_XDP, NULL);
	if (link < 0) {
		fprintf(stderr, "bpf_link_create: %d (%s)\n", link, strerror(-link));
		return 1;
	}
	flags = fcntl(link, F_GETFD);
	printf("bpf_link_create(prog %d, lo ifindex %u, BPF_XDP) = fd %d%s\n", prog_id(prog1), ifindex, link,
	       (flags & FD_CLOEXEC) ? " (close-on-exec)" : "");
	if (show("after create:", link))
		return 1;

	upd.old_prog_fd = (__u32)prog1;
	err = bpf_link_update(link, prog2, &upd);
	printf("bpf_link_update(BPF_F_REPLACE, old prog %d -> new prog %d) = %d\n", prog_id(prog1), prog_id(prog2), err);
	if (err || show("after update:", link))
		return 1;

	err = bpf_link_detach(link);
	printf("bpf_link_detach = %d\n", err);
	if (err || show("after detach:", link))
		return 1;

	close(link);
	close(prog1);
	close(prog2);
	printf("closed: the kernel releases the link\n");
	return 0;
}
