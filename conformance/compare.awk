# Compares the oracle's transcript (first file) with bpflink's (second file),
# case by case. A case passes when both blocks are identical and bpflink did
# not crash, or when it is one of the documented deviations:
#
#  * the oracle crashed (libbpf faults on this input) and bpflink made no
#    bpf() call, did not crash, and returned
#      - -EFAULT (errno EFAULT) with a "... reaches unreadable memory"
#        warning (opts tail reaching unmapped memory), or
#      - -EINVAL (errno EINVAL) for *_get_info_by_fd(fd, info, NULL);
#  * bpf_link_get_next_id(id, NULL): both libraries make the syscall; where
#    the kernel answered 0 libbpf crashes writing through NULL and bpflink
#    returns -EINVAL; otherwise the transcripts must be identical;
#  * object-API cases (F_OBJ, "call 1: ..."): the oracle crashed in a step
#    that passes a NULL or ERR_PTR link to bpf_link__fd/pin/unpin/detach/
#    pin_path/disconnect, or a NULL path to bpf_link__pin; everything before
#    that step is identical, bpflink did nothing in the step (no call, no
#    message) and returned the documented value (-EINVAL with errno EINVAL;
#    pin_path: NULL with errno EINVAL; disconnect: errno EINVAL), and after it
#    only shows the links' state and the skipped steps, then the same stderr;
#  * (--unrealistic only) bpf_link__open(NULL) after a fake kernel accepted
#    the NULL path: libbpf crashes in strdup(NULL) after its OBJ_GET; bpflink
#    closes the fd and returns NULL with errno EINVAL.
#
# Variables: devfile (all deviations are listed there), maxshow (failures
# printed in full), extra_failed (added to the failures: symbol mismatches,
# static/shared differences, attach cases), extra_passed (the attach cases
# that passed, conformance/attach-compare.awk). Prints a summary; the last line is "N passed, N failed".
function strip_result(block,    n, i, a, s) {
	n = split(block, a, "\n"); s = ""
	for (i = 1; i <= n; i++)
		if (a[i] !~ /^result /)
			s = s a[i] "\n"
	return s
}
function has(block, re) { return match(block, "(^|\n)" re) > 0 }
function line_of(block, prefix,    n, i, a) {
	n = split(block, a, "\n")
	for (i = 1; i <= n; i++)
		if (index(a[i], prefix) == 1)
			return a[i]
	return ""
}
function head_of(block,    n, i, a, s) {
	# the lines the driver derives from the case alone
	n = split(block, a, "\n"); s = ""
	for (i = 1; i <= n; i++)
		if (a[i] ~ /^(call|opts|script) /)
			s = s a[i] "\n"
	return s
}
function show(label, block, other,    n, i, a) {
	# "!" marks a line the other library's block does not have
	n = split(block, a, "\n")
	for (i = 1; i <= n; i++)
		if (a[i] != "")
			printf("  %s %-8s| %s\n", index("\n" other, "\n" a[i] "\n") ? " " : "!", label, a[i])
}
# Object-API deviation: "" when the oracle's block O and bpflink's block B
# differ only by the documented result of the step the oracle crashed in;
# else the reason. Sets obj_fname / obj_what / obj_res.
function obj_deviation(O, B,    no, nb, a, b, i, j, k, st, res, want) {
	no = split(O, a, "\n"); nb = split(B, b, "\n")
	for (i = 1; i <= no; i++)
		if (a[i] ~ /^result crashed /)
			break
	if (i > no)
		return "transcripts differ"
	for (j = 1; j < i; j++)
		if (j > nb || a[j] != b[j])
			return "transcripts differ before the step the oracle crashed in"
	# the crashed step: its "step" line directly precedes the result
	for (j = i - 1; j > 0 && a[j] !~ /^step [0-9]+ /; j--)
		;
	st = a[j]
	sub(/^step [0-9]+ /, "", st)
	# bpf_link__open(NULL) when a (fake) kernel accepted the NULL path: libbpf
	# crashes in strdup(NULL) after its OBJ_GET; bpflink closes the new fd
	# and returns NULL with errno EINVAL (only with --unrealistic answers).
	if (st == "bpf_link__open(path=NULL)" && j != i - 1) {
		for (m = j + 1; m < i; m++)
			if (m > nb || a[m] != b[m])
				return "oracle crashed in " st "; bpflink differs before it"
		if (b[i] !~ /^close fd=/ || b[i + 1] != "result ptr NULL errno 22(EINVAL)")
			return "documented deviation, but bpflink did: " b[i] " / " b[i + 1]
		obj_what = "path NULL (kernel accepted it)"; obj_fname = "bpf_link__open"
		obj_res = substr(b[i + 1], 8)
		return ""
	}
	if (j != i - 1)
		return "oracle crashed in " st " after it did something, not a documented deviation"
	obj_fname = st; sub(/\(.*/, "", obj_fname)
	if (st ~ /^bpf_link__pin\(link=[^,]*, path=NULL\)$/ && st !~ /link=(NULL|ERR_PTR)/) {
		obj_what = "path NULL"
	} else if (st ~ /^bpf_link__(fd|pin_path|pin|unpin|detach|disconnect)\(link=NULL[,)]/) {
		obj_what = "link NULL"
	} else if (st ~ /^bpf_link__(fd|pin_path|pin|unpin|detach|disconnect)\(link=ERR_PTR\(-[0-9]+\)[,)]/) {
		obj_what = "link ERR_PTR"
	} else {
		return "oracle crashed in " st ", not a documented deviation"
	}
	want = "result ret -22 errno 22(EINVAL)"
	if (obj_fname == "bpf_link__pin_path") want = "result str NULL errno 22(EINVAL)"
	if (obj_fname == "bpf_link__disconnect") want = "result void errno 22(EINVAL)"
	obj_res = substr(b[i], 8)
	if (b[i] != want)
		return "documented deviation, but bpflink " (b[i] ~ /^result / ? "returned " obj_res : "did: " b[i])
	k = i + 1
	while (k <= nb && b[k] ~ /^(state|skipped) /)
		k++
	for (j = i + 1; j <= no || k <= nb; j++) {
		if (j > no || k > nb || a[j] != b[k])
			return "documented deviation, but the rest of the case differs"
		k++
	}
	return ""
}
BEGIN { f = 0; nkeys = 0 }
FNR == 1 { f++; cur = "" }
/^library / { lib[f] = $2; next }
/^seed / { seedline[f] = $0; next }
/^object-API cases / { nsline[f] = $0; next }
/^== end / { endline[f] = $0; next }
/^== case / {
	cur = $3
	if (f == 1) order[++nkeys] = cur
	title[f, cur] = $0
	seen[f, cur] = 1
	next
}
/^bpf cmd=/ { nbpf[f]++ }
/^(fcntl|close) / { nfd[f]++ }
{ blk[f, cur] = blk[f, cur] $0 "\n" }
END {
	if (maxshow == "") maxshow = 15
	passed = failed = ndev = 0
	if (extra_failed + 0 > 0) {
		printf("symbols, static library, attach cases: %d failed (see above)\n", extra_failed)
		failed += extra_failed
	}
	passed += extra_passed
	if (nsline[1] != nsline[2]) {
		printf("the object-API cases ran in only one of the runs:\n  oracle:  %s\n  bpflink: %s\n",
		       nsline[1], nsline[2])
		failed++
	}
	if (seedline[1] != seedline[2] || endline[1] != endline[2] || endline[1] == "") {
		printf("transcripts do not cover the same run:\n  oracle:  %s / %s\n  bpflink: %s / %s\n",
		       seedline[1], endline[1], seedline[2], endline[2])
		failed++
	}
	# The fake kernel must have seen both libraries' calls (through the PLT).
	for (j = 1; j <= 2; j++)
		if (nkeys > 100 && (nbpf[j] == 0 || nfd[j] == 0)) {
			printf("the fake kernel saw %d bpf() and %d fcntl()/close() calls from %s: %s\n",
			       nbpf[j], nfd[j], lib[j], "its calls bypass libc's syscall()/fcntl()/close()")
			failed++
		}
	for (i = 1; i <= nkeys; i++) {
		k = order[i]; O = blk[1, k]; B = blk[2, k]
		call = line_of(O, "call ")
		why = ""
		if (!seen[2, k]) {
			why = "missing from bpflink's transcript"
		} else if (has(B, "result (crashed|timeout|child failed)")) {
			why = "bpflink " substr(line_of(B, "result "), 8)
		} else if (O == B && has(O, "result (timeout|child failed)")) {
			why = "oracle " substr(line_of(O, "result "), 8)
		} else if (O == B) {
			passed++
			continue
		} else if (head_of(O) != head_of(B)) {
			why = "the drivers generated different cases"
		} else if (call ~ /^call 1: /) {
			why = obj_deviation(O, B)
			if (why == "") {
				passed++
				ndev++
				bres = obj_res
				d = sprintf("case %s: %s\n    %s\n    oracle: crashed; bpflink: %s",
					    k, substr(title[1, k], index(title[1, k], "]") + 2), obj_fname " (" obj_what ")", bres)
				if (devfile != "") print d > devfile
				g = sprintf("%-30s %-34s oracle %-16s bpflink %s", obj_fname, obj_what, "crashed", bres)
				if (!(g in gcount)) gorder[++ngroups] = g
				gcount[g]++
				if (gcount[g] <= 6) gex[g] = gex[g] " " k
				continue
			}
		} else {
			bres = substr(line_of(B, "result "), 8)
			nullptr = call ~ /next_id=NULL/ || call ~ /info_len=NULL/
			ocrash = has(O, "result crashed")
			# bpf_link_get_next_id(id, NULL): both make the call; where libbpf
			# then crashes writing the answer, bpflink returns -EINVAL.
			Onr = strip_result(O)
			Bnr = strip_result(B)
			if (ocrash && call ~ /next_id=NULL/) {
				if (Onr != Bnr)
					why = "documented deviation, but bpflink's calls differ from libbpf's"
				else if (bres == "ret -22 errno 22(EINVAL)")
					why = ""
				else
					why = "documented deviation, but bpflink returned " bres
			}
			if (ocrash && call !~ /next_id=NULL/) {
				if (has(B, "bpf "))
					why = "documented deviation, but bpflink made a bpf() call"
				else if (nullptr && bres == "ret -22 errno 22(EINVAL)")
					why = ""
				else if (!nullptr && ocrash && bres == "ret -14 errno 14(EFAULT)" &&
					 has(B, "msg 0 \"libbpf: [a-z_]+ size \\([0-9]+\\) reaches unreadable memory"))
					why = ""
				else
					why = "documented deviation, but bpflink returned " bres
			}
			if (ocrash) {
				if (why == "") {
					passed++
					ndev++
					d = sprintf("case %s: %s\n    %s\n    oracle: %s; bpflink: %s",
						    k, substr(title[1, k], index(title[1, k], "]") + 2), call,
						    substr(line_of(O, "result "), 8), bres)
					if (devfile != "") print d > devfile
					fname = call; sub(/^call /, "", fname); sub(/\(.*/, "", fname)
					if (call ~ /next_id=NULL/) what = "next_id NULL"
					else if (call ~ /info_len=NULL/) what = "info_len NULL"
					else what = "opts tail reaches unmapped memory"
					g = sprintf("%-30s %-34s oracle %-16s bpflink %s", fname, what,
						    ocrash ? "crashed" : "made the call", bres)
					if (!(g in gcount)) gorder[++ngroups] = g
					gcount[g]++
					if (gcount[g] <= 6) gex[g] = gex[g] " " k
					continue
				}
			} else {
				why = "transcripts differ"
			}
		}
		failed++
		if (failed <= maxshow) {
			printf("FAIL %s: %s\n", title[1, k], why)
			show("oracle", O, B)
			show("bpflink", B, O)
		}
	}
	printf("\ndocumented deviations (bpflink returns an error where libbpf crashes or %s): %d cases\n",
	       "writes through NULL", ndev)
	for (i = 1; i <= ngroups; i++)
		printf("  %5d  %s  (e.g. case%s)\n", gcount[gorder[i]], gorder[i], gex[gorder[i]])
	if (devfile != "" && ndev) printf("  every case is listed in %s\n", devfile)
	if (failed > maxshow) printf("\n(%d more failures not shown)\n", failed - maxshow)
	printf("\n%d passed, %d failed\n", passed, failed)
	exit failed ? 1 : 0
}
