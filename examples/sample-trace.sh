#!/bin/bash
# Print the path of a real sample trace, fetching it first if needed: the one-hour LAN
# capture (62,781 packets, 19 hosts) that Debian's `pathspider` package ships as test
# data. Needs only Debian's archive (apt-get download runs without root).
#   build/cli/netshare stats "$(examples/sample-trace.sh)"
set -eu
cache=${XDG_CACHE_HOME:-$HOME/.cache}/netshare
trace=$cache/pathspider-real.pcap
if [ ! -s "$trace" ]; then
	mkdir -p "$cache"
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	(cd "$work" && apt-get download -q pathspider >&2 && dpkg -x pathspider_*.deb x)
	cp "$work/x/usr/lib/python3/dist-packages/pathspider/tests/data/real.pcap" "$trace.tmp"
	mv "$trace.tmp" "$trace"
fi
echo "$trace"
