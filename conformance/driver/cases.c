/*
 * What a case is: the functions under test with the layouts of their opts
 * structs (for the target and header the driver is built for), the names of
 * the object-API steps' operands, and the builders every corpus and the
 * random part make their cases with (struct tcase is in driver.h).
 *
 * Separate because the corpora, the random generator, the runner and the
 * printer all speak this model; none of them owns it.
 */
#include "driver.h"

/* Every distinct (offset, width) the union's members occupy, named after
 * the members there (on i386 the union starts at 20, on LP64 at 32). */
const struct fld F_CREATE[] = {
	{ LC(flags), 4, "flags", 0 },
	{ LC(flags) + 4, LC(iter_info) - LC(flags) - 4, "padding after flags", 0 },
	{ LC(iter_info), PTR, "iter_info", 1 },
	{ LC(iter_info_len), 4, "iter_info_len", 0 }, { LC(target_btf_id), 4, "target_btf_id", 0 },
	{ LC(tcx.relative_fd), 4, "u32 union+0(relative_fd|pf|kprobe_multi.flags|bpf_cookie half)", 0 },
	{ LC(tcx.relative_id), 4, "u32 union+4(relative_id|hooknum|cnt|bpf_cookie half)", 0 },
	{ LC(perf_event.bpf_cookie), 8, "u64 union+0(perf_event.bpf_cookie|tracing.cookie)", 0 },
	{ LC(tcx.expected_revision), 8, "u64 union+8(expected_revision|syms|path|priority+flags)", 0 },
	{ LC(netfilter.flags), 4, "u32(netfilter.flags)", 0 },
	{ LC(kprobe_multi.addrs), PTR, "ptr(addrs|offsets)", 1 },
	{ LC(kprobe_multi.cookies), PTR, "ptr(cookies|ref_ctr_offsets)", 1 },
	{ LC(uprobe_multi.cookies), PTR, "ptr(uprobe_multi.cookies)", 1 },
	{ LC(uprobe_multi.pid), 4, "u32(uprobe_multi.pid)", 0 },
	{ LC_END, LC_SIZE - LC_END, "bytes after uprobe_multi.pid", 0 },
};
static const struct fld F_UPDATE[] = {
	{ LU(flags), 4, "flags", 0 }, { LU(old_prog_fd), 4, "old_prog_fd", 0 },
	{ LU(old_map_fd), 4, "old_map_fd", 0 }, { LU_END, LU_SIZE - LU_END, "padding at the end", 0 },
};
#define FB(m) ((int)offsetof(struct bpf_get_fd_by_id_opts, m))
#define RT(m) ((int)offsetof(struct bpf_raw_tp_opts, m))
#define PN(m) ((int)offsetof(struct bpf_obj_pin_opts, m))
static const struct fld F_FDBYID[] = { { FB(open_flags), 4, "open_flags", 0 }, { FB(token_fd), 4, "token_fd", 0 } };
static const struct fld F_RAWTP[] = { { RT(tp_name), PTR, "tp_name", 1 }, { RT(cookie), 8, "cookie", 0 } };
static const struct fld F_PIN[] = { { PN(file_flags), 4, "file_flags", 0 }, { PN(path_fd), 4, "path_fd", 0 } };
_Static_assert(offsetof(struct bpf_obj_get_opts, path_fd) == offsetof(struct bpf_obj_pin_opts, path_fd),
	       "bpf_obj_get_opts and bpf_obj_pin_opts share F_PIN");

const struct okind OK_CREATE = { "bpf_link_create_opts", LC_SIZE, F_CREATE, NF(F_CREATE) };
static const struct okind OK_UPDATE = { "bpf_link_update_opts", LU_SIZE, F_UPDATE, NF(F_UPDATE) };
static const struct okind OK_FDBYID = { "bpf_get_fd_by_id_opts", (int)sizeof(struct bpf_get_fd_by_id_opts),
					F_FDBYID, NF(F_FDBYID) };
static const struct okind OK_RAWTP = { "bpf_raw_tp_opts", (int)sizeof(struct bpf_raw_tp_opts),
				       F_RAWTP, NF(F_RAWTP) };
