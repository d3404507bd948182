/*
 * The fixed corpus of the helpers: libbpf_strerror over a range of errors
 * and buffer sizes, libbpf_get_error over ERR_PTR values and others, the
 * libbpf_*_str names of every attach and link type, the version functions.
 *
 * Separate because each corpus is a list of cases and nothing else.
 */
#include "driver.h"

void fixed_helpers(void)
{
	static const int64_t SZ[] = { -1 - 64, -1 - 0, 0, 1, 2, 4, 8, 16, 32, 64, 256 };
	static const int64_t SPECIAL[] = { INT_MIN, INT_MIN + 1, INT_MAX, 1 << 20, -(1 << 20),
					   100000, -100000, 4095, 4096, -4096 };
	struct tcase c;
	int64_t e;
	int i, j;

	/* 16 errs a case (a fork per err would make the corpus slow under valgrind) */
	for (e = -5000; e <= 5000; e += 16) {
		init_case(&c, F_STRERROR);
		c.a0 = e;
		c.a1 = e + 16 > 5001 ? 5001 - e : 16;
		for (i = 0; i < NF(SZ); i++)
			c.val[c.nval++] = SZ[i];
		desc(&c, "strerror %" PRId64 "..%" PRId64, c.a0, c.a0 + c.a1 - 1);
		run_case(&c, "fixed");
	}
	for (j = 0; j < NF(SPECIAL); j++) {
		init_case(&c, F_STRERROR);
		c.a0 = SPECIAL[j];
		c.a1 = 1;
		for (i = 0; i < NF(SZ); i++)
			c.val[c.nval++] = SZ[i];
		desc(&c, "strerror %" PRId64, c.a0);
		run_case(&c, "fixed");
	}
	/* libbpf's own codes (and around them): every size up to 63 */
	for (e = 3990; e <= 4020; e += 8)
		for (j = 0; j < 2; j++) {
			init_case(&c, F_STRERROR);
			c.a1 = e + 8 > 4021 ? 4021 - e : 8;
			c.a0 = j ? -(e + c.a1 - 1) : e;
			for (i = 0; i < 64; i++)
				c.val[c.nval++] = i;
			desc(&c, "strerror %" PRId64 "..%" PRId64 " every size", c.a0, c.a0 + c.a1 - 1);
			run_case(&c, "fixed");
		}

	/* libbpf_get_error */
	for (e = -4224; e < 0; e += MAX_VALS) {
		init_case(&c, F_GET_ERROR);
		for (i = 0; i < MAX_VALS; i++)
			c.val[c.nval++] = e + i;
		desc(&c, "get_error %" PRId64 "..%" PRId64, e, e + MAX_VALS - 1);
		run_case(&c, "fixed");
	}
	{
		static const uint64_t P[] = { 0, 1, 2, 4095, 4096, R_BASE, 0x7fffffffffffffffull,
					      0x8000000000000000ull, (uint64_t)-4097 };
		init_case(&c, F_GET_ERROR);
		for (i = 0; i < NF(P); i++)
			c.val[c.nval++] = (int64_t)P[i];
		desc(&c, "get_error NULL and others");
		run_case(&c, "fixed");
	}

	/* names */
	for (j = 0; j < 2; j++) {
		static const uint32_t BIG[] = { 0x7fffffffu, 0x80000000u, 0xffffffffu, 0xfffffffeu,
						256, 1000, 65536 };
		int n = j ? 24 : 72;

		for (i = 0; i < n; i += 24) {
			int t;

			init_case(&c, F_NAMES);
			c.a0 = j;
			for (t = i; t < i + 24; t++)
				c.val[c.nval++] = t;
			desc(&c, "%s %d..%d", j ? "link types" : "attach types", i, i + 23);
			run_case(&c, "fixed");
		}
		init_case(&c, F_NAMES);
		c.a0 = j;
		for (i = 0; i < NF(BIG); i++)
			c.val[c.nval++] = BIG[i];
		desc(&c, "%s out of range", j ? "link types" : "attach types");
		run_case(&c, "fixed");
	}
	init_case(&c, F_NAMES);
	c.a0 = 2;
	desc(&c, "version");
	run_case(&c, "fixed");
}
