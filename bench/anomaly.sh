#!/bin/bash
# NetML anomaly detection (issue 19; netshare.tasks anomaly) on a packet trace held out
# in time: generate seeds 1..S from MODEL (trained with `netshare train --holdout F`) by
# default and GAN-only, draw both baselines from the same first part, then per seed the
# anomaly ratio of each trace's one-class SVM on the held-out real subflows, per NetML
# mode. Prints the mean ratios, the mean relative error against the detector trained on
# real data, and Spearman's rho of the modes per seed.
#   bench/anomaly.sh TRACE MODEL HOLDOUT OUTDIR [SEEDS]
set -eu
trace=$1 model=$2 holdout=$3 out=$4 seeds=${5:-3}
here=$(cd "$(dirname "$0")" && pwd)
export PYTHONPATH=$here/../bindings/python${PYTHONPATH:+:$PYTHONPATH}
mkdir -p "$out"
for s in $(seq 1 "$seeds"); do
	"$here/synthetic-set.sh" "$model" "$trace" "$holdout" "$out" "$s" pcap
	/usr/bin/python3 -m netshare.tasks anomaly --holdout "$holdout" --seed "$s" "$trace" \
		"$out"/{default,raw,marginal,service-marginal}-"$s.pcap" > "$out/anomaly-$s.json"
done
/usr/bin/python3 - "$out" "$seeds" <<'PY'
import json, re, sys
out, n = sys.argv[1], int(sys.argv[2])
runs = [json.load(open(f"{out}/anomaly-{s}.json")) for s in range(1, n + 1)]
modes = runs[0]["modes"]
print(f"{'train on':18}" + "".join(f"{m:>10}" for m in modes) + "  rel.err  rho per seed")
for meth in ["real", "default", "raw", "marginal", "service-marginal"]:
    ratio, rel, rho = [], [], []
    for r in runs:
        name = [k for k in r["anomaly_ratio"] if re.sub(r"-\d+\.\w+$", "", k) == meth][0]
        ratio.append([r["anomaly_ratio"][name][m] for m in modes])
        rel += [x for x in r["relative_error"][name].values() if x is not None]
        rho.append(r["spearman"][name])
    mean = [sum(a[i] for a in ratio) / len(ratio) for i in range(len(modes))]
    print(f"{meth:18}" + "".join(f"{m:10.3f}" for m in mean) +
          f"  {sum(rel) / len(rel):7.3f}  " +
          " ".join("n/a" if x is None else f"{x:.2f}" for x in rho))
PY
