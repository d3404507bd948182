/*
 * The memory the driver shares: the region mapped at a fixed address, from
 * which every pointer the libraries see comes (opts, path and tracepoint
 * strings, output buffers), and *S, the MAP_SHARED block a case's child
 * leaves its records in for the parent.
 *
 * Separate because the region is the one thing the transcripts of the
 * different processes depend on byte for byte (addresses end up in attr):
 * its layout is in driver.h (R_BASE, OFF_*), its contents are made here.
 */
#include "driver.h"

static const char PATH_STR[] = "/sys/fs/bpf/conformance/link";
static const char TP_STR[] = "sys_enter";

struct shared *S;

uint8_t *opts_addr(const struct tcase *c)
{
	uint8_t *R = (uint8_t *)R_BASE;

	return c->place ? R + R_SIZE - c->place : R + OFF_OPTS + c->mis;
}

size_t mapped_img(const struct tcase *c)
{
	return c->place && c->place < IMG ? (size_t)c->place : IMG;
}

static const char *const PATHS[] = {
	BASE "/bpf/link",			/*  0 bpffs, the parent exists */
	BASE "/bpf/sub/link",			/*  1 */
	BASE "/bpf/new/link",			/*  2 the parent is created (0700) */
	BASE "/bpf/missing/two/link",		/*  3 two levels missing: ENOENT */
	BASE "/tmp/link",			/*  4 tmpfs: not on BPF FS */
	BASE "/tmp/new/link",			/*  5 created on tmpfs, then not on BPF FS */
	BASE "/file/link",			/*  6 a regular file as the parent */
	BASE "/file/x/link",			/*  7 ENOTDIR */
	BASE "/ro/link",			/*  8 read-only tmpfs */
	BASE "/ro/new/link",			/*  9 EROFS */
	BASE "/dangling/link",			/* 10 dangling symlink: statfs ENOENT */
	BASE "/loop/link",			/* 11 symlink loop: statfs ELOOP */
	BASE "/tobpf/link",			/* 12 symlink to the bpffs */
	"link",					/* 13 relative */
	"bpf/link",				/* 14 */
	"./bpf/sub/link",			/* 15 */
	"../bpflink-conformance/bpf/link",	/* 16 */
	"",					/* 17 */
	"/",					/* 18 */
	"//",					/* 19 */
	"///x",					/* 20 */
	"//x",					/* 21 */
	BASE "/bpf/link/",			/* 22 trailing slash */
	BASE "/bpf//sub//link",			/* 23 */
	BASE "/bpf/sub/",			/* 24 */
	BASE "/bpf",				/* 25 the mount point itself */
	BASE "/bpf/pinned",			/* 26 exists (symlink): unlink works */
	BASE "/tmp/pinned",			/* 27 exists (regular file) */
	BASE "/bpf/dir",			/* 28 a directory: unlink EISDIR */
	".",					/* 29 */
	"..",					/* 30 */
	BASE "/bpf/sub/../link",		/* 31 */
	BASE "/bpf/%s%d\\\"\t\xc3\xa9",		/* 32 format characters, escapes, UTF-8 */
	"bpf/",					/* 33 */
	"x/",					/* 34 */
	"/x",					/* 35 */
	BASE "/bpf/sub/pinned",			/* 36 exists (symlink) */
	"tmp/bpflink-conformance/bpf/link",	/* 37 relative to / */
};
#define P_LONGNAME NF(PATHS)		/* BASE/bpf/<300 x n>/link: ENAMETOOLONG */
#define P_LONGPATH (P_LONGNAME + 1)	/* longer than PATH_MAX */
#define P_LONGOK (P_LONGNAME + 2)	/* BASE/bpf/sub/<240 x p>: long but fine */
_Static_assert(NF(PATHS) == N_PATH_STRINGS, "N_PATH_STRINGS in driver.h counts PATHS");
static uint32_t path_off[NPATHS];

static void setup_paths(uint8_t *R)
{
	static char buf[4600];
	uint32_t off = OFF_PATHS;
	int i, j;

	for (i = 0; i < NPATHS; i++) {
		if (i < P_LONGNAME) {
			snprintf(buf, sizeof(buf), "%s", PATHS[i]);
		} else if (i == P_LONGNAME) {
			strcpy(buf, BASE "/bpf/");
			memset(buf + strlen(buf), 'n', 300);
			strcpy(buf + strlen(BASE "/bpf/") + 300, "/link");
		} else if (i == P_LONGPATH) {
			strcpy(buf, BASE "/bpf/");
			for (j = 0; j < 400; j++)
				strcat(buf, "d123456789/");
			strcat(buf, "link");
		} else {
			strcpy(buf, BASE "/bpf/sub/");
			memset(buf + strlen(buf), 'p', 240);
			buf[strlen(BASE "/bpf/sub/") + 240] = 0;
		}
		path_off[i] = off;
		memcpy(R + off, buf, strlen(buf) + 1);
		off += (strlen(buf) + 16) & ~15u;
	}
	if (off > OFF_OPTS) {
		fprintf(stderr, "driver: the path strings do not fit below OFF_OPTS\n");
		exit(2);
	}
}

const char *path_ptr(int i)
{
	return i < 0 ? NULL : (const char *)(R_BASE + path_off[i]);
}

void setup_region(void)
{
	void *p = mmap((void *)R_BASE, R_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != (void *)R_BASE) {
		fprintf(stderr, "driver: cannot map the fixed region at 0x%lx\n", R_BASE);
		exit(2);
	}
	/* the page after the region must be unmapped: msync says ENOMEM. Under
	 * qemu-user, which keeps a 32-bit guest's whole address space reserved,
	 * msync cannot tell; there write() from the page must fail with EFAULT
	 * (not asked first: valgrind reports that write as an error) */
	if (msync((char *)R_BASE + R_SIZE, 4096, MS_ASYNC) == 0 || errno != ENOMEM) {
		int pfd[2];
		ssize_t w;

		if (pipe(pfd)) {
			perror("pipe");
			exit(2);
		}
		w = write(pfd[1], (char *)R_BASE + R_SIZE, 1);
		if (w >= 0 || errno != EFAULT) {
			fprintf(stderr, "driver: the page after the region is mapped\n");
			exit(2);
		}
		close(pfd[0]);
		close(pfd[1]);
	}
	memcpy((char *)p + OFF_PATH, PATH_STR, sizeof(PATH_STR));
	memcpy((char *)p + OFF_TP, TP_STR, sizeof(TP_STR));
	setup_paths(p);
	S = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (S == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	fake_state = &S->fk;
}
