/*
 * The fixed corpus of the low-level calls: bpf_link_create for every attach
 * type with every opts field alone, in conflicting pairs, all bytes set, the
 * kernel's answers, an sz matrix with zero, non-zero and unmapped tails,
 * misaligned opts and far bytes; the same treatment for bpf_link_update,
 * the opts-less calls and the small opts structs.
 *
 * Separate because each corpus is a list of cases and nothing else; this
 * one is the largest (about 9 900 cases).
 */
#include "driver.h"

/* A recognisable non-zero value for a field. */
static uint64_t field_value(const struct fld *f)
{
	if (f->ptr && f->off == LC(iter_info))
		return RADDR(0x800);
	if (f->size == 8)
		return 0x1122334455660000ull | (uint64_t)f->off;
	return 0x100u + (uint32_t)f->off;
}

static const uint32_t ALL_TYPES_EXTRA[] = { 59, 100, 0xffffffffu };

static int n_types(void)
{
	return 59 + NF(ALL_TYPES_EXTRA);
}

static uint32_t type_at(int i)
{
	return i < 59 ? (uint32_t)i : ALL_TYPES_EXTRA[i - 59];
}

static const uint64_t SIZES[] = {
	0, 1, 7, 8, 9, 11, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 68,
	72, 76, 77, 80, 81, 88, 96, 128, 4096, 1ull << 40, (1ull << 63) + 100, 1ull << 63,
	~0ull, (1ull << 63) - 1,
#if SIZE_MAX <= 0xffffffffu
	/* a 4-byte sz: just sz, one byte more; the struct's end +- 1 */
	3, 4, 5, 47, 49, 0xffffffffu, 0x80000000u,
#endif
};

static void far_bytes(int fn);

