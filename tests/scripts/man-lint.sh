#!/bin/bash
# Man pages must format without a single groff warning, and must match the code:
# the version in every title line, every CLI command and every long option of its
# --help documented in netshare(1), every exported function in a section 3 page.
set -eu
mandir=$1 cli=$2 so=$3 nm=$4
fail=0
for page in "$mandir"/*.[0-9]; do
	out=$(groff -man -t -ww -z "$page" 2>&1 || echo "groff exited with status $?")
	if [ -n "$out" ]; then
		echo "FAIL: $(basename "$page"):"
		echo "$out" | sed 's/^/  /'
		fail=1
	fi
done

# Every page names the version the CLI reports (`netshare --version`: "netshare X.Y.Z ...").
version=$("$cli" --version | awk '{ print $2 }')
for page in "$mandir"/*.[0-9]; do
	if ! grep -q "^\.TH .* \"libnetshare $version\"" "$page"; then
		echo "FAIL: $(basename "$page"): its .TH line does not name libnetshare $version"
		fail=1
	fi
done

# Commands: the lines under "Commands:" in `netshare --help`.
for cmd in $("$cli" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'); do
	if ! grep -q "^\.SS $cmd\b" "$mandir/netshare.1"; then
		echo "FAIL: netshare(1) has no '.SS $cmd' section for the command '$cmd'"
		fail=1
	fi
done

# Options: every long option a command's --help lists (lines starting with it) is in
# netshare(1), as groff writes it (\-\-name).
for cmd in $("$cli" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'); do
	[ "$cmd" = help ] && continue # `netshare help --help` asks for a command '--help'
	for opt in $("$cli" "$cmd" --help | grep -oE '^ +(-[a-zA-Z0-9], )?--[a-z0-9][a-z0-9-]*' |
	             grep -oE -- '--[a-z0-9-]+'); do
		if ! grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" "$mandir/netshare.1"; then
			echo "FAIL: netshare(1) does not mention $opt of 'netshare $cmd --help'"
			fail=1
		fi
	done
done

for fn in $("$nm" -D --defined-only "$so" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }'); do
	if ! grep -q "\b$fn\b" "$mandir"/*.3; then
		echo "FAIL: the exported function $fn is not documented in any man/*.3 page"
		fail=1
	fi
done
[ $fail -eq 0 ] && echo "ok: man pages format cleanly, name version $version and cover the CLI, its options and the API"
exit $fail
