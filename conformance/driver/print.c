/*
 * The transcript: how a case (the call or the steps, the opts bytes, the
 * kernel script) and its result (the fake kernel's records, the messages,
 * the return value, errno, output parameters) are printed. run.sh and
 * compare.awk compare these lines between the libraries.
 *
 * Separate because the transcript format is the contract with compare.awk;
 * it changes only with it.
 */
#include "driver.h"

const char *errname(int e)
{
	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EACCES: return "EACCES";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EROFS: return "EROFS";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ELOOP: return "ELOOP";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOSYS: return "ENOSYS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case E2BIG: return "E2BIG";
	case 524: return "ENOTSUPP";
	case SENTINEL_ERRNO: return "untouched";
	default: return "?";
	}
}

static const char *cmdname(long cmd)
{
	switch (cmd) {
	case 6: return "OBJ_PIN";
	case 7: return "OBJ_GET";
	case 15: return "OBJ_GET_INFO_BY_FD";
	case 17: return "RAW_TRACEPOINT_OPEN";
	case 28: return "LINK_CREATE";
	case 29: return "LINK_UPDATE";
	case 30: return "LINK_GET_FD_BY_ID";
	case 31: return "LINK_GET_NEXT_ID";
	case 33: return "ITER_CREATE";
	case 34: return "LINK_DETACH";
	default: return "?";
	}
}

static void hex(FILE *f, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%s%02x", i && i % 8 == 0 ? " " : "", b[i]);
}

static void print_call_obj(FILE *f, const struct tcase *c);

void print_call(FILE *f, const struct tcase *c)
{
	const char *p1 = c->p1 ? "R+0x180" : "NULL";

	if (c->fn >= F_OBJ) {
		print_call_obj(f, c);
		return;
	}
	fprintf(f, "call %s(", FN[c->fn].name);
	switch (c->fn) {
	case F_LINK_CREATE:
		fprintf(f, "prog_fd=%d, target_fd=%d, attach_type=%u, opts", (int)c->a0,
			(int)c->a1, (uint32_t)c->a2);
		break;
	case F_LINK_UPDATE:
		fprintf(f, "link_fd=%d, new_prog_fd=%d, opts", (int)c->a0, (int)c->a1);
		break;
	case F_LINK_DETACH:
	case F_ITER_CREATE:
		fprintf(f, "link_fd=%d", (int)c->a0);
		break;
	case F_GET_NEXT_ID:
		fprintf(f, "start_id=%u, next_id=%s", (uint32_t)c->a0, c->p1 ? "R+0x300" : "NULL");
		break;
	case F_GET_FD_BY_ID:
		fprintf(f, "id=%u", (uint32_t)c->a0);
		break;
	case F_GET_FD_BY_ID_OPTS:
		fprintf(f, "id=%u, opts", (uint32_t)c->a0);
		break;
	case F_LINK_GET_INFO:
	case F_OBJ_GET_INFO:
		fprintf(f, "fd=%d, info=%s, info_len=%s", (int)c->a0, c->p1 ? "R+0x1000" : "NULL",
			c->p2 ? "R+0x308" : "NULL");
		if (c->p2)
			fprintf(f, " (*info_len=%u)", c->in_val);
		break;
	case F_RAW_TP_OPEN:
		fprintf(f, "name=%s, prog_fd=%d", p1, (int)c->a0);
		break;
	case F_RAW_TP_OPEN_OPTS:
		fprintf(f, "prog_fd=%d, opts", (int)c->a0);
		break;
	case F_OBJ_PIN:
		fprintf(f, "fd=%d, pathname=%s", (int)c->a0, c->p1 ? "R+0x100" : "NULL");
		break;
	case F_OBJ_PIN_OPTS:
		fprintf(f, "fd=%d, pathname=%s, opts", (int)c->a0, c->p1 ? "R+0x100" : "NULL");
		break;
	case F_OBJ_GET:
		fprintf(f, "pathname=%s", c->p1 ? "R+0x100" : "NULL");
		break;
	case F_OBJ_GET_OPTS:
		fprintf(f, "pathname=%s, opts", c->p1 ? "R+0x100" : "NULL");
		break;
	}
	if (FN[c->fn].ok)
		fprintf(f, "=%s", c->has_opts ? "<below>" : "NULL");
	fprintf(f, ")\n");
	if (FN[c->fn].ok && c->has_opts) {
		size_t n = mapped_img(c), last = SZB, i;

		for (i = SZB; i < n; i++)
			if (c->img[i])
				last = i + 1;
		fprintf(f, "opts %s @R+0x%lx sz=%" PRIu64 " (0x%" PRIx64 ")", FN[c->fn].ok->name,
			(unsigned long)(opts_addr(c) - (uint8_t *)R_BASE), c->sz, c->sz);
		if (c->place)
			fprintf(f, " mapped=%d then unmapped", c->place);
		else
			fprintf(f, " zeros to R+0x%lx then unmapped", (unsigned long)R_SIZE);
		if (c->far && !c->place)
			fprintf(f, ", except R+0x%x=0x5a (opts+%lu)", c->far,
				(unsigned long)((uint8_t *)R_BASE + c->far - opts_addr(c)));
		fprintf(f, "\nopts bytes[%d..%zu]: ", SZB, last);
		hex(f, c->img + SZB, last - SZB);
		fprintf(f, "\n");
	}
}