static void fixed_link_create(void)
{
	struct tcase c;
	int ti, i;

	for (ti = 0; ti < n_types(); ti++) {
		uint32_t t = type_at(ti);

		init_case(&c, F_LINK_CREATE);
		c.a2 = t;
		desc(&c, "type %u opts NULL", t);
		run_case(&c, "fixed");

		init_case(&c, F_LINK_CREATE);
		c.a2 = t;
		c.a1 = 4;
		set_opts(&c, LC_SIZE);
		desc(&c, "type %u opts zero sz %d", t, LC_SIZE);
		run_case(&c, "fixed");

		for (i = 0; i < NF(F_CREATE); i++) {
			if (!F_CREATE[i].size)
				continue;
			init_case(&c, F_LINK_CREATE);
			c.a2 = t;
			c.a1 = 4;
			set_opts(&c, LC_SIZE);
			put(&c, F_CREATE[i].off, F_CREATE[i].size, field_value(&F_CREATE[i]));
			desc(&c, "type %u field %s", t, F_CREATE[i].name);
			run_case(&c, "fixed");
		}
		/* the same fields again, as single bytes at the far end */
		for (i = 0; i < NF(F_CREATE); i++) {
			if (!F_CREATE[i].size)
				continue;
			init_case(&c, F_LINK_CREATE);
			c.a2 = t;
			c.a1 = 4;
			set_opts(&c, LC_SIZE);
			/* the most significant byte */
			c.img[F_CREATE[i].off + (BIG_ENDIAN_HOST ? 0 : F_CREATE[i].size - 1)] = 0x80;
			desc(&c, "type %u top byte of %s", t, F_CREATE[i].name);
			run_case(&c, "fixed");
		}

		/* conflicting pairs */
		{
			static const struct { int o1, s1, o2, s2; const char *name; } P[] = {
				{ LC(iter_info_len), 4, LC(target_btf_id), 4, "iter_info_len+target_btf_id" },
				{ LC(tcx.relative_fd), 4, LC(tcx.relative_id), 4, "relative_fd+relative_id" },
				{ LC(target_btf_id), 4, LC(tracing.cookie), 8, "target_btf_id+tracing.cookie" },
				{ LC(target_btf_id), 4, LC(tcx.expected_revision), 8, "target_btf_id+u64 union+8" },
				{ LC(iter_info_len), 4, LC(perf_event.bpf_cookie), 8, "iter_info_len+bpf_cookie" },
				{ LC(flags), 4, LC(flags) + 4, 4, "flags+the 4 bytes after it" },
				{ LC(flags) + 4, 4, LC(flags) + 5, 1, "the 4 bytes after flags, 1st and 2nd" },
				{ LC_END, 1, LC_END + 3, 1, "bytes 0 and 3 after __last_field" },
				{ LC(tcx.relative_id), 4, LC(uprobe_multi.pid), 4, "relative_id+pid" },
				{ LC(iter_info), PTR, LC(iter_info_len), 4, "iter_info+iter_info_len" },
			};
			for (i = 0; i < NF(P); i++) {
				init_case(&c, F_LINK_CREATE);
				c.a2 = t;
				c.a1 = 4;
				set_opts(&c, LC_SIZE);
				put(&c, P[i].o1, P[i].s1, 0x11);
				put(&c, P[i].o2, P[i].s2, 0x22);
				desc(&c, "type %u pair %s", t, P[i].name);
				run_case(&c, "fixed");
			}
			/* every byte of the struct set */
			init_case(&c, F_LINK_CREATE);
			c.a2 = t;
			set_opts(&c, LC_SIZE);
			for (i = SZB; i < LC_SIZE; i++)
				c.img[i] = (uint8_t)(i * 37 + 11);
			desc(&c, "type %u all bytes %d..%d set", t, SZB, LC_SIZE);
			run_case(&c, "fixed");
			/* everything but the 76..80 tail */
			init_case(&c, F_LINK_CREATE);
			c.a2 = t;
			set_opts(&c, LC_SIZE);
			for (i = SZB; i < LC_END; i++)
				c.img[i] = (uint8_t)(i * 37 + 11);
			desc(&c, "type %u all bytes %d..%d set", t, SZB, LC_END);
			run_case(&c, "fixed");
			/* a whole union set, no iter/btf fields */
			init_case(&c, F_LINK_CREATE);
			c.a2 = t;
			c.a1 = 4;
			set_opts(&c, LC_SIZE);
			put(&c, LC(flags), 4, 0x2008);
			for (i = LC(perf_event); i < LC_END; i++)
				c.img[i] = (uint8_t)(i * 13 + 1);
			desc(&c, "type %u flags + union bytes %d..%d set", t, LC(perf_event), LC_END);
			run_case(&c, "fixed");
		}

		/* kernel answers */
		{
			struct {
				struct fake_answer k0, k1;
				int nk;
				struct fake_dupans d0;
				int nd;
				int target_fd, opts_kind;	/* 0 NULL, 1 zero sz LC_SIZE, 2 flags set, 3 cookie set, 4 sz SZB */
				const char *name;
			} K[] = {
				{ A_RET(0), {0}, 1, {0}, 0, 0, 1, "fd 0" },
				{ A_RET(1), {0}, 1, D_OK(9), 1, 0, 1, "fd 1 dup to 9" },
				{ A_RET(2), {0}, 1, {0}, 0, 0, 0, "fd 2, opts NULL" },
				{ A_RET(0), {0}, 1, D_ERR(EMFILE), 1, 0, 1, "fd 0, dup fails EMFILE" },
				{ A_RET(2), A_RET(6), 2, D_ERR(EINVAL), 1, 0, 1, "fd 2, dup fails EINVAL" },
				{ A_ERR(EINVAL), A_RET(6), 2, {0}, 0, 0, 1, "EINVAL then fd 6" },
				{ A_ERR(EINVAL), A_RET(6), 2, {0}, 0, 0, 0, "EINVAL then fd 6, opts NULL" },
				{ A_ERR(EINVAL), A_RET(6), 2, {0}, 0, 0, 4, "EINVAL then fd 6, opts sz 8" },
				{ A_ERR(EINVAL), A_ERR(EPERM), 2, {0}, 0, 0, 1, "EINVAL then EPERM" },
				{ A_ERR(EINVAL), A_ERR(EINVAL), 2, {0}, 0, 0, 0, "EINVAL then EINVAL" },
				{ A_ERR(EINVAL), A_RET(0), 2, {0}, 0, 0, 1, "EINVAL then fd 0" },
				{ A_ERR(EINVAL), A_RET(1), 2, D_ERR(EMFILE), 1, 0, 1, "EINVAL then fd 1, dup fails" },
				{ A_ERR(EINVAL), A_RET(6), 2, {0}, 0, 4, 1, "EINVAL then fd 6, target_fd 4" },
				{ A_ERR(EINVAL), A_RET(6), 2, {0}, 0, -1, 1, "EINVAL then fd 6, target_fd -1" },
				{ A_ERR(EINVAL), A_RET(6), 2, {0}, 0, 0, 2, "EINVAL then fd 6, flags set" },
				{ A_ERR(EINVAL), A_RET(6), 2, {0}, 0, 0, 3, "EINVAL then fd 6, cookie set" },
				{ A_ERR(EPERM), A_RET(6), 2, {0}, 0, 0, 1, "EPERM" },
				{ A_ERR(EBADF), A_RET(6), 2, {0}, 0, 0, 1, "EBADF" },
				{ A_ERR(E2BIG), A_RET(6), 2, {0}, 0, 0, 1, "E2BIG" },
				{ A_ERR(0), A_RET(6), 2, {0}, 0, 0, 1, "-1 with errno 0" },
				{ A_RET(0x7fffffff), {0}, 1, {0}, 0, 0, 1, "fd INT_MAX" },
			};
			for (i = 0; i < NF(K); i++) {
				init_case(&c, F_LINK_CREATE);
				c.a2 = t;
				c.a1 = K[i].target_fd;
				c.k[0] = K[i].k0;
				c.k[1] = K[i].k1;
				c.nk = K[i].nk;
				c.d[0] = K[i].d0;
				c.nd = K[i].nd;
				if (K[i].opts_kind)
					set_opts(&c, K[i].opts_kind == 4 ? SZB : LC_SIZE);
				if (K[i].opts_kind == 2)
					put(&c, LC(flags), 4, 0x4);
				if (K[i].opts_kind == 3)
					put(&c, LC(perf_event.bpf_cookie), 8, 77);
				desc(&c, "type %u kernel %s", t, K[i].name);
				run_case(&c, "fixed");
			}
		}
	}

	/* sz matrix */
	{
		static const uint32_t TY[] = { 0, 24, 28, 37, 41, 42, 45, 46, 48, 54, 58, 100 };
		int si, ti2, tail;

		for (ti2 = 0; ti2 < NF(TY); ti2++)
			for (si = 0; si < NF(SIZES); si++)
				for (tail = 0; tail < 7; tail++) {
					static const char *TN[] = {
						"zero", "struct bytes set", "byte end+1", "byte sizeof",
						"byte sizeof+4", "byte 200", "all 256 bytes"
					};
					init_case(&c, F_LINK_CREATE);
					c.a2 = TY[ti2];
					set_opts(&c, SIZES[si]);
					switch (tail) {
					case 1:
						for (i = SZB; i < LC_END; i++)
							c.img[i] = (uint8_t)(i * 37 + 11);
						break;
					case 2: c.img[LC_END + 1] = 1; break;
					case 3: c.img[LC_SIZE] = 1; break;
					case 4: c.img[LC_SIZE + 4] = 0x40; break;
					case 5: c.img[200] = 0x42; break;
					case 6:
						for (i = SZB; i < IMG; i++)
							c.img[i] = (uint8_t)(i * 37 + 11);
						break;
					}
					desc(&c, "type %u sz %" PRIu64 " tail %s", TY[ti2], SIZES[si], TN[tail]);
					run_case(&c, "fixed");
				}
		/* placement: the struct ends at the unmapped page */
		for (ti2 = 0; ti2 < NF(TY); ti2++)
			for (si = 0; si < NF(SIZES); si++) {
				static const int KS[] = { 8, 16, LC_SIZE, LC_SIZE + 8, 128 };
				int ki;

				for (ki = 0; ki < NF(KS); ki++) {
					uint64_t sz = (size_t)SIZES[si];
					uint64_t need = sz < (uint64_t)LC_SIZE ? sz : (uint64_t)LC_SIZE;
					int tight = need < 8 ? 8 : (int)((need + 7) & ~7ull);

					int k = sz <= (uint64_t)LC_SIZE ? tight : KS[ki];

					/* the caller's struct (min(sz, sizeof) bytes) is always readable */
					if (sz <= (uint64_t)LC_SIZE ? ki != 0 : KS[ki] < LC_SIZE)
						continue;
					for (tail = 0; tail < 2; tail++) {
						init_case(&c, F_LINK_CREATE);
						c.a2 = TY[ti2];
						c.place = k;
						set_opts(&c, sz);
						if (tail)
							c.img[k - 1] = 0x10;
						desc(&c, "type %u sz %" PRIu64 " mapped %d%s", TY[ti2], sz,
						     k, tail ? " last mapped byte set" : "");
						run_case(&c, "fixed");
					}
				}
			}
		/* misaligned opts pointer */
		for (ti2 = 0; ti2 < NF(TY); ti2++)
			for (tail = 1; tail < 8; tail++) {
				init_case(&c, F_LINK_CREATE);
				c.a2 = TY[ti2];
				c.mis = tail;
				set_opts(&c, tail & 1 ? LC_SIZE : LC_SIZE + 8);
				put(&c, LC(flags), 4, 0x8);
				put(&c, LC(perf_event.bpf_cookie), 8, 0x1234);
				if (tail == 3)
					c.img[LC_END + 1] = 1;
				desc(&c, "type %u opts misaligned by %d", TY[ti2], tail);
				run_case(&c, "fixed");
			}
	}
	far_bytes(F_LINK_CREATE);
}

