/*
 * The child of an object-API case (F_OBJ) and of the helper cases
 * (F_STRERROR, F_GET_ERROR, F_NAMES): it runs a sequence of steps on up to
 * four links (L1..L4), made by bpf_link__open (fake BPF_OBJ_GET answers) or
 * crafted by the driver with libbpf's private struct bpf_link layout
 * (link_mirror.h; detach/dealloc callbacks that record themselves), then
 * bpf_link__fd/pin_path/pin/unpin/detach/disconnect/destroy,
 * libbpf_get_error and libbpf_set_print on them, and writes its transcript
 * lines to S->text as it goes. An F_OBJ case runs in its own private mount
 * namespace (mount_namespace.c); the fake kernel answers every bpf()
 * (BPF_OBJ_PIN never creates anything unless the answer says mkpin); the
 * filesystem calls are real and recorded.
 *
 * After a step that libbpf crashes on (a NULL or ERR_PTR link to __fd,
 * __pin_path, __pin, __unpin, __detach, __disconnect; a NULL path to
 * __pin), the sequence stops in both runs: bpflink's documented result for
 * that step is the last thing compared.
 *
 * Separate from runner.c because these cases are a sequence of calls with
 * state (the links, the callbacks, errno between steps) printed as they
 * run, not one call printed by the parent afterwards.
 */
#include "driver.h"


/* the child's links */
static void *hv[NHANDLES];
static int hdead[NHANDLES];

static int handle_of(const void *p)
{
	int i;

	for (i = 0; i < NHANDLES; i++)
		if (hv[i] == p && !hdead[i])
			return i + 1;
	return 0;
}

static int cb_detach(struct craft_link *l, int kind)
{
	static const int RET[DK_N] = { 0, 0, -1, -22, 7, -1 };
	struct fake_rec *r = fake_new_rec(REC_CB);

	if (r) {
		r->a = 1;
		r->b = handle_of(l);
		r->c = l->fd;
		r->ret = RET[kind];
	}
	if (kind == DK_ERRNO)
		errno = 99;
	return RET[kind];
}
static int det_ret0(struct craft_link *l) { return cb_detach(l, DK_RET0); }
static int det_retm1(struct craft_link *l) { return cb_detach(l, DK_RETM1); }
static int det_retm22(struct craft_link *l) { return cb_detach(l, DK_RETM22); }
static int det_ret7(struct craft_link *l) { return cb_detach(l, DK_RET7); }
static int det_errno(struct craft_link *l) { return cb_detach(l, DK_ERRNO); }
static int (*const DETACH_FN[DK_N])(struct craft_link *) = {
	NULL, det_ret0, det_retm1, det_retm22, det_ret7, det_errno,
};

static void dea_cb(struct craft_link *l)
{
	struct fake_rec *r = fake_new_rec(REC_CB);

	if (r) {
		r->a = 2;
		r->b = handle_of(l);
	}
	free(l);
}

static int is_err_or_null(const void *p)
{
	return !p || (uintptr_t)p >= (uintptr_t)-4095;
}

static void *handle_value(int h)
{
	switch (h) {
	case H_NULL: return NULL;
	case H_ERR1: return (void *)(intptr_t)-1;
	case H_ERR22: return (void *)(intptr_t)-22;
	case H_ERR4095: return (void *)(intptr_t)-4095;
	}
	return hv[h];
}

/* the run-time name of a link operand */
static const char *value_name(const void *p, char *buf, size_t n)
{
	if (!p)
		return "NULL";
	if (is_err_or_null(p)) {
		snprintf(buf, n, "ERR_PTR(%ld)", (long)(intptr_t)p);
		return buf;
	}
	snprintf(buf, n, "L%d", handle_of(p));
	return buf;
}

static const char *printer_name(libbpf_print_fn_t fn)
{
	if (!fn)
		return "NULL";
	if (fn == print_cb)
		return "cb";
	if (fn == print_cb2)
		return "cb2";
	if (fn == default_printer)
		return "default";
	return "other";
}

/* The child's transcript: lines go to S->text as they are written. */
static FILE *tf;

static ssize_t text_write(void *cookie, const char *buf, size_t n)
{
	size_t room = sizeof(S->text) - 1 - S->tlen;

	(void)cookie;
	memcpy(S->text + S->tlen, buf, n < room ? n : room);
	S->tlen += n < room ? n : room;
	S->text[S->tlen] = 0;
	return (ssize_t)n;
}

