/*
 * The seeded random part: a xorshift generator (seeded by random_seed, so a
 * seed replays a run) and the cases it makes, weighted by FN[].weight:
 * low-level calls with random arguments, opts and kernel answers (and opts
 * a well-behaved caller could pass), object-API step sequences, helpers.
 *
 * Separate because the random stream must stay the same for a seed: every
 * draw is here, in one order, and nothing else draws.
 */
#include "driver.h"


static uint64_t rs;

void random_seed(uint64_t seed)
{
	rs = seed ^ 0x9e3779b97f4a7c15ull;
	if (!rs)
		rs = 1;
}

static uint64_t rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * 2685821657736338717ull;
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static int chance(int pct)
{
	return (int)below(100) < pct;
}

static int64_t rnd_fd(void)
{
	static const int FDS[] = { -1, 0, 1, 2, 3, 4, 5, 100, 0x7fffffff, -100 };

	if (chance(90))
		return FDS[below(NF(FDS))];
	return (int32_t)rnd();
}

static uint64_t rnd_value(int size)
{
	switch (below(12)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 2 + below(30);
	case 3: return 0xffffffffu;
	case 4: return 0x80000000u;
	case 5: return size == 8 ? ~0ull : 0xffffu;
	case 6: return RADDR(OFF_TP);
	case 7: return size == 8 ? 1ull << 63 : 0x100;
	case 8: return 1u << below(32);
	case 9: return 0x2000 | 0x20 | 0x8;
	default: return rnd();
	}
}

static uint32_t rnd_type(void)
{
	static const uint32_t FB[] = { 23, 24, 25, 26, 27, 58, 28, 41, 42, 46, 48 };

	switch (below(10)) {
	case 0: return 59 + below(12);
	case 1: return chance(50) ? 0xffffffffu : (uint32_t)rnd();
	case 2: case 3: return FB[below(NF(FB))];
	default: return below(59);
	}
}

static uint64_t rnd_sz(const struct okind *ok)
{
	static const int B[] = { 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 68, 72, 76, 80 };
	int r = below(100);

	if (r < 40)
		return ok->size;
	if (r < 60) {
		uint64_t b = B[below(NF(B))];
		return b;
	}
	if (r < 68)
		return below(8);
	if (r < 80)
		return ok->size + 1 + below(200);
	if (r < 86) {
		static const uint64_t BIG[] = { 4096, 1u << 16, 1ull << 20, 1ull << 40, (1ull << 63) - 1,
						 1ull << 32 };
		return BIG[below(NF(BIG))];
	}
	if (r < 92) {
		static const uint64_t TOP[] = { 1ull << 63, (1ull << 63) + 100, ~0ull, ~0ull - 7 };
		return TOP[below(NF(TOP))];
	}
	return below(300);
}

static struct fake_answer rnd_answer(void)
{
	static const int ERRS[] = { EINVAL, EINVAL, EINVAL, EPERM, EBADF, E2BIG, ENOENT, EFAULT,
				    ENOSPC, EMFILE, EAGAIN, 524, EOPNOTSUPP, 0 };
	static const int RETS[] = { 5, 0, 1, 2, 3, 7, 100, 0x7fffffff };
	struct fake_answer a = { FA_DEFAULT, 0, -1, 0, 0, 0 };
	int r = below(100);

	if (r < 45) {
		a = A_RET(RETS[below(NF(RETS))]);
	} else if (r < 95) {
		a = A_ERR(ERRS[below(NF(ERRS))]);
	}
	if (chance(25)) {
		static const int OFFS[] = { 0, 4, 8, 12, 16, 20, 60 };
		a.wb_off = OFFS[below(NF(OFFS))];
		a.wb_val = chance(50) ? below(100) : (uint32_t)rnd();
	}
	if (chance(30))
		a.fill = below(INFO_BUF + 1);
	return a;
}

static struct fake_dupans rnd_dup(void)
{
	static const int ERRS[] = { EMFILE, EINVAL, EBADF, EINTR };
	struct fake_dupans d = { FD_DEFAULT, 0 };
	int r = below(100);

	if (r < 40)
		d = D_ERR(ERRS[below(NF(ERRS))]);
	else if (r < 70)
		d = D_OK(3 + below(5));
	return d;
}