/* A non-zero byte far in a long zero tail (pages away from the struct). */
static void far_bytes(int fn)
{
	static const uint32_t FAR[] = { OFF_OPTS + 0xfff, OFF_OPTS + 0x1000, 0x8123, R_SIZE - 1 };
	struct tcase c;
	int i, j, m;

	for (i = 0; i < NF(FAR); i++)
		for (m = 0; m < 2; m++)
			for (j = 0; j < 4; j++) {
				uint32_t rel = FAR[i] - OFF_OPTS - (m ? 3 : 0);
				uint64_t sz = j == 0 ? 1ull << 40 : j == 1 ? rel : j == 2 ? rel + 1 :
					      (1ull << 63) - 1;

				init_case(&c, fn);
				c.a2 = 37;
				c.mis = m ? 3 : 0;
				c.far = FAR[i];
				set_opts(&c, sz);
				desc(&c, "far byte at R+0x%x, sz %" PRIu64 "%s", FAR[i], sz,
				     m ? " misaligned" : "");
				run_case(&c, "fixed");
			}
}

static void fixed_update(void)
{
	static const uint64_t SZ[] = { 0, 7, 8, 12, 16, 17, 20, 24, 28, 32, 4096, 1ull << 40,
				       (1ull << 63) + 100, ~0ull,
#if SIZE_MAX <= 0xffffffffu
				       3, 4, 5, 0xffffffffu,
#endif
	};
	static const int KI[][2] = { { 0, 0 }, { LU(flags), 4 }, { LU(old_prog_fd), 9 },
				     { LU(old_map_fd), 10 }, { LU(old_prog_fd), -1 },
				     { LU_END, 1 }, { LU_SIZE, 1 } };
	struct tcase c;
	int i, j, both;

	for (i = 0; i < NF(SZ); i++)
		for (j = 0; j < NF(KI); j++)
			for (both = 0; both < 2; both++) {
				init_case(&c, F_LINK_UPDATE);
				c.a0 = 5;
				c.a1 = 6;
				set_opts(&c, SZ[i]);
				if (KI[j][0])
					put(&c, KI[j][0], 4, (uint32_t)KI[j][1]);
				if (both) {
					put(&c, LU(old_prog_fd), 4, 9);
					put(&c, LU(old_map_fd), 4, 10);
				}
				desc(&c, "sz %" PRIu64 " field@%d=%d%s", SZ[i], KI[j][0], KI[j][1],
				     both ? " + old_prog_fd and old_map_fd" : "");
				run_case(&c, "fixed");
			}
	{
		static const int FDS[][2] = { { 5, 6 }, { -1, 6 }, { 0, 0 }, { 5, -1 } };
		struct fake_answer K[] = { A_RET(0), A_RET(7), A_ERR(EINVAL), A_ERR(EPERM),
					   A_ERR(EBADF), A_RET(0) };

		for (i = 0; i < NF(FDS); i++)
			for (j = 0; j < NF(K); j++) {
				init_case(&c, F_LINK_UPDATE);
				c.a0 = FDS[i][0];
				c.a1 = FDS[i][1];
				c.k[0] = K[j];
				if (j == 5) {
					set_opts(&c, LU_SIZE);
					put(&c, LU(flags), 4, 4);
					put(&c, LU(old_prog_fd), 4, 6);
				}
				desc(&c, "fds %d %d answer %d%s", FDS[i][0], FDS[i][1], j,
				     j == 5 ? " BPF_F_REPLACE old_prog_fd 6" : "");
				run_case(&c, "fixed");
			}
	}
}