void print_script(FILE *f, const struct tcase *c)
{
	int i;

	fprintf(f, "script bpf:");
	for (i = 0; i < c->nk; i++) {
		const struct fake_answer *a = &c->k[i];

		if (a->kind == FA_ERR)
			fprintf(f, " [-1 %s", errname(a->val));
		else if (a->kind == FA_RET)
			fprintf(f, " [%d", a->val);
		else
			fprintf(f, " [default %d", FAKE_DEFAULT_RET);
		if (a->wb_off >= 0)
			fprintf(f, " wb@%d=0x%x", a->wb_off, a->wb_val);
		if (a->fill)
			fprintf(f, " fill %d", a->fill);
		if (a->mkpin)
			fprintf(f, " mkpin");
		fprintf(f, "]");
	}
	fprintf(f, " then default %d; dup:", FAKE_DEFAULT_RET);
	for (i = 0; i < c->nd; i++) {
		if (c->d[i].kind == FD_ERR)
			fprintf(f, " [-1 %s]", errname(c->d[i].val));
		else if (c->d[i].kind == FD_OK)
			fprintf(f, " [%d]", c->d[i].val);
		else
			fprintf(f, " [default]");
	}
	fprintf(f, " then %d+n\n", FAKE_DUP_BASE);
}

void print_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\\')
			fputs("\\\\", f);
		else if (ch < 32 || ch >= 127)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
}

static void print_str(FILE *f, const struct fake_rec *r)
{
	fputc('"', f);
	print_escaped(f, r->str);
	fputc('"', f);
	if (r->plen >= FAKE_STR_MAX - 1)
		fprintf(f, "...(len %u)", r->plen);
}

void print_recs(FILE *f, int from)
{
	int i;

	for (i = from; i < S->fk.nrec; i++) {
		const struct fake_rec *r = &S->fk.rec[i];

		switch (r->kind) {
		case REC_BPF:
			fprintf(f, "bpf cmd=%ld(%s) size=%ld attr=", r->a, cmdname(r->a), r->c);
			if (r->pkind == PS_HEAP || r->pkind == PS_UNREADABLE) {
				/* a heap pointer: its address differs between the runs */
				fprintf(f, "<pathname>");
				hex(f, r->bytes + 8, r->nbytes - 8);
			} else {
				hex(f, r->bytes, r->nbytes);
			}
			if (r->pkind == PS_NULL)
				fprintf(f, " pathname=NULL");
			else if (r->pkind == PS_UNREADABLE)
				fprintf(f, " pathname=unreadable");
			else if (r->pkind) {
				fprintf(f, " pathname=%s ", r->pkind == PS_REGION ? "region" : "heap");
				print_str(f, r);
			}
			if (r->fake < 0)
				fprintf(f, " (stand-in pin failed: errno %d)", -r->fake);
			break;
		case REC_MKDIR:
			fprintf(f, "mkdir ");
			print_str(f, r);
			fprintf(f, " mode=0%lo", r->a);
			break;
		case REC_STATFS:
			fprintf(f, "statfs ");
			print_str(f, r);
			break;
		case REC_UNLINK:
			fprintf(f, "unlink ");
			print_str(f, r);
			break;
		case REC_CB:
			if (r->a == 1)
				fprintf(f, "callback detach(L%ld) fd=%ld -> %ld\n", r->b, r->c, r->ret);
			else
				fprintf(f, "callback dealloc(L%ld)\n", r->b);
			continue;
		case REC_FCNTL:
			fprintf(f, "fcntl fd=%ld%s cmd=%ld%s arg=%ld", r->a, r->fake ? "(fake)" : "",
				r->b, r->b == 1030 ? "(F_DUPFD_CLOEXEC)" : "", r->c);
			break;
		case REC_CLOSE:
			fprintf(f, "close fd=%ld%s", r->a, r->fake ? "(fake)" : "");
			break;
		case REC_SYSCALL:
			fprintf(f, "syscall nr=%ld arg1=%ld", r->a, r->b);
			break;
		}
		fprintf(f, " -> %ld", r->ret);
		if (r->ret < 0)
			fprintf(f, " errno %d(%s)", r->err, errname(r->err));
		if (r->kind == REC_STATFS && r->ret == 0)
			fprintf(f, " f_type=0x%lx%s", r->b,
				(unsigned long)r->b == 0xcafe4a11ul ? "(BPF_FS_MAGIC)"
				: (unsigned long)r->b == 0x01021994ul ? "(TMPFS_MAGIC)" : "");
		fprintf(f, "\n");
	}
}