/* The opts fields the per-type branch of bpf_link_create reads. */
static int type_fields(uint32_t t, struct fld *f)
{
	int n = 0;

#define ADD(m, sz) do { f[n].off = LC(m); f[n].size = (sz); f[n].name = ""; f[n].ptr = 0; n++; } while (0)
	switch (t) {
	case 28: ADD(iter_info, PTR); ADD(iter_info_len, 4); break;
	case 41: ADD(perf_event.bpf_cookie, 8); break;
	case 42: case 56:
		ADD(kprobe_multi.flags, 4); ADD(kprobe_multi.cnt, 4); ADD(kprobe_multi.syms, PTR);
		ADD(kprobe_multi.addrs, PTR); ADD(kprobe_multi.cookies, PTR);
		break;
	case 48: case 57:
		ADD(uprobe_multi.flags, 4); ADD(uprobe_multi.cnt, 4); ADD(uprobe_multi.path, PTR);
		ADD(uprobe_multi.offsets, PTR); ADD(uprobe_multi.ref_ctr_offsets, PTR);
		ADD(uprobe_multi.cookies, PTR); ADD(uprobe_multi.pid, 4);
		break;
	case 23: case 24: case 25: case 26: case 27: case 58: ADD(tracing.cookie, 8); break;
	case 45:
		ADD(netfilter.pf, 4); ADD(netfilter.hooknum, 4); ADD(netfilter.priority, 4);
		ADD(netfilter.flags, 4);
		break;
	case 46: case 47: case 54: case 55:
	case 0: case 1: case 2: case 3: case 6: case 8: case 9: case 10: case 11: case 12:
	case 13: case 14: case 15: case 18: case 19: case 20: case 21: case 22: case 29:
	case 30: case 31: case 32: case 34: case 43: case 49: case 50: case 51: case 52: case 53:
		ADD(tcx.relative_fd, 4); ADD(tcx.relative_id, 4); ADD(tcx.expected_revision, 8); break;
	default: break;
	}
	ADD(flags, 4);
#undef ADD
	return n;
}

/* bpf_link_create opts that a well-behaved caller of this attach type could
 * pass: only the type's own fields (and flags), sz at a field boundary. */
static void gen_coherent_create(struct tcase *c)
{
	struct fld f[10];
	int n = type_fields((uint32_t)c->a2, f), i;
	/* on LP64: 80, 80, 80, 76, 72, 64, 48, 40, 32, 16, 12, 8 */
	static const uint64_t SZ[] = { LC_SIZE, LC_SIZE, LC_SIZE, LC_END, LC(uprobe_multi.pid),
				       LC(uprobe_multi.cookies), LC(kprobe_multi.addrs),
				       LC(tcx.expected_revision), LC(perf_event), LC(iter_info),
				       LC(flags) + 4, SZB };

	c->has_opts = 1;
	memset(c->img, 0, sizeof(c->img));
	c->place = 0;
	c->sz = (size_t)(chance(80) ? SZ[below(NF(SZ))] : rnd_sz(&OK_CREATE));
	for (i = 0; i < n; i++)
		if (chance(f[i].off == LC(flags) ? 25 : 50))
			put(c, f[i].off, f[i].size, rnd_value(f[i].size));
	if (chance(10))
		put(c, LC(target_btf_id), 4, chance(50) ? 1 : rnd_value(4));
	if (chance(5))
		c->img[LC_SIZE + below(IMG - LC_SIZE)] = 1;
}

/* Random cases of the object API and the helpers. */

static int rnd_path(void)
{
	static const int COMMON[] = { 0, 1, 2, 3, 4, 5, 12, 13, 14, 22, 23, 26, 27, 36 };

	if (chance(4))
		return -1;
	if (chance(60))
		return COMMON[below(NF(COMMON))];
	return (int)below(NPATHS);
}

