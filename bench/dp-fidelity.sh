#!/bin/bash
# Fidelity against epsilon (issue 17; docs/PRIVACY.md): train on the first part of a
# private trace (netshare train --holdout F) with differential privacy at each epsilon,
# the encoder fitted on and the model pretrained on a public trace, next to the same
# iterations without privacy (trained on the private part itself); then the held-out
# report of each model (bench/heldout-fidelity.sh: seeds 1..S, default and GAN-only,
# both baselines, the held-out floor, the membership audit). The private part's
# capture window is declared as its first record time to the cut
# (netshare_dataset_split_time: the record at the (1 - F) quantile).
#   bench/dp-fidelity.sh PRIVATE PUBLIC HOLDOUT OUTDIR ITERATIONS [EPSILONS] [SEEDS] [CHUNKS]
# e.g. bench/dp-fidelity.sh caida-10k.pcapng pathspider-real.pcap 0.5 out 200 "1 4 10 inf"
set -eu
private=$1 public=$2 holdout=$3 out=$4 iters=$5
epsilons=${6:-1 4 10 inf} seeds=${7:-3} chunks=${8:-1}
here=$(cd "$(dirname "$0")" && pwd)
netshare=${NETSHARE:-$here/../build/cli/netshare}
mkdir -p "$out"
window=$("$netshare" stats --json "$private" | /usr/bin/python3 -c '
import json, subprocess, sys
d = json.loads(sys.stdin.readline())
n, f = d["records"], float(sys.argv[3])
k = max(1, int((1.0 - f) * n))
cut = json.loads(subprocess.run([sys.argv[1], "stats", "--json", "-n", str(k + 1), sys.argv[2]],
                                capture_output=True, text=True, check=True).stdout)["time_max_ns"]
ns = lambda t: "%d.%09d" % divmod(t, 10**9)
print(ns(d["time_min_ns"]) + "," + ns(cut))' "$netshare" "$private" "$holdout")
echo "window of the private part: $window" >&2
run() { # name, train flags...
	local name=$1; shift
	local t0=$SECONDS
	"$netshare" train -q -i "$private" --holdout "$holdout" -I "$iters" -k "$chunks" \
		-o "$out/$name.nsm" "$@"
	echo "{\"model\":\"$name\",\"train_s\":$((SECONDS - t0))}" >> "$out/train.jsonl"
	"$netshare" inspect --json "$out/$name.nsm" > "$out/$name.inspect.json"
	"$here/heldout-fidelity.sh" "$private" "$out/$name.nsm" "$holdout" "$out/$name" "$seeds" \
		"$netshare" > "$out/$name.txt"
}
: > "$out/train.jsonl"
run non-private
for e in $epsilons; do
	run "eps-$e" --epsilon "$e" --public "$public" --public-iterations "$iters" \
		--window "$window"
done
/usr/bin/python3 "$here/dp-summary.py" "$out" non-private $(for e in $epsilons; do echo "eps-$e"; done)
