#!/bin/bash
# The traffic-type task (issue 19; bindings/python/netshare/tasks.py) on a labelled flow
# trace held out in time: train a model on the first part (netshare train --holdout F
# -I ITERATIONS), generate seeds 1..S by default and GAN-only, draw both baselines from
# the same part, then train the five classifiers on each and on the real first part and
# score them on the held-out rest. Writes OUTDIR/tasks-SEED.json and prints the table
# (mean accuracy per classifier over the seeds, Spearman's rho per seed).
#   bench/traffic-type.sh TRACE HOLDOUT OUTDIR [ITERATIONS [SEEDS]]
set -eu
trace=$1 holdout=$2 out=$3 iters=${4:-400} seeds=${5:-3}
here=$(cd "$(dirname "$0")" && pwd)
netshare=${NETSHARE:-$here/../build/cli/netshare}
export PYTHONPATH=$here/../bindings/python${PYTHONPATH:+:$PYTHONPATH}
mkdir -p "$out"
ext=${trace##*.}
"$netshare" train -q -i "$trace" --holdout "$holdout" -I "$iters" -o "$out/model.nsm"
for s in $(seq 1 "$seeds"); do
	"$here/synthetic-set.sh" "$out/model.nsm" "$trace" "$holdout" "$out" "$s" "$ext"
	/usr/bin/python3 -m netshare.tasks traffic-type --holdout "$holdout" --seed "$s" \
		"$trace" "$out"/{default,raw,marginal,service-marginal}-"$s.$ext" > "$out/tasks-$s.json"
done
/usr/bin/python3 - "$out" "$seeds" <<'PY'
import json, re, sys
out, n = sys.argv[1], int(sys.argv[2])
runs = [json.load(open(f"{out}/tasks-{s}.json")) for s in range(1, n + 1)]
clfs = runs[0]["classifiers"]
print(f"{'train on':18}" + "".join(f"{c[:10]:>11}" for c in clfs) + "   spearman per seed")
for meth in ["real", "default", "raw", "marginal", "service-marginal"]:
    acc, rho = [], []
    for r in runs:
        name = [k for k in r["accuracy"] if re.sub(r"-\d+\.\w+$", "", k) == meth][0]
        acc.append([r["accuracy"][name][c] for c in clfs])
        rho.append(r["spearman"].get(name))
    mean = [sum(a[i] for a in acc) / len(acc) for i in range(len(clfs))]
    print(f"{meth:18}" + "".join(f"{m:11.3f}" for m in mean) + "   " +
          " ".join("n/a" if x is None else f"{x:.2f}" for x in rho))
PY
