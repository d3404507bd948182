/* trace.c: BPFLINK_TRACE never hurts the program it lives in
 * (docs/reliability.md, "Tracing"). Each case runs this program again as a
 * child (fork + execve, so that BPFLINK_TRACE is read afresh) with the
 * trace pointed somewhere hostile, and checks that
 *   - every call returns what it returns untraced, errno included (the
 *     driver makes the same calls with tracing off and compares);
 *   - the child is not killed (SIGPIPE, SIGXFSZ), does not block (each
 *     child is bounded in time and killed otherwise), and has no signal
 *     pending and the same signal mask afterwards;
 *   - nothing lands where it must not (a file the program opened on a
 *     reused fd number, a symlink's target, another user's file), and
 *     string arguments come out quoted and escaped, one line per call;
 *   - a traced call made from a signal handler, thousands of times while
 *     the program allocates, neither deadlocks nor allocates (malloc and
 *     friends are interposed below and abort inside the handler).
 * Output follows c-tests/check.h; needs no BPF permission (the calls fail
 * either way, the same way traced or not), but the other-user case needs
 * root (chown) and is a skip without it.
 */
#define _GNU_SOURCE
#include <bpflink.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../c-tests/check.h"

/* ---- malloc interposition: allocating inside the handler aborts ------- */

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

static volatile sig_atomic_t in_handler;

static void allocation_in_handler(void)
{
	static const char msg[] = "allocation inside the signal handler\n";

	(void)!write(2, msg, sizeof(msg) - 1);
	abort();
}

void *malloc(size_t n)
{
	if (in_handler)
		allocation_in_handler();
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	if (in_handler)
		allocation_in_handler();
	return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	if (in_handler)
		allocation_in_handler();
	return __libc_realloc(p, n);
}

void free(void *p)
{
	if (in_handler && p)
		allocation_in_handler();
	__libc_free(p);
}

/* ---- the calls every case makes ---------------------------------------- */

#define NCALLS 5
#define RESULTS_FD 100
#define MISSING "/nonexistent/bpflink-trace"

struct outcome {
	int ret[NCALLS], err[NCALLS];
	int mask_changed, pipe_pending, xfsz_pending;
};

static void calls(struct outcome *o)
{
	sigset_t before, after, pending;

	/* The kernel fills only part of a sigset_t: compare zeroed ones. */
	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	memset(&pending, 0, sizeof(pending));
	sigprocmask(SIG_BLOCK, NULL, &before);
	errno = 0;
	o->ret[0] = bpf_link_get_fd_by_id(0);
	o->err[0] = errno;
	errno = 0;
	o->ret[1] = bpf_obj_get(MISSING);
	o->err[1] = errno;
	errno = 0;
	o->ret[2] = bpf_link_detach(-1);
	o->err[2] = errno;
	errno = 4242; /* a success must leave errno alone, traced or not */
	o->ret[3] = bpf_link__destroy(NULL);
	o->err[3] = errno;
	errno = 0;
	o->ret[4] = bpf_raw_tracepoint_open("no_such_tp", -1);
	o->err[4] = errno;
	sigprocmask(SIG_BLOCK, NULL, &after);
	sigpending(&pending);
	o->mask_changed = memcmp(&before, &after, sizeof(before)) != 0;
	o->pipe_pending = sigismember(&pending, SIGPIPE) == 1;
	o->xfsz_pending = sigismember(&pending, SIGXFSZ) == 1;
}

static int report(const struct outcome *o)
{
	return write(RESULTS_FD, o, sizeof(*o)) == (ssize_t)sizeof(*o) ? 0 : 5;
}

/* ---- child modes --------------------------------------------------------- */

/* The trace file's first use, then the program closes fds 3..63 (as
 * daemons do) and opens its own file, which gets the trace fd's number. */
static int child_fd_reuse(const char *own)
{
	struct outcome o;
	int fd, i;

	calls(&o);
	for (i = 3; i < 64; i++)
		close(i);
	fd = open(own, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd != 3)
		return 6;
	calls(&o);
	calls(&o);
	close(fd);
	return report(&o);
}