static void print_state(FILE *f, int h)
{
	const struct craft_link *l;

	if (h < 0 || h >= NHANDLES || hdead[h] || is_err_or_null(hv[h]))
		return;
	l = hv[h];
	fprintf(f, "state L%d fd=%d pin_path=", h + 1, l->fd);
	if (l->pin_path) {
		fputc('"', f);
		print_escaped(f, l->pin_path);
		fputc('"', f);
	} else {
		fprintf(f, "NULL");
	}
	fprintf(f, " disconnected=%u detach=", l->disconnected);
	if (!l->detach)
		fprintf(f, "NULL");
	else {
		int k;

		for (k = 1; k < DK_N && DETACH_FN[k] != l->detach; k++)
			;
		fprintf(f, "%s", k < DK_N ? DK_NAME[k] : "library");
	}
	fprintf(f, " dealloc=%s\n", !l->dealloc ? "NULL" : l->dealloc == dea_cb ? "cb" : "library");
}

static void step_result(FILE *f, long ret, int e)
{
	fprintf(f, "result ret %ld errno %d(%s)\n", ret, e, errname(e));
}

/* Runs one step; returns 1 when the sequence must stop (libbpf crashes there). */
static int obj_step(const struct tcase *c, int i)
{
	const struct step *st = &c->st[i];
	void *lk = st->op == OP_OPEN || st->op == OP_CRAFT || st->op == OP_SETENV ||
		   st->op == OP_CHDIR || st->op == OP_SET_PRINT ? NULL : handle_value(st->h);
	int bad = is_err_or_null(lk), stop = 0, e = SENTINEL_ERRNO;
	char nb[32];
	long ret = 0;

	S->rec_mark = S->fk.nrec;
	S->msg_mark = S->nmsg;
	fprintf(tf, "step %d ", i + 1);
	switch (st->op) {
	case OP_OPEN:
		if (st->path < 0)
			fprintf(tf, "bpf_link__open(path=NULL)\n");
		else
			fprintf(tf, "bpf_link__open(path=P%d)\n", st->path);
		break;
	case OP_CRAFT:
		fprintf(tf, "craft L%d\n", st->h + 1);
		break;
	case OP_PIN:
		fprintf(tf, "bpf_link__pin(link=%s, path=", value_name(lk, nb, sizeof(nb)));
		if (st->path < 0)
			fprintf(tf, "NULL)\n");
		else
			fprintf(tf, "P%d)\n", st->path);
		break;
	case OP_SET_PRINT: case OP_SETENV: case OP_CHDIR:
		print_step_plan(tf, st);
		fprintf(tf, "\n");
		break;
	default:
		fprintf(tf, "%s(%s=%s)\n", OP_FN[st->op], st->op == OP_GET_ERROR ? "ptr" : "link",
			value_name(lk, nb, sizeof(nb)));
	}

	errno = SENTINEL_ERRNO;
	switch (st->op) {
	case OP_OPEN: {
		struct bpf_link *l = bpf_link__open(path_ptr(st->path));

		e = errno;
		hv[st->h] = l;
		hdead[st->h] = 0;
		print_recs(tf, S->rec_mark);
		print_msgs(tf, S->msg_mark);
		fprintf(tf, "result ptr %s errno %d(%s)\n", value_name(l, nb, sizeof(nb)), e, errname(e));
		print_state(tf, st->h);
		goto done;
	}
	case OP_CRAFT: {
		struct craft_link *l;

		S->fk.recording = 0;
		l = calloc(1, sizeof(*l) + 8);
		l->detach = DETACH_FN[st->det];
		l->dealloc = st->dea ? dea_cb : NULL;
		l->pin_path = st->path >= 0 ? strdup(path_ptr(st->path)) : NULL;
		l->fd = st->fd;
		l->disconnected = st->disc;
		S->fk.recording = 1;
		hv[st->h] = l;
		hdead[st->h] = 0;
		print_state(tf, st->h);
		goto done;
	}
	case OP_FD:
		ret = bpf_link__fd(lk);
		stop = bad;
		break;
	case OP_PIN_PATH: {
		const char *p = bpf_link__pin_path(lk);

		e = errno;
		print_recs(tf, S->rec_mark);
		print_msgs(tf, S->msg_mark);
		if (!p) {
			fprintf(tf, "result str NULL errno %d(%s)\n", e, errname(e));
		} else {
			fprintf(tf, "result str \"");
			print_escaped(tf, p);
			fprintf(tf, "\" (%s) errno %d(%s)\n",
				!bad && p == ((struct craft_link *)lk)->pin_path ? "the link's pin_path" : "elsewhere",
				e, errname(e));
		}
		stop = bad;
		if (!bad)
			print_state(tf, handle_of(lk) - 1);
		goto done;
	}
	case OP_PIN:
		ret = bpf_link__pin(lk, path_ptr(st->path));
		stop = bad || st->path < 0;
		break;
	case OP_UNPIN:
		ret = bpf_link__unpin(lk);
		stop = bad;
		break;
	case OP_DETACH:
		ret = bpf_link__detach(lk);
		stop = bad;
		break;
	case OP_DISCONNECT:
		bpf_link__disconnect(lk);
		e = errno;
		print_recs(tf, S->rec_mark);
		print_msgs(tf, S->msg_mark);
		fprintf(tf, "result void errno %d(%s)\n", e, errname(e));
		stop = bad;
		if (!bad)
			print_state(tf, handle_of(lk) - 1);
		goto done;
	case OP_DESTROY: {
		int h = bad ? 0 : handle_of(lk);

		ret = bpf_link__destroy(lk);
		e = errno;
		if (h)
			hdead[h - 1] = 1;
		print_recs(tf, S->rec_mark);
		print_msgs(tf, S->msg_mark);
		step_result(tf, ret, e);
		goto done;
	}
	case OP_GET_ERROR:
		/* errno as the step before left it (a failed open sets it) */
		errno = S->err;
		ret = libbpf_get_error(lk);
		break;
	case OP_SET_PRINT: {
		static libbpf_print_fn_t const FNS[] = { NULL, print_cb, print_cb2, NULL };
		libbpf_print_fn_t prev = libbpf_set_print(st->det == PR_DEFAULT ? default_printer : FNS[st->det]);

		e = errno;
		print_recs(tf, S->rec_mark);
		fprintf(tf, "result prev %s errno %d(%s)\n", printer_name(prev), e, errname(e));
		goto done;
	}
	case OP_SETENV:
		if (ENVS[st->det])
			setenv("LIBBPF_LOG_LEVEL", ENVS[st->det], 1);
		else
			unsetenv("LIBBPF_LOG_LEVEL");
		fprintf(tf, "result ok\n");
		goto done;
	case OP_CHDIR:
		ret = chdir(CWDS[st->path]);
		fprintf(tf, "result %ld\n", ret);
		goto done;
	}
	e = errno;
	print_recs(tf, S->rec_mark);
	print_msgs(tf, S->msg_mark);
	step_result(tf, ret, e);
	if (!bad && st->op != OP_GET_ERROR)
		print_state(tf, handle_of(lk) - 1);
done:
	/* libbpf_get_error(NULL) in a later step sees this errno */
	if (e != SENTINEL_ERRNO)
		S->err = e;
	S->rec_mark = S->fk.nrec;
	S->msg_mark = S->nmsg;
	return stop;
}