void print_msgs(FILE *f, int from)
{
	int i;

	for (i = from; i < S->nmsg; i++) {
		fprintf(f, "msg%s %d \"", S->cbid[i] == 2 ? "(cb2)" : "", S->lvl[i]);
		print_escaped(f, S->msg[i]);
		fprintf(f, "\"\n");
	}
}

static void print_result_obj(FILE *f, const struct tcase *c, int status);

void print_result(FILE *f, const struct tcase *c, int status)
{
	if (c->fn >= F_OBJ) {
		print_result_obj(f, c, status);
		return;
	}
	print_recs(f, 0);
	if (S->fk.rec_lost)
		fprintf(f, "records lost %d\n", S->fk.rec_lost);
	print_msgs(f, 0);
	if (S->msg_lost)
		fprintf(f, "messages lost %d\n", S->msg_lost);

	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
		fprintf(f, "result timeout\n");
		return;
	}
	if (WIFSIGNALED(status)) {
		fprintf(f, "result crashed signal %d\n", WTERMSIG(status));
		return;
	}
	if (!S->returned || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(f, "result child failed status 0x%x\n", status);
		return;
	}
	fprintf(f, "result ret %ld errno %d(%s)\n", S->ret, S->err, errname(S->err));
	if (c->fn == F_GET_NEXT_ID && c->p1)
		fprintf(f, "out *next_id=0x%x\n", S->next_id);
	if ((c->fn == F_LINK_GET_INFO || c->fn == F_OBJ_GET_INFO)) {
		size_t n = INFO_BUF;

		if (c->p2)
			fprintf(f, "out *info_len=%u\n", S->info_len);
		while (n > 0 && S->info[n - 1] == INFO_FILL)
			n--;
		fprintf(f, "out info[0..%zu]=", n);
		hex(f, S->info, n);
		fprintf(f, "\n");
	}
}

static void print_path(FILE *f, int i)
{
	const char *p = path_ptr(i);
	char tmp[96];

	if (!p) {
		fprintf(f, "NULL");
		return;
	}
	fprintf(f, "P%d \"", i);
	if (strlen(p) > 80) {
		snprintf(tmp, sizeof(tmp), "%.80s", p);
		print_escaped(f, tmp);
		fprintf(f, "...\"(len %zu)", strlen(p));
	} else {
		print_escaped(f, p);
		fputc('"', f);
	}
}

static const char *handle_name(int h, char *buf, size_t n)
{
	switch (h) {
	case H_NULL: return "NULL";
	case H_ERR1: return "ERR_PTR(-1)";
	case H_ERR22: return "ERR_PTR(-22)";
	case H_ERR4095: return "ERR_PTR(-4095)";
	}
	snprintf(buf, n, "L%d", h + 1);
	return buf;
}

