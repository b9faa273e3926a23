#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""How often a perfect generator of independent flows meets time-to-quality's EMD
targets: the sampling noise those targets leave.

time-to-quality asks the GAN's packet-length and inter-arrival EMDs against the
training half A to be within 2x the floor d(B, A) (B the held-out half). A generator
that draws its flows independently cannot do better than one drawing A's own flows at
random: this resamples A's flows with replacement (as many as A has), DRAWS times, and
scores each draw against A as the report does (ip_length over the records,
inter-arrival over consecutive records of a flow, 1-D EMD). A metric such a
generator rarely meets would be a bug in the metric; one it always meets at a tiny
fraction of the target would make the target loose. (The draws are scored here, not by
the library's report: a flow drawn twice keeps its 5-tuple, and the report's flow
index would merge the copies into one flow.)

Usage: bench/iid-flow-noise.py TRACE [DRAWS [SEED]]   (packet traces; defaults 40, 1)
Prints one JSON line: the floor, and per EMD the draws' median, range and how many met
2x the floor, and how many met both. Needs the Python bindings (build/ first) and numpy.
"""

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "bindings", "python"))
import netshare  # noqa: E402


def flows_of(ds):
    """The records' (time_ns, ip_length) grouped by 5-tuple, flows in order of first
    record, records in trace order (the report's flow index)."""
    flows = {}
    for r in ds:
        key = (r["src_ip"], r["dst_ip"], r["src_port"], r["dst_port"], r["protocol"])
        flows.setdefault(key, []).append((r["time_ns"], r["ip_length"]))
    return list(flows.values())


def series(flows):
    lengths = np.array([n for f in flows for _, n in f], float)
    gaps = np.array([(b[0] - a[0]) * 1e-9 for f in flows for a, b in zip(f, f[1:])], float)
    return lengths, gaps


def emd(x, y):
    """1-D Wasserstein-1 distance of two samples: the integral of |F_x - F_y|."""
    x, y = np.sort(x), np.sort(y)
    v = np.sort(np.concatenate([x, y]))
    fx = np.searchsorted(x, v[:-1], "right") / len(x)
    fy = np.searchsorted(y, v[:-1], "right") / len(y)
    return float(np.sum(np.abs(fx - fy) * np.diff(v)))


def fail(message):
    print("iid-flow-noise: " + message, file=sys.stderr)
    return 2


def main(argv):
    if len(argv) < 2:
        return fail("no TRACE\n\n" + __doc__.strip())
    if argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    try:
        draws = int(argv[2]) if len(argv) > 2 else 40
        seed = int(argv[3]) if len(argv) > 3 else 1
    except ValueError as e:
        return fail("DRAWS and SEED are whole numbers: %s" % e)
    if draws < 1:
        return fail("DRAWS must be at least 1, not %d" % draws)
    try:
        with netshare.Dataset.read(argv[1]) as ds:
            if ds.flows:
                return fail("%s holds flow records; packet traces only" % argv[1])
            a, b = ds.split_time(0.5)
        with a, b:
            fa, fb = flows_of(a), flows_of(b)
    except netshare.NetshareError as e:
        return fail(str(e))
    len_a, gap_a = series(fa)
    len_b, gap_b = series(fb)
    if not (len(gap_a) and len(gap_b)):
        return fail("%s: a half of the trace has no flow of 2 or more packets" % argv[1])
    floor = {"ip_length": emd(len_b, len_a), "interarrival": emd(gap_b, gap_a)}
    rng = np.random.default_rng(seed)
    got = {"ip_length": [], "interarrival": []}
    for _ in range(draws):
        lengths, gaps = series([fa[k] for k in rng.integers(0, len(fa), len(fa))])
        got["ip_length"].append(emd(lengths, len_a))
        got["interarrival"].append(emd(gaps, gap_a))
    out = {"trace": argv[1], "flows_train": len(fa), "draws": draws, "seed": seed,
           "floor": floor}
    met = np.ones(draws, bool)
    for name, values in got.items():
        v = np.array(values)
        ok = v <= 2 * floor[name]
        met &= ok
        out[name] = {"median": float(np.median(v)), "min": float(v.min()),
                     "max": float(v.max()), "within_2x_floor": int(ok.sum())}
    out["both_within_2x_floor"] = int(met.sum())
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