static void obj_strerror(const struct tcase *c)
{
	static char buf[512];
	int64_t err;
	int i, j;

	for (err = c->a0; err < c->a0 + c->a1; err++)
	for (i = 0; i < c->nval; i++) {
		int null = c->val[i] < 0;
		size_t size = (size_t)(null ? -1 - c->val[i] : c->val[i]), n = size + 8, last;
		int ret, e;

		memset(buf, 0xcc, sizeof(buf));
		errno = SENTINEL_ERRNO;
		ret = libbpf_strerror((int)err, null ? NULL : buf, size);
		e = errno;
		fprintf(tf, "err %d %s/%zu: ret %d errno %d(%s)", (int)err, null ? "NULL" : "buf", size, ret,
			e, errname(e));
		if (null) {
			fprintf(tf, "\n");
			continue;
		}
		/* the bytes up to the last one written, then how many 0xcc follow */
		for (last = n; last > 0 && (uint8_t)buf[last - 1] == 0xcc; last--)
			;
		fprintf(tf, " buf \"");
		for (j = 0; j < (int)last; j++) {
			unsigned char ch = (unsigned char)buf[j];
			int run = 0;

			while (j + run < (int)last && (uint8_t)buf[j + run] == 0xcc)
				run++;
			if (run >= 3) {
				/* untouched bytes between the text and buf[size - 1] */
				fprintf(tf, "\\xcc{%d}", run);
				j += run - 1;
			} else if (!ch)
				fputs("\\0", tf);
			else if (ch == '\\' || ch == '"')
				fprintf(tf, "\\%c", ch);
			else if (ch < 32 || ch >= 127)
				fprintf(tf, "\\x%02x", ch);
			else
				fputc(ch, tf);
		}
		fprintf(tf, "\" then 0xcc x%zu\n", n - last);
	}
}

