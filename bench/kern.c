/*
 * Real-kernel benchmarks, built three times like cpu.c (bench.h): the
 * library calls (bpf_link_create, bpf_link_get_next_id, ...) come from
 * libbpf 1.7.0, from bpflink, or are raw syscall(__NR_bpf, ...) calls.
 * Programs are loaded with raw syscalls in every build (not measured).
 *
 *   bench-kern-<impl> tput SECS       create+close throughput for SECS seconds
 *                                      each: a cgroup link (BPF_CGROUP_INET_EGRESS
 *                                      on a fresh cgroup v2 dir), an XDP link on
 *                                      lo in a private netns, a task-iterator
 *                                      link (TRACING prog, attach_btf_id =
 *                                      FUNC bpf_iter_task in vmlinux BTF)
 *                                      -> "TP impl kind links_per_s count"
 *   bench-kern-<impl> enum N R [N R ...]  hold N iterator links, time R full
 *                                      walks get_next_id + get_fd_by_id +
 *                                      get_info_by_fd (+ close) over all links
 *                                      -> "EN impl N visited ns" per walk
 *   bench-kern-<impl> uprobe CNT R [CNT R ...]  uprobe_multi link with CNT
 *                                      offsets (a nop sled in this binary):
 *                                      -> "UP impl CNT create_ns close_ns"
 *
 * Leaves nothing behind: the netns dies with the process, the cgroup dir is
 * removed at exit (and on SIGINT/SIGTERM/SIGHUP), links die with their fds.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <link.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "bench.h"

#ifndef BPF_F_REPLACE
#define BPF_F_REPLACE (1U << 2)
#endif

#define CGROUP2_SUPER_MAGIC 0x63677270

static void die(const char *what, long err)
{
	fprintf(stderr, "bench-kern-%s: %s: %s\n", IMPL, what, strerror(err < 0 ? (int)-err : errno));
	exit(1);
}

/* ------------------------------------------------------------------ */
/* The library under test, or the floor                               */

static int link_create(int prog, int target, enum bpf_attach_type type, const void *o)
{
#ifdef IMPL_RAW
	const struct {
		size_t sz;
		__u32 flags;
		__u32 cnt;
		const char *path;
		const unsigned long *offsets;
	} *um = o;
	union bpf_attr a;

	memset(&a, 0, LINK_CREATE_ATTR_SZ);
	a.link_create.prog_fd = prog;
	a.link_create.target_fd = target;
	a.link_create.attach_type = type;
	if (um) {
		a.link_create.uprobe_multi.cnt = um->cnt;
		a.link_create.uprobe_multi.path = ptr_to_u64(um->path);
		a.link_create.uprobe_multi.offsets = ptr_to_u64(um->offsets);
	}
	return (int)sys_bpf(BPF_LINK_CREATE, &a, LINK_CREATE_ATTR_SZ);
#else
	return bpf_link_create(prog, target, type, o);
#endif
}

static int next_id(uint32_t start, uint32_t *next)
{
#ifdef IMPL_RAW
	union bpf_attr a;
	int r;

	memset(&a, 0, offsetofend(union bpf_attr, open_flags));
	a.start_id = start;
	r = (int)sys_bpf(BPF_LINK_GET_NEXT_ID, &a, offsetofend(union bpf_attr, open_flags));
	if (!r)
		*next = a.next_id;
	return r;
#else
	return bpf_link_get_next_id(start, next);
#endif
}

static int fd_by_id(uint32_t id)
{
#ifdef IMPL_RAW
	union bpf_attr a;

	memset(&a, 0, offsetofend(union bpf_attr, open_flags));
	a.link_id = id;
	return (int)sys_bpf(BPF_LINK_GET_FD_BY_ID, &a, offsetofend(union bpf_attr, open_flags));
#else
	return bpf_link_get_fd_by_id(id);
#endif
}

static int link_info(int fd, struct bpf_link_info *info, uint32_t *len)
{
#ifdef IMPL_RAW
	union bpf_attr a;
	int r;

	memset(&a, 0, offsetofend(union bpf_attr, info));
	a.info.bpf_fd = fd;
	a.info.info_len = *len;
	a.info.info = ptr_to_u64(info);
	r = (int)sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a, offsetofend(union bpf_attr, info));
	if (!r)
		*len = a.info.info_len;
	return r;
#else
	return bpf_link_get_info_by_fd(fd, info, len);
#endif
}

/* ------------------------------------------------------------------ */
/* Loader (raw syscalls in every build)                               */

