/*
 * Running one case: the parent forks, the child makes the call under test
 * (the low-level functions here; F_OBJ and the helpers in run_object_api.c)
 * with the fake kernel's script, the parent waits and prints the block.
 * Also the libbpf_set_print callbacks, which record messages into *S.
 *
 * Separate because it is the only code that forks and waits: what a case
 * contains (cases.c, the corpora) and how it is printed (print.c) do not
 * depend on how it is run.
 */
#include "driver.h"

static int record_msg(int cbid, enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (S->nmsg >= MAX_MSG) {
		S->msg_lost++;
		errno = 7777;
		return 0;
	}
	vsnprintf(S->msg[S->nmsg], MSG_LEN, fmt, ap);
	S->lvl[S->nmsg] = (int)level;
	S->cbid[S->nmsg] = cbid;
	S->nmsg++;
	/* libbpf saves errno around the callback: clobber it to see that */
	errno = 7777;
	return 0;
}

int print_cb(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return record_msg(1, level, fmt, ap);
}

/* a second callback, for libbpf_set_print's interplay */
int print_cb2(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return record_msg(2, level, fmt, ap);
}

/* what the first libbpf_set_print (in main) returned: the library's default */
libbpf_print_fn_t default_printer;

static void run_child(const struct tcase *c)
{
	uint8_t *R = (uint8_t *)R_BASE;
	uint8_t *o = NULL;
	const char *path = c->p1 ? (const char *)R + OFF_PATH : NULL;
	const char *tp = c->p1 ? (const char *)R + OFF_TP : NULL;
	uint32_t *next_id = (uint32_t *)(R + OFF_NEXTID);
	uint32_t *info_len = (uint32_t *)(R + OFF_INFOLEN);
	void *info = R + OFF_INFO;
	struct rlimit nocore = { 0, 0 };
	long ret = 0;
	int e, i;

	if (c->fn >= F_OBJ)
		run_child_obj(c);	/* does not return */
	setrlimit(RLIMIT_CORE, &nocore);
	alarm(5);

	if (c->has_opts) {
		size_t n = c->place && c->place < IMG ? (size_t)c->place : IMG;

		size_t sz = (size_t)c->sz;

		o = opts_addr(c);
		memcpy(o, c->img, n);
		memcpy(o, &sz, sizeof(sz));
		if (c->far && !c->place)
			R[c->far] = 0x5a;
	}
	*next_id = SENTINEL_OUT;
	*info_len = c->in_val;
	memset(info, INFO_FILL, INFO_BUF);

	S->fk.wlo = R_BASE;
	S->fk.whi = R_BASE + R_SIZE;
	S->fk.nans = c->nk;
	for (i = 0; i < c->nk; i++)
		S->fk.ans[i] = c->k[i];
	S->fk.ndup = c->nd;
	for (i = 0; i < c->nd; i++)
		S->fk.dup[i] = c->d[i];
	S->fk.active = 1;
	S->fk.recording = 1;
	errno = SENTINEL_ERRNO;

	switch (c->fn) {
	case F_LINK_CREATE:
		ret = bpf_link_create((int)c->a0, (int)c->a1,
				      (enum bpf_attach_type)(uint32_t)c->a2,
				      (const struct bpf_link_create_opts *)o);
		break;
	case F_LINK_UPDATE:
		ret = bpf_link_update((int)c->a0, (int)c->a1,
				      (const struct bpf_link_update_opts *)o);
		break;
	case F_LINK_DETACH:
		ret = bpf_link_detach((int)c->a0);
		break;
	case F_ITER_CREATE:
		ret = bpf_iter_create((int)c->a0);
		break;
	case F_GET_NEXT_ID:
		ret = bpf_link_get_next_id((uint32_t)c->a0, c->p1 ? next_id : NULL);
		break;
	case F_GET_FD_BY_ID:
		ret = bpf_link_get_fd_by_id((uint32_t)c->a0);
		break;
	case F_GET_FD_BY_ID_OPTS:
		ret = bpf_link_get_fd_by_id_opts((uint32_t)c->a0,
						 (const struct bpf_get_fd_by_id_opts *)o);
		break;
	case F_LINK_GET_INFO:
		ret = bpf_link_get_info_by_fd((int)c->a0,
					      c->p1 ? (struct bpf_link_info *)info : NULL,
					      c->p2 ? info_len : NULL);
		break;
	case F_OBJ_GET_INFO:
		ret = bpf_obj_get_info_by_fd((int)c->a0, c->p1 ? info : NULL,
					     c->p2 ? info_len : NULL);
		break;
	case F_RAW_TP_OPEN:
		ret = bpf_raw_tracepoint_open(tp, (int)c->a0);
		break;
	case F_RAW_TP_OPEN_OPTS:
		ret = bpf_raw_tracepoint_open_opts((int)c->a0, (struct bpf_raw_tp_opts *)o);
		break;
	case F_OBJ_PIN:
		ret = bpf_obj_pin((int)c->a0, path);
		break;
	case F_OBJ_PIN_OPTS:
		ret = bpf_obj_pin_opts((int)c->a0, path, (const struct bpf_obj_pin_opts *)o);
		break;
	case F_OBJ_GET:
		ret = bpf_obj_get(path);
		break;
	case F_OBJ_GET_OPTS:
		ret = bpf_obj_get_opts(path, (const struct bpf_obj_get_opts *)o);
		break;
	}
	e = errno;
	S->fk.recording = 0;
	S->fk.active = 0;
	S->ret = ret;
	S->err = e;
	S->next_id = *next_id;
	S->info_len = *info_len;
	memcpy(S->info, info, INFO_BUF);
	S->returned = 1;
	_exit(0);
}

long ncase;		/* index of the next case */
long nrun;
FILE *out;
int errfd = -1;	/* memfd: the stderr of F_OBJ children */
int ns_ok;	/* private mount namespaces work here (F_OBJ cases need them: root) */

void run_case(struct tcase *c, const char *part)
{
	long idx = ncase++;
	pid_t pid;
	int status = 0;

	if (only_case >= 0 && idx != only_case)
		return;
	fprintf(out, "== case %ld [%s] %s\n", idx, part, c->desc);
	print_call(out, c);
	print_script(out, c);
	nrun++;
	if (list_only)
		return;
	if (c->fn == F_OBJ && !ns_ok) {
		fprintf(out, "result skipped (no private mount namespace: needs root)\n");
		return;
	}

	memset(S, 0, offsetof(struct shared, text));
	S->text[0] = 0;
	if (c->fn == F_OBJ && errfd >= 0) {
		/* the child's stderr (the default print callback writes there) */
		if (ftruncate(errfd, 0) || lseek(errfd, 0, SEEK_SET)) {
			perror("stderr memfd");
			exit(2);
		}
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0)
		run_child(c);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("waitpid");
			exit(2);
		}
	}
	print_result(out, c, status);
}
