// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A libbpf application for the LD_PRELOAD shim test (shim-tests/run.sh).
 *
 * Built against the REAL libbpf v1.7.0 (build/oracle: its headers, its
 * libbpf.so.1, rpath to it), never against bpflink. run.sh runs it twice,
 * plainly and with LD_PRELOAD=libbpflink.so, and requires the two
 * transcripts (stdout) to be identical. The transcript has every call with
 * its result and errno, every message the print callback received, the
 * kernel's state (our links, found by walking bpf_link_get_next_id), and
 * the process's fds at start and end.
 *
 *   app WORKDIR PROG.BPF.O
 *
 * WORKDIR (made by run.sh) holds bpffs/ (bpffs is mounted there) and plain/
 * (a non-bpffs directory, also the cwd). Must run as root in private net and
 * mount namespaces (unshare --net --mount --propagation private); it
 * refuses to run in its parent's net or mount namespace. It mounts bpffs on
 * WORKDIR/bpffs and tracefs on /sys/kernel/tracing (for the tracepoint perf
 * link), both in its own mount namespace only. Nothing outlives it: the
 * mounts die with the namespace, every link is destroyed, every pin
 * removed.
 *
 * Deterministic output: WORKDIR is printed as <W>; link ids as L1, L2, ...
 * in order of first sight; only links of our own programs are reported
 * (other processes may create links meanwhile). fd numbers are printed as
 * they are: the only fd the preloaded bpflink adds is its BPFLINK_TRACE file,
 * opened at its first traced call; the first call here is libbpf_set_print
 * and right after it, in the plain run, the same slot is taken by
 * /dev/null, so that both runs number their fds alike. That slot is left
 * out of the fd lists (as are valgrind's own fds, above RLIMIT_NOFILE).
 * DEBUG messages are recorded except while the object is opened and
 * loaded (libbpf's loader is chatty there and it is not what is tested).
 *
 * Exit status: 0, or 1 if a link or an fd was left behind at the end. */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *W;		/* work dir, printed as <W> */
static char bpffs[PATH_MAX];	/* W/bpffs: bpffs mounted here */
static char plain[PATH_MAX];	/* W/plain: not bpffs */
static int excluded_fd = -1;	/* the trace file (preload) or /dev/null (plain) */
static bool quiet_debug;	/* drop DEBUG messages (object open/load) */

/* ---- transcript ------------------------------------------------------ */

/* Replaces every occurrence of W in s (in place, s has room for PATH_MAX more). */
static void normalise(char *s, size_t cap)
{
	size_t wl = strlen(W);
	char *p;

	while (wl && (p = strstr(s, W))) {
		size_t rest = strlen(p + wl);

		if ((size_t)(p - s) + 3 + rest + 1 > cap)
			break;
		memmove(p + 3, p + wl, rest + 1);
		memcpy(p, "<W>", 3);
	}
}

static void T(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void T(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	normalise(buf, sizeof(buf));
	fputs(buf, stdout);
	fputc('\n', stdout);
}

static const char *ename(int e)
{
	const char *n = e ? strerrorname_np(e) : "0";

	return n ? n : "?";
}

/* The print callback: every message goes into the transcript. */
static int collect(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static const char *const names[] = { "WARN", "INFO", "DEBUG" };
	char buf[2048];
	size_t n;

	if (level == LIBBPF_DEBUG && quiet_debug)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	T("    print[%s] %s", level <= LIBBPF_DEBUG ? names[level] : "?", buf);
	return 0;
}

static void report(const char *what, long r, int e)
{
	T("%s = %ld  errno=%s", what, r, ename(e));
}

static void reportp(const char *what, const void *p, int e)
{
	T("%s = %s  errno=%s", what, p ? "(object)" : "NULL", ename(e));
}

/* errno is cleared before each call, so the transcript also shows what a
 * function leaves in errno on success. */
#define CALL(what, expr)                                   \
	({                                                 \
		errno = 0;                                 \
		long _r = (long)(expr);                    \
		int _e = errno;                            \
		report(what, _r, _e);                      \
		_r;                                        \
	})
/* For libbpf_get_error(NULL), which reports the errno left by the call before. */
#define CALL_KEEP_ERRNO(what, expr)                        \
	({                                                 \
		long _r = (long)(expr);                    \
		int _e = errno;                            \
		report(what, _r, _e);                      \
		_r;                                        \
	})
#define CALLP(what, expr)                                  \
	({                                                 \
		errno = 0;                                 \
		void *_p = (void *)(expr);                 \
		int _e = errno;                            \
		reportp(what, _p, _e);                     \
		_p;                                        \
	})
#define CALLV(what, expr)                                  \
	do {                                               \
		errno = 0;                                 \
		expr;                                      \
		int _e = errno;                            \
		T("%s  errno=%s", what, ename(_e));        \
	} while (0)

/* ---- fds --------------------------------------------------------------- */

static void describe_fd(const char *what, int fd)
{
	char path[64], target[256] = "";
	ssize_t n;
	int fl;

	if (fd < 0)
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n >= 0)
		target[n] = 0;
	fl = fcntl(fd, F_GETFD);
	T("  %s: fd %d -> %s%s", what, fd, n >= 0 ? target : "(closed)",
	  fl < 0 ? "" : (fl & FD_CLOEXEC) ? " cloexec" : " NOT-cloexec");
}

/* "N:target" for every open fd except the excluded slot, the directory
 * stream itself and valgrind's fds (at or above the soft RLIMIT_NOFILE). */
static int fd_list(char *out, size_t cap)
{
	struct rlimit rl = { 0 };
	struct dirent *de;
	size_t len = 0;
	int count = 0;
	DIR *d;

	getrlimit(RLIMIT_NOFILE, &rl);
	out[0] = 0;
	d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	/* readdir order is numeric for /proc/self/fd. */
	while ((de = readdir(d))) {
		char path[64], target[256];
		int fd;
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		if (fd == dirfd(d) || fd == excluded_fd || (rlim_t)fd >= rl.rlim_cur)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = 0;
		/* Inherited fds differ between runs in their names only. */
		if (fd <= 2 || !strncmp(target, "pipe:", 5) || !strncmp(target, "socket:", 7))
			strcpy(target, fd <= 2 ? "std" : target[0] == 'p' ? "pipe" : "socket");
		len += snprintf(out + len, len < cap ? cap - len : 0, "%s%d:%s",
				count ? " " : "", fd, target);
		count++;
	}
	closedir(d);
	return count;
}

/* Takes, in the plain run, the fd slot that the preloaded bpflink's trace
 * file occupies (see the file comment). */
static void equalise_fds(void)
{
	const char *t = getenv("BPFLINK_TRACE");
	char want[PATH_MAX], path[64], target[PATH_MAX];
	int fd;

	if (t && strcmp(t, "1") && strcmp(t, "stderr") && realpath(t, want)) {
		for (fd = 3; fd < 64; fd++) {
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			n = readlink(path, target, sizeof(target) - 1);
			if (n < 0)
				continue;
			target[n] = 0;
			if (!strcmp(target, want)) {
				excluded_fd = fd;
				return;
			}
		}
	}
	excluded_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* ---- kernel state ------------------------------------------------------ */

#define MAX_PROGS 16
static struct {
	__u32 id;
	char name[BPF_OBJ_NAME_LEN];
} progs[MAX_PROGS];
static int nprogs;
static __u32 link_ids[64];	/* label Ln is link_ids[n-1] */
static int nlinks;
static __u32 watermark;		/* every link id at start is <= this */

static void add_prog(int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_prog_get_info_by_fd(fd, &info, &len) || nprogs == MAX_PROGS)
		return;
	progs[nprogs].id = info.id;
	snprintf(progs[nprogs].name, sizeof(progs[nprogs].name), "%s", info.name);
	nprogs++;
}

static const char *prog_name(__u32 id)
{
	for (int i = 0; i < nprogs; i++)
		if (progs[i].id == id)
			return progs[i].name;
	return NULL;
}

static int label(__u32 id)
{
	for (int i = 0; i < nlinks; i++)
		if (link_ids[i] == id)
			return i + 1;
	if (nlinks == (int)(sizeof(link_ids) / sizeof(link_ids[0])))
		return 0;
	link_ids[nlinks++] = id;
	return nlinks;
}

/* One line describing the link behind fd (info from the kernel). */
static void link_desc(int fd, char *out, size_t cap)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	char name[128] = "", pname[128] = "";
	const char *type;
	__u32 t;
	int n;

	/* First the type, then again with the name buffer where that type
	 * has it (the union's members put it at different offsets). */
	memset(&info, 0, sizeof(info));
	if (bpf_link_get_info_by_fd(fd, &info, &len)) {
		snprintf(out, cap, "(no info: %s)", ename(errno));
		return;
	}
	t = info.type;
	memset(&info, 0, sizeof(info));
	len = sizeof(info);
	if (t == BPF_LINK_TYPE_RAW_TRACEPOINT || t == BPF_LINK_TYPE_ITER) {
		/* raw_tracepoint.tp_name is at the offset of iter.target_name */
		info.raw_tracepoint.tp_name = (__u64)(unsigned long)name;
		info.raw_tracepoint.tp_name_len = sizeof(name);
	} else if (t == BPF_LINK_TYPE_PERF_EVENT) {
		info.perf_event.tracepoint.tp_name = (__u64)(unsigned long)pname;
		info.perf_event.tracepoint.name_len = sizeof(pname);
	}
	if (bpf_link_get_info_by_fd(fd, &info, &len)) {
		snprintf(out, cap, "(no info with names: %s)", ename(errno));
		return;
	}
	type = libbpf_bpf_link_type_str(info.type);
	n = snprintf(out, cap, "L%d type=%s prog=%s", label(info.id), type ? type : "?",
		     prog_name(info.prog_id) ? prog_name(info.prog_id) : "(foreign)");
	switch (info.type) {
	case BPF_LINK_TYPE_XDP:
		snprintf(out + n, cap - n, " ifindex=%u", info.xdp.ifindex);
		break;
	case BPF_LINK_TYPE_RAW_TRACEPOINT:
		snprintf(out + n, cap - n, " tp=%s", name);
		break;
	case BPF_LINK_TYPE_ITER:
		snprintf(out + n, cap - n, " target=%s", name);
		break;
	case BPF_LINK_TYPE_PERF_EVENT:
		snprintf(out + n, cap - n, " perf_event.type=%u tp=%s", info.perf_event.type, pname);
		break;
	case BPF_LINK_TYPE_TRACING: {
		const char *at = libbpf_bpf_attach_type_str(info.tracing.attach_type);

		snprintf(out + n, cap - n, " attach_type=%s", at ? at : "?");
		break;
	}
	default:
		break;
	}
}

static void info(const char *what, int fd)
{
	char d[512];

	link_desc(fd, d, sizeof(d));
	T("  info(%s): %s", what, d);
}

/* The links of our programs that the kernel has, by walking its link ids
 * (only ids created after start: older links cannot be ours, and other
 * processes' links are never opened needlessly). Returns their number. */
static int kstate(const char *when)
{
	__u32 id = watermark;
	int count = 0;

	T("  kernel (%s):", when);
	while (bpf_link_get_next_id(id, &id) == 0) {
		struct bpf_link_info li;
		__u32 len = sizeof(li);
		char d[512];
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;	/* gone meanwhile */
		memset(&li, 0, sizeof(li));
		if (bpf_link_get_info_by_fd(fd, &li, &len) || !prog_name(li.prog_id)) {
			close(fd);
			continue;
		}
		link_desc(fd, d, sizeof(d));
		close(fd);
		T("    %s", d);
		count++;
	}
	if (!count)
		T("    (no links of ours)");
	return count;
}

/* ---- setup ------------------------------------------------------------- */

/* Whether we share namespace ns with our parent (run.sh's shell, outside:
 * unshare execs us without forking). Unknown counts as shared. */
static bool same_ns(const char *ns)
{
	char a[64], b[64], pa[64], pb[64];
	ssize_t na, nb;

	snprintf(pa, sizeof(pa), "/proc/self/ns/%s", ns);
	snprintf(pb, sizeof(pb), "/proc/%d/ns/%s", (int)getppid(), ns);
	na = readlink(pa, a, sizeof(a) - 1);
	nb = readlink(pb, b, sizeof(b) - 1);
	if (na < 0 || nb < 0)
		return true;
	a[na] = b[nb] = 0;
	return !strcmp(a, b);
}

static int lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = -1;

	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (!ioctl(s, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return r;
}

static const char *cb_name(libbpf_print_fn_t f)
{
	return !f ? "NULL" : f == collect ? "collect" : "a default printer";
}

/* Triggers one message from each half: bpflink's (a bpf_link_create opts
 * check, a bpf_link__open failure) and libbpf-only code's (attach of a
 * program that was not loaded). */
static void three_warnings(struct bpf_program *noload, int prog_fd)
{
	struct bpf_link_create_opts small;
	char path[PATH_MAX + 16];

	memset(&small, 0, sizeof(small));
	small.sz = 4;
	CALL("  bpf_link_create(shim_xdp, lo, BPF_XDP, opts.sz=4)",
	     bpf_link_create(prog_fd, 1, BPF_XDP, &small));
	snprintf(path, sizeof(path), "%s/missing", bpffs);
	CALLP("  bpf_link__open(<W>/bpffs/missing)", bpf_link__open(path));
	CALLP("  bpf_program__attach_iter(shim_xdp_noload)", bpf_program__attach_iter(noload, NULL));
}

int main(int argc, char **argv)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_program *p_xdp, *p_xdp2, *p_noload, *p_iter, *p_raw, *p_tpbtf, *p_tp;
	struct bpf_link *lx, *li, *lr, *lt, *lo2, *lp, *lk = NULL;
	char objpath[PATH_MAX], fds_start[8192], fds_end[8192], path[PATH_MAX + 32], path2[PATH_MAX + 32];
	int xdp_ld, fd1, fd2, ifd, n_start, n_end, left, lo;
	LIBBPF_OPTS(bpf_prog_load_opts, load_opts, .expected_attach_type = BPF_XDP);
	LIBBPF_OPTS(bpf_link_create_opts, create_opts);
	libbpf_print_fn_t orig;
	struct bpf_object *obj;
	struct bpf_map *rodata;
	bool ok = true, tracefs;
	char buf[256];

	if (argc != 3) {
		fprintf(stderr, "usage: %s WORKDIR PROG.BPF.O\n", argv[0]);
		return 2;
	}
	if (same_ns("net") || same_ns("mnt")) {
		fprintf(stderr, "app: refusing to run outside a private net+mount namespace\n");
		return 2;
	}
	W = argv[1];
	if (!realpath(argv[2], objpath)) {
		perror(argv[2]);
		return 2;
	}
	snprintf(bpffs, sizeof(bpffs), "%s/bpffs", W);
	snprintf(plain, sizeof(plain), "%s/plain", W);
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* The first library call (see the file comment about fd numbers). */
	orig = libbpf_set_print(collect);
	equalise_fds();

	T("== setup");
	T("libbpf_set_print(collect) returned %s", cb_name(orig));
	CALL("mount(bpffs, <W>/bpffs)", mount("bpffs", bpffs, "bpf", 0, NULL));
	CALL("lo up", lo_up());
	/* libbpf finds tracepoint ids in tracefs; mounted in our own mount
	 * namespace only. */
	tracefs = CALL("mount(tracefs, /sys/kernel/tracing)",
		       mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL)) == 0;
	CALL("chdir(<W>/plain)", chdir(plain));
	lo = if_nametoindex("lo");
	T("lo ifindex = %d", lo);
	n_start = fd_list(fds_start, sizeof(fds_start));
	T("fds at start (%d): %s", n_start, fds_start);
	{
		__u32 id = 0;

		while (bpf_link_get_next_id(id, &id) == 0)
			watermark = id;
	}

	T("== versions and names (served by bpflink under the preload)");
	T("libbpf_major_version() = %u, libbpf_minor_version() = %u, libbpf_version_string() = %s",
	  libbpf_major_version(), libbpf_minor_version(), libbpf_version_string());
	T("libbpf_bpf_link_type_str(XDP) = %s, libbpf_bpf_attach_type_str(BPF_TRACE_ITER) = %s",
	  libbpf_bpf_link_type_str(BPF_LINK_TYPE_XDP), libbpf_bpf_attach_type_str(BPF_TRACE_ITER));
	{
		static const int errs[] = { -22, 4007, 4006, 5000 };

		for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
			int r;

			errno = 0;
			r = libbpf_strerror(errs[i], buf, sizeof(buf));
			T("libbpf_strerror(%d) = %d \"%s\"  errno=%s", errs[i], r, buf, ename(errno));
		}
		errno = 0;
		int r = libbpf_strerror(-22, buf, 4);
		T("libbpf_strerror(-22, size 4) = %d \"%s\"  errno=%s", r, buf, ename(errno));
	}

	T("== programs");
	xdp_ld = CALL("bpf_prog_load(XDP, \"shim_xdp_ld\", 2 insns, expected_attach_type=BPF_XDP)",
		      bpf_prog_load(BPF_PROG_TYPE_XDP, "shim_xdp_ld", "GPL", insns, 2, &load_opts));
	describe_fd("shim_xdp_ld", xdp_ld);
	add_prog(xdp_ld);
	quiet_debug = true;
	obj = CALLP("bpf_object__open_file(prog.bpf.o)", bpf_object__open_file(objpath, NULL));
	if (!obj)
		return 1;
	p_xdp = bpf_object__find_program_by_name(obj, "shim_xdp");
	p_xdp2 = bpf_object__find_program_by_name(obj, "shim_xdp2");
	p_noload = bpf_object__find_program_by_name(obj, "shim_xdp_noload");
	p_iter = bpf_object__find_program_by_name(obj, "shim_iter_task");
	p_raw = bpf_object__find_program_by_name(obj, "shim_raw_tp");
	p_tpbtf = bpf_object__find_program_by_name(obj, "shim_tp_btf");
	p_tp = bpf_object__find_program_by_name(obj, "shim_tp");
	if (!p_xdp || !p_xdp2 || !p_noload || !p_iter || !p_raw || !p_tpbtf || !p_tp) {
		T("program missing from the object");
		return 1;
	}
	bpf_program__set_autoload(p_noload, false);
	if (CALL("bpf_object__load", bpf_object__load(obj)))
		return 1;
	quiet_debug = false;
	{
		struct bpf_program *p;

		bpf_object__for_each_program(p, obj) {
			T("  program %s (section %s): %s", bpf_program__name(p),
			  bpf_program__section_name(p), bpf_program__fd(p) >= 0 ? "loaded" : "no fd");
			add_prog(bpf_program__fd(p));
		}
	}
	rodata = bpf_object__find_map_by_name(obj, ".rodata");
	T("  map .rodata: %s", rodata ? "present" : "missing");
	kstate("after load");

	T("== bpf_link_create / bpf_link_update / bpf_link_detach called directly");
	/* Direct XDP calls pass opts, so that in the trace every XDP line with
	 * opts=0x0 is libbpf's bpf_program__attach_xdp. */
	fd1 = CALL("bpf_link_create(shim_xdp_ld, lo, BPF_XDP, &opts)",
		   bpf_link_create(xdp_ld, lo, BPF_XDP, &create_opts));
	describe_fd("link", fd1);
	info("link", fd1);
	kstate("one XDP link");
	CALL("bpf_link_create(shim_xdp, lo, BPF_XDP, &opts) [lo busy]",
	     bpf_link_create(bpf_program__fd(p_xdp), lo, BPF_XDP, &create_opts));
	lx = CALLP("bpf_program__attach_xdp(shim_xdp, lo) [lo busy]", bpf_program__attach_xdp(p_xdp, lo));
	CALL_KEEP_ERRNO("libbpf_get_error(NULL)", libbpf_get_error(lx));
	{
		LIBBPF_OPTS(bpf_link_update_opts, uo, .old_prog_fd = bpf_program__fd(p_xdp2),
			    .flags = BPF_F_REPLACE);

		CALL("bpf_link_update(link, shim_xdp, old=shim_xdp2 REPLACE) [wrong old]",
		     bpf_link_update(fd1, bpf_program__fd(p_xdp), &uo));
		uo.old_prog_fd = xdp_ld;
		CALL("bpf_link_update(link, shim_xdp, old=shim_xdp_ld REPLACE)",
		     bpf_link_update(fd1, bpf_program__fd(p_xdp), &uo));
		info("link", fd1);
	}
	{
		struct bpf_link_update_opts bad;

		memset(&bad, 0, sizeof(bad));
		bad.sz = 2;
		CALL("bpf_link_update(link, shim_xdp_ld, opts.sz=2)", bpf_link_update(fd1, xdp_ld, &bad));
	}
	CALL("bpf_iter_create(xdp link)", bpf_iter_create(fd1));
	CALL("bpf_link_detach(link)", bpf_link_detach(fd1));
	info("link", fd1);
	CALL("bpf_link_detach(link) again", bpf_link_detach(fd1));
	CALL("bpf_link_detach(-1)", bpf_link_detach(-1));
	CALL("close(link)", close(fd1));
	kstate("after close");

	T("== links made by libbpf's own helpers (their bpf_link_create goes through the PLT)");
	lx = CALLP("bpf_program__attach_xdp(shim_xdp, lo)", bpf_program__attach_xdp(p_xdp, lo));
	if (lx) {
		describe_fd("bpf_link__fd(lx)", bpf_link__fd(lx));
		info("lx", bpf_link__fd(lx));
	}
	li = CALLP("bpf_program__attach_iter(shim_iter_task, NULL)", bpf_program__attach_iter(p_iter, NULL));
	if (li) {
		info("li", bpf_link__fd(li));
		ifd = CALL("bpf_iter_create(li)", bpf_iter_create(bpf_link__fd(li)));
		describe_fd("iter", ifd);
		if (ifd >= 0) {
			ssize_t n, total = 0;

			while ((n = read(ifd, buf + total, sizeof(buf) - 1 - total)) > 0)
				total += n;
			buf[total] = 0;
			T("  read(iter) = \"%.*s\"", (int)strcspn(buf, "\n"), buf);
			close(ifd);
		}
	}
	lr = CALLP("bpf_program__attach_raw_tracepoint(shim_raw_tp, \"sys_enter\")",
		   bpf_program__attach_raw_tracepoint(p_raw, "sys_enter"));
	if (lr)
		info("lr", bpf_link__fd(lr));
	lt = CALLP("bpf_program__attach(shim_tp_btf)", bpf_program__attach(p_tpbtf));
	if (lt)
		info("lt", bpf_link__fd(lt));
	if (tracefs) {
		lk = CALLP("bpf_program__attach(shim_tp) [perf link]", bpf_program__attach(p_tp));
		if (lk) {
			describe_fd("bpf_link__fd(lk)", bpf_link__fd(lk));
			info("lk", bpf_link__fd(lk));
		}
	} else {
		T("tracefs unavailable: no perf link");
	}
	fd2 = CALL("bpf_link_create(shim_iter_task, 0, BPF_TRACE_ITER, NULL)",
		   bpf_link_create(bpf_program__fd(p_iter), 0, BPF_TRACE_ITER, NULL));
	describe_fd("iter link", fd2);
	info("iter link", fd2);
	kstate("five or six links");
	if (!lx || !li || !lr || !lt || fd2 < 0) {
		T("an attach failed; stopping");
		return 1;
	}

	T("== pin, open, unpin");
	T("bpf_link__pin_path(lx) = %s", bpf_link__pin_path(lx) ? bpf_link__pin_path(lx) : "NULL");
	snprintf(path, sizeof(path), "%s/links/xdp", bpffs);
	CALL("bpf_link__pin(lx, <W>/bpffs/links/xdp)", bpf_link__pin(lx, path));
	T("bpf_link__pin_path(lx) = %s", bpf_link__pin_path(lx) ? bpf_link__pin_path(lx) : "NULL");
	snprintf(path2, sizeof(path2), "%s/other", bpffs);
	CALL("bpf_link__pin(lx, <W>/bpffs/other) [pinned]", bpf_link__pin(lx, path2));
	lo2 = CALLP("bpf_link__open(<W>/bpffs/links/xdp)", bpf_link__open(path));
	if (lo2) {
		describe_fd("bpf_link__fd(opened)", bpf_link__fd(lo2));
		info("opened", bpf_link__fd(lo2));
		T("bpf_link__pin_path(opened) = %s", bpf_link__pin_path(lo2));
		CALL("bpf_link__pin(opened, <W>/bpffs/other)", bpf_link__pin(lo2, path2));
		CALL("bpf_link__unpin(opened)", bpf_link__unpin(lo2));
		CALL("access(<W>/bpffs/links/xdp)", access(path, F_OK));
		T("bpf_link__pin_path(opened) = %s", bpf_link__pin_path(lo2) ? bpf_link__pin_path(lo2) : "NULL");
		CALL("bpf_link__unpin(opened) again", bpf_link__unpin(lo2));
		CALL("bpf_link__destroy(opened)", bpf_link__destroy(lo2));
	}
	CALL("bpf_link__unpin(lx) [pin removed meanwhile]", bpf_link__unpin(lx));
	T("bpf_link__pin_path(lx) = %s", bpf_link__pin_path(lx) ? bpf_link__pin_path(lx) : "NULL");
	info("lx", bpf_link__fd(lx));
	snprintf(path2, sizeof(path2), "%s/missing", bpffs);
	lp = CALLP("bpf_link__open(<W>/bpffs/missing)", bpf_link__open(path2));
	CALL_KEEP_ERRNO("libbpf_get_error(NULL)", libbpf_get_error(lp));
	lp = CALLP("bpf_link__open(NULL)", bpf_link__open(NULL));
	/* A pinned program (bpf_program__pin -> libbpf's bpf_obj_pin via the PLT). */
	snprintf(path2, sizeof(path2), "%s/prog", bpffs);
	CALL("bpf_program__pin(shim_iter_task, <W>/bpffs/prog)", bpf_program__pin(p_iter, path2));
	lp = CALLP("bpf_link__open(<W>/bpffs/prog) [a program]", bpf_link__open(path2));
	if (lp) {
		CALL("bpf_link__detach(opened program)", bpf_link__detach(lp));
		CALL("bpf_link__destroy(opened program)", bpf_link__destroy(lp));
	}
	CALL("bpf_program__unpin(shim_iter_task, <W>/bpffs/prog)", bpf_program__unpin(p_iter, path2));
	/* bpf_obj_get on a pinned link made by libbpf's helper. */
	snprintf(path2, sizeof(path2), "%s/tp_btf", bpffs);
	CALL("bpf_link__pin(lt, <W>/bpffs/tp_btf)", bpf_link__pin(lt, path2));
	{
		int g = CALL("bpf_obj_get(<W>/bpffs/tp_btf)", bpf_obj_get(path2));

		describe_fd("got", g);
		info("got", g);
		if (g >= 0)
			close(g);
		LIBBPF_OPTS(bpf_obj_get_opts, go, .file_flags = BPF_F_RDONLY);
		g = CALL("bpf_obj_get_opts(<W>/bpffs/tp_btf, RDONLY)", bpf_obj_get_opts(path2, &go));
		if (g >= 0)
			close(g);
	}
	CALL("bpf_link__unpin(lt)", bpf_link__unpin(lt));
	/* Pins that must fail, with a warning each. */
	snprintf(path2, sizeof(path2), "%s/notbpf/link", plain);
	CALL("bpf_link__pin(lr, <W>/plain/notbpf/link) [not bpffs]", bpf_link__pin(lr, path2));
	{
		struct stat st;

		snprintf(path2, sizeof(path2), "%s/notbpf", plain);
		if (stat(path2, &st) == 0) {
			T("  left behind: <W>/plain/notbpf, mode %o", st.st_mode & 07777);
			rmdir(path2);
		} else {
			T("  left behind: nothing");
		}
	}
	snprintf(path2, sizeof(path2), "%s/a/b/link", plain);
	CALL("bpf_link__pin(lr, <W>/plain/a/b/link) [two levels missing]", bpf_link__pin(lr, path2));
	CALL("bpf_link__pin(lr, \"relative\") [cwd not bpffs]", bpf_link__pin(lr, "relative"));
	T("bpf_link__pin_path(lr) = %s", bpf_link__pin_path(lr) ? bpf_link__pin_path(lr) : "NULL");

	T("== libbpf-only functions that take bpflink's links and calls");
	CALL("bpf_link__update_program(lx, shim_xdp2)", bpf_link__update_program(lx, p_xdp2));
	info("lx", bpf_link__fd(lx));
	CALL("bpf_link__update_program(lx, shim_xdp_noload) [no fd]", bpf_link__update_program(lx, p_noload));
	if (rodata)
		CALL("bpf_link__update_map(lx, .rodata) [not struct_ops]", bpf_link__update_map(lx, rodata));

	T("== detach, disconnect, destroy");
	CALL("bpf_link__detach(lx)", bpf_link__detach(lx));
	info("lx", bpf_link__fd(lx));
	CALL("bpf_link__detach(lr) [raw_tp]", bpf_link__detach(lr));
	if (lk) {
		CALL("bpf_link__detach(lk) [perf]", bpf_link__detach(lk));
		/* libbpf's perf-link detach, called by bpflink's destroy under the
		 * preload, also closes the perf event fd: the fd list at the end
		 * shows it. */
		CALL("bpf_link__destroy(lk) [perf link: libbpf's detach and dealloc]", bpf_link__destroy(lk));
	}
	{
		int fd = bpf_link__fd(li);

		CALLV("bpf_link__disconnect(li)", bpf_link__disconnect(li));
		CALL("bpf_link__destroy(li) [disconnected]", bpf_link__destroy(li));
		describe_fd("li's fd after destroy", fd);
		kstate("li disconnected and destroyed, its fd still open");
		CALL("close(li's fd)", close(fd));
	}
	CALL("bpf_link__destroy(lx)", bpf_link__destroy(lx));
	CALL("bpf_link__destroy(lr)", bpf_link__destroy(lr));
	CALL("bpf_link__destroy(lt)", bpf_link__destroy(lt));
	CALL("close(iter link)", close(fd2));
	CALL("bpf_link__destroy(NULL)", bpf_link__destroy(NULL));
	CALL("bpf_link__destroy(ERR_PTR(-EINVAL))", bpf_link__destroy((struct bpf_link *)(long)-EINVAL));
	kstate("all destroyed");

	/* The three printing modes. stderr carries markers so that run.sh can
	 * cut it into phases. */
	T("== print callback: custom (messages recorded above), silenced, default");
	fflush(stdout);
	fprintf(stderr, "== stderr: silenced begin\n");
	T("libbpf_set_print(NULL) returned %s", cb_name(libbpf_set_print(NULL)));
	three_warnings(p_noload, bpf_program__fd(p_xdp));
	fprintf(stderr, "== stderr: silenced end\n");
	fprintf(stderr, "== stderr: default begin\n");
	T("libbpf_set_print(original) returned %s", cb_name(libbpf_set_print(orig)));
	three_warnings(p_noload, bpf_program__fd(p_xdp));
	fprintf(stderr, "== stderr: default end\n");
	T("libbpf_set_print(collect) returned %s", cb_name(libbpf_set_print(collect)));
	three_warnings(p_noload, bpf_program__fd(p_xdp));

	T("== end");
	bpf_object__close(obj);
	close(xdp_ld);
	left = kstate("at end");
	T("links left: %d", left);
	CALL("umount(<W>/bpffs)", umount2(bpffs, 0));
	if (tracefs)
		CALL("umount(/sys/kernel/tracing)", umount2("/sys/kernel/tracing", 0));
	n_end = fd_list(fds_end, sizeof(fds_end));
	if (n_end == n_start && !strcmp(fds_start, fds_end)) {
		T("fds at end: same as at start (%d)", n_end);
	} else {
		T("fds at end (%d): %s", n_end, fds_end);
		ok = false;
	}
	if (left)
		ok = false;
	T("result: %s", ok ? "clean" : "LEAKS");
	return ok ? 0 : 1;
}