static int load_prog(enum bpf_prog_type type, enum bpf_attach_type expected, uint32_t btf_id,
		     const struct bpf_insn *insns, unsigned int cnt, const char *name)
{
	static char log[65536];
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.insn_cnt = cnt;
	a.insns = ptr_to_u64(insns);
	a.license = ptr_to_u64("GPL");
	a.expected_attach_type = expected;
	a.attach_btf_id = btf_id;
	strncpy(a.prog_name, name, sizeof(a.prog_name) - 1);
	fd = (int)sys_bpf(BPF_PROG_LOAD, &a, sizeof(a));
	if (fd >= 0)
		return fd;
	a.log_level = 1;
	a.log_size = sizeof(log);
	a.log_buf = ptr_to_u64(log);
	fd = (int)sys_bpf(BPF_PROG_LOAD, &a, sizeof(a));
	if (fd >= 0)
		return fd;
	fprintf(stderr, "bench-kern-%s: BPF_PROG_LOAD %s: %s\n%s\n", IMPL, name, strerror(errno), log);
	exit(1);
}

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
static const struct bpf_insn ret0[] = {
	INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0),
	INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
};
static const struct bpf_insn ret1[] = {
	INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1),
	INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
};
static const struct bpf_insn ret_xdp_pass[] = {
	INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_PASS),
	INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
};

/* A minimal vmlinux BTF reader: the id of the FUNC named `name`. */
static uint32_t btf_find_func(const char *name)
{
	const char *path = "/sys/kernel/btf/vmlinux";
	unsigned char *d = NULL;
	size_t n = 0, cap = 0;
	uint32_t id = 0, found = 0;
	FILE *f = fopen(path, "rb");

	if (!f)
		die(path, 0);
	for (;;) {
		size_t r;

		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 22;
			d = realloc(d, cap);
			if (!d)
				die("realloc", -ENOMEM);
		}
		r = fread(d + n, 1, cap - n, f);
		if (!r)
			break;
		n += r;
	}
	fclose(f);
#define RD32(o) (*(const uint32_t *)(d + (o)))
	if (n < 24 || *(const uint16_t *)d != 0xeb9f)
		die("vmlinux BTF: bad magic", -EINVAL);
	size_t hdr = RD32(4), toff = RD32(8), tlen = RD32(12), soff = RD32(16);
	const char *strs = (const char *)d + hdr + soff;
	size_t p = hdr + toff, end = hdr + toff + tlen;

	while (p < end && !found) {
		uint32_t name_off = RD32(p), info = RD32(p + 4);
		uint32_t kind = (info >> 24) & 0x1f, vlen = info & 0xffff;

		id++;
		if (kind == 12 /* FUNC */ && !strcmp(strs + name_off, name))
			found = id;
		p += 12;
		switch (kind) {
		case 1: case 14: case 17: p += 4; break;	/* INT VAR DECL_TAG */
		case 3: p += 12; break;				/* ARRAY */
		case 4: case 5: case 15: case 19: p += (size_t)vlen * 12; break;	/* STRUCT UNION DATASEC ENUM64 */
		case 6: case 13: p += (size_t)vlen * 8; break;	/* ENUM FUNC_PROTO */
		case 2: case 7: case 8: case 9: case 10: case 11: case 12: case 16: case 18: break;
		default: die("vmlinux BTF: unknown kind", -EINVAL);
		}
	}
#undef RD32
	free(d);
	if (!found) {
		fprintf(stderr, "bench-kern-%s: FUNC %s not in vmlinux BTF\n", IMPL, name);
		exit(1);
	}
	return found;
}

/* ------------------------------------------------------------------ */
/* A cgroup v2 directory, removed at exit                             */

static char cg_path[2][PATH_MAX];

static void cg_cleanup(void)
{
	for (int c = 0; c < 2; c++)
		if (cg_path[c][0]) {
			for (int i = 0; i < 250 && rmdir(cg_path[c]) && errno == EBUSY; i++)
				usleep(20000);
			cg_path[c][0] = 0;
		}
}

