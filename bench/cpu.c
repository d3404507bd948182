/*
 * User-space cost of bpf_link_create / bpf_link_update with the kernel
 * taken out: syscall() is the fake in fakekern.c, which answers at once.
 * Built three times (bench.h): against libbpf 1.7.0, against bpflink, and
 * as the raw floor (the same loop, calling syscall() with an attr built
 * before the loop).
 *
 *   bench-cpu-<impl> verify            one recorded call per case: the return
 *                                      value and the attr the library passed
 *                                      must be the expected ones
 *   bench-cpu-<impl> time R N          R rounds; each times N calls of every
 *                                      case (clock_gettime around the loop)
 *                                      and prints "T impl case ns_per_call"
 *   bench-cpu-<impl> callgrind K1 K2   under valgrind --tool=callgrind
 *                                      --collect-atstart=no: K1 then K2 calls
 *                                      of every case, each loop collected
 *                                      and dumped on its own ("case@K")
 *   bench-allocs-<impl> allocs K       (linked with mcount.c) heap
 *                                      allocations of the first call and of K
 *                                      more calls of every low-level function
 *   bench-cpu-<impl> calls K           K calls of every low-level function
 *                                      (run under memcheck with K = 0 and K)
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/mman.h>

#include "bench.h"
#include "fakekern.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#endif

#ifndef BPF_F_BEFORE
#define BPF_F_BEFORE (1U << 3)
#endif
#ifndef BPF_F_ID
#define BPF_F_ID (1U << 5)
#endif
#ifndef BPF_F_UPROBE_MULTI_RETURN
#define BPF_F_UPROBE_MULTI_RETURN (1U << 0)
#endif

#define FAKE_LINK_FD 100
#define PROG_FD 5

/* ------------------------------------------------------------------ */
/* Case state: what the timed loops read                              */

static int g_pfd, g_tfd, g_lfd;
static enum bpf_attach_type g_type;
static const void *g_opts;	/* the library's opts (NULL or into optmem) */
static union bpf_attr g_attr;	/* the expected attr = the raw floor's */
static unsigned int g_attr_sz;
static int g_cmd;

/* Opts live in two mapped pages: at OPTS_IN_PAGE (struct and tail on one
 * page) or at OPTS_STRADDLE (bytes 80.. on the second page). */
static unsigned char *optmem;
#define OPTS_IN_PAGE 256
#define OPTS_STRADDLE (4096 - 80)

static const char upath[] = "/usr/bin/true";
static unsigned long *uoffs, *urefs;
static __u64 *ucookies;
#define UMAX 100000

/* The library call or, for the floor, the prebuilt syscall. */
__attribute__((noinline)) static long loop_create(long n)
{
	long s = 0;

	for (long i = 0; i < n; i++)
#ifdef IMPL_RAW
		s += syscall(__NR_bpf, BPF_LINK_CREATE, &g_attr, g_attr_sz);
#else
		s += bpf_link_create(g_pfd, g_tfd, g_type, g_opts);
#endif
	return s;
}

__attribute__((noinline)) static long loop_update(long n)
{
	long s = 0;

	for (long i = 0; i < n; i++)
#ifdef IMPL_RAW
		s += syscall(__NR_bpf, BPF_LINK_UPDATE, &g_attr, g_attr_sz);
#else
		s += bpf_link_update(g_lfd, g_pfd, g_opts);
#endif
	return s;
}

/* ------------------------------------------------------------------ */
/* The cases                                                          */

enum { C_CREATE, C_UPDATE };
enum { P_NULL, P_IN_PAGE, P_STRADDLE };

struct bcase {
	const char *name;
	int kind;
	int place;
	void (*setup)(void *opts);	/* fills the opts (if any) and g_attr */
	size_t sz;			/* opts->sz (0: sizeof) */
};