static volatile sig_atomic_t handled;

static void on_alarm(int sig)
{
	int saved = errno;

	(void)sig;
	in_handler = 1;
	(void)bpf_link_get_fd_by_id(0);
	(void)bpf_obj_get(MISSING);
	in_handler = 0;
	handled++;
	errno = saved;
}

/* Traced calls from a SIGALRM handler every 200 us while the main line
 * allocates and makes traced calls of its own; the first traced call of
 * the process is the handler's. */
static int child_handler(int rounds)
{
	struct itimerval every = { { 0, 200 }, { 0, 200 } };
	struct sigaction sa;
	struct timespec start, now;
	struct outcome o;
	void *p[64];
	unsigned n = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	memset(p, 0, sizeof(p));
	clock_gettime(CLOCK_MONOTONIC, &start);
	setitimer(ITIMER_REAL, &every, NULL);
	while (handled < rounds) {
		unsigned i = n++ % 64;

		free(p[i]);
		p[i] = malloc(16 + (n * 37) % 4000);
		if (handled > 0 && n % 1024 == 0)
			(void)bpf_link_detach(-1);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 30)
			return 7;
	}
	memset(&every, 0, sizeof(every));
	setitimer(ITIMER_REAL, &every, NULL);
	for (n = 0; n < 64; n++)
		free(p[n]);
	calls(&o);
	return report(&o);
}

/* String arguments: quotes, a newline, a backslash, a control byte; a
 * pointer that cannot be read; a string running into unmapped memory. */
static int child_escape(void)
{
	struct outcome o;
	char *pages;

	(void)bpf_obj_get("/tmp/bpflink \"q\"\nline\\x\001y");
	(void)bpf_raw_tracepoint_open("tp\n\"x\"", -1);
	(void)bpf_obj_get((const char *)1);
	{
		LIBBPF_OPTS(bpf_raw_tp_opts, ropts, .tp_name = "tp\"o");
		(void)bpf_raw_tracepoint_open_opts(-1, &ropts);
	}
	pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == MAP_FAILED || mprotect(pages + 4096, 4096, PROT_NONE))
		return 8;
	memcpy(pages + 4096 - 3, "abc", 3);
	(void)bpf_obj_get(pages + 4096 - 3);
	calls(&o);
	return report(&o);
}

static int child(const char *mode, const char *arg)
{
	struct outcome o;

	if (!strcmp(mode, "calls")) {
		calls(&o);
		return report(&o);
	}
	if (!strcmp(mode, "fd-reuse"))
		return child_fd_reuse(arg);
	if (!strcmp(mode, "handler"))
		return child_handler(atoi(arg));
	if (!strcmp(mode, "escape"))
		return child_escape();
	return 9;
}

/* ---- the driver ------------------------------------------------------------ */

static char self[4096];
static char dir[] = "/tmp/bpflink-trace-XXXXXX";
static struct outcome untraced;

struct setup {
	const char *trace;	/* BPFLINK_TRACE, NULL: unset */
	int stderr_fd;		/* -1: inherit */
	int fsize_zero;		/* RLIMIT_FSIZE 0 */
};

/* Runs `self mode arg` with `s`, for at most `limit_ms`; fills `o` from
 * the results pipe. Returns the wait status, -1 if it had to be killed;
 * *elapsed_ms how long it ran. */
static int run(const struct setup *s, const char *mode, const char *arg, int limit_ms,
	       struct outcome *o, long *elapsed_ms)
{
	struct timespec start, now;
	int p[2], status = 0;
	pid_t pid;
	ssize_t got;

