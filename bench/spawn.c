/*
 * Load time without hyperfine: fork+exec+wait of each given program, N
 * rounds, the programs interleaved round by round (so drift hits all of
 * them alike). Prints, per program:
 *   "L name median_us p10_us p90_us maxrss_kb"
 */
#define _GNU_SOURCE
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "bench.h"

extern char **environ;

int main(int argc, char **argv)
{
	int n, np;
	uint64_t **t;
	long *rss;

	if (argc < 3) {
		fprintf(stderr, "usage: %s N prog...\n", argv[0]);
		return 2;
	}
	n = atoi(argv[1]);
	np = argc - 2;
	t = calloc(np, sizeof(*t));
	rss = calloc(np, sizeof(*rss));
	for (int p = 0; p < np; p++)
		t[p] = calloc(n, sizeof(uint64_t));
	for (int r = -n / 10; r < n; r++)	/* the first rounds warm the page cache */
		for (int p = 0; p < np; p++) {
			char *av[] = { argv[2 + p], NULL };
			struct rusage ru;
			pid_t pid;
			int st;
			uint64_t t0 = now_ns();

			if (posix_spawn(&pid, argv[2 + p], NULL, NULL, av, environ)) {
				perror(argv[2 + p]);
				return 1;
			}
			if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
				fprintf(stderr, "%s failed\n", argv[2 + p]);
				return 1;
			}
			if (r >= 0) {
				t[p][r] = now_ns() - t0;
				if (ru.ru_maxrss > rss[p])
					rss[p] = ru.ru_maxrss;
			}
		}
	for (int p = 0; p < np; p++) {
		const char *name = strrchr(argv[2 + p], '/');

		qsort(t[p], n, sizeof(uint64_t), cmp_u64);
		printf("L %s %.1f %.1f %.1f %ld\n", name ? name + 1 : argv[2 + p], t[p][n / 2] / 1e3,
		       t[p][n / 10] / 1e3, t[p][n * 9 / 10] / 1e3, rss[p]);
	}
	return 0;
}
