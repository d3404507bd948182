/* soak.c: what held under attack keeps holding (docs/reliability.md,
 * "Keep what held"), on the real kernel:
 *   cycles N      N create / get_info / get_fd_by_id / close cycles of a
 *                 cgroup link: open fds exactly as before, RSS flat
 *                 (growth < 512 kB after a warm-up of 1000 cycles);
 *   emfile        with RLIMIT_NOFILE exhausted every fd-making call answers
 *                 -EMFILE (errno EMFILE) and, once fds are free again, the
 *                 process has exactly the fds it had and no link is left;
 *                 also the fd-0 case: stdin closed and the only free slot,
 *                 the kernel's fd 0 cannot be moved above 2, so it is
 *                 closed again and -EMFILE returned (libbpf's WARN printed);
 *   threads S     8 threads for S seconds each creating, updating, reading,
 *                 pinning, opening and closing links: every call succeeds,
 *                 fds as before, every link released;
 *   forks N       N forks while 2 threads make calls (bpf_link__open, which
 *                 allocates, bpf_obj_get); each child makes calls of its own
 *                 and exits: no child hangs (bounded), every child exits 0.
 * The same source is linked against libbpflink (.so and .a) and against
 * the real libbpf 1.7.0 (build/oracle), which run.sh also runs with
 * LD_PRELOAD=libbpflink.so: `which` prints the library that provides
 * bpf_link_create, so that a preload run proves it was bpflink.
 * Runs as root under `unshare --net --mount --propagation private` (a
 * private bpffs at a fresh directory; a fresh cgroup, removed at the end).
 * Output follows c-tests/check.h.
 */
#define _GNU_SOURCE
#include <bpflink.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../c-tests/check.h"

static char bpffs[] = "/tmp/bpflink-soak-XXXXXX";
static char cgroup[256];
static int cg_fd = -1, prog = -1;