/* the plan line of a step */
void print_step_plan(FILE *f, const struct step *st)
{
	char b[32];

	switch (st->op) {
	case OP_OPEN:
		fprintf(f, "L%d = bpf_link__open(path=", st->h + 1);
		print_path(f, st->path);
		fprintf(f, ")");
		break;
	case OP_CRAFT:
		fprintf(f, "L%d = craft(fd=%d, detach=%s, dealloc=%s, disconnected=%u, pin_path=", st->h + 1,
			st->fd, DK_NAME[st->det], st->dea ? "cb" : "NULL", st->disc);
		if (st->path >= 0)
			fprintf(f, "strdup(P%d))", st->path);
		else
			fprintf(f, "NULL)");
		break;
	case OP_PIN:
		fprintf(f, "bpf_link__pin(link=%s, path=", handle_name(st->h, b, sizeof(b)));
		print_path(f, st->path);
		fprintf(f, ")");
		break;
	case OP_SET_PRINT:
		fprintf(f, "libbpf_set_print(%s)", PR_NAME[st->det]);
		break;
	case OP_SETENV:
		if (ENVS[st->det])
			fprintf(f, "setenv LIBBPF_LOG_LEVEL=\"%s\"", ENVS[st->det]);
		else
			fprintf(f, "unsetenv LIBBPF_LOG_LEVEL");
		break;
	case OP_CHDIR:
		fprintf(f, "chdir \"%s\"", CWDS[st->path]);
		break;
	default:
		fprintf(f, "%s(%s=%s)", OP_FN[st->op], st->op == OP_GET_ERROR ? "ptr" : "link",
			handle_name(st->h, b, sizeof(b)));
	}
}

static void print_vals(FILE *f, const struct tcase *c, int sizes)
{
	int i;

	for (i = 0; i < c->nval; i++) {
		if (sizes && c->val[i] < 0)
			fprintf(f, "%sNULL/%" PRId64, i ? "," : "", -1 - c->val[i]);
		else if (sizes)
			fprintf(f, "%s%" PRId64, i ? "," : "", c->val[i]);
		else
			fprintf(f, "%s0x%" PRIx64, i ? "," : "", (uint64_t)c->val[i]);
	}
}

static void print_call_obj(FILE *f, const struct tcase *c)
{
	int i;

	switch (c->fn) {
	case F_OBJ:
		for (i = 0; i < c->nstep; i++) {
			fprintf(f, "call %d: ", i + 1);
			print_step_plan(f, &c->st[i]);
			fprintf(f, "\n");
		}
		break;
	case F_STRERROR:
		if (c->a1 > 1)
			fprintf(f, "call libbpf_strerror(err, buf, size) for err in %" PRId64 "..%" PRId64
				", buf/size in [", c->a0, c->a0 + c->a1 - 1);
		else
			fprintf(f, "call libbpf_strerror(err=%" PRId64 ", buf, size) for buf/size in [", c->a0);
		print_vals(f, c, 1);
		fprintf(f, "]\n");
		break;
	case F_GET_ERROR:
		fprintf(f, "call libbpf_get_error(ptr) for ptr in [");
		print_vals(f, c, 0);
		fprintf(f, "]\n");
		break;
	case F_NAMES:
		if (c->a0 == 2) {
			fprintf(f, "call libbpf_major_version(), libbpf_minor_version(), libbpf_version_string()\n");
			break;
		}
		fprintf(f, "call %s(t) for t in [",
			c->a0 ? "libbpf_bpf_link_type_str" : "libbpf_bpf_attach_type_str");
		print_vals(f, c, 0);
		fprintf(f, "]\n");
		break;
	}
}

static void print_result_obj(FILE *f, const struct tcase *c, int status)
{
	fputs(S->text, f);
	if (!S->returned || !WIFEXITED(status) || WEXITSTATUS(status)) {
		/* what the crashed step did before it died */
		print_recs(f, S->rec_mark);
		print_msgs(f, S->msg_mark);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
			fprintf(f, "result timeout\n");
		else if (WIFSIGNALED(status))
			fprintf(f, "result crashed signal %d\n", WTERMSIG(status));
		else
			fprintf(f, "result child failed status 0x%x\n", status);
	}
	if (c->fn == F_OBJ && errfd >= 0) {
		char buf[2048];
		ssize_t n = pread(errfd, buf, sizeof(buf) - 1, 0);

		if (n > 0) {
			char *q;

			buf[n] = 0;
			/* qemu-user's own report of the child's fatal signal (the
			 * cross runs): the emulator's, not the program's output */
			while ((q = strstr(buf, "qemu: uncaught target signal")) != NULL) {
				char *eol = strchr(q, '\n');

				memmove(q, eol ? eol + 1 : q + strlen(q), strlen(eol ? eol + 1 : q + strlen(q)) + 1);
				n = (ssize_t)strlen(buf);
			}
		}
		if (n > 0) {
			fprintf(f, "stderr \"");
			print_escaped(f, buf);
			fprintf(f, "\"\n");
			/* a sanitizer's report (instrumented builds) belongs on our stderr too */
			if (strstr(buf, "Sanitizer") || strstr(buf, "runtime error:"))
				fprintf(stderr, "case %ld (stderr of the child):\n%s\n", ncase - 1, buf);
		}
	}
}
