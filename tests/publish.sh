#!/bin/sh
# tests/publish.sh: the crates meant for users (bpflink-core, bpflink,
# bpflink-tool) package and build as published (`cargo publish --workspace
# --dry-run`), with no warning but the dry run's own. Needs the crate
# registry's index (a registry is the one network access the project has).
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# The dry run packages each crate into a temporary local registry and
# extracts it under $CARGO_HOME/registry/src/-<hash>/NAME-VERSION, but only
# if that directory does not exist yet: a second run at the same version
# would build a dependent against the first run's sources. Those local
# ('-'-prefixed) extractions are only a cache; drop them.
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/
if cargo publish --workspace --dry-run --allow-dirty >"$out" 2>&1; then
	warnings=$(grep -i '^warning' "$out" | grep -v 'aborting upload due to dry run')
	if [ -z "$warnings" ]; then
		echo "ok cargo publish --workspace --dry-run: $(grep -c 'Uploading' "$out") crates, no warning"
		echo "1 passed, 0 failed"
		exit 0
	fi
	echo "FAIL cargo publish --workspace --dry-run warns:"
	echo "$warnings" | sed 's/^/# /'
else
	echo "FAIL cargo publish --workspace --dry-run:"
	tail -n 20 "$out" | sed 's/^/# /'
fi
echo "0 passed, 1 failed"
exit 1