static void obj_get_error(const struct tcase *c)
{
	static const int ERRNO_IN[] = { SENTINEL_ERRNO, 0, 1, 22, 7777, -5, INT_MAX };
	int i, j;

	for (i = 0; i < c->nval; i++) {
		const void *p = (const void *)(uintptr_t)c->val[i];

		for (j = 0; j < (p ? 1 : NF(ERRNO_IN)); j++) {
			long ret;
			int e;

			errno = ERRNO_IN[j];
			ret = libbpf_get_error(p);
			e = errno;
			fprintf(tf, "ptr 0x%" PRIx64 " errno_in %d: ret %ld errno %d(%s)\n",
				(uint64_t)c->val[i], ERRNO_IN[j], ret, e, errname(e));
		}
	}
}

static void print_name(FILE *f, const char *s, const char *again, int e)
{
	if (s) {
		fprintf(f, "\"");
		print_escaped(f, s);
		fprintf(f, "\"%s", s == again ? "" : " (a second call returned another pointer)");
	} else {
		fprintf(f, "NULL%s", again ? " (a second call returned non-NULL)" : "");
	}
	fprintf(f, " errno %d(%s)\n", e, errname(e));
}

static void obj_names(const struct tcase *c)
{
	const char *s, *again;
	int i, e;

	if (c->a0 == 2) {
		unsigned int ma, mi;

		errno = SENTINEL_ERRNO;
		ma = libbpf_major_version();
		mi = libbpf_minor_version();
		s = libbpf_version_string();
		again = libbpf_version_string();
		e = errno;
		fprintf(tf, "major %u minor %u version_string ", ma, mi);
		print_name(tf, s, again, e);
		return;
	}
	for (i = 0; i < c->nval; i++) {
		uint32_t t = (uint32_t)c->val[i];

		errno = SENTINEL_ERRNO;
		if (c->a0) {
			s = libbpf_bpf_link_type_str((enum bpf_link_type)t);
			again = libbpf_bpf_link_type_str((enum bpf_link_type)t);
		} else {
			s = libbpf_bpf_attach_type_str((enum bpf_attach_type)t);
			again = libbpf_bpf_attach_type_str((enum bpf_attach_type)t);
		}
		e = errno;
		fprintf(tf, "%u: ", t);
		print_name(tf, s, again, e);
	}
}

void run_child_obj(const struct tcase *c)
{
	static const cookie_io_functions_t io = { .write = text_write };
	struct rlimit nocore = { 0, 0 };
	char why[200];
	int i;

	setrlimit(RLIMIT_CORE, &nocore);
	alarm(5);
	tf = fopencookie(NULL, "w", io);
	if (!tf)
		_exit(3);
	setvbuf(tf, NULL, _IONBF, 0);
	if (c->fn == F_OBJ) {
		if (setup_ns(why, sizeof(why))) {
			fprintf(tf, "setup failed: %s\n", why);
			_exit(3);
		}
		if (errfd >= 0)
			dup2(errfd, 2);
	}
	S->fk.wlo = R_BASE;
	S->fk.whi = R_BASE + R_SIZE;
	S->fk.nans = c->nk;
	for (i = 0; i < c->nk; i++)
		S->fk.ans[i] = c->k[i];
	S->fk.ndup = c->nd;
	for (i = 0; i < c->nd; i++)
		S->fk.dup[i] = c->d[i];
	S->fk.realistic = !c->unreal;
	S->err = SENTINEL_ERRNO;
	S->fk.active = 1;
	S->fk.recording = 1;
	switch (c->fn) {
	case F_OBJ:
		for (i = 0; i < c->nstep; i++)
			if (obj_step(c, i)) {
				if (i + 1 < c->nstep)
					fprintf(tf, "skipped steps %d..%d (libbpf crashes in the step above)\n",
						i + 2, c->nstep);
				break;
			}
		break;
	case F_STRERROR:
		obj_strerror(c);
		break;
	case F_GET_ERROR:
		obj_get_error(c);
		break;
	case F_NAMES:
		obj_names(c);
		break;
	}
	S->fk.recording = 0;
	S->fk.active = 0;
	if (S->fk.rec_lost)
		fprintf(tf, "records lost %d\n", S->fk.rec_lost);
	if (S->msg_lost)
		fprintf(tf, "messages lost %d\n", S->msg_lost);
	S->returned = 1;
	_exit(0);
}
