#!/bin/bash
# Install the build into a temporary root (meson install --destdir), then compile every
# examples/*.c against the *installed* headers and library using only pkg-config, as a
# user would, and run it. Examples receive NETSHARE_TEST_DATA in their environment.
set -eu
build=$1 exdir=$2
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

meson install -C "$build" --destdir "$root" --no-rebuild --quiet >/dev/null
pcdir=$(dirname "$(find "$root" -name netshare.pc -print -quit)")
[ -d "$pcdir" ] || { echo "FAIL: meson install wrote no netshare.pc"; exit 1; }
export PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$root
cflags=$(pkg-config --cflags netshare)
libs=$(pkg-config --libs netshare)
libdir=$root$(pkg-config --variable=libdir netshare | sed "s|^$root||")
case "$cflags" in *"$root"*) ;; *) echo "FAIL: pkg-config cflags do not point into the install: $cflags"; exit 1 ;; esac

fail=0 n=0
for src in "$exdir"/*.c; do
	name=$(basename "$src" .c)
	n=$((n + 1))
	if ! cc -std=c99 -Wall -Wextra -Werror "$src" $cflags $libs -o "$root/$name"; then
		echo "FAIL: $name does not compile against the installed library"
		fail=1
		continue
	fi
	# The example must load the installed library, not the build tree's.
	if ! LD_LIBRARY_PATH=$libdir ldd "$root/$name" | grep -q "$libdir/libnetshare.so"; then
		echo "FAIL: $name does not resolve libnetshare from $libdir"
		fail=1
	fi
	if LD_LIBRARY_PATH=$libdir "$root/$name" >"$root/$name.out" 2>&1; then
		echo "ok: $name: $(head -n 1 "$root/$name.out")"
	else
		echo "FAIL: $name exited with status $?:"
		sed 's/^/  /' "$root/$name.out"
		fail=1
	fi
done
[ $n -gt 0 ] || { echo "FAIL: no examples found in $exdir"; exit 1; }
exit $fail