static void gen_obj_random(struct tcase *c)
{
	static const int OPS[] = { OP_FD, OP_PIN_PATH, OP_PIN, OP_PIN, OP_PIN, OP_UNPIN, OP_UNPIN,
				   OP_DETACH, OP_DISCONNECT, OP_DESTROY, OP_GET_ERROR, OP_SET_PRINT,
				   OP_CHDIR };
	static const int HS[] = { H_NULL, H_ERR1, H_ERR22, H_ERR4095 };
	int state[NHANDLES] = { 0 };	/* 1 made, 2 destroyed */
	int n, i, h, op;

	init_obj(c);
	if (chance(20))
		s_chdir(c, (int)below(NF(CWDS)));
	if (chance(10))
		s_env(c, (int)below(NF(ENVS)));
	if (chance(15))
		s_print(c, (int)below(4));
	n = 1 + (chance(40) ? 1 : 0) + (chance(15) ? 1 : 0);
	for (i = 0; i < n; i++) {
		if (chance(55))
			s_open(c, i, rnd_path());
		else
			s_craft(c, i, (int)rnd_fd(), (int)below(DK_N), chance(30),
				chance(80) ? 0 : 1 + (int)below(2), chance(30) ? rnd_path() : -1);
		state[i] = 1;
	}
	while (c->nstep < MAX_STEPS - 1 && chance(85)) {
		int live[NHANDLES], nl = 0;

		for (h = 0; h < n; h++)
			if (state[h] == 1)
				live[nl++] = h;
		if (!nl)
			break;
		h = live[below(nl)];
		op = OPS[below(NF(OPS))];
		if (op == OP_SET_PRINT) {
			s_print(c, (int)below(4));
		} else if (op == OP_CHDIR) {
			s_chdir(c, (int)below(NF(CWDS)));
		} else if (chance(3)) {
			/* a bad link: libbpf crashes (mostly), so it ends the case */
			if (op == OP_PIN)
				s_pin(c, HS[below(NF(HS))], rnd_path());
			else
				s_op(c, op, HS[below(NF(HS))]);
			break;
		} else if (op == OP_PIN) {
			int p = rnd_path();

			s_pin(c, h, p);
			if (p < 0)
				break;
		} else {
			s_op(c, op, h);
			if (op == OP_DESTROY)
				state[h] = 2;
		}
	}
	if (chance(70))
		for (h = 0; h < n && c->nstep < MAX_STEPS; h++)
			if (state[h] == 1)
				s_op(c, OP_DESTROY, h);
	n = 1 + (int)below(FAKE_MAX_ANS);
	for (i = 0; i < n; i++) {
		static const int RETS[] = { 5, 6, 9, 0, 1, 2 };
		static const int ERRS[] = { ENOENT, EPERM, EEXIST, EINVAL, EBADF, EACCES, EFAULT,
					    EMFILE, ENOSPC };
		int r = (int)below(100);

		/* realistic answers (the fake makes OBJ_PIN/LINK_DETACH succeed with 0) */
		if (r < 30)
			ans(c, A_RET(RETS[below(NF(RETS))]));
		else if (r < 55)
			ans(c, A_PIN());
		else if (r < 95)
			ans(c, A_ERR(ERRS[below(NF(ERRS))]));
		else
			ans(c, (struct fake_answer){ FA_DEFAULT, 0, -1, 0, 0, chance(50) });
	}
	c->nd = chance(70) ? 0 : 1 + (int)below(2);
	for (i = 0; i < c->nd; i++)
		c->d[i] = rnd_dup();
	desc(c, "random object API, %d steps", c->nstep);
}

static void gen_helper_random(struct tcase *c, int fn)
{
	int i, n;

	if (fn == F_OBJ) {
		gen_obj_random(c);
		return;
	}
	init_case(c, fn);
	switch (fn) {
	case F_STRERROR: {
		int r = (int)below(100);

		c->a1 = 1;
		if (r < 45)
			c->a0 = (int)below(401) - 200;
		else if (r < 70)
			c->a0 = (chance(50) ? 1 : -1) * (3990 + (int)below(41));
		else if (r < 80)
			c->a0 = chance(50) ? INT_MIN + (int)below(3) : INT_MAX - (int)below(3);
		else
			c->a0 = (int32_t)rnd();
		n = 1 + (int)below(6);
		for (i = 0; i < n; i++) {
			int64_t sz = chance(70) ? below(81) : below(300);

			c->val[c->nval++] = chance(5) ? -1 - sz : sz;
		}
		break;
	}
	case F_GET_ERROR:
		for (i = 0; i < 8; i++) {
			int r = (int)below(100);

			c->val[c->nval++] = r < 20 ? 0 : r < 60 ? -(int64_t)below(4200) :
					    r < 70 ? (int64_t)below(5000) : (int64_t)rnd();
		}
		break;
	case F_NAMES:
		c->a0 = chance(5) ? 2 : below(2);
		for (i = 0; i < 8 && c->a0 != 2; i++)
			c->val[c->nval++] = chance(80) ? below(80) : (uint32_t)rnd();
		break;
	}
	desc(c, "random %s", FN[fn].name);
}

