#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Two time-to-quality runs of the same trace and training seed compared at equal
iterations (runs that shared the machine, whose seconds do not compare): over the
evaluations both made at the same iteration count within [LO, HI], each metric's
median in A and in B and at how many of them A was better (lower; higher for service
coverage), then how many met each target in A and in B.

Usage: bench/ttq-paired.py A.jsonl B.jsonl [LO [HI]]
"""

import json
import statistics
import sys

HIGHER = {"service_coverage"}
TARGETS = ["joints_beat_marginal", "within_beat_service_marginal", "emds_within_2x_floor",
           "quality", "within_beat_service_marginal_or_floor", "quality_or_floor"]


def evaluations(path):
    with open(path) as f:
        return {r["iterations"]: r for r in map(json.loads, f) if "metrics" in r}


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__.strip())
    a, b = evaluations(argv[1]), evaluations(argv[2])
    lo = int(argv[3]) if len(argv) > 3 else 0
    hi = int(argv[4]) if len(argv) > 4 else 1 << 62
    its = sorted(i for i in a if i in b and lo <= i <= hi)
    if not its:
        sys.exit("no evaluation at the same iterations in both runs within the range")
    print("%d paired evaluations, iterations %d-%d; A = %s, B = %s"
          % (len(its), its[0], its[-1], argv[1], argv[2]))
    print("%-26s %10s %10s %s" % ("metric", "median A", "median B", "A better"))
    for name in a[its[0]]["metrics"]:
        pairs = [(a[i]["metrics"].get(name), b[i]["metrics"].get(name)) for i in its]
        pairs = [(x, y) for x, y in pairs if x is not None and y is not None]
        if not pairs:
            continue
        better = sum((x > y) if name in HIGHER else (x < y) for x, y in pairs)
        print("%-26s %10.4g %10.4g %d of %d" % (name, statistics.median(x for x, _ in pairs),
                                                 statistics.median(y for _, y in pairs),
                                                 better, len(pairs)))
    for t in TARGETS:
        print("%-40s A %3d  B %3d" % (t, sum(bool(a[i].get(t)) for i in its),
                                       sum(bool(b[i].get(t)) for i in its)))


if __name__ == "__main__":
    main(sys.argv)