static void lc_attr(int pfd, int tfd, enum bpf_attach_type type, uint32_t flags)
{
	memset(&g_attr, 0, sizeof(g_attr));
	g_attr.link_create.prog_fd = pfd;
	g_attr.link_create.target_fd = tfd;
	g_attr.link_create.attach_type = type;
	g_attr.link_create.flags = flags;
	g_attr_sz = LINK_CREATE_ATTR_SZ;
	g_cmd = BPF_LINK_CREATE;
	g_pfd = pfd;
	g_tfd = tfd;
	g_type = type;
}

static void setup_null(void *o)
{
	(void)o;
	lc_attr(PROG_FD, 1, BPF_XDP, 0);
}

static void setup_tcx(void *o)
{
	lc_attr(PROG_FD, 1, BPF_TCX_INGRESS, BPF_F_BEFORE | BPF_F_ID);
	g_attr.link_create.tcx.relative_id = 42;
	g_attr.link_create.tcx.expected_revision = 7;
#ifndef IMPL_RAW
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = BPF_F_BEFORE,
		    .tcx.relative_id = 42, .tcx.expected_revision = 7);
	memcpy(o, &opts, sizeof(opts));
#else
	(void)o;
#endif
}

static void setup_perf(void *o)
{
	lc_attr(PROG_FD, 8, BPF_PERF_EVENT, 0);
	g_attr.link_create.perf_event.bpf_cookie = 0xdeadbeefcafeull;
#ifndef IMPL_RAW
	LIBBPF_OPTS(bpf_link_create_opts, opts, .perf_event.bpf_cookie = 0xdeadbeefcafeull);
	memcpy(o, &opts, sizeof(opts));
#else
	(void)o;
#endif
}

static void umulti(void *o, unsigned int cnt, int all)
{
	lc_attr(PROG_FD, 0, BPF_TRACE_UPROBE_MULTI, 0);
	g_attr.link_create.uprobe_multi.flags = all ? BPF_F_UPROBE_MULTI_RETURN : 0;
	g_attr.link_create.uprobe_multi.cnt = cnt;
	g_attr.link_create.uprobe_multi.path = ptr_to_u64(upath);
	g_attr.link_create.uprobe_multi.offsets = ptr_to_u64(uoffs);
	g_attr.link_create.uprobe_multi.ref_ctr_offsets = all ? ptr_to_u64(urefs) : 0;
	g_attr.link_create.uprobe_multi.cookies = ptr_to_u64(ucookies);
	g_attr.link_create.uprobe_multi.pid = all ? 1234 : 0;
#ifndef IMPL_RAW
	LIBBPF_OPTS(bpf_link_create_opts, opts,
		    .uprobe_multi.flags = all ? BPF_F_UPROBE_MULTI_RETURN : 0,
		    .uprobe_multi.cnt = cnt,
		    .uprobe_multi.path = upath,
		    .uprobe_multi.offsets = uoffs,
		    .uprobe_multi.ref_ctr_offsets = all ? urefs : NULL,
		    .uprobe_multi.cookies = ucookies,
		    .uprobe_multi.pid = all ? 1234 : 0);
	memcpy(o, &opts, sizeof(opts));
#else
	(void)o;
#endif
}

static void setup_umulti_full(void *o) { umulti(o, 1, 1); }
static void setup_umulti_1(void *o) { umulti(o, 1, 0); }
static void setup_umulti_1k(void *o) { umulti(o, 1000, 0); }
static void setup_umulti_100k(void *o) { umulti(o, UMAX, 0); }

static void lu_attr(int lfd, int pfd, uint32_t flags, uint32_t old_prog_fd)
{
	memset(&g_attr, 0, sizeof(g_attr));
	g_attr.link_update.link_fd = lfd;
	g_attr.link_update.new_prog_fd = pfd;
	g_attr.link_update.flags = flags;
	g_attr.link_update.old_prog_fd = old_prog_fd;
	g_attr_sz = LINK_UPDATE_ATTR_SZ;
	g_cmd = BPF_LINK_UPDATE;
	g_lfd = lfd;
	g_pfd = pfd;
}

