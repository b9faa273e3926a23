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
# Our headers include neither libpcap's nor OpenBLAS's: no foreign include paths.
case "$cflags" in *dbus*|*openblas*|*pcap*) echo "FAIL: pkg-config --cflags leaks dependencies' paths: $cflags"; exit 1 ;; esac
# Static users still get every library.
static=$(pkg-config --static --libs netshare)
for l in -lnetshare -lpcap -lopenblas -lm; do
	case " $static " in *" $l "*) ;; *) echo "FAIL: pkg-config --static --libs lacks $l: $static"; exit 1 ;; esac
done

# The installed CLI finds its own library wherever the prefix is (no LD_LIBRARY_PATH).
cli=$(find "$root" -path '*/bin/netshare' -print -quit)
if ! env -u LD_LIBRARY_PATH ldd "$cli" | grep -q "$root.*/libnetshare.so"; then
	echo "FAIL: the installed CLI does not resolve libnetshare from the install:"
	env -u LD_LIBRARY_PATH ldd "$cli" | sed 's/^/  /'
	exit 1
fi
env -u LD_LIBRARY_PATH "$cli" --version >/dev/null ||
	{ echo "FAIL: the installed CLI does not run"; exit 1; }

# `man FUNCTION` finds its page: an alias per function of every SYNOPSIS.
man3=$(dirname "$(find "$root" -name netshare_dataset.3 -print -quit)")
grep -qx '.so man3/netshare_dataset.3' "$man3/netshare_dataset_read.3" 2>/dev/null ||
	{ echo "FAIL: no man alias netshare_dataset_read(3) -> netshare_dataset(3)"; exit 1; }
for fn in $(nm -D --defined-only "$(find "$root" -name 'libnetshare.so.*.*' -print -quit)" |
            awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }'); do
	[ -f "$man3/$fn.3" ] || { echo "FAIL: man $fn finds no page (not in any SYNOPSIS)"; exit 1; }
done

# The Python package: every module, where the interpreter looks for this prefix's
# packages, importable and working with the installed library.
pkg=$(dirname "$(find "$root" -path '*/netshare/_model.py' -print -quit)")
for m in __init__ _dataset _errors _handle _lib _model; do
	[ -f "$pkg/$m.py" ] || { echo "FAIL: meson install did not install netshare/$m.py"; exit 1; }
done
site=${pkg#"$root"}
site=${site%/netshare}
prefix=$(pkg-config --variable=prefix netshare | sed "s|^$root||")
if [ "$prefix" = /usr/local ] || [ "$prefix" = /usr ]; then
	/usr/bin/python3 -c 'import sys; sys.exit(sys.argv[1] not in sys.path)' "$site" ||
		{ echo "FAIL: the package went to $site, which python3 does not search"; exit 1; }
fi
lib=$(find "$root" -name 'libnetshare.so.*.*' -print -quit)
env -u PYTHONPATH PYTHONPATH="$root$site" NETSHARE_LIBRARY="$lib" /usr/bin/python3 -c \
	'import netshare, sys; sys.exit(not netshare.version())' ||
	{ echo "FAIL: the installed Python package does not import"; exit 1; }
echo "ok: install: pkg-config, CLI rpath, man aliases, Python package"

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