static const struct okind OK_PIN = { "bpf_obj_pin_opts", (int)sizeof(struct bpf_obj_pin_opts), F_PIN, NF(F_PIN) };
static const struct okind OK_GET = { "bpf_obj_get_opts", (int)sizeof(struct bpf_obj_get_opts), F_PIN, NF(F_PIN) };

const struct fninfo FN[F_N] = {
	[F_LINK_CREATE] = { "bpf_link_create", &OK_CREATE, 50 },
	[F_LINK_UPDATE] = { "bpf_link_update", &OK_UPDATE, 8 },
	[F_LINK_DETACH] = { "bpf_link_detach", NULL, 2 },
	[F_ITER_CREATE] = { "bpf_iter_create", NULL, 2 },
	[F_GET_NEXT_ID] = { "bpf_link_get_next_id", NULL, 3 },
	[F_GET_FD_BY_ID] = { "bpf_link_get_fd_by_id", NULL, 2 },
	[F_GET_FD_BY_ID_OPTS] = { "bpf_link_get_fd_by_id_opts", &OK_FDBYID, 5 },
	[F_LINK_GET_INFO] = { "bpf_link_get_info_by_fd", NULL, 3 },
	[F_OBJ_GET_INFO] = { "bpf_obj_get_info_by_fd", NULL, 3 },
	[F_RAW_TP_OPEN] = { "bpf_raw_tracepoint_open", NULL, 2 },
	[F_RAW_TP_OPEN_OPTS] = { "bpf_raw_tracepoint_open_opts", &OK_RAWTP, 5 },
	[F_OBJ_PIN] = { "bpf_obj_pin", NULL, 2 },
	[F_OBJ_PIN_OPTS] = { "bpf_obj_pin_opts", &OK_PIN, 5 },
	[F_OBJ_GET] = { "bpf_obj_get", NULL, 2 },
	[F_OBJ_GET_OPTS] = { "bpf_obj_get_opts", &OK_GET, 5 },
	[F_OBJ] = { "bpf_link__*", NULL, 10 },
	[F_STRERROR] = { "libbpf_strerror", NULL, 3 },
	[F_GET_ERROR] = { "libbpf_get_error", NULL, 1 },
	[F_NAMES] = { "libbpf_*_str", NULL, 1 },
};

const char *const CWDS[] = { BASE, BASE "/bpf", BASE "/tmp", "/" };
const char *const ENVS[] = { NULL, "warn", "debug", "info", "DEBUG", "Info", "bogus", "" };

const char *const DK_NAME[] = { "NULL", "ret0", "ret-1", "ret-22", "ret7", "errno99+ret-1" };

const char *const PR_NAME[] = { "NULL", "cb", "cb2", "default" };

const char *const OP_FN[] = {
	[OP_OPEN] = "bpf_link__open", [OP_CRAFT] = "craft", [OP_FD] = "bpf_link__fd",
	[OP_PIN_PATH] = "bpf_link__pin_path", [OP_PIN] = "bpf_link__pin",
	[OP_UNPIN] = "bpf_link__unpin", [OP_DETACH] = "bpf_link__detach",
	[OP_DISCONNECT] = "bpf_link__disconnect", [OP_DESTROY] = "bpf_link__destroy",
	[OP_GET_ERROR] = "libbpf_get_error", [OP_SET_PRINT] = "libbpf_set_print",
	[OP_SETENV] = "setenv", [OP_CHDIR] = "chdir",
};

struct fake_answer A_RET(int v)
{
	struct fake_answer a = { FA_RET, v, -1, 0, 0, 0 };
	return a;
}

struct fake_answer A_ERR(int e)
{
	struct fake_answer a = { FA_ERR, e, -1, 0, 0, 0 };
	return a;
}

/* BPF_OBJ_PIN succeeds and leaves a stand-in file at the path */
struct fake_answer A_PIN(void)
{
	struct fake_answer a = { FA_RET, 0, -1, 0, 0, 1 };
	return a;
}