static void fixed_simple(void)
{
	static const int FDS[] = { -1, 0, 3, 5, 0x7fffffff };
	struct tcase c;
	int i, j;

	for (i = 0; i < NF(FDS); i++) {
		struct fake_answer K[] = { A_RET(0), A_ERR(EINVAL), A_ERR(EBADF),
					   A_ERR(EOPNOTSUPP), A_RET(7) };
		for (j = 0; j < NF(K); j++) {
			init_case(&c, F_LINK_DETACH);
			c.a0 = FDS[i];
			c.k[0] = K[j];
			desc(&c, "link_fd %d answer %d", FDS[i], j);
			run_case(&c, "fixed");
		}
	}
	for (i = 0; i < NF(FDS); i++) {
		struct { struct fake_answer k; struct fake_dupans d; int nd; } K[] = {
			{ A_RET(5), {0}, 0 }, { A_RET(0), {0}, 0 }, { A_RET(1), D_ERR(EMFILE), 1 },
			{ A_RET(2), D_OK(3), 1 }, { A_ERR(EINVAL), {0}, 0 }, { A_ERR(EBADF), {0}, 0 },
		};
		for (j = 0; j < NF(K); j++) {
			init_case(&c, F_ITER_CREATE);
			c.a0 = FDS[i];
			c.k[0] = K[j].k;
			c.d[0] = K[j].d;
			c.nd = K[j].nd;
			desc(&c, "link_fd %d answer %d", FDS[i], j);
			run_case(&c, "fixed");
		}
	}
	/* get_next_id */
	{
		static const uint32_t IDS[] = { 0, 1, 0xffffffffu };
		struct fake_answer K[] = {
			A_WB(A_RET(0), 4, 42), A_RET(0), A_WB(A_ERR(ENOENT), 4, 43),
			A_ERR(EPERM), A_WB(A_RET(3), 4, 44), A_WB(A_RET(0), 0, 45),
			A_WB(A_RET(0), 8, 46),
		};
		int p;

		for (i = 0; i < NF(IDS); i++)
			for (p = 0; p < 2; p++)
				for (j = 0; j < NF(K); j++) {
					init_case(&c, F_GET_NEXT_ID);
					c.a0 = IDS[i];
					c.p1 = p;
					c.k[0] = K[j];
					desc(&c, "start %u next_id %s answer %d", IDS[i],
					     p ? "valid" : "NULL", j);
					run_case(&c, "fixed");
				}
	}
	/* get_fd_by_id */
	{
		static const uint32_t IDS[] = { 0, 1, 0xffffffffu };
		struct { struct fake_answer k; struct fake_dupans d; int nd; } K[] = {
			{ A_RET(5), {0}, 0 }, { A_RET(0), {0}, 0 }, { A_RET(2), D_ERR(EMFILE), 1 },
			{ A_ERR(ENOENT), {0}, 0 }, { A_ERR(EPERM), {0}, 0 },
		};
		for (i = 0; i < NF(IDS); i++)
			for (j = 0; j < NF(K); j++) {
				init_case(&c, F_GET_FD_BY_ID);
				c.a0 = IDS[i];
				c.k[0] = K[j].k;
				c.d[0] = K[j].d;
				c.nd = K[j].nd;
				desc(&c, "id %u answer %d", IDS[i], j);
				run_case(&c, "fixed");
			}
	}
	/* info */
	{
		static const uint32_t LENS[] = { 0, 64, 0xffffffffu };
		struct fake_answer K[] = {
			A_WB(A_RET(0), 4, 48), A_RET(0), A_ERR(EINVAL), A_WB(A_ERR(E2BIG), 4, 8),
			A_WB(A_RET(1), 4, 16), A_ERR(EBADF),
		};
		int fi, fnk, pi, pl, li;

		for (fnk = 0; fnk < 2; fnk++)
			for (fi = 0; fi < 2; fi++)
				for (pi = 0; pi < 2; pi++)
					for (pl = 0; pl < 2; pl++)
						for (li = 0; li < NF(LENS); li++)
							for (j = 0; j < NF(K); j++) {
								if (!pl && li)
									continue;
								init_case(&c, fnk ? F_OBJ_GET_INFO : F_LINK_GET_INFO);
								c.a0 = fi ? 5 : -1;
								c.p1 = pi;
								c.p2 = pl;
								c.in_val = LENS[li];
								c.k[0] = K[j];
								c.k[0].fill = j == 0 || j == 4 ? 48 : 0;
								desc(&c, "fd %d info %s info_len %s answer %d",
								     fi ? 5 : -1, pi ? "buf" : "NULL",
								     pl ? "ptr" : "NULL", j);
								run_case(&c, "fixed");
							}
	}
	/* raw_tracepoint_open */
	{
		static const int PFD[] = { -1, 0, 3 };
		struct { struct fake_answer k; struct fake_dupans d; int nd; } K[] = {
			{ A_RET(5), {0}, 0 }, { A_RET(0), {0}, 0 }, { A_RET(1), D_ERR(EMFILE), 1 },
			{ A_ERR(EINVAL), {0}, 0 }, { A_ERR(ENOENT), {0}, 0 },
		};
		int p;

		for (p = 0; p < 2; p++)
			for (i = 0; i < NF(PFD); i++)
				for (j = 0; j < NF(K); j++) {
					init_case(&c, F_RAW_TP_OPEN);
					c.a0 = PFD[i];
					c.p1 = p;
					c.k[0] = K[j].k;
					c.d[0] = K[j].d;
					c.nd = K[j].nd;
					desc(&c, "name %s prog_fd %d answer %d", p ? "str" : "NULL", PFD[i], j);
					run_case(&c, "fixed");
				}
	}
	/* pin / get */
	{
		static const int PFD[] = { -1, 0, 5 };
		struct fake_answer K[] = { A_RET(0), A_ERR(EEXIST), A_ERR(EPERM), A_RET(3) };
		int p;

		for (p = 0; p < 2; p++)
			for (i = 0; i < NF(PFD); i++)
				for (j = 0; j < NF(K); j++) {
					init_case(&c, F_OBJ_PIN);
					c.a0 = PFD[i];
					c.p1 = p;
					c.k[0] = K[j];
					desc(&c, "fd %d path %s answer %d", PFD[i], p ? "str" : "NULL", j);
					run_case(&c, "fixed");
				}
	}
	{
		struct { struct fake_answer k; struct fake_dupans d; int nd; } K[] = {
			{ A_RET(5), {0}, 0 }, { A_RET(0), {0}, 0 }, { A_RET(0), D_ERR(EMFILE), 1 },
			{ A_ERR(ENOENT), {0}, 0 }, { A_RET(2), D_OK(3), 1 },
		};
		int p;

		for (p = 0; p < 2; p++)
			for (j = 0; j < NF(K); j++) {
				init_case(&c, F_OBJ_GET);
				c.p1 = p;
				c.k[0] = K[j].k;
				c.d[0] = K[j].d;
				c.nd = K[j].nd;
				desc(&c, "path %s answer %d", p ? "str" : "NULL", j);
				run_case(&c, "fixed");
			}
	}
}

