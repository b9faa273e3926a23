# SPDX-License-Identifier: BSD-3-Clause
"""netshare eval against independent computations with scipy (jensenshannon squared,
wasserstein_distance) on real traces: agreement to 1e-9 relative. The records come from
`netshare convert` to NetShare's packet CSV, parsed here with the csv module."""

import csv
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from cli_helpers import NO_DATA, main  # noqa: E402
from collections import Counter

CLI = os.environ["NETSHARE_CLI"]
DATA = os.environ.get("NETSHARE_TEST_DATA", "")
try:
    import numpy as np
    from scipy.spatial.distance import jensenshannon
    from scipy.stats import wasserstein_distance
except ImportError:  # pragma: no cover
    np = None


def records(path, tmp):
    out = os.path.join(tmp, os.path.basename(path) + ".csv")
    subprocess.run([CLI, "convert", path, out], check=True, capture_output=True, timeout=300)
    with open(out) as f:
        return list(csv.DictReader(f))


def jsd(p, q):
    return float(jensenshannon(p, q)) ** 2


def bins(rows, key, n):
    v = np.zeros(n)
    for r in rows:
        v[int(r[key]) if key != "proto" else PROTO[r[key]]] += 1
    return v


PROTO = {"TCP": 6, "UDP": 17, "ICMP": 1, "IGMP": 2, "GRE": 47, "ESP": 50, "ICMPv6": 58}


def five_tuple(r):
    return (r["srcip"], r["dstip"], r["srcport"], r["dstport"], r["proto"])


@unittest.skipUnless(np is not None, "python3-scipy not installed")
@unittest.skipUnless(os.path.isdir(DATA), NO_DATA)
class AgreesWithScipy(unittest.TestCase):
    def test_caida_10k_vs_1k(self):
        real_path = os.path.join(DATA, "caida-10k.pcapng")
        syn_path = os.path.join(DATA, "caida-1k.pcapng")
        with tempfile.TemporaryDirectory() as tmp:
            real, syn = records(real_path, tmp), records(syn_path, tmp)
        r = subprocess.run([CLI, "eval", "--json", real_path, syn_path], capture_output=True,
                           text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        ours = {m["name"]: m["value"] for m in json.loads(r.stdout)["synthetic"][0]["metrics"]}

        want = {
            "srcport": jsd(bins(real, "srcport", 65536), bins(syn, "srcport", 65536)),
            "dstport": jsd(bins(real, "dstport", 65536), bins(syn, "dstport", 65536)),
            "proto": jsd(bins(real, "proto", 256), bins(syn, "proto", 256)),
            "ip_length": wasserstein_distance([float(x["pkt_len"]) for x in real],
                                              [float(x["pkt_len"]) for x in syn]),
        }
        for side in ("srcip", "dstip"):
            a = sorted(Counter(x[side] for x in real).values(), reverse=True)
            b = sorted(Counter(x[side] for x in syn).values(), reverse=True)
            n = max(len(a), len(b))
            want[side + "_rank"] = jsd(np.array(a + [0] * (n - len(a)), float),
                                       np.array(b + [0] * (n - len(b)), float))
        want["flow_size"] = wasserstein_distance(list(Counter(map(five_tuple, real)).values()),
                                                 list(Counter(map(five_tuple, syn)).values()))
        t0r = min(float(x["time"]) for x in real)
        t0s = min(float(x["time"]) for x in syn)
        want["time"] = wasserstein_distance([(float(x["time"]) - t0r) * 1e-6 for x in real],
                                            [(float(x["time"]) - t0s) * 1e-6 for x in syn])
        # The joints see a record's client port (the higher one, 1024 or more, above
        # the other) as one "ephemeral" value.
        def port(x, self, other):
            a, b = int(x[self]), int(x[other])
            return "ephemeral" if a >= 1024 and a > b else a
        joints = {
            "dstport+proto": lambda x: (port(x, "dstport", "srcport"), x["proto"]),
            "srcport+dstport": lambda x: (port(x, "srcport", "dstport"),
                                          port(x, "dstport", "srcport")),
        }
        for name, key in joints.items():
            pr, ps = Counter(map(key, real)), Counter(map(key, syn))
            keys = sorted(set(pr) | set(ps), key=repr)
            want[name] = jsd(np.array([pr[k] for k in keys], float),
                             np.array([ps[k] for k in keys], float))
        for name, value in want.items():
            with self.subTest(metric=name):
                self.assertAlmostEqual(ours[name], value, delta=1e-9 * max(abs(value), 1e-12))


if __name__ == "__main__":
    main()
