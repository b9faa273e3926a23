#!/bin/bash
# Build the reader fuzzer with clang's libFuzzer (+ASan/UBSan) from the library sources
# and run it for a while on a seed corpus. Exits 77 (skip) without clang/libFuzzer.
#   run-fuzz.sh SOURCE_ROOT BUILD_ROOT SECONDS [DATA_DIR]
set -eu
src=$1 build=$2 seconds=$3 data=${4:-}
clang=$(command -v clang || true)
[ -n "$clang" ] || { echo "skip: clang not installed"; exit 77; }
work=$build/fuzz
mkdir -p "$work/corpus" "$work/artifacts"
probe=$work/probe.c
echo 'int LLVMFuzzerTestOneInput(const unsigned char*d, unsigned long n){(void)d;(void)n;return 0;}' >"$probe"
if ! "$clang" -fsanitize=fuzzer "$probe" -o "$work/probe" 2>/dev/null; then
	echo "skip: clang has no libFuzzer runtime (Debian: libclang-rt-14-dev)"
	exit 77
fi
mapfile -t sources < <(find "$src/lib" -name '*.c' | sort)
"$clang" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -DNETSHARE_BUILDING -std=c11 \
	-I"$src/include" -I"$build/include" -I"$src/lib" $(pkg-config --cflags libpcap openblas) \
	"$src/tests/fuzz/fuzz_read.c" "${sources[@]}" \
	$(pkg-config --libs libpcap openblas) -lm -lpthread -o "$work/fuzz_read"

# Seeds: small generated files of each format, plus small real traces when present.
printf '\x00srcip,dstip,srcport,dstport,proto,ts,td,pkt,byt,type\n1,2,3,4,TCP,5.0,1.5,6,7,x\n' >"$work/corpus/netflow"
printf '\x04#separator \\x09\n#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_pkts\n1.5\t1.2.3.4\t1\t::1\t2\ttcp\t-\t3\n' >"$work/corpus/zeek"
printf '\x00ts,uid,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,duration,orig_pkts,label\n1.5,C1,1.2.3.4,1,5.6.7.8,2,tcp,,3,-\n2,C2,::1,3,::2,4,udp,(empty),1,Benign\n' >"$work/corpus/zeek-csv"
printf '\x03ts,te,td,sa,da,sp,dp,pr,ipkt,ibyt\n2018-01-12 15:37:30,2018-01-12 15:37:31,1.0,1.2.3.4,5.6.7.8,1,2,UDP,1,60\nSummary\n' >"$work/corpus/nfdump"
printf '\x07t,a,b,p,d,n,y,l\n5,1.1.1.1,2.2.2.2,17,0.5,3,90,"q,""x"""\n' >"$work/corpus/mapped"
# Inputs that once crashed stay in the corpus, so every run re-checks them first.
cp "$src"/tests/fuzz/regressions/* "$work/corpus/" 2>/dev/null || true
# Seed for the encoder-state loader: a real encoder's state (tests write it when asked).
if [ -x "$build/tests/fuzz-seed-encoder" ]; then
	{ printf '\x40'; "$build/tests/fuzz-seed-encoder"; } >"$work/corpus/encoder-state" || true
	if "$build/tests/fuzz-seed-encoder" "$work/model.nsm"; then
		{ printf '\x20'; cat "$work/model.nsm"; } >"$work/corpus/model-file"
	fi
	# Checksums fixed after each mutation, so the contents are fuzzed: an exported
	# model, small enough for -max_len whole.
	if "$build/tests/fuzz-seed-encoder" "$work/model-export.nsm" export; then
		{ printf '\x30'; cat "$work/model-export.nsm"; } >"$work/corpus/model-file-fixed"
	fi
fi
if [ -n "$data" ] && [ -d "$data" ]; then
	for f in "$data"/caida-1k.pcapng "$data"/bad-*.pcap "$data"/tcpreplay-test.pcap \
	         $(ls "$data"/tcpdump-tests/*.pcap* 2>/dev/null | head -n 150); do
		[ -f "$f" ] || continue
		{ printf '\x01'; cat "$f"; } >"$work/corpus/$(basename "$f")"
	done
fi
cd "$work"
ASAN_OPTIONS=detect_leaks=1 ./fuzz_read -max_total_time="$seconds" -timeout=10 \
	-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/" "$work/corpus" 2>&1 | grep -v "^#[0-9]*[[:space:]]*\(NEW\|REDUCE\|pulse\|INITED\)" | tail -n 80
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
	echo "FAIL: the fuzzer found a problem; reproducer in $work/artifacts/"
	exit 1
fi
echo "ok: fuzzed the readers for $seconds s without a finding"