struct fake_answer A_WB(struct fake_answer a, int off, uint32_t v)
{
	a.wb_off = off;
	a.wb_val = v;
	return a;
}

struct fake_dupans D_OK(int v)
{
	struct fake_dupans d = { FD_OK, v };
	return d;
}

struct fake_dupans D_ERR(int e)
{
	struct fake_dupans d = { FD_ERR, e };
	return d;
}

void init_case(struct tcase *c, int fn)
{
	memset(c, 0, sizeof(*c));
	c->fn = fn;
	c->a0 = 3;
	c->a1 = 0;
	c->p1 = c->p2 = 1;
	c->in_val = 64;
	c->nk = 1;
	c->k[0] = A_RET(5);
	if (fn == F_LINK_UPDATE || fn == F_LINK_DETACH || fn == F_OBJ_PIN ||
	    fn == F_OBJ_PIN_OPTS || fn == F_GET_NEXT_ID || fn == F_LINK_GET_INFO ||
	    fn == F_OBJ_GET_INFO)
		c->k[0] = A_RET(0);
	if (fn == F_GET_NEXT_ID)
		c->k[0] = A_WB(A_RET(0), 4, 42);
	if (fn == F_LINK_GET_INFO || fn == F_OBJ_GET_INFO) {
		c->k[0] = A_WB(A_RET(0), 4, 48);
		c->k[0].fill = 48;
	}
}

/* sz as the target's size_t holds it (on 32-bit targets 1 << 40 is 0) */
void set_opts(struct tcase *c, uint64_t sz)
{
	c->has_opts = 1;
	c->sz = (size_t)sz;
}

/* v as a native-endian field of `size` bytes (1, 2, 4 or 8) */
void put(struct tcase *c, int off, int size, uint64_t v)
{
	uint8_t b8 = (uint8_t)v;
	uint16_t b16 = (uint16_t)v;
	uint32_t b32 = (uint32_t)v;

	switch (size) {
	case 1: memcpy(c->img + off, &b8, 1); break;
	case 2: memcpy(c->img + off, &b16, 2); break;
	case 4: memcpy(c->img + off, &b32, 4); break;
	case 8: memcpy(c->img + off, &v, 8); break;
	default: break;	/* a field this target does not have */
	}
}

void desc(struct tcase *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->desc, sizeof(c->desc), fmt, ap);
	va_end(ap);
}


/* ---- building F_OBJ cases ---- */

static struct step *add_step(struct tcase *c, int op, int h)
{
	struct step *st = &c->st[c->nstep++];

	memset(st, 0, sizeof(*st));
	st->op = (int8_t)op;
	st->h = (int8_t)h;
	st->path = -1;
	return st;
}

void s_open(struct tcase *c, int h, int path)
{
	add_step(c, OP_OPEN, h)->path = (int16_t)path;
}

void s_craft(struct tcase *c, int h, int fd, int det, int dea, int disc, int path)
{
	struct step *st = add_step(c, OP_CRAFT, h);

	st->fd = fd;
	st->det = (uint8_t)det;
	st->dea = (uint8_t)dea;
	st->disc = (uint8_t)disc;
	st->path = (int16_t)path;
}

void s_pin(struct tcase *c, int h, int path)
{
	add_step(c, OP_PIN, h)->path = (int16_t)path;
}

void s_op(struct tcase *c, int op, int h)
{
	add_step(c, op, h);
}

void s_print(struct tcase *c, int which)
{
	add_step(c, OP_SET_PRINT, 0)->det = (uint8_t)which;
}

void s_env(struct tcase *c, int which)
{
	add_step(c, OP_SETENV, 0)->det = (uint8_t)which;
}

void s_chdir(struct tcase *c, int which)
{
	add_step(c, OP_CHDIR, 0)->path = (int16_t)which;
}

void init_obj(struct tcase *c)
{
	init_case(c, F_OBJ);
	c->nk = 0;
}

void ans(struct tcase *c, struct fake_answer a)
{
	if (c->nk < FAKE_MAX_ANS)
		c->k[c->nk++] = a;
}
