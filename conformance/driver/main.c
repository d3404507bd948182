/*
 * The driver's main: the command line, the setup (region, print callback,
 * the children's stderr, the mount-namespace probe), the header lines, and
 * the order of the corpus: the fixed part, then the random cases.
 *
 * Separate so that the order in which cases run, which numbers them and so
 * keys every comparison, is written down in one place.
 *
 * Usage: driver [--seed N] [--cases M] [--case K] [--no-fixed] [--list] [--unrealistic]
 */
#include "driver.h"

long only_case = -1;	/* --case K */
int list_only;		/* --list: print the cases, do not run them */
int unrealistic;	/* --unrealistic: add the F_OBJ cases with impossible kernel answers */

int main(int argc, char **argv)
{
	uint64_t seed = (uint64_t)time(NULL);
	long nrandom = 3000, i;
	int fixed = 1;
	struct tcase c;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--cases") && i + 1 < argc)
			nrandom = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--case") && i + 1 < argc)
			only_case = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--no-fixed"))
			fixed = 0;
		else if (!strcmp(argv[i], "--list"))
			list_only = 1;
		else if (!strcmp(argv[i], "--unrealistic"))
			unrealistic = 1;
		else {
			fprintf(stderr, "usage: %s [--seed N] [--cases M] [--case K] [--no-fixed] [--list]"
				" [--unrealistic]\n", argv[0]);
			return 2;
		}
	}
	out = stdout;
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	setup_region();
#ifdef ORACLE
	if (libbpf_major_version() != 1 || libbpf_minor_version() != 7) {
		fprintf(stderr, "driver: the oracle is libbpf %s, not v1.7\n", libbpf_version_string());
		return 2;
	}
#endif
	default_printer = libbpf_set_print(print_cb);
	errfd = memfd_create("driver-child-stderr", 0);
	if (errfd >= 0) {
		/* far from the small fds the fake kernel hands out */
		int hi = fcntl(errfd, F_DUPFD_CLOEXEC, 900);

		if (hi >= 0) {
			close(errfd);
			errfd = hi;
		}
	}
	ns_ok = probe_ns();

	fprintf(out, "library %s\n", LIBNAME);
	fprintf(out, "object-API cases (private mount namespaces): %s\n", ns_ok ? "run" : "skipped, not root");
	fprintf(out, "seed %" PRIu64 " random cases %ld fixed %s\n", seed, nrandom, fixed ? "yes" : "no");
	if (fixed) {
		fixed_low_level();
		fixed_obj();
		fixed_helpers();
	}
	random_seed(seed);
	for (i = 0; i < nrandom; i++) {
		gen_random(&c);
		run_case(&c, "random");
	}
	fprintf(out, "== end %ld cases (%ld run)\n", ncase, nrun);
	fflush(out);
	return 0;
}
