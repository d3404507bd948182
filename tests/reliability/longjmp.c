/* longjmp.c: a print callback that never returns (it longjmps out of the
 * library, as some programs' error handlers do) leaks nothing in
 * bpf_link__pin / bpf_link__unpin (docs/reliability.md, "Print callbacks").
 *
 * Every message of the pin path is provoked ROUNDS times (default 200000,
 * argv[1] overrides) with a callback that longjmps out of the first
 * message, and the resident set size must stay flat (growth below 256 kB;
 * a path copy leaked per call is 32+ bytes: 6+ MB over 200000 calls):
 *   1. the path is not on bpffs      (WARN "specified path ... is not on BPF FS")
 *   2. the parent cannot be made     (WARN "failed to mkdir ...")
 *   3. statfs of the parent fails    (WARN "failed to statfs ...": the
 *      parent is a dangling symlink, so mkdir says EEXIST and statfs ENOENT)
 *   4. pinned                        (DEBUG "pinned at")
 *   5. unpinned                      (DEBUG "unpinned from")
 * Linked against libbpflink (.so, .a) every scenario must be flat; linked
 * against the real libbpf 1.7.0 (build/oracle) the figures are printed for
 * comparison only (libbpf prints the statfs WARN while it holds its copy
 * of the path, so scenario 3 leaks there).
 *
 * Needs root: run under `unshare --net --mount --propagation private`; a
 * private bpffs is mounted on a fresh directory, an XDP link on the
 * namespace's lo is what gets pinned. Output follows c-tests/check.h.
 */
#define _GNU_SOURCE
#include <bpflink.h>

#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../c-tests/check.h"

static jmp_buf back;
static long jumps;

static int jump_out(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	jumps++;
	longjmp(back, 1);
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

static int load_xdp_pass(void)
{
	struct bpf_insn insns[2];
	union bpf_attr attr;
	int fd;

	memset(insns, 0, sizeof(insns));
	insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
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

int main(int argc, char **argv)
{
	static const char *what[] = {
		"", "not on bpffs", "parent cannot be made", "statfs of the parent fails",
		"pinned (DEBUG pinned at)", "unpinned (DEBUG unpinned from)",
	};
	char dir[] = "/tmp/bpflink-longjmp-XXXXXX";
	char notbpf[] = "/tmp/bpflink-longjmp-notbpf-XXXXXX";
	char pinned[256], deep[256], dangling[256], via_dangling[512], fresh[256],
		outside[256];
	long rounds = argc > 1 ? atol(argv[1]) : 200000;
	const char *lib = argc > 2 ? argv[2] : "bpflink";
	int strict = strcmp(lib, "libbpf") != 0;
	struct bpf_link *link;
	int prog, lfd, scenario;

	if (geteuid() != 0) {
		SKIP("longjmp out of the print callback", "not root");
		return check_done();
	}
	if (!mkdtemp(dir) || mount("bpf", dir, "bpf", 0, NULL) || !mkdtemp(notbpf)) {
		SKIP("longjmp out of the print callback", "cannot mount bpffs: %s", strerror(errno));
		return check_done();
	}
	prog = load_xdp_pass();
	if (prog < 0) {
		SKIP("longjmp out of the print callback", "BPF_PROG_LOAD: %s", strerror(-prog));
		return check_done();
	}
	lfd = bpf_link_create(prog, 1, BPF_XDP, NULL);
	snprintf(pinned, sizeof(pinned), "%s/a", dir);
	snprintf(deep, sizeof(deep), "%s/missing/two/x", dir);
	snprintf(dangling, sizeof(dangling), "%s/dangling", notbpf);
	snprintf(via_dangling, sizeof(via_dangling), "%s/x", dangling);
	snprintf(fresh, sizeof(fresh), "%s/b", dir);
	snprintf(outside, sizeof(outside), "%s/x", notbpf);
	if (lfd < 0 || bpf_obj_pin(lfd, pinned) || symlink("/nonexistent-bpflink", dangling)) {
		CHECK(0, "setup: link %d, pin or symlink: %s", lfd, strerror(errno));
		return check_done();
	}
	link = bpf_link__open(pinned);
	if (!link || bpf_link__unpin(link)) {
		CHECK(0, "setup: bpf_link__open + unpin");
		return check_done();
	}

	for (scenario = 1; scenario <= 5; scenario++) {
		long i, before, after;

		jumps = 0;
		libbpf_set_print(jump_out);
		before = rss_kb();
		for (i = 0; i < rounds; i++) {
			if (setjmp(back))
				continue;
			switch (scenario) {
			case 1:
				bpf_link__pin(link, outside);
				break;
			case 2:
				bpf_link__pin(link, deep);
				break;
			case 3:
				bpf_link__pin(link, via_dangling);
				break;
			case 4:
				/* Jumps out of DEBUG "pinned at"; the pin is then
				 * removed silently for the next round. */
				libbpf_set_print(NULL);
				if (bpf_link__pin_path(link))
					bpf_link__unpin(link);
				libbpf_set_print(jump_out);
				bpf_link__pin(link, fresh);
				break;
			case 5:
				/* Jumps out of DEBUG "unpinned from" (the file is gone,
				 * the link still names it); the next round pins the file
				 * again and unpins silently first. */
				libbpf_set_print(NULL);
				if (bpf_link__pin_path(link)) {
					bpf_obj_pin(lfd, fresh);
					bpf_link__unpin(link);
				}
				bpf_link__pin(link, fresh);
				libbpf_set_print(jump_out);
				bpf_link__unpin(link);
				break;
			}
		}
		after = rss_kb();
		libbpf_set_print(NULL);
		if (bpf_link__pin_path(link)) {
			bpf_obj_pin(lfd, fresh);
			bpf_link__unpin(link);
		}
		printf("# %s: %s: %ld calls, %ld longjmps, RSS %ld -> %ld kB\n", lib, what[scenario],
		       rounds, jumps, before, after);
		CHECK(jumps == rounds, "%s: %s: the callback jumped out (%ld times)", lib,
		      what[scenario], jumps);
		if (strict)
			CHECK(after - before < 256,
			      "%s: %s: %ld longjmps out of the print callback leak nothing (RSS %ld -> %ld kB)",
			      lib, what[scenario], jumps, before, after);
	}
	bpf_link__destroy(link);
	close(lfd);
	unlink(pinned);
	unlink(dangling);
	rmdir(notbpf);
	umount(dir);
	rmdir(dir);
	return check_done();
}
