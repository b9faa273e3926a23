#!/bin/bash
# Generation over MPI ranks (issue 18): the same model and seed on 1 rank with 1 thread,
# 2 ranks with 1 thread each, and 1 rank with 2 threads, side by side; checks the files
# are byte-identical and prints one JSON line of wall times.
#   bench/mpi-generate.sh MODEL FLOWS [OUTDIR]
set -eu
model=$1 flows=$2 out=${3:-$(mktemp -d)}
here=$(cd "$(dirname "$0")" && pwd)
netshare=${NETSHARE:-$here/../build/cli/netshare}
mpirun=(mpirun --allow-run-as-root)
t() { local s; s=$(date +%s.%N); "$@"; /usr/bin/python3 -c "print($(date +%s.%N) - $s)"; }
one=$(t "$netshare" generate -q -m "$model" -o "$out/one.pcap" --flows "$flows" --threads 1)
two=$(t "${mpirun[@]}" -n 2 "$netshare" generate -q -m "$model" -o "$out/two.pcap" \
	--flows "$flows" --threads 1)
thr=$(t "$netshare" generate -q -m "$model" -o "$out/threads.pcap" --flows "$flows" --threads 2)
same=false
cmp -s "$out/one.pcap" "$out/two.pcap" && cmp -s "$out/one.pcap" "$out/threads.pcap" && same=true
/usr/bin/python3 -c "import json; print(json.dumps({'flows': $flows, 'rank1_thread1_s': round($one, 2),
  'ranks2_thread1_s': round($two, 2), 'rank1_threads2_s': round($thr, 2),
  'speedup_ranks2': round($one / $two, 2), 'speedup_threads2': round($one / $thr, 2),
  'byte_identical': '$same' == 'true'}))"
