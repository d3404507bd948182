/*
 * The fixed corpus of the object API (bpf_link__*): pin/unpin of crafted
 * links at every path, bpf_link__open with several kernel answers, destroy
 * with every detach/dealloc callback, detach and disconnect, NULL and
 * ERR_PTR links, libbpf_set_print and LIBBPF_LOG_LEVEL; with --unrealistic
 * also kernel answers the real kernel never gives.
 *
 * Separate because each corpus is a list of cases and nothing else.
 */
#include "driver.h"

void fixed_obj(void)
{
	static const int HS[] = { H_NULL, H_ERR1, H_ERR22, H_ERR4095 };
	struct tcase c;
	int p, a, i, j, k;

	/* pin/unpin of a crafted link at every path, from two directories */
	for (k = 0; k < 2; k++)
		for (p = -1; p < NPATHS; p++)
			for (a = 0; a < (k ? 1 : 3); a++) {
				init_obj(&c);
				if (k)
					s_chdir(&c, 1);
				s_craft(&c, 0, 9, DK_RET0, 0, 0, -1);
				s_pin(&c, 0, p);
				s_op(&c, OP_PIN_PATH, 0);
				s_pin(&c, 0, 0);
				s_op(&c, OP_UNPIN, 0);
				s_op(&c, OP_UNPIN, 0);
				s_op(&c, OP_DESTROY, 0);
				ans(&c, a == 0 ? A_PIN() : A_ERR(a == 1 ? EEXIST : EPERM));
				ans(&c, A_PIN());
				desc(&c, "pin P%d%s, kernel answer %d", p, k ? " from bpf/" : "", a);	/* P-1: NULL */
				run_case(&c, "fixed");
			}
	/* bpf_link__open at every path, with several kernel answers */
	for (p = -1; p < NPATHS; p++)
		for (a = 0; a < 6; a++) {
			init_obj(&c);
			s_open(&c, 0, p);
			s_op(&c, OP_GET_ERROR, 0);
			switch (a) {
			case 0: ans(&c, A_RET(5)); break;
			case 1: ans(&c, A_RET(0)); break;	/* dup'ed to 64 */
			case 2: ans(&c, A_RET(1)); c.d[0] = D_ERR(EMFILE); c.nd = 1; break;
			case 3: ans(&c, A_ERR(ENOENT)); break;
			case 4: ans(&c, A_ERR(EPERM)); break;
			case 5: ans(&c, A_RET(2)); c.d[0] = D_OK(3); c.nd = 1; break;
			}
			if (a == 2 || a == 3 || a == 4 || p < 0) {
				/* open fails: destroy(NULL), then a call libbpf crashes on */
				s_op(&c, OP_DESTROY, 0);
				s_op(&c, OP_GET_ERROR, 0);
				s_op(&c, OP_FD, 0);
			} else {
				s_op(&c, OP_FD, 0);
				s_op(&c, OP_PIN_PATH, 0);
				s_pin(&c, 0, 1);	/* EBUSY: an opened link counts as pinned */
				s_op(&c, OP_DETACH, 0);
				s_op(&c, OP_UNPIN, 0);
				s_op(&c, OP_PIN_PATH, 0);
				s_pin(&c, 0, 1);
				s_op(&c, OP_UNPIN, 0);
				s_op(&c, OP_DESTROY, 0);
				ans(&c, p % 3 ? A_RET(0) : A_ERR(p % 2 ? EINVAL : EOPNOTSUPP));
				ans(&c, A_PIN());
			}
			desc(&c, "open P%d, kernel answer %d", p, a);
			run_case(&c, "fixed");
		}
	/* destroy of crafted links: detach/dealloc callbacks, disconnected, pin_path */
	for (i = 0; i < DK_N; i++)
		for (j = 0; j < 2; j++)
			for (k = 0; k < 3; k++)
				for (p = 0; p < 2; p++) {
					init_obj(&c);
					s_craft(&c, 0, 5 + k, i, j, k, p ? 26 : -1);
					s_craft(&c, 1, 4, DK_RET0, 0, 0, -1);
					s_op(&c, OP_DESTROY, 0);
					s_op(&c, OP_DESTROY, 1);
					desc(&c, "destroy crafted detach %s dealloc %d disconnected %d%s",
					     DK_NAME[i], j, k, p ? " pinned" : "");
					run_case(&c, "fixed");
				}
	/* disconnect and detach through the API, then destroy */
	for (i = 0; i < DK_N; i++)
		for (j = 0; j < 2; j++) {
			static const int DA[] = { 0, EINVAL, EBADF, EOPNOTSUPP };

			init_obj(&c);
			s_craft(&c, 0, 9, i, j, 0, 27);
			s_open(&c, 1, 26);
			s_op(&c, OP_DETACH, 0);
			s_op(&c, OP_DETACH, 1);
			s_op(&c, OP_DISCONNECT, 0);
			s_op(&c, OP_DISCONNECT, 1);
			s_op(&c, OP_DISCONNECT, 1);
			s_op(&c, OP_FD, 1);
			s_op(&c, OP_DESTROY, 0);
			s_op(&c, OP_DESTROY, 1);
			ans(&c, A_RET(6));
			ans(&c, DA[(i + j) % 4] ? A_ERR(DA[(i + j) % 4]) : A_RET(0));
			ans(&c, DA[(i + j + 1) % 4] ? A_ERR(DA[(i + j + 1) % 4]) : A_RET(0));
			desc(&c, "disconnect/detach, crafted detach %s dealloc %d", DK_NAME[i], j);
			run_case(&c, "fixed");
		}
	/* Answers the real kernel never gives (a positive value from BPF_OBJ_PIN
	 * or BPF_LINK_DETACH, -1 with errno 0, an fd for a NULL path): what
	 * libbpf then does follows from its code, not from a contract, and
	 * bpflink differs (reported, not decided): only with --unrealistic. */
	for (i = 0; i < 3 && unrealistic; i++) {
		init_obj(&c);
		c.unreal = 1;
		s_craft(&c, 0, 9, DK_RET0, 0, 0, -1);
		s_open(&c, 1, 0);
		s_op(&c, OP_DETACH, 0);
		s_op(&c, OP_DETACH, 1);
		s_op(&c, OP_DESTROY, 0);
		s_op(&c, OP_DESTROY, 1);
		ans(&c, A_RET(6));
		ans(&c, i == 2 ? A_ERR(0) : A_RET(i ? 1 : 7));
		ans(&c, i == 2 ? A_ERR(0) : A_RET(3));
		desc(&c, "unrealistic kernel: LINK_DETACH answers %s", i == 2 ? "-1 errno 0" : "positive");
		run_case(&c, "fixed");
	}
	for (i = 0; i < 4 && unrealistic; i++) {
		init_obj(&c);
		c.unreal = 1;
		s_craft(&c, 0, 9, DK_RET0, 0, 0, -1);
		s_pin(&c, 0, i & 1 ? 2 : 0);
		s_op(&c, OP_PIN_PATH, 0);
		s_op(&c, OP_UNPIN, 0);
		s_op(&c, OP_DESTROY, 0);
		ans(&c, i < 2 ? A_RET(5) : A_ERR(0));
		desc(&c, "unrealistic kernel: OBJ_PIN answers %s%s", i < 2 ? "5" : "-1 errno 0",
		     i & 1 ? ", parent created" : "");
		run_case(&c, "fixed");
	}
	for (i = 0; i < 2 && unrealistic; i++) {
		init_obj(&c);
		c.unreal = 1;
		s_open(&c, 0, i ? -1 : 0);
		s_op(&c, OP_GET_ERROR, 0);
		s_op(&c, OP_PIN_PATH, 0);
		s_op(&c, OP_DESTROY, 0);
		ans(&c, i ? A_RET(5) : A_ERR(0));
		desc(&c, "unrealistic kernel: OBJ_GET answers %s", i ? "fd 5 for a NULL path" : "-1 errno 0");
		run_case(&c, "fixed");
	}
	/* NULL and ERR_PTR links (libbpf crashes on most), NULL paths */
	for (i = 0; i < NF(HS); i++)
		for (j = OP_FD; j <= OP_GET_ERROR; j++) {
			for (k = 0; k < (j == OP_PIN ? 2 : 1); k++) {
				init_obj(&c);
				s_craft(&c, 0, 9, DK_RET0, 0, 0, -1);
				s_op(&c, OP_FD, 0);
				if (j == OP_PIN)
					s_pin(&c, HS[i], k ? 0 : -1);
				else
					s_op(&c, j, HS[i]);
				s_op(&c, OP_DESTROY, 0);
				desc(&c, "%s on a bad link%s", OP_FN[j], j == OP_PIN && !k ? ", path NULL" : "");
				run_case(&c, "fixed");
			}
		}
	for (i = 0; i < 4; i++) {
		/* bpf_link__pin(link, NULL): unpinned crafted, pinned crafted, opened, failed open */
		init_obj(&c);
		if (i < 2)
			s_craft(&c, 0, 9, DK_RET0, 0, 0, i ? 0 : -1);
		else
			s_open(&c, 0, 0);
		ans(&c, i == 3 ? A_ERR(ENOENT) : A_RET(5));
		s_pin(&c, 0, -1);
		s_op(&c, OP_DESTROY, 0);
		desc(&c, "pin with a NULL path, link %d", i);
		run_case(&c, "fixed");
	}
	for (j = OP_FD; j <= OP_DESTROY; j++) {
		/* a link that bpf_link__open failed to open (NULL at run time) */
		init_obj(&c);
		s_open(&c, 0, 3);
		ans(&c, A_ERR(ENOENT));
		if (j == OP_PIN)
			s_pin(&c, 0, 0);
		else
			s_op(&c, j, 0);
		s_op(&c, OP_GET_ERROR, 0);
		desc(&c, "%s on a failed open", OP_FN[j]);
		run_case(&c, "fixed");
	}
	/* libbpf_set_print: NULL, another callback, the default one */
	init_obj(&c);
	s_print(&c, PR_NULL);
	s_open(&c, 0, 3);
	s_print(&c, PR_CB);
	s_open(&c, 1, 10);
	s_print(&c, PR_CB2);
	s_open(&c, 2, 11);
	s_craft(&c, 3, 9, DK_RET0, 0, 0, -1);
	s_pin(&c, 3, 0);
	s_print(&c, PR_NULL);
	s_print(&c, PR_CB);
	s_op(&c, OP_UNPIN, 3);
	ans(&c, A_ERR(ENOENT));
	ans(&c, A_ERR(EPERM));
	ans(&c, A_ERR(ENOENT));
	ans(&c, A_PIN());
	desc(&c, "set_print NULL/cb/cb2 and back");
	run_case(&c, "fixed");
	for (i = 0; i < NF(ENVS); i++)
		for (k = 0; k < 2; k++) {
			/* the default printer (stderr) and LIBBPF_LOG_LEVEL */
			init_obj(&c);
			s_env(&c, i);
			s_print(&c, PR_DEFAULT);
			if (k) {
				/* the first message fixes the level for good */
				s_open(&c, 0, 3);
				s_env(&c, i == 2 ? 1 : 2);
			}
			s_craft(&c, 1, 9, DK_RET0, 0, 0, -1);
			s_pin(&c, 1, 0);
			s_pin(&c, 1, 4);
			s_op(&c, OP_UNPIN, 1);
			s_pin(&c, 1, 4);
			s_print(&c, PR_CB);
			s_open(&c, 2, 10);
			s_print(&c, PR_NULL);
			s_open(&c, 3, 11);
			if (k)
				ans(&c, A_ERR(ENOENT));
			ans(&c, A_PIN());
			ans(&c, A_ERR(EACCES));
			ans(&c, A_ERR(EPERM));
			desc(&c, "default printer, LIBBPF_LOG_LEVEL %s%s%s%s", ENVS[i] ? "\"" : "",
			     ENVS[i] ? ENVS[i] : "unset", ENVS[i] ? "\"" : "",
			     k ? ", changed after the first message" : "");
			run_case(&c, "fixed");
		}
}