static void setup_update_null(void *o)
{
	(void)o;
	lu_attr(FAKE_LINK_FD, PROG_FD, 0, 0);
}

static void setup_update_replace(void *o)
{
	lu_attr(FAKE_LINK_FD, PROG_FD, BPF_F_REPLACE, 4);
#ifndef IMPL_RAW
	LIBBPF_OPTS(bpf_link_update_opts, opts, .flags = BPF_F_REPLACE, .old_prog_fd = 4);
	memcpy(o, &opts, sizeof(opts));
#else
	(void)o;
#endif
}

static const struct bcase cases[] = {
	{ "create_null", C_CREATE, P_NULL, setup_null, 0 },
	{ "create_tcx", C_CREATE, P_IN_PAGE, setup_tcx, 0 },
	{ "create_perf_cookie", C_CREATE, P_IN_PAGE, setup_perf, 0 },
	{ "create_umulti_full80", C_CREATE, P_IN_PAGE, setup_umulti_full, 0 },
	{ "create_umulti_sz88", C_CREATE, P_IN_PAGE, setup_umulti_full, 88 },
	{ "create_umulti_sz88_pagecross", C_CREATE, P_STRADDLE, setup_umulti_full, 88 },
	{ "create_umulti_n1", C_CREATE, P_IN_PAGE, setup_umulti_1, 0 },
	{ "create_umulti_n1000", C_CREATE, P_IN_PAGE, setup_umulti_1k, 0 },
	{ "create_umulti_n100000", C_CREATE, P_IN_PAGE, setup_umulti_100k, 0 },
	{ "update_null", C_UPDATE, P_NULL, setup_update_null, 0 },
	{ "update_replace", C_UPDATE, P_IN_PAGE, setup_update_replace, 0 },
};
#define NCASES (int)(sizeof(cases) / sizeof(cases[0]))

static void setup_case(const struct bcase *c)
{
	void *o = c->place == P_STRADDLE ? optmem + OPTS_STRADDLE : optmem + OPTS_IN_PAGE;

	memset(optmem, 0, 2 * 4096);
	c->setup(o);
	if (c->sz)
		*(size_t *)o = c->sz;	/* a newer caller's struct: zero tail */
	g_opts = c->place == P_NULL ? NULL : o;
	fake_ret = c->kind == C_CREATE ? FAKE_LINK_FD : 0;
	fake_errno = 0;
}

/* BENCH_CASE=name runs only that case (for profiling one path). */
static int selected(const struct bcase *c)
{
	const char *only = getenv("BENCH_CASE");

	return !only || !*only || !strcmp(only, c->name);
}

static long run_case(const struct bcase *c, long n)
{
	return c->kind == C_CREATE ? loop_create(n) : loop_update(n);
}

/* ------------------------------------------------------------------ */

static int do_verify(void)
{
	int bad = 0;

	for (int i = 0; i < NCASES; i++) {
		const struct bcase *c = &cases[i];
		long r;

		setup_case(c);
		memset(&fake_last, 0, sizeof(fake_last));
		fake_record = 1;
		r = run_case(c, 1);
		fake_record = 0;
		if (r != fake_ret || fake_last.calls != 1 || fake_last.cmd != g_cmd ||
		    fake_last.size != g_attr_sz || memcmp(fake_last.attr, &g_attr, g_attr_sz)) {
			printf("V %s %s MISMATCH ret=%ld calls=%d cmd=%d size=%u\n", IMPL, c->name, r,
			       fake_last.calls, fake_last.cmd, fake_last.size);
			bad++;
		} else {
			printf("V %s %s ok\n", IMPL, c->name);
		}
	}
	return bad ? 1 : 0;
}

