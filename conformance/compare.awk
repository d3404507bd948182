# Compares the oracle's transcript (first file) with bpflink's (second file),
# case by case. A case passes when both blocks are identical and bpflink did
# not crash, or when it is one of the documented deviations:
#
#  * the oracle crashed (libbpf faults on this input) and bpflink made no
#    bpf() call, did not crash, and returned
#      - -EFAULT (errno EFAULT) with a "... reaches unreadable memory"
#        warning (opts tail reaching unmapped memory), or
#      - -EINVAL (errno EINVAL) for bpf_link_get_next_id(id, NULL) /
#        *_get_info_by_fd(fd, info, NULL);
#  * bpf_link_get_next_id(id, NULL) where the oracle did not crash (the
#    kernel answer was not 0, so libbpf did not write through NULL): bpflink
#    returns -EINVAL without a syscall.
#
# Variables: devfile (all deviations are listed there), maxshow (failures
# printed in full), extra_failed (added to the failures: symbol mismatches). Prints a summary; the last line is "N passed, N failed".
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
BEGIN { f = 0; nkeys = 0 }
FNR == 1 { f++ }
/^library / { lib[f] = $2; next }
/^seed / { seedline[f] = $0; next }
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
		printf("symbol comparison: %d mismatched (see above)\n", extra_failed)
		failed += extra_failed
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
		} else {
			bres = substr(line_of(B, "result "), 8)
			nullptr = call ~ /next_id=NULL/ || call ~ /info_len=NULL/
			ocrash = has(O, "result crashed")
			if (ocrash || call ~ /next_id=NULL/) {
				if (has(B, "bpf "))
					why = "documented deviation, but bpflink made a bpf() call"
				else if (nullptr && bres == "ret -22 errno 22(EINVAL)")
					why = ""
				else if (!nullptr && ocrash && bres == "ret -14 errno 14(EFAULT)" &&
					 has(B, "msg 0 \"libbpf: [a-z_]+ size \\([0-9]+\\) reaches unreadable memory"))
					why = ""
				else
					why = "documented deviation, but bpflink returned " bres
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
