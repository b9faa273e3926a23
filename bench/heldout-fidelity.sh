#!/bin/bash
# Held-out fidelity over seeds (docs/METRICS.md): a model trained with
# `netshare train --holdout F`, sampled with seeds 1..N by default and GAN-only (--raw),
# next to the marginal and service-marginal baselines (seeds 1..N, drawn from the same
# training part) and the noise floor (the held-out part), all compared with the
# training part. Writes OUTDIR/eval.json (netshare eval --json) and prints a summary
# table (bench/heldout-summary.py). VARIANTS="name:generate flags;..." adds methods,
# e.g. VARIANTS="no-caps:--no-length-caps;raw-t1:--raw --temperature 1".
#   bench/heldout-fidelity.sh TRACE MODEL HOLDOUT OUTDIR [SEEDS] [NETSHARE]
set -eu
trace=$1 model=$2 holdout=$3 out=$4 seeds=${5:-5}
here=$(cd "$(dirname "$0")" && pwd)
netshare=${6:-$here/../build/cli/netshare}
mkdir -p "$out"
ext=pcap
case "$trace" in *.csv) ext=csv ;; *.log) ext=log ;; esac
traces=()
for s in $(seq 1 "$seeds"); do
	"$netshare" generate -q -m "$model" -o "$out/default-$s.$ext" --seed "$s"
	"$netshare" generate -q -m "$model" -o "$out/raw-$s.$ext" --seed "$s" --raw
	traces+=("$out/default-$s.$ext" "$out/raw-$s.$ext")
	IFS=';' read -ra variants <<< "${VARIANTS:-}"
	for v in "${variants[@]}"; do
		read -ra flags <<< "${v#*:}"
		"$netshare" generate -q -m "$model" -o "$out/${v%%:*}-$s.$ext" --seed "$s" "${flags[@]}"
		traces+=("$out/${v%%:*}-$s.$ext")
	done
done
for s in $(seq 1 "$seeds"); do
	for b in marginal service-marginal; do
		"$netshare" generate --baseline "$b" -i "$trace" --holdout "$holdout" \
			-o "$out/$b-$s.$ext" --seed "$s" -q 2>/dev/null
		traces+=("$out/$b-$s.$ext")
	done
done
"$netshare" eval --json --holdout "$holdout" "$trace" "${traces[@]}" > "$out/eval.json"
/usr/bin/python3 "$here/heldout-summary.py" "$out/eval.json"
