#!/usr/bin/env python3
"""Table of bench/dp-fidelity.sh: for each model (non-private, eps-E, ...) the mean over
generation seeds of the README's held-out metrics, sampled by default and GAN-only
(raw), next to the marginal and service-marginal baselines and the held-out floor; and
each model's epsilon, noise multiplier, training seconds and membership AUC. JSON with
--json.
  bench/dp-summary.py OUTDIR MODEL... [--json]"""
import json, os, subprocess, sys

METRICS = ["dstport+proto", "srcport+dstport", "flow_size_by_service",
           "interarrival_by_service", "service_coverage", "first_sizes_by_service",
           "size_autocorr_by_service", "gap_autocorr_by_service", "flow_size_hist",
           "ip_length", "interarrival", "five_tuples_in_real", "membership_auc"]
here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1]
models = [a for a in sys.argv[2:] if a != "--json"]
train = {}
for line in open(os.path.join(out, "train.jsonl")):
    d = json.loads(line)
    train[d["model"]] = d["train_s"]
cols, table, info = [], {}, {}
for i, m in enumerate(models):
    s = json.loads(subprocess.run([sys.executable, os.path.join(here, "heldout-summary.py"),
                                   os.path.join(out, m, "eval.json"), "--json"],
                                  capture_output=True, text=True, check=True).stdout)
    ins = json.load(open(os.path.join(out, m + ".inspect.json")))
    info[m] = {"privacy": ins.get("privacy"), "epsilon": ins.get("epsilon"),
               "dp_sigma": ins.get("dp_sigma"), "train_s": train.get(m)}
    rows = {r["metric"]: r for r in s["rows"]}
    methods = ["default", "raw"] + (["marginal", "service-marginal"] if i == 0 else [])
    for meth in methods:
        col = f"{m}/{meth}" if meth in ("default", "raw") else meth
        cols.append(col)
        for name in METRICS:
            c = rows.get(name, {}).get(meth)
            table.setdefault(name, {})[col] = c["mean"] if c else None
    for name in METRICS:
        table.setdefault(name, {}).setdefault("floor", rows.get(name, {}).get("floor"))
cols.append("floor")
if "--json" in sys.argv:
    json.dump({"models": info, "columns": cols, "rows": table}, sys.stdout)
    print()
    sys.exit(0)
fmt = lambda v: "n/a" if v is None else f"{v:.3g}"
print(f"{'metric':26}" + "".join(f"{c:>22}" for c in cols))
for name in METRICS:
    print(f"{name:26}" + "".join(f"{fmt(table[name].get(c)):>22}" for c in cols))
for m in models:
    d = info[m]
    print(f"{m}: privacy {d['privacy']}, epsilon {fmt(d['epsilon'])}, noise multiplier "
          f"{fmt(d['dp_sigma'])}, trained in {d['train_s']} s")
