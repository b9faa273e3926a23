#!/bin/bash
# Label-conditional fidelity (issue 19) on the outputs of bench/traffic-type.sh: for each
# seed, generate each label's flows with `generate --where label=L` (sample and reject),
# then run `netshare.tasks conditional`: per label value, the JSD of protocol, ports,
# packets, bytes and duration between the held-out real records with that value and
# each trace's (the real first part is the floor). Writes OUTDIR/conditional-SEED.json
# and prints mean JSD per label and method over the seeds, and each method's share of
# the label.
#   bench/label-conditional.sh TRACE HOLDOUT OUTDIR [SEEDS ["LABEL..."]]
set -eu
trace=$1 holdout=$2 out=$3 seeds=${4:-3} labels=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
netshare=${NETSHARE:-$here/../build/cli/netshare}
export PYTHONPATH=$here/../bindings/python${PYTHONPATH:+:$PYTHONPATH}
ext=${trace##*.}
for s in $(seq 1 "$seeds"); do
	where=()
	for l in $labels; do
		"$netshare" generate -q -m "$out/model.nsm" -o "$out/where-$l-$s.$ext" --seed "$s" \
			--where "label=$l"
		where+=("$out/where-$l-$s.$ext")
	done
	/usr/bin/python3 -m netshare.tasks conditional --holdout "$holdout" "$trace" \
		"$out"/{default,raw,marginal,service-marginal}-"$s.$ext" "${where[@]}" \
		> "$out/conditional-$s.json"
done
/usr/bin/python3 - "$out" "$seeds" <<'PY'
import json, re, sys
out, n = sys.argv[1], int(sys.argv[2])
runs = [json.load(open(f"{out}/conditional-{s}.json")) for s in range(1, n + 1)]
values = list(runs[0]["values"])
def method(name):
    return "real (first part)" if name == "real" else re.sub(r"-\d+\.\w+$", "", name)
print("mean JSD over %s (share of records in brackets)" % ", ".join(runs[0]["fields"]))
print(f"{'label':14}{'method':22}{'mean JSD':>10}{'share':>8}")
for v in values:
    names = list(runs[0]["values"][v]["sets"])
    print(f"{v:14}{'held-out real':22}{'':>10}{runs[0]['values'][v]['test_share']:8.3f}")
    for name in names:
        m = method(name)
        if m.startswith("where-") and m != "where-" + v:
            continue
        js = [r["values"][v]["sets"][k]["mean_jsd"] for r in runs for k in r["values"][v]["sets"]
              if method(k) == m]
        sh = [r["values"][v]["sets"][k]["share"] for r in runs for k in r["values"][v]["sets"]
              if method(k) == m]
        print(f"{'':14}{m:22}{sum(js) / len(js):10.3f}{sum(sh) / len(sh):8.3f}")
PY