static int do_time(int rounds, long n)
{
	for (int i = 0; i < NCASES; i++) {	/* warm-up: caches, lazy binding */
		if (!selected(&cases[i]))
			continue;
		setup_case(&cases[i]);
		run_case(&cases[i], n / 10);
	}
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < NCASES; i++) {
			uint64_t t0, t1;

			if (!selected(&cases[i]))
				continue;
			setup_case(&cases[i]);
			t0 = now_ns();
			run_case(&cases[i], n);
			t1 = now_ns();
			printf("T %s %s %.3f\n", IMPL, cases[i].name, (double)(t1 - t0) / (double)n);
		}
	return 0;
}

static int do_callgrind(long k1, long k2)
{
	char name[128];

	for (int i = 0; i < NCASES; i++) {
		if (!selected(&cases[i]))
			continue;
		setup_case(&cases[i]);
		run_case(&cases[i], 16);	/* warm-up, not collected */
		CALLGRIND_TOGGLE_COLLECT;
		run_case(&cases[i], k1);
		CALLGRIND_TOGGLE_COLLECT;
		snprintf(name, sizeof(name), "%s@%ld", cases[i].name, k1);
		CALLGRIND_DUMP_STATS_AT(name);
		CALLGRIND_TOGGLE_COLLECT;
		run_case(&cases[i], k2);
		CALLGRIND_TOGGLE_COLLECT;
		snprintf(name, sizeof(name), "%s@%ld", cases[i].name, k2);
		CALLGRIND_DUMP_STATS_AT(name);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Every low-level function once (allocation counting)                */

#ifndef IMPL_RAW
static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static struct bpf_link_info g_info;
static char pinpath[] = "/sys/fs/bpf/bpflink-bench-never-created";

static long f_create_kernel_eperm(void)
{
	fake_ret = -1;
	fake_errno = EPERM;
	return bpf_link_create(PROG_FD, 1, BPF_XDP, NULL);
}
static long f_create_bad_sz(void)
{
	static struct bpf_link_create_opts o;

	o.sz = 4;	/* warning through the print callback, -EINVAL */
	return bpf_link_create(PROG_FD, 1, BPF_XDP, &o);
}
static long f_detach(void) { fake_ret = 0; return bpf_link_detach(FAKE_LINK_FD); }
static long f_iter_create(void) { fake_ret = 101; return bpf_iter_create(FAKE_LINK_FD); }
static long f_next_id(void)
{
	uint32_t id = 0;

	fake_ret = 0;
	return bpf_link_get_next_id(0, &id);
}
static long f_fd_by_id(void) { fake_ret = FAKE_LINK_FD; return bpf_link_get_fd_by_id(5); }
static long f_fd_by_id_opts(void)
{
	LIBBPF_OPTS(bpf_get_fd_by_id_opts, o, .open_flags = BPF_F_RDONLY);

	fake_ret = FAKE_LINK_FD;
	return bpf_link_get_fd_by_id_opts(5, &o);
}
static long f_link_info(void)
{
	uint32_t len = sizeof(g_info);

	fake_ret = 0;
	return bpf_link_get_info_by_fd(FAKE_LINK_FD, &g_info, &len);
}
static long f_obj_info(void)
{
	uint32_t len = sizeof(g_info);

	fake_ret = 0;
	return bpf_obj_get_info_by_fd(FAKE_LINK_FD, &g_info, &len);
}
static long f_raw_tp(void) { fake_ret = FAKE_LINK_FD; return bpf_raw_tracepoint_open("sched_switch", PROG_FD); }
static long f_raw_tp_opts(void)
{
	LIBBPF_OPTS(bpf_raw_tp_opts, o, .tp_name = "sched_switch", .cookie = 3);

	fake_ret = FAKE_LINK_FD;
	return bpf_raw_tracepoint_open_opts(PROG_FD, &o);
}
static long f_obj_pin(void) { fake_ret = 0; return bpf_obj_pin(FAKE_LINK_FD, pinpath); }
static long f_obj_get(void) { fake_ret = FAKE_LINK_FD; return bpf_obj_get(pinpath); }

static const struct {
	const char *name;
	long (*fn)(void);
} funcs[] = {
	{ "bpf_link_create(kernel -EPERM)", f_create_kernel_eperm },
	{ "bpf_link_create(opts sz=4: warning)", f_create_bad_sz },
	{ "bpf_link_detach", f_detach },
	{ "bpf_iter_create", f_iter_create },
	{ "bpf_link_get_next_id", f_next_id },
	{ "bpf_link_get_fd_by_id", f_fd_by_id },
	{ "bpf_link_get_fd_by_id_opts", f_fd_by_id_opts },
	{ "bpf_link_get_info_by_fd", f_link_info },
	{ "bpf_obj_get_info_by_fd", f_obj_info },
	{ "bpf_raw_tracepoint_open", f_raw_tp },
	{ "bpf_raw_tracepoint_open_opts", f_raw_tp_opts },
	{ "bpf_obj_pin", f_obj_pin },
	{ "bpf_obj_get", f_obj_get },
};
#define NFUNCS (int)(sizeof(funcs) / sizeof(funcs[0]))

extern volatile long mcount_allocs __attribute__((weak));

static int do_allocs(long k)
{
	if (!&mcount_allocs) {
		fprintf(stderr, "allocs: not linked with mcount.c\n");
		return 2;
	}
	/* main() calloc'ed the offset arrays: a live counter has seen them */
	printf("AC %s %ld\n", IMPL, mcount_allocs);
	libbpf_set_print(quiet_print);
	for (int i = 0; i < NCASES; i++) {
		long a0, a1, a2;

		setup_case(&cases[i]);
		a0 = mcount_allocs;
		run_case(&cases[i], 1);
		a1 = mcount_allocs;
		run_case(&cases[i], k);
		a2 = mcount_allocs;
		printf("A %s %s %ld %ld %ld\n", IMPL, cases[i].name, a1 - a0, a2 - a1, k);
	}
	for (int i = 0; i < NFUNCS; i++) {
		long a0, a1, a2;

		a0 = mcount_allocs;
		funcs[i].fn();
		a1 = mcount_allocs;
		for (long j = 0; j < k; j++)
			funcs[i].fn();
		a2 = mcount_allocs;
		printf("A %s %s %ld %ld %ld\n", IMPL, funcs[i].name, a1 - a0, a2 - a1, k);
	}
	return 0;
}

static int do_calls(long k)
{
	libbpf_set_print(quiet_print);
	for (int i = 0; i < NCASES; i++) {
		setup_case(&cases[i]);
		run_case(&cases[i], k);
	}
	for (int i = 0; i < NFUNCS; i++)
		for (long j = 0; j < k; j++)
			funcs[i].fn();
	return 0;
}
#else
static int do_allocs(long k) { (void)k; return 0; }
static int do_calls(long k) { (void)k; return 0; }
#endif

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
	if (argc < 2) {
		fprintf(stderr, "usage: %s verify | time R N | callgrind K1 K2 | allocs K | calls K\n",
			argv[0]);
		return 2;
	}
	optmem = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uoffs = calloc(UMAX, sizeof(*uoffs));
	urefs = calloc(UMAX, sizeof(*urefs));
	ucookies = calloc(UMAX, sizeof(*ucookies));
	if (optmem == MAP_FAILED || !uoffs || !urefs || !ucookies) {
		perror("setup");
		return 2;
	}
	for (long i = 0; i < UMAX; i++) {
		uoffs[i] = 0x1000 + i;
		ucookies[i] = i;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "verify"))
		return do_verify();
	if (!strcmp(argv[1], "time") && argc == 4) {
		pin_cpu();
		return do_time(atoi(argv[2]), atol(argv[3]));
	}
	if (!strcmp(argv[1], "callgrind") && argc == 4)
		return do_callgrind(atol(argv[2]), atol(argv[3]));
	if (!strcmp(argv[1], "allocs") && argc == 3)
		return do_allocs(atol(argv[2]));
	if (!strcmp(argv[1], "calls") && argc == 3)
		return do_calls(atol(argv[2]));
	fprintf(stderr, "%s: bad arguments\n", argv[0]);
	return 2;
}