static void on_signal(int sig)
{
	for (int c = 0; c < 2; c++)
		if (cg_path[c][0])
			rmdir(cg_path[c]);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Opens a fresh cgroup v2 dir (c = 0 or 1), or -1 without cgroup v2. */
static int cg_open(int c)
{
	static const char *roots[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" };
	static int hooked;
	struct statfs st;
	int fd;

	for (unsigned i = 0; i < 2; i++)
		if (!statfs(roots[i], &st) && st.f_type == CGROUP2_SUPER_MAGIC) {
			snprintf(cg_path[c], sizeof(cg_path[c]), "%s/bpflink-bench-%d-%d", roots[i],
				 getpid(), c);
			break;
		}
	if (!cg_path[c][0])
		return -1;
	if (!hooked) {
		hooked = 1;
		atexit(cg_cleanup);
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		signal(SIGHUP, on_signal);
	}
	if (mkdir(cg_path[c], 0755)) {
		cg_path[c][0] = 0;
		return -1;
	}
	fd = open(cg_path[c], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		die(cg_path[c], 0);
	return fd;
}

/* ------------------------------------------------------------------ */

static void raise_limits(void)
{
	struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };
	long nr_open = 1 << 20;
	FILE *f = fopen("/proc/sys/fs/nr_open", "r");

	setrlimit(RLIMIT_MEMLOCK, &r);
	if (f) {
		if (fscanf(f, "%ld", &nr_open) != 1)
			nr_open = 1 << 20;
		fclose(f);
	}
	r.rlim_cur = r.rlim_max = (rlim_t)nr_open;
	if (setrlimit(RLIMIT_NOFILE, &r)) {
		getrlimit(RLIMIT_NOFILE, &r);
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

static void tput_one(const char *kind, int prog, int target, enum bpf_attach_type type, double secs,
		     long max)
{
	uint64_t start = now_ns(), t0, t1, t2 = start, tc = 0, tx = 0, limit = (uint64_t)(secs * 1e9);
	long n = 0;

	do {
		int fd;

		t0 = t2;
		fd = link_create(prog, target, type, NULL);
		t1 = now_ns();
		if (fd < 0)
			die(kind, fd);
		close(fd);
		t2 = now_ns();
		tc += t1 - t0;
		tx += t2 - t1;
		n++;
	} while (t2 - start < limit && n < max);
	/* links/s of create+close, mean ns of create, mean ns of close */
	printf("TP %s %s %.1f %ld %.0f %.0f\n", IMPL, kind, (double)n * 1e9 / (double)(t2 - start), n,
	       (double)tc / (double)n, (double)tx / (double)n);
}

/*
 * The first link of a kind flips a kernel static key (cgroup_bpf_enabled_key
 * for the attach type, generic_xdp_needed_key), which on a VM costs tens of
 * ms of text patching and RCU waits, in create and again in close. The
 * "_first" rows measure that; the main rows keep the key on with a
 * "keeper" link on a second cgroup / on lo of a second private netns, which
 * is the steady state of a machine with any other such link.
 */
static int do_tput(double secs)
{
	uint32_t iter_task = btf_find_func("bpf_iter_task");
	int cg, cg_keep, p_cg, p_xdp, p_iter, nsfd, keep_cg = -1, keep_xdp;

	p_cg = load_prog(BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, 0, ret1, 2, "bench_cg");
	p_xdp = load_prog(BPF_PROG_TYPE_XDP, BPF_XDP, 0, ret_xdp_pass, 2, "bench_xdp");
	p_iter = load_prog(BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, iter_task, ret0, 2, "bench_iter");

	cg = cg_open(0);
	cg_keep = cg_open(1);
	if (cg < 0 || cg_keep < 0) {
		fprintf(stderr, "bench-kern-%s: no cgroup v2 hierarchy: cgroup rows skipped\n", IMPL);
	} else {
		tput_one("cgroup_first", p_cg, cg, BPF_CGROUP_INET_EGRESS, secs, 50);
		keep_cg = link_create(p_cg, cg_keep, BPF_CGROUP_INET_EGRESS, NULL);
		if (keep_cg < 0)
			die("cgroup keeper link", keep_cg);
		tput_one("cgroup", p_cg, cg, BPF_CGROUP_INET_EGRESS, secs, LONG_MAX);
	}

	/* lo of private network namespaces: the host's lo is never touched. */
	if (unshare(CLONE_NEWNET))
		die("unshare(CLONE_NEWNET)", 0);
	tput_one("xdp_first", p_xdp, 1 /* lo */, BPF_XDP, secs, 10);
	nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);	/* keeps this netns alive */
	keep_xdp = link_create(p_xdp, 1, BPF_XDP, NULL);
	if (nsfd < 0 || keep_xdp < 0)
		die("xdp keeper link", keep_xdp);
	if (unshare(CLONE_NEWNET))
		die("unshare(CLONE_NEWNET)", 0);
	tput_one("xdp", p_xdp, 1 /* lo */, BPF_XDP, secs, LONG_MAX);

	tput_one("iter_task", p_iter, 0, BPF_TRACE_ITER, secs, LONG_MAX);

	close(keep_xdp);
	close(nsfd);
	if (keep_cg >= 0)
		close(keep_cg);
	if (cg >= 0)
		close(cg);
	if (cg_keep >= 0)
		close(cg_keep);
	cg_cleanup();
	return 0;
}

/* One walk over every link in the system, as bpftool link show does. */
static long walk(void)
{
	struct bpf_link_info info;
	uint32_t id = 0, len;
	long n = 0;

	while (!next_id(id, &id)) {
		int fd = fd_by_id(id);

		if (fd < 0)
			continue;	/* went away meanwhile */
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!link_info(fd, &info, &len))
			n++;
		close(fd);
	}
	return n;
}

static int do_enum(int argc, char **argv)
{
	uint32_t iter_task = btf_find_func("bpf_iter_task");
	int p_iter = load_prog(BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, iter_task, ret0, 2, "bench_iter");

	for (int a = 0; a + 1 < argc; a += 2) {
		long n = atol(argv[a]), reps = atol(argv[a + 1]), visited = 0;
		int *fds = calloc(n, sizeof(int));
		uint64_t *t = calloc(reps, sizeof(uint64_t));

		if (!fds || !t)
			die("calloc", -ENOMEM);
		for (long i = 0; i < n; i++) {
			fds[i] = link_create(p_iter, 0, BPF_TRACE_ITER, NULL);
			if (fds[i] < 0)
				die("iter link", fds[i]);
		}
		walk();	/* warm-up */
		for (long r = 0; r < reps; r++) {
			uint64_t t0 = now_ns();

			visited = walk();
			t[r] = now_ns() - t0;
		}
		for (long r = 0; r < reps; r++)	/* every walk: the report takes median and best */
			printf("EN %s %ld %ld %llu\n", IMPL, n, visited, (unsigned long long)t[r]);
		for (long i = 0; i < n; i++)
			close(fds[i]);
		free(fds);
		free(t);
	}
	return 0;
}

/* The uprobe target: a 1024-byte nop sled, never executed. */
__attribute__((noinline, used)) void bench_uprobe_sled(void)
{
	__asm__ volatile(".rept 1024\n\tnop\n\t.endr");
}

struct find_off {
	uintptr_t addr;
	unsigned long off;
};

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct find_off *f = data;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && f->addr >= lo && f->addr < lo + ph->p_memsz) {
			f->off = f->addr - lo + ph->p_offset;
			return 1;
		}
	}
	return 0;
}

