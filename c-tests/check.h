/* check.h: the few lines of test harness every c-tests program shares.
 *
 * Each check prints one line that c-tests/run.sh counts:
 *   ok <what>
 *   FAIL <what> (file:line)
 *   skip <what>: <reason>
 * Anything else a test prints should start with "# " (a diagnostic).
 * check_done() returns the exit status: 1 if any check failed.
 */
#ifndef BPFLINK_CHECK_H
#define BPFLINK_CHECK_H

#include <stdarg.h>
#include <stdio.h>

/* Not every test uses every helper. */
#define CHECK__UNUSED __attribute__((unused))

static int check__failed CHECK__UNUSED;

__attribute__((format(printf, 4, 5))) CHECK__UNUSED
static int check__report(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fputs(ok ? "ok " : "FAIL ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (ok)
		putchar('\n');
	else
		printf(" (%s:%d)\n", file, line);
	fflush(stdout);
	if (!ok)
		check__failed = 1;
	return ok;
}

/* CHECK(cond, "printf format", args...): one check, one line. */
#define CHECK(cond, ...) check__report(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

CHECK__UNUSED static int check__eq(long long actual, long long expected,
				   const char *file, int line, const char *what)
{
	if (actual == expected)
		return check__report(1, file, line, "%s == %lld", what, expected);
	return check__report(0, file, line, "%s == %lld, got %lld", what, expected, actual);
}

/* CHECK_EQ(actual, expected, "what"): integers; both values shown on failure. */
#define CHECK_EQ(actual, expected, what) \
	check__eq((long long)(actual), (long long)(expected), __FILE__, __LINE__, (what))

/* SKIP("what", "reason format", args...): the check could not run here. */
__attribute__((format(printf, 2, 3))) CHECK__UNUSED
static void SKIP(const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("skip %s: ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

CHECK__UNUSED static int check_done(void)
{
	return check__failed;
}

#endif /* BPFLINK_CHECK_H */