/* opts matrix for the small opts structs */
static void fixed_small_opts(int fn)
{
	static const uint64_t SZ[] = { 0, 1, 7, 8, 9, 12, 16, 17, 20, 24, 25, 32, 4096, 1ull << 40,
				       (1ull << 63) + 100, ~0ull, (1ull << 63) - 1,
#if SIZE_MAX <= 0xffffffffu
				       3, 4, 5, 11, 13, 0xffffffffu,
#endif
	};
	const struct okind *ok = FN[fn].ok;
	struct tcase c;
	int i, j, v, ans;

	init_case(&c, fn);
	desc(&c, "opts NULL");
	run_case(&c, "fixed");
	for (i = 0; i < NF(SZ); i++)
		for (j = -1; j <= ok->nf + 2; j++)
			for (v = 0; v < (j >= 0 && j < ok->nf ? 2 : 1); v++) {
				init_case(&c, fn);
				c.a0 = 5;
				set_opts(&c, SZ[i]);
				if (j >= 0 && j < ok->nf) {
					const struct fld *f = &ok->f[j];
					int wide = f->size == 8 || f->ptr;
					uint64_t val = v ? (wide ? RADDR(OFF_TP) : 0xffffffffu)
							 : (wide ? 0x8877665544332211ull : 0x4000);
					put(&c, f->off, f->size, val);
					desc(&c, "sz %" PRIu64 " %s=0x%" PRIx64, SZ[i], f->name, val);
				} else if (j == ok->nf) {
					int b;

					for (b = SZB; b < ok->size; b++)
						c.img[b] = (uint8_t)(b * 29 + 3);
					desc(&c, "sz %" PRIu64 " all struct bytes set", SZ[i]);
				} else if (j == ok->nf + 1) {
					c.img[ok->size] = 1;
					desc(&c, "sz %" PRIu64 " byte %d (after the struct) set", SZ[i], ok->size);
				} else if (j == ok->nf + 2) {
					c.img[ok->size + 40] = 1;
					desc(&c, "sz %" PRIu64 " byte %d set", SZ[i], ok->size + 40);
				} else {
					desc(&c, "sz %" PRIu64 " zero", SZ[i]);
				}
				run_case(&c, "fixed");
				if (j >= ok->nf)
					break;
			}
	/* answers, with full opts */
	for (ans = 0; ans < 6; ans++) {
		init_case(&c, fn);
		set_opts(&c, ok->size);
		for (j = 0; j < ok->nf; j++)
			put(&c, ok->f[j].off, ok->f[j].size,
			    ok->f[j].size == 8 || ok->f[j].ptr ? RADDR(OFF_TP) : 3);
		switch (ans) {
		case 0: c.k[0] = A_RET(0); break;
		case 1: c.k[0] = A_RET(1); break;
		case 2: c.k[0] = A_RET(2); c.d[0] = D_ERR(EMFILE); c.nd = 1; break;
		case 3: c.k[0] = A_ERR(EINVAL); break;
		case 4: c.k[0] = A_ERR(EPERM); break;
		case 5: c.k[0] = A_RET(9); break;
		}
		c.p1 = ans != 5;
		desc(&c, "full opts answer %d", ans);
		run_case(&c, "fixed");
	}
	/* the struct ends at the unmapped page */
	for (i = 0; i < NF(SZ); i++) {
		int k = ok->size;

		if (SZ[i] <= (uint64_t)ok->size)
			k = SZ[i] < 8 ? 8 : (int)((SZ[i] + 7) & ~7ull);
		init_case(&c, fn);
		set_opts(&c, SZ[i]);
		c.place = k;
		desc(&c, "sz %" PRIu64 " mapped %d", SZ[i], k);
		run_case(&c, "fixed");
	}
}

/* The fixed cases of the low-level calls, in the corpus order. */
void fixed_low_level(void)
{
	fixed_link_create();
	fixed_update();
	fixed_simple();
	fixed_small_opts(F_GET_FD_BY_ID_OPTS);
	fixed_small_opts(F_RAW_TP_OPEN_OPTS);
	fixed_small_opts(F_OBJ_PIN_OPTS);
	fixed_small_opts(F_OBJ_GET_OPTS);
	far_bytes(F_LINK_UPDATE);
	far_bytes(F_GET_FD_BY_ID_OPTS);
	far_bytes(F_RAW_TP_OPEN_OPTS);
	far_bytes(F_OBJ_PIN_OPTS);
	far_bytes(F_OBJ_GET_OPTS);
}
