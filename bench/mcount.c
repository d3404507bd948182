/*
 * Heap allocation counter, linked only into the bench-allocs-* executables
 * (which export it with -rdynamic): malloc & co. defined here win over
 * libc's for the libraries too (glibc supports replacing malloc), count,
 * and forward to glibc's __libc_* entry points.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

volatile long mcount_allocs;	/* malloc, calloc, realloc(NULL or grow), memalign & co. */
volatile long mcount_frees;

void *malloc(size_t n)
{
	mcount_allocs++;
	return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	mcount_allocs++;
	return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	mcount_allocs++;
	return __libc_realloc(p, n);
}

void free(void *p)
{
	if (p)
		mcount_frees++;
	__libc_free(p);
}

void *memalign(size_t al, size_t n)
{
	mcount_allocs++;
	return __libc_memalign(al, n);
}

void *aligned_alloc(size_t al, size_t n)
{
	mcount_allocs++;
	return __libc_memalign(al, n);
}

int posix_memalign(void **out, size_t al, size_t n)
{
	void *p;

	mcount_allocs++;
	if (al < sizeof(void *) || (al & (al - 1)))
		return EINVAL;
	p = __libc_memalign(al, n);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}