static int load_cgroup_skb(void)
{
	struct bpf_insn insns[2];
	union bpf_attr attr;
	int fd;

	memset(insns, 0, sizeof(insns));
	insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
	insns[0].imm = 1;
	insns[1].code = BPF_JMP | BPF_EXIT;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_SKB;
	attr.insns = (__u64)(unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (__u64)(unsigned long)"GPL";
	attr.expected_attach_type = BPF_CGROUP_INET_EGRESS;
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

static long rss_kb(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static __u32 link_id(int fd)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_link_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* The ids of links attached to our cgroup (by walking every link). */
static int links_on_our_prog(void)
{
	struct bpf_prog_info pinfo;
	__u32 plen = sizeof(pinfo), id = 0, next;
	int n = 0;

	memset(&pinfo, 0, sizeof(pinfo));
	if (bpf_obj_get_info_by_fd(prog, &pinfo, &plen))
		return -1;
	while (bpf_link_get_next_id(id, &next) == 0) {
		int fd = bpf_link_get_fd_by_id(next);

		id = next;
		if (fd < 0)
			continue;
		{
			struct bpf_link_info info;
			__u32 len = sizeof(info);

			memset(&info, 0, sizeof(info));
			if (!bpf_link_get_info_by_fd(fd, &info, &len) && info.prog_id == pinfo.id)
				n++;
		}
		close(fd);
	}
	return n;
}

/* Waits (bounded) until no link of ours is left: release is asynchronous. */
static int wait_released(void)
{
	double end = now() + 10;
	int n;

	while ((n = links_on_our_prog()) > 0 && now() < end) {
		struct timespec t = { 0, 20000000 };

		nanosleep(&t, NULL);
	}
	return n;
}

/* ---- cycles --------------------------------------------------------------- */

static int one_cycle(void)
{
	int l = bpf_link_create(prog, cg_fd, BPF_CGROUP_INET_EGRESS, NULL), f;
	__u32 id;

	if (l < 3)
		return 0;
	id = link_id(l);
	f = id ? bpf_link_get_fd_by_id(id) : -1;
	close(l);
	if (f < 3)
		return 0;
	close(f);
	return 1;
}

static void do_cycles(long n)
{
	long i, ok = 0, before, after;
	int fds;

	for (i = 0; i < 1000; i++)
		one_cycle();
	fds = count_fds();
	before = rss_kb();
	for (i = 0; i < n; i++)
		ok += one_cycle();
	after = rss_kb();
	printf("# cycles: %ld create/info/get_fd_by_id/close, fds %d -> %d, RSS %ld -> %ld kB\n", n,
	       fds, count_fds(), before, after);
	CHECK(ok == n, "%ld of %ld create/info/get_fd_by_id/close cycles succeeded", ok, n);
	CHECK(count_fds() == fds, "fds flat over the cycles (%d before, %d after)", fds, count_fds());
	CHECK(after - before < 512, "RSS flat over the cycles (%ld -> %ld kB)", before, after);
	CHECK(wait_released() == 0, "every link of the cycles released");
}

/* ---- emfile ---------------------------------------------------------------- */

static char messages[1024];

static int capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t used = strlen(messages);

	(void)level;
	if (used < sizeof(messages) - 1)
		vsnprintf(messages + used, sizeof(messages) - used, fmt, ap);
	return 0;
}

static void do_emfile(void)
{
	struct rlimit lim = { 64, 64 }, old;
	int fds = count_fds(), fill[64], nfill = 0, l, r, e, pin_ok;
	char pin[300];
	__u32 id;

	l = bpf_link_create(prog, cg_fd, BPF_CGROUP_INET_EGRESS, NULL);
	id = link_id(l);
	snprintf(pin, sizeof(pin), "%s/emfile", bpffs);
	pin_ok = bpf_obj_pin(l, pin) == 0;
	CHECK(l >= 3 && id && pin_ok, "emfile setup: a link (fd %d, id %u), pinned", l, id);
	getrlimit(RLIMIT_NOFILE, &old);
	setrlimit(RLIMIT_NOFILE, &lim);
	while (nfill < 64 && (fill[nfill] = open("/dev/null", O_RDONLY)) >= 0)
		nfill++;
	errno = 0;
	r = bpf_link_create(prog, cg_fd, BPF_CGROUP_INET_EGRESS, NULL);
	e = errno;
	CHECK(r == -EMFILE && e == EMFILE, "no fd left: bpf_link_create = %d, errno %d (-EMFILE)", r, e);
	errno = 0;
	r = bpf_link_get_fd_by_id(id);
	e = errno;
	CHECK(r == -EMFILE && e == EMFILE, "no fd left: bpf_link_get_fd_by_id = %d, errno %d", r, e);
	errno = 0;
	r = bpf_obj_get(pin);
	e = errno;
	CHECK(r == -EMFILE && e == EMFILE, "no fd left: bpf_obj_get = %d, errno %d", r, e);
	errno = 0;
	CHECK(bpf_link__open(pin) == NULL && errno == EMFILE, "no fd left: bpf_link__open = NULL, errno EMFILE");

	/* Only fd 0 free: the kernel hands out 0, which cannot be moved. */
	close(0);
	messages[0] = '\0';
	libbpf_set_print(capture);
	errno = 0;
	r = bpf_link_get_fd_by_id(id);
	e = errno;
	libbpf_set_print(NULL);
	CHECK(r == -EMFILE && e == EMFILE, "only fd 0 free: bpf_link_get_fd_by_id = %d, errno %d", r, e);
	CHECK(fcntl(0, F_GETFD) == -1 && errno == EBADF, "only fd 0 free: fd 0 closed again");
	CHECK(strstr(messages, "failed to dup FD 0 to FD > 2: -24") != NULL,
	      "only fd 0 free: libbpf's WARN (\"%.*s\")", (int)strcspn(messages, "\n"), messages);
	if (open("/dev/null", O_RDONLY) != 0)
		printf("# could not restore fd 0\n");

	while (nfill > 0)
		close(fill[--nfill]);
	setrlimit(RLIMIT_NOFILE, &old);
	unlink(pin);
	close(l);
	CHECK(count_fds() == fds, "after exhaustion: exactly the fds from before (%d, %d)", fds,
	      count_fds());
	CHECK(wait_released() == 0, "after exhaustion: no link left behind");
	r = bpf_link_create(prog, cg_fd, BPF_CGROUP_INET_EGRESS, NULL);
	CHECK(r >= 3, "after exhaustion: bpf_link_create works again (%d)", r);
	if (r >= 0)
		close(r);
}

/* ---- threads --------------------------------------------------------------- */

static double deadline;
static atomic_long calls_made, failures;

static void fail_once(const char *what, int r)
{
	if (atomic_fetch_add(&failures, 1) < 5)
		printf("# thread call failed: %s = %d (errno %d)\n", what, r, errno);
}

static void *worker(void *arg)
{
	long me = (long)arg, n = 0;
	char pin[300];

	snprintf(pin, sizeof(pin), "%s/t%ld", bpffs, me);
	while (now() < deadline) {
		LIBBPF_OPTS(bpf_link_update_opts, up, .flags = BPF_F_REPLACE, .old_prog_fd = prog);
		int l = bpf_link_create(prog, cg_fd, BPF_CGROUP_INET_EGRESS, NULL), f, g, r;
		struct bpf_link *obj;
		__u32 id;

		if (l < 3) {
			fail_once("bpf_link_create", l);
			continue;
		}
		r = bpf_link_update(l, prog, &up);
		if (r)
			fail_once("bpf_link_update(BPF_F_REPLACE)", r);
		id = link_id(l);
		f = bpf_link_get_fd_by_id(id);
		if (f < 3)
			fail_once("bpf_link_get_fd_by_id", f);
		r = bpf_obj_pin(l, pin);
		if (r)
			fail_once("bpf_obj_pin", r);
		g = bpf_obj_get(pin);
		if (g < 3)
			fail_once("bpf_obj_get", g);
		obj = bpf_link__open(pin);
		if (!obj)
			fail_once("bpf_link__open", -errno);
		else if (bpf_link__unpin(obj) || bpf_link__destroy(obj))
			fail_once("bpf_link__unpin/destroy", -errno);
		if (f >= 0)
			close(f);
		if (g >= 0)
			close(g);
		close(l);
		n += 7;
	}
	atomic_fetch_add(&calls_made, n);
	return NULL;
}

static void do_threads(double seconds)
{
	pthread_t t[8];
	long i;
	int fds = count_fds();

	deadline = now() + seconds;
	for (i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	printf("# threads: 8 x %.0f s, %ld calls, %ld failed\n", seconds, (long)calls_made,
	       (long)failures);
	CHECK(calls_made > 0 && failures == 0,
	      "8 threads x %.0f s: %ld calls, every one succeeded", seconds, (long)calls_made);
	CHECK(count_fds() == fds, "threads: fds as before (%d, %d)", fds, count_fds());
	CHECK(wait_released() == 0, "threads: every link released");
}

/* ---- forks ----------------------------------------------------------------- */

static atomic_int stop_callers;

static const char *forks_pin;

/* Calls that allocate (bpf_link__open), make fds and fail, as fast as
 * they go, so that forks land inside them. */
static void *caller(void *arg)
{
	(void)arg;
	while (!stop_callers) {
		struct bpf_link *obj = bpf_link__open(forks_pin);
		int f = bpf_obj_get(forks_pin);

		if (obj)
			bpf_link__destroy(obj);
		if (f >= 0)
			close(f);
		obj = bpf_link__open("/nonexistent/bpflink-soak");
		if (obj)
			bpf_link__destroy(obj);
	}
	return NULL;
}

static void do_forks(int n)
{
	pthread_t t[2];
	int i, bad = 0, hung = 0;
	char pin[300];
	int l = bpf_link_create(prog, cg_fd, BPF_CGROUP_INET_EGRESS, NULL);

	snprintf(pin, sizeof(pin), "%s/forks", bpffs);
	if (l < 3 || bpf_obj_pin(l, pin)) {
		CHECK(0, "forks setup");
		return;
	}
	forks_pin = pin;
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, caller, NULL);
	for (i = 0; i < n; i++) {
		pid_t pid = fork();
		double end;
		int status = 0;

		if (pid == 0) {
			struct bpf_link *obj = bpf_link__open(pin);
			int f = bpf_link_get_fd_by_id(link_id(l));
			int ok = obj && f >= 3 && bpf_link__destroy(obj) == 0;

			_exit(ok ? 0 : 3);
		}
		end = now() + 10;
		while (waitpid(pid, &status, WNOHANG) == 0) {
			struct timespec tick = { 0, 100000 };

			if (now() > end) {
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				hung++;
				break;
			}
			nanosleep(&tick, NULL);
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad++;
	}
	stop_callers = 1;
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	unlink(pin);
	close(l);
	CHECK(hung == 0, "%d forks while 2 threads call: no child hung", n);
	CHECK(bad == 0, "%d forks while 2 threads call: every child's calls succeeded (%d did not)", n,
	      bad);
	CHECK(wait_released() == 0, "forks: every link released");
}

/* ---- main ------------------------------------------------------------------- */

static int setup(void)
{
	const char *roots[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" };
	unsigned i;

	if (!mkdtemp(bpffs) || mount("bpf", bpffs, "bpf", 0, NULL))
		return -1;
	for (i = 0; i < 2; i++) {
		snprintf(cgroup, sizeof(cgroup), "%s/bpflink-soak-%d", roots[i], (int)getpid());
		if (mkdir(cgroup, 0755) == 0)
			break;
		cgroup[0] = '\0';
	}
	if (!cgroup[0])
		return -2;
	cg_fd = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	prog = load_cgroup_skb();
	return cg_fd >= 0 && prog >= 0 ? 0 : -3;
}

static void teardown(void)
{
	if (cg_fd >= 0)
		close(cg_fd);
	if (cgroup[0]) {
		double end = now() + 5;

		while (rmdir(cgroup) && errno == EBUSY && now() < end) {
			struct timespec t = { 0, 20000000 };

			nanosleep(&t, NULL);
		}
	}
	umount(bpffs);
	rmdir(bpffs);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	const char *param = argc > 2 ? argv[2] : "0";
	Dl_info where;
	int r;

	if (!strcmp(mode, "which")) {
		void *sym = dlsym(RTLD_DEFAULT, "bpf_link_create");

		printf("%s\n", sym && dladdr(sym, &where) ? where.dli_fname : "?");
		return 0;
	}
	/* fds 0-2 open (CI may start us without stdin), messages silenced. */
	while ((r = open("/dev/null", O_RDWR)) >= 0 && r < 3)
		;
	if (r >= 3)
		close(r);
	libbpf_set_print(NULL);
	if (geteuid() != 0) {
		SKIP("soak on the real kernel", "not root");
		return check_done();
	}
	r = setup();
	if (r) {
		SKIP("soak on the real kernel", "setup failed (%d): %s", r, strerror(errno));
		teardown();
		return check_done();
	}
	if (!strcmp(mode, "cycles"))
		do_cycles(atol(param));
	else if (!strcmp(mode, "emfile"))
		do_emfile();
	else if (!strcmp(mode, "threads"))
		do_threads(atof(param));
	else if (!strcmp(mode, "forks"))
		do_forks(atoi(param));
	else
		CHECK(0, "unknown mode '%s'", mode);
	teardown();
	return check_done();
}
