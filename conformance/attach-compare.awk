# attach-compare.awk ORACLE BPFLINK: the attach transcripts (conformance/
# attach.c) block by block. A case passes when bpflink's block is identical
# to libbpf 1.7.0's. Prints the first `maxshow` differing cases with both
# blocks; the last line is "attach: N passed, N failed".
FNR == 1 { f++ }
/^== case / { cur = $3; order[f, ++n[f]] = cur; next }
cur != "" { blk[f, cur] = blk[f, cur] $0 "\n" }
END {
	if (maxshow == "") maxshow = 10
	passed = failed = 0
	for (i = 1; i <= n[1]; i++) {
		c = order[1, i]
		if ((2, c) in blk && blk[1, c] == blk[2, c]) {
			passed++
			continue
		}
		failed++
		if (failed <= maxshow) {
			printf("attach case %s differs\n--- libbpf 1.7.0\n%s--- bpflink\n%s\n", c, blk[1, c], blk[2, c])
		}
	}
	if (n[2] != n[1]) {
		printf("attach: the runs have %d and %d cases\n", n[1], n[2])
		failed++
	}
	printf("attach: %d passed, %d failed\n", passed, failed)
}