void gen_random(struct tcase *c)
{
	int total = 0, i, fn = 0, r;

	for (i = 0; i < F_N; i++)
		total += FN[i].weight;
	r = (int)below(total);
	for (i = 0; i < F_N; i++) {
		r -= FN[i].weight;
		if (r < 0) {
			fn = i;
			break;
		}
	}
	if (fn >= F_OBJ) {
		gen_helper_random(c, fn);
		return;
	}
	init_case(c, fn);
	c->a0 = rnd_fd();
	c->a1 = rnd_fd();
	if (fn == F_LINK_CREATE) {
		c->a2 = rnd_type();
		if (chance(50))
			c->a1 = 0;
	}
	if (fn == F_GET_NEXT_ID || fn == F_GET_FD_BY_ID || fn == F_GET_FD_BY_ID_OPTS)
		c->a0 = chance(50) ? below(10) : (uint32_t)rnd();
	c->p1 = chance(85);
	c->p2 = chance(85);
	{
		static const uint32_t L[] = { 0, 8, 16, 48, 64, 256, 0xffffffffu };
		c->in_val = chance(80) ? L[below(NF(L))] : (uint32_t)rnd();
	}

	if (FN[fn].ok && chance(92)) {
		const struct okind *ok = FN[fn].ok;
		int n = chance(25) ? 0 : 1 + below(chance(70) ? 2 : 6);

		set_opts(c, rnd_sz(ok));
		for (i = 0; i < n; i++) {
			const struct fld *f = &ok->f[below(ok->nf)];
			put(c, f->off, f->size, rnd_value(f->size));
		}
		if (chance(15))
			c->img[SZB + below(ok->size - SZB)] = (uint8_t)(1 + below(255));
		if (chance(30)) {
			int m = 1 + (chance(30) ? below(4) : 0);
			for (i = 0; i < m; i++)
				c->img[ok->size + below(IMG - ok->size)] = (uint8_t)(1 + below(255));
		}
		/* the opts may end at the unmapped page */
		r = below(100);
		if (r < 15) {
			uint64_t need = c->sz < (uint64_t)ok->size ? c->sz : (uint64_t)ok->size;
			int k = need < 8 ? 8 : (int)((need + 7) & ~7ull);

			if (c->sz > (uint64_t)ok->size && chance(50))
				k = (int)((ok->size + 7) & ~7) + 8 * (int)below(8);
			c->place = k;
		} else if (r < 25) {
			c->mis = 1 + below(7);
		}
		if (!c->place && chance(10)) {
			c->far = OFF_OPTS + c->mis + IMG + below(R_SIZE - OFF_OPTS - IMG - 8);
			if (chance(50))
				c->sz = c->far - OFF_OPTS - c->mis + below(3);
		}
	}

	c->nk = 1 + (chance(40) ? 1 : 0) + (chance(10) ? 1 : 0);
	for (i = 0; i < c->nk; i++)
		c->k[i] = rnd_answer();
	if (fn == F_LINK_CREATE && chance(30)) {
		c->k[0] = A_ERR(EINVAL);	/* exercise the raw_tp fallback */
		c->nk = c->nk < 2 ? 2 : c->nk;
	}
	if (fn == F_LINK_CREATE && chance(50)) {
		uint32_t t = (uint32_t)c->a2;

		gen_coherent_create(c);
		if ((t >= 23 && t <= 27) || t == 58) {
			/* the raw_tp fallback: EINVAL, target_fd 0, no option set */
			if (chance(60))
				c->a1 = 0;
			if (chance(50))
				memset(c->img, 0, sizeof(c->img));
			if (chance(20))
				c->has_opts = 0;
		}
	}
	c->nd = chance(50) ? 0 : 1 + (chance(20) ? 1 : 0);
	for (i = 0; i < c->nd; i++)
		c->d[i] = rnd_dup();
	desc(c, "random %s", FN[fn].name);
}
