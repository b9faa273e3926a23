#!/bin/bash
# Install the build into a temporary root (meson install --destdir), then compile every
# examples/*.c against the *installed* headers and library using only pkg-config, as a
# user would, and run it, in name order. An example's "Test:" line gives its arguments
# ($TRACE: a small pcap made here with the installed CLI; $DIR: a scratch directory
# shared by the examples, so 04 can use the model 02 wrote); its "pkg-config:" line
# names further packages it links.
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
case "$cflags" in *"$root"*) ;; *) echo "FAIL: pkg-config cflags do not point into the install: $cflags"; exit 1 ;; esac

# A small packet trace: 150 TCP/UDP flows over 4 s, as packet CSV, turned into a pcap.
DIR=$root/scratch
mkdir -p "$DIR"
awk 'BEGIN {
	srand(1);
	print "srcip,dstip,srcport,dstport,proto,time,pkt_len,version,ihl,tos,id,flag,off,ttl,chksum,tcp_flags";
	for (f = 0; f < 150; f++) {
		tcp = f % 3 != 0; n = tcp ? 2 + int(rand() * 5) : 1; t = int(rand() * 4000000);
		for (j = 0; j < n; j++)
			printf "%d,%d,%d,%d,%s,%.0f,%d,4,5,0,%d,2,0,64,0,%d\n", 167772160 + f,
			       tcp ? 1572395042 : 134744072, 30000 + f, tcp ? 443 : 53,
			       tcp ? "TCP" : "UDP", 1600000000000000 + t + 1500 * j,
			       tcp ? 40 + 500 * (j % 2) : 70, j, tcp ? 16 : 0;
	}
}' >"$DIR/trace.csv"
cli=$(find "$root" -path '*/bin/netshare' -print -quit)
libdir=$root$(pkg-config --variable=libdir netshare | sed "s|^$root||")
LD_LIBRARY_PATH=$libdir "$cli" convert "$DIR/trace.csv" "$DIR/trace.pcap"
TRACE=$DIR/trace.pcap
export NETSHARE_EXAMPLE_ITERATIONS=${NETSHARE_EXAMPLE_ITERATIONS:-5}

fail=0 n=0
for src in "$exdir"/*.c; do
	name=$(basename "$src" .c)
	n=$((n + 1))
	extra=$(sed -n 's/^ \* pkg-config: *//p' "$src")
	args=$(sed -n 's/^ \* Test: *//p' "$src" | sed "s|\$TRACE|$TRACE|g; s|\$DIR|$DIR|g")
	if [ -n "$extra" ]; then
		# System packages: not under the install root.
		cflags_x=$(PKG_CONFIG_SYSROOT_DIR= pkg-config --cflags $extra)
		libs_x=$(PKG_CONFIG_SYSROOT_DIR= pkg-config --libs $extra)
	else
		cflags_x= libs_x=
	fi
	if ! cc -std=c99 -Wall -Wextra -Werror "$src" $cflags $cflags_x $libs $libs_x -o "$root/$name"; then
		echo "FAIL: $name does not compile against the installed library"
		fail=1
		continue
	fi
	# The example must load the installed library, not the build tree's.
	if ! LD_LIBRARY_PATH=$libdir ldd "$root/$name" | grep -q "$libdir/libnetshare.so"; then
		echo "FAIL: $name does not resolve libnetshare from $libdir"
		fail=1
	fi
	# shellcheck disable=SC2086 # args are words
	if LD_LIBRARY_PATH=$libdir "$root/$name" $args >"$root/$name.out" 2>&1; then
		echo "ok: $name: $(head -n 1 "$root/$name.out")"
	else
		echo "FAIL: $name exited with status $?:"
		sed 's/^/  /' "$root/$name.out"
		fail=1
	fi
done
[ $n -gt 0 ] || { echo "FAIL: no examples found in $exdir"; exit 1; }
exit $fail