	memset(o, 0, sizeof(*o));
	if (pipe2(p, O_CLOEXEC))
		return -2;
	clock_gettime(CLOCK_MONOTONIC, &start);
	pid = fork();
	if (pid == 0) {
		struct rlimit zero = { 0, 0 };

		dup2(p[1], RESULTS_FD);
		if (s->stderr_fd >= 0)
			dup2(s->stderr_fd, 2);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGXFSZ, SIG_DFL);
		if (s->fsize_zero)
			setrlimit(RLIMIT_FSIZE, &zero);
		if (s->trace)
			setenv("BPFLINK_TRACE", s->trace, 1);
		else
			unsetenv("BPFLINK_TRACE");
		execl(self, self, mode, arg, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		struct timespec tick = { 0, 2000000 };

		clock_gettime(CLOCK_MONOTONIC, &now);
		*elapsed_ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (w == pid)
			break;
		if (*elapsed_ms > limit_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			status = -1;
			break;
		}
		nanosleep(&tick, NULL);
	}
	got = read(p[0], o, sizeof(*o));
	close(p[0]);
	if (status >= 0 && got != (ssize_t)sizeof(*o) && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		status = 99 << 8; /* exited 0 without a report */
	return status;
}

static const char *how(int status)
{
	static char buf[64];

	if (status == -1)
		return "did not finish in time (blocked or deadlocked)";
	if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, sizeof(buf), "exit status %d", WEXITSTATUS(status));
	return buf;
}

/* The child ran to the end, and every call answered as untraced. */
static void check_unharmed(const char *what, int status, const struct outcome *o)
{
	int i, same = 1;

	CHECK(status == 0, "%s: the program ran to the end (%s)", what, how(status));
	if (status != 0)
		return;
	for (i = 0; i < NCALLS; i++)
		if (o->ret[i] != untraced.ret[i] || o->err[i] != untraced.err[i])
			same = 0;
	CHECK(same, "%s: every call returned what it returns untraced, errno included", what);
	CHECK(!o->mask_changed && !o->pipe_pending && !o->xfsz_pending,
	      "%s: signal mask unchanged, no SIGPIPE/SIGXFSZ pending", what);
}

static char *path(const char *name)
{
	static char bufs[8][4200];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
	return b;
}

static long file_size(const char *p)
{
	struct stat st;

	return stat(p, &st) ? -1 : (long)st.st_size;
}

