#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Time-matched rows of time-to-quality runs: for each JSON-lines file and each time T
(seconds of training), the mean of every metric over the evaluations within +-50 s of T
(the metrics jump between evaluations), and the iterations reached; then, per file,
how many evaluations met each of the three targets (joints, within-flow, EMDs; the
time-matched rows also show service coverage where the run reports it), all three, the
within-flow target and all three again with each within-flow bar eased to
"below the service-marginal baseline's or within the floor" ("or floor"; computed from
the run's first line, so older runs are scored too), and for each EMD the evaluations
within 2x the floor and its best value; last,
per metric, the evaluations where it alone met its bar (a joint below the marginal
baseline's, a within-flow metric below the service-marginal baseline's, an EMD within
2x the floor): which metric decides a target.

Usage: bench/ttq-summary.py RUN.jsonl... [--at 100,200,300,550] [--its]

--its: the times are iterations instead (+-10 %): for runs that other work on the
machine slowed down, whose seconds do not compare.
"""

import json
import sys

NAMES = ["dstport+proto", "srcport+dstport", "flow_size_by_service",
         "interarrival_by_service", "first_sizes_by_service", "size_autocorr_by_service",
         "gap_autocorr_by_service", "ip_length", "interarrival"]
SHORT = ["d+p", "s+d", "size/svc", "gap/svc", "first3", "sizeAC", "gapAC", "len", "iat"]
# Reported beside them since 2026-12-07 (n/a in older runs), not a target.
COVERAGE = "service_coverage"


def read_run(path):
    """A run's evaluations, its floor, the names of its size and gap EMDs (packets'
    ip_length and interarrival, flow records' bytes and duration: the floor's first
    two entries), and its first line (settings, floor and baselines)."""
    with open(path) as f:
        lines = list(map(json.loads, f))
    evals = [r for r in lines if "metrics" in r]
    head = next((r for r in lines if "floor" in r), {})
    floor = head.get("floor", {})
    return evals, floor, list(floor)[:2] or NAMES[-2:], head


def rows_at(path, times, by_its=False):
    evals, _, emds, _ = read_run(path)
    names = NAMES[:-2] + emds + [COVERAGE]
    for t in times:
        if by_its:
            near = [r for r in evals if abs(r["iterations"] - t) <= 0.1 * t]
        else:
            near = [r for r in evals if abs(r["train_s"] - t) <= 50]
        if not near:
            continue
        means = []
        for n in names:
            vals = [r["metrics"].get(n) for r in near if r["metrics"].get(n) is not None]
            means.append(sum(vals) / len(vals) if vals else None)
        yield t, near[-1]["iterations"], means


def within_bar_met(v, n, svc_bar, floor, or_floor):
    """Whether within-flow metric n's value v meets its bar: below the service-marginal
    baseline's svc_bar, or, with or_floor, within the floor (the second target)."""
    return v < svc_bar or (or_floor and n in floor and v <= floor[n])


def within_or_floor(r, floor, head):
    """Whether evaluation r's within-flow metrics each beat the service-marginal
    baseline's or are within the floor (time-to-quality's second target)."""
    svc = head.get("service_marginal", {})
    for n in NAMES[2:-2]:
        v = r["metrics"].get(n)
        if v is None or n not in svc or n not in floor:
            return False
        if not within_bar_met(v, n, svc[n], floor, True):
            return False
    return True


def counts(path):
    evals, floor, emds, head = read_run(path)
    keys = ["joints_beat_marginal", "within_beat_service_marginal", "emds_within_2x_floor"]
    met = [sum(1 for r in evals if r.get(k)) for k in keys]
    every = sum(1 for r in evals if all(r.get(k) for k in keys))
    eased = [r for r in evals if within_or_floor(r, floor, head)]
    met.append(len(eased))
    every_eased = sum(1 for r in eased if r.get(keys[0]) and r.get(keys[2]))
    best = []
    for n in emds:
        vals = [r["metrics"][n] for r in evals if r["metrics"].get(n) is not None]
        near = sum(1 for v in vals if n in floor and v <= 2 * floor[n])
        best.append("%d, %.3g" % (near, min(vals)) if vals else "n/a")
    return len(evals), met, (every, every_eased), best


def metric_wins(path, or_floor=False):
    """The run's evaluations and, per metric (NAMES' order, the run's EMDs last), how
    many met its bar; or_floor: a within-flow metric also meets it within the floor."""
    evals, floor, emds, head = read_run(path)
    bars = [head.get("marginal", {}).get(n) for n in NAMES[:2]]
    bars += [head.get("service_marginal", {}).get(n) for n in NAMES[2:-2]]
    bars += [2 * floor[n] if n in floor else None for n in emds]
    wins = []
    for n, bar in zip(NAMES[:-2] + emds, bars):
        met = [r for r in evals if bar is not None and r["metrics"].get(n) is not None]
        wins.append(sum(1 for r in met if (r["metrics"][n] <= bar if n in emds else
                                           r["metrics"][n] < bar if n in NAMES[:2] else
                                           within_bar_met(r["metrics"][n], n, bar, floor,
                                                          or_floor)))
                    if met else None)
    return len(evals), wins


def main(argv):
    times = [100, 200, 300, 550]
    paths = []
    by_its = False
    it = iter(argv)
    for a in it:
        if a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        if a == "--its":
            by_its = True
        elif a == "--at":
            times = [float(x) for x in next(it).split(",")]
        else:
            paths.append(a)
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    print("%-28s %5s %6s " % ("run", "time", "its") +
          " ".join("%8s" % s for s in SHORT + ["coverage"]))
    for p in paths:
        name = p.rsplit("/", 1)[-1]
        for t, its, means in rows_at(p, times, by_its):
            print("%-28s %4.0f%s %6d " % (name, t, "i" if by_its else "s", its) +
                  " ".join("%8s" % "n/a" if v is None else "%8.3g" % v for v in means))
    print("%-28s %6s %7s %7s %7s %8s %7s %7s %12s %12s" %
          ("run", "evals", "joints", "within", "emds", "within|f", "all", "all|f",
           "len: n, best", "iat: n, best"))
    for p in paths:
        n, met, every, best = counts(p)
        print("%-28s %6d %7d %7d %7d %8d %7d %7d %12s %12s" %
              ((p.rsplit("/", 1)[-1], n) + tuple(met) + every + tuple(best)))
    print("%-28s %6s " % ("run: evaluations meeting", "evals") +
          " ".join("%8s" % s for s in SHORT))
    for p in paths:
        for or_floor in (False, True):
            n, wins = metric_wins(p, or_floor)
            label = "  or floor" if or_floor else p.rsplit("/", 1)[-1]
            print("%-28s %6d " % (label, n) +
                  " ".join("%8s" % ("n/a" if w is None else w) for w in wins))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