static int do_uprobe(int argc, char **argv)
{
	struct find_off fo = { (uintptr_t)bench_uprobe_sled, 0 };
	static char exe[PATH_MAX];
	unsigned long *offs;
	int prog;

	if (!realpath("/proc/self/exe", exe))
		die("realpath /proc/self/exe", 0);
	if (!dl_iterate_phdr(phdr_cb, &fo) || !fo.off)
		die("file offset of bench_uprobe_sled", -ENOENT);
	offs = calloc(1024, sizeof(*offs));
	for (int i = 0; i < 1024; i++)
		offs[i] = fo.off + 4 + i;	/* past the function's first bytes, into the sled */
	prog = load_prog(BPF_PROG_TYPE_KPROBE, BPF_TRACE_UPROBE_MULTI, 0, ret0, 2, "bench_umulti");

	for (int a = 0; a + 1 < argc; a += 2) {
		long cnt = atol(argv[a]), reps = atol(argv[a + 1]);
		uint64_t *tc = calloc(reps, 8), *tx = calloc(reps, 8);

		if (cnt > 1000)
			cnt = 1000;
#ifdef IMPL_RAW
		struct {
			size_t sz;
			__u32 flags;
			__u32 cnt;
			const char *path;
			const unsigned long *offsets;
		} o = { 0, 0, (uint32_t)cnt, exe, offs };
#else
		LIBBPF_OPTS(bpf_link_create_opts, o, .uprobe_multi.path = exe,
			    .uprobe_multi.offsets = offs, .uprobe_multi.cnt = (uint32_t)cnt);
#endif
		for (long r = 0; r < reps; r++) {
			uint64_t t0 = now_ns(), t1;
			int fd = link_create(prog, 0, BPF_TRACE_UPROBE_MULTI, &o);

			t1 = now_ns();
			if (fd < 0)
				die("uprobe_multi link", fd);
			close(fd);
			tc[r] = t1 - t0;
			tx[r] = now_ns() - t1;
		}
		printf("UP %s %ld %llu %llu\n", IMPL, cnt, (unsigned long long)median_u64(tc, (int)reps),
		       (unsigned long long)median_u64(tx, (int)reps));
		free(tc);
		free(tx);
	}
	return 0;
}

static void pin_cpu(void)
{
	cpu_set_t set;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&set);
	CPU_SET(n > 1 ? (int)n - 1 : 0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	raise_limits();
	pin_cpu();
	if (argc == 3 && !strcmp(argv[1], "tput"))
		return do_tput(atof(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "enum"))
		return do_enum(argc - 2, argv + 2);
	if (argc >= 4 && !strcmp(argv[1], "uprobe"))
		return do_uprobe(argc - 2, argv + 2);
	fprintf(stderr, "usage: %s tput SECS | enum N R [N R...] | uprobe CNT R [CNT R...]\n", argv[0]);
	return 2;
}