static char *slurp(const char *p)
{
	static char buf[8 << 20];
	ssize_t n;
	int fd = open(p, O_RDONLY | O_CLOEXEC);

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static int count_lines(const char *text, const char *prefix, int *malformed)
{
	int n = 0;
	const char *line = text;

	*malformed = 0;
	while (*line) {
		const char *end = strchr(line, '\n');

		if (!end) {
			(*malformed)++;
			printf("# unterminated line: %s\n", line);
			break;
		}
		if (strncmp(line, prefix, strlen(prefix))) {
			(*malformed)++;
			printf("# malformed line: %.*s\n", (int)(end - line), line);
		}
		else
			n++;
		line = end + 1;
	}
	return n;
}

static void case_fifo(void)
{
	struct setup s = { path("fifo"), -1, 0 };
	struct outcome o;
	long ms;
	int st, rd, malformed;
	char buf[4096];
	ssize_t n;

	if (mkfifo(s.trace, 0600)) {
		CHECK(0, "mkfifo: %s", strerror(errno));
		return;
	}
	st = run(&s, "calls", "", 10000, &o, &ms);
	check_unharmed("FIFO without a reader", st, &o);
	CHECK(ms < 3000, "FIFO without a reader: the first traced call did not block (%ld ms)", ms);

	/* With a reader the lines arrive (the FIFO itself is acceptable). */
	rd = open(s.trace, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	st = run(&s, "calls", "", 10000, &o, &ms);
	check_unharmed("FIFO with a reader", st, &o);
	n = rd >= 0 ? read(rd, buf, sizeof(buf) - 1) : -1;
	buf[n > 0 ? n : 0] = '\0';
	CHECK(count_lines(buf, "bpflink[", &malformed) == NCALLS && !malformed,
	      "FIFO with a reader: %d lines arrived", NCALLS);
	if (rd >= 0)
		close(rd);
}

static void case_broken_pipe(void)
{
	struct setup s = { "1", -1, 0 };
	struct outcome o;
	long ms;
	int p[2], st;

	if (pipe2(p, O_CLOEXEC))
		return;
	close(p[0]);
	s.stderr_fd = p[1];
	st = run(&s, "calls", "", 10000, &o, &ms);
	check_unharmed("BPFLINK_TRACE=1, stderr a broken pipe (no SIGPIPE death)", st, &o);
	close(p[1]);
}

static void case_full_pipe(void)
{
	struct setup s = { "1", -1, 0 };
	struct outcome o;
	char junk[4096];
	long ms;
	int p[2], st, fl;

	if (pipe2(p, O_CLOEXEC))
		return;
	memset(junk, 'j', sizeof(junk));
	fl = fcntl(p[1], F_GETFL);
	fcntl(p[1], F_SETFL, fl | O_NONBLOCK);
	while (write(p[1], junk, sizeof(junk)) > 0)
		;
	fcntl(p[1], F_SETFL, fl); /* the program's stderr: blocking, and full */
	s.stderr_fd = p[1];
	st = run(&s, "calls", "", 10000, &o, &ms);
	check_unharmed("BPFLINK_TRACE=1, stderr a full blocking pipe", st, &o);
	CHECK(ms < 3000, "full pipe: no traced call blocked (%ld ms)", ms);
	close(p[0]);
	close(p[1]);
}

static void case_file_size_limit(void)
{
	struct setup s = { path("fsize"), -1, 1 };
	struct outcome o;
	long ms;
	int st, fd;

	st = run(&s, "calls", "", 10000, &o, &ms);
	check_unharmed("ulimit -f 0, BPFLINK_TRACE=<file> (no SIGXFSZ death)", st, &o);
	fd = open(path("stderr-file"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	s.trace = "1";
	s.stderr_fd = fd;
	st = run(&s, "calls", "", 10000, &o, &ms);
	check_unharmed("ulimit -f 0, BPFLINK_TRACE=1 with stderr a file", st, &o);
	close(fd);
}

static void case_fd_reuse(void)
{
	struct setup s = { path("reuse-trace"), -1, 0 };
	struct outcome o;
	long ms;
	int st, malformed, lines;

	st = run(&s, "fd-reuse", path("own-file"), 10000, &o, &ms);
	check_unharmed("fd reuse (fds 3..63 closed, own file opened)", st, &o);
	CHECK(file_size(path("own-file")) == 0,
	      "fd reuse: no trace line landed in the program's own file (%ld bytes)",
	      file_size(path("own-file")));
	lines = count_lines(slurp(s.trace), "bpflink[", &malformed);
	CHECK(lines == 3 * NCALLS && !malformed,
	      "fd reuse: the trace file was reopened and has all %d lines (got %d)", 3 * NCALLS,
	      lines);
}

static void case_handler(void)
{
	struct setup s = { path("handler-trace"), -1, 0 };
	struct outcome o;
	long ms;
	int st, malformed, lines, i;
	const int rounds = 3000;
	char arg[16];

	snprintf(arg, sizeof(arg), "%d", rounds);
	for (i = 0; i < 3; i++) {
		unlink(s.trace);
		st = run(&s, "handler", arg, 60000, &o, &ms);
		check_unharmed("traced calls from a signal handler while the program allocates", st,
			       &o);
		lines = count_lines(slurp(s.trace), "bpflink[", &malformed);
		CHECK(lines >= 2 * rounds + NCALLS && !malformed,
		      "signal handler run %d: %d handler calls traced, every line whole (%d lines, %d malformed, %ld ms)",
		      i + 1, rounds, lines, malformed, ms);
	}
}

static void case_symlink(void)
{
	struct setup s = { path("link"), -1, 0 };
	struct outcome o;
	struct stat st_;
	long ms;
	int st, fd;

	fd = open(path("target"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	close(fd);
	if (symlink(path("target"), s.trace))
		return;
	st = run(&s, "calls", "", 10000, &o, &ms);
	check_unharmed("BPFLINK_TRACE=<symlink to a file>", st, &o);
	CHECK(file_size(path("target")) == 0, "symlink refused: nothing written to its target");
	s.trace = path("dangling");
	if (symlink(path("not-there"), s.trace))
		return;
	st = run(&s, "calls", "", 10000, &o, &ms);
	check_unharmed("BPFLINK_TRACE=<dangling symlink>", st, &o);
	CHECK(lstat(path("not-there"), &st_) != 0, "dangling symlink refused: its target not created");
}

static void case_foreign_owner(void)
{
	struct setup s = { path("foreign"), -1, 0 };
	struct outcome o;
	long ms;
	int st, fd;

	if (geteuid() != 0) {
		SKIP("a trace file owned by another user is refused", "needs root (chown)");
		return;
	}
	fd = open(s.trace, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0 || fchown(fd, 65534, 65534)) {
		CHECK(0, "create a file owned by 65534: %s", strerror(errno));
		return;
	}
	close(fd);
	st = run(&s, "calls", "", 10000, &o, &ms);
	check_unharmed("BPFLINK_TRACE=<a file owned by another user>", st, &o);
	CHECK(file_size(s.trace) == 0, "a file owned by another user is refused (%ld bytes written)",
	      file_size(s.trace));
	/* Positive control: the same file owned by us takes the lines. */
	if (chown(s.trace, 0, 0) == 0) {
		run(&s, "calls", "", 10000, &o, &ms);
		CHECK(file_size(s.trace) > 0, "control: once owned by the caller, the file is used");
	}
}

static void case_escape(void)
{
	struct setup s = { path("escape-trace"), -1, 0 };
	struct outcome o;
	long ms;
	int st, malformed, lines;
	const char *text;

	st = run(&s, "escape", "", 10000, &o, &ms);
	check_unharmed("string arguments", st, &o);
	text = slurp(s.trace);
	lines = count_lines(text, "bpflink[", &malformed);
	CHECK(lines == 5 + NCALLS && !malformed, "strings: one whole line per call (%d lines)", lines);
	CHECK(strstr(text, "bpf_obj_get(pathname=\"/tmp/bpflink \\\"q\\\"\\nline\\\\x\\x01y\") = ") != NULL,
	      "a pin path with quotes, a newline, a backslash and \\x01 is printed quoted and escaped");
	CHECK(strstr(text, "bpf_raw_tracepoint_open(name=\"tp\\n\\\"x\\\"\", prog_fd=-1) = ") != NULL,
	      "a tracepoint name is printed quoted and escaped");
	CHECK(strstr(text, ", tp_name=\"tp\\\"o\") = ") != NULL,
	      "bpf_raw_tracepoint_open_opts shows opts->tp_name, quoted and escaped");
	CHECK(strstr(text, "bpf_obj_get(pathname=0x1) = ") != NULL,
	      "an unreadable string pointer is printed as its address");
	CHECK(strstr(text, "bpf_obj_get(pathname=\"abc\"...) = ") != NULL,
	      "a string running into unmapped memory is shown up to there");
	CHECK(strstr(text, "bpf_obj_get(pathname=\"" MISSING "\") = ") != NULL,
	      "an ordinary path is printed as the string");
	if (malformed || lines != 5 + NCALLS)
		printf("# %s", text);
}

int main(int argc, char **argv)
{
	struct outcome o;
	ssize_t n;

	if (argc >= 2)
		return child(argv[1], argc >= 3 ? argv[2] : "");
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 1;
	self[n] = '\0';
	unsetenv("BPFLINK_TRACE");
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return check_done();
	}
	chmod(dir, 0755);
	calls(&untraced);
	{
		/* The reference run, untraced, in a child like the others. */
		struct setup s = { NULL, -1, 0 };
		long ms;
		int st = run(&s, "calls", "", 10000, &o, &ms);

		check_unharmed("untraced child (reference)", st, &o);
	}
	case_fifo();
	case_broken_pipe();
	case_full_pipe();
	case_file_size_limit();
	case_fd_reuse();
	case_symlink();
	case_foreign_owner();
	case_escape();
	case_handler();
	{
		char cmd[4200];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return check_done();
}
