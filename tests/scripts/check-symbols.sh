#!/bin/bash
# The public ABI is declared three times; all three must agree exactly:
#   1. functions declared NETSHARE_API in include/netshare/*.h
#   2. names listed in lib/netshare.sym
#   3. symbols the shared library exports (nm -D), all with a NETSHARE_ version node
# and the static library must define no global symbol outside the netshare_ namespace.
set -eu
src=$1 so=$2 static=$3 nm=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One declaration per line: "NETSHARE_API <type> [*]name(" (the header style).
grep -h '^NETSHARE_API' "$src"/include/netshare/*.h |
	sed -n 's/^NETSHARE_API[^(]*[ *]\([A-Za-z_][A-Za-z0-9_]*\)(.*/\1/p' | sort >"$tmp/headers"
grep -E '^[[:space:]]+netshare_[A-Za-z0-9_]+;' "$src/lib/netshare.sym" |
	tr -d ' \t;' | sort >"$tmp/map"
"$nm" -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' |
	grep -v '^NETSHARE_[0-9.]*$' >"$tmp/exports-versioned"
sed 's/@.*//' "$tmp/exports-versioned" | sort >"$tmp/exports"

fail=0
compare() { # name-a file-a name-b file-b
	if ! diff -q "$2" "$4" >/dev/null; then
		echo "FAIL: $1 and $3 differ:"
		comm -23 "$2" "$4" | sed "s/^/  only in $1: /"
		comm -13 "$2" "$4" | sed "s/^/  only in $3: /"
		fail=1
	fi
}
compare headers "$tmp/headers" symbol-map "$tmp/map"
compare symbol-map "$tmp/map" exports "$tmp/exports"

if grep -v '@@\?NETSHARE_[0-9]' "$tmp/exports-versioned" >"$tmp/unversioned"; then
	echo "FAIL: exports without a NETSHARE_ version node:"
	sed 's/^/  /' "$tmp/unversioned"
	fail=1
fi

"$nm" --extern-only --defined-only "$static" | awk 'NF == 3 { print $3 }' |
	grep -v '^netshare_' >"$tmp/leaks" || true
if [ -s "$tmp/leaks" ]; then
	echo "FAIL: the static library defines global symbols outside netshare_*:"
	sed 's/^/  /' "$tmp/leaks"
	fail=1
fi

n=$(wc -l <"$tmp/headers")
if [ "$n" -eq 0 ]; then
	echo "FAIL: found no NETSHARE_API declarations (is the header style still one line?)"
	fail=1
fi
[ $fail -eq 0 ] && echo "ok: $n public functions; headers, symbol map and exports agree"
exit $fail
