#!/bin/bash
# The four traces the task benchmarks compare for one seed (issue 19): MODEL sampled by
# default and GAN-only (--raw), and both baselines drawn from the first 1-HOLDOUT of
# TRACE, as OUTDIR/{default,raw,marginal,service-marginal}-SEED.EXT.
#   bench/synthetic-set.sh MODEL TRACE HOLDOUT OUTDIR SEED EXT
set -eu
model=$1 trace=$2 holdout=$3 out=$4 s=$5 ext=$6
here=$(cd "$(dirname "$0")" && pwd)
netshare=${NETSHARE:-$here/../build/cli/netshare}
"$netshare" generate -q -m "$model" -o "$out/default-$s.$ext" --seed "$s"
"$netshare" generate -q -m "$model" -o "$out/raw-$s.$ext" --seed "$s" --raw
for b in marginal service-marginal; do
	"$netshare" generate -q --baseline "$b" -i "$trace" --holdout "$holdout" \
		-o "$out/$b-$s.$ext" --seed "$s" 2>/dev/null
done
