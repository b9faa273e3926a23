#!/usr/bin/env python3
"""Summarise `netshare eval --json --holdout F REAL ...` over seeds: traces named
METHOD-SEED.ext are grouped by METHOD; for every distance metric, each method's mean
(min-max) over its seeds and its mean ratio to the noise floor, and the held-out part's
value. Prints a table, or JSON with --json.
  bench/heldout-summary.py eval.json [--json]"""
import json, math, os, re, sys

doc = json.load(open(sys.argv[1]))
held = doc["held_out"]
methods, order = {}, []
floor = {}
for t in doc["synthetic"]:
    if t["file"] == held:
        floor = {m["name"]: m for m in t["metrics"]}
        continue
    base = os.path.basename(t["file"])
    name = re.sub(r"-\d+(\.\w+)?$", "", base)
    if name not in methods:
        methods[name] = []
        order.append(name)
    methods[name].append({m["name"]: m for m in t["metrics"]})

rows = []
for m in doc["synthetic"][0]["metrics"]:
    if m["group"] in ("sketch", "validity"):
        continue
    name = m["name"]
    row = {"metric": name, "group": m["group"], "kind": m["kind"], "unit": m["unit"],
           "floor": floor.get(name, {}).get("value")}
    for meth in order:
        vals = [r[name]["value"] for r in methods[meth] if r[name]["value"] is not None]
        ratios = [r[name].get("floor_ratio") for r in methods[meth]
                  if r[name].get("floor_ratio") is not None]
        row[meth] = {"mean": sum(vals) / len(vals) if vals else None,
                     "min": min(vals) if vals else None, "max": max(vals) if vals else None,
                     "ratio": sum(ratios) / len(ratios) if ratios else None,
                     "n": len(vals)}
    rows.append(row)

if "--json" in sys.argv:
    json.dump({"methods": order, "rows": rows}, sys.stdout)
    print()
    sys.exit(0)


def cell(c):
    if c["mean"] is None:
        return "n/a"
    s = f"{c['mean']:.3g}"
    if c["ratio"] is not None:
        s += f" ({c['ratio']:.2f}x)"
    return s


width = 20
print(f"{'metric':26} " + " ".join(f"{m:>{width}}" for m in order) + f" {'held-out':>10}")
group = None
for r in rows:
    if r["group"] != group:
        group = r["group"]
        print(f"[{group}]")
    fl = "n/a" if r["floor"] is None else f"{r['floor']:.3g}"
    print(f"  {r['metric']:24} " + " ".join(f"{cell(r[m]):>{width}}" for m in order)
          + f" {fl:>10}")
print(f"\nmeans over {len(methods[order[0]])} seeds; (Nx): mean ratio to the noise floor "
      "(the held-out part's distance); share metrics: higher is better (coverage) or "
      "lower (memorisation).")
