# SPDX-License-Identifier: BSD-3-Clause
"""netshare.tasks: Spearman's rho against hand-computed values; the traffic-type task on
a constructed case whose accuracies are known (labels that the destination port
decides: 1.0 for every classifier; the same flows with the labels swapped: 0.0; one
label only: its share of the test records); the conditional task's divergences against
hand values; the message without scikit-learn."""

import os
import subprocess
import sys
import tempfile
import unittest

import netshare
import netshare.netml as netml
import netshare.tasks as tasks
from test_model import netflow_csv

try:
    import sklearn  # noqa: F401
except ImportError:
    sklearn = None


class SpearmanTest(unittest.TestCase):
    def test_values(self):
        self.assertAlmostEqual(tasks.spearman([1, 2, 3], [10, 20, 30]), 1.0)
        self.assertAlmostEqual(tasks.spearman([1, 2, 3], [3, 2, 1]), -1.0)
        # ranks [1, 2.5, 2.5, 4] and [1, 3, 2, 4]: 4.5 / sqrt(4.5 * 5)
        self.assertAlmostEqual(tasks.spearman([1, 2, 2, 3], [1, 3, 2, 4]), 0.9486833, 6)
        self.assertIsNone(tasks.spearman([1, 1, 1], [1, 2, 3]))


def relabelled(src, path, how):
    """src's flow CSV with each row's label changed by how(label)."""
    with open(src) as f:
        lines = f.read().splitlines()
    with open(path, "w") as f:
        f.write(lines[0] + "\n")
        for line in lines[1:]:
            cols = line.split(",")
            cols[-1] = how(cols[-1])
            f.write(",".join(cols) + "\n")


@unittest.skipIf(sklearn is None, "scikit-learn (python3-sklearn) not installed")
class TrafficTypeTest(unittest.TestCase):
    def test_known_accuracies(self):
        with tempfile.TemporaryDirectory() as tmp:
            real, test = os.path.join(tmp, "real.csv"), os.path.join(tmp, "test.csv")
            netflow_csv(real, flows=200, seed=3)
            netflow_csv(test, flows=120, seed=4)
            swapped, single = os.path.join(tmp, "swapped.csv"), os.path.join(tmp, "one.csv")
            relabelled(real, swapped, lambda l: "dns" if l == "background" else "background")
            relabelled(real, single, lambda l: "dns")
            sets = {n: netshare.Dataset.read(p) for n, p in
                    (("real", real), ("swapped", swapped), ("single", single))}
            with netshare.Dataset.read(test) as t:
                dns = sum(1 for r in t if r["label"] == "dns") / len(t)
                result = tasks.traffic_type(sets, t, seed=1)
            for ds in sets.values():
                ds.close()
        self.assertEqual(result["classifiers"], list(tasks.CLASSIFIERS))
        for clf in tasks.CLASSIFIERS:
            self.assertEqual(result["accuracy"]["real"][clf], 1.0, clf)
            self.assertEqual(result["accuracy"]["swapped"][clf], 0.0, clf)
            self.assertAlmostEqual(result["accuracy"]["single"][clf], dns)
        self.assertGreater(dns, 0.1)
        self.assertIsNone(result["spearman"]["real"])  # all 1.0: no order to compare


def flows_csv(path, rows):
    """A NetFlow CSV with a `family` extra column: rows of (proto, dstport, label,
    family)."""
    with open(path, "w") as f:
        f.write("srcip,dstip,srcport,dstport,proto,ts,td,pkt,byt,type,family\n")
        for i, (proto, port, label, family) in enumerate(rows):
            f.write("10.0.0.%d,10.1.0.1,%d,%d,%s,%d,0.5,3,900,%s,%s\n" % (
                1 + i, 40000 + i, port, proto, 1458298072000000 + i, label, family))


class ConditionalTest(unittest.TestCase):
    """The conditional task against hand values: identical records give 0 everywhere;
    half of a label's records on another protocol give that field's JSD of (1, 0)
    against (1/2, 1/2), 0.311278 bits; a label the trace lacks scores 1; the label
    may be an extra column."""

    def test_known_divergences(self):
        test_rows = [("TCP", 443, "A", "x")] * 4 + [("UDP", 53, "B", "y")] * 2
        half = [("TCP", 443, "A", "y")] * 2 + [("UDP", 443, "A", "y")] * 2
        with tempfile.TemporaryDirectory() as tmp:
            paths = {n: os.path.join(tmp, n + ".csv") for n in ("test", "same", "half")}
            flows_csv(paths["test"], test_rows)
            flows_csv(paths["same"], test_rows)
            flows_csv(paths["half"], half)
            ds = {n: netshare.Dataset.read(p, extra_columns="family") for n, p in paths.items()}
            test = ds.pop("test")
            r = tasks.conditional(ds, test)
            fam = tasks.conditional(ds, test, label="family")
            for d in list(ds.values()) + [test]:
                d.close()
        self.assertEqual(list(r["values"]), ["A", "B"])  # most records first
        self.assertAlmostEqual(r["values"]["A"]["test_share"], 4 / 6)
        same, half_a = r["values"]["A"]["sets"]["same"], r["values"]["A"]["sets"]["half"]
        self.assertEqual(set(same["jsd"].values()), {0.0})
        self.assertAlmostEqual(half_a["jsd"]["protocol"], 0.311278, 6)
        self.assertEqual(half_a["jsd"]["dst_port"], 0.0)
        self.assertAlmostEqual(half_a["mean_jsd"], 0.311278 / len(tasks.CONDITIONAL_FIELDS), 6)
        self.assertEqual(half_a["share"], 1.0)
        half_b = r["values"]["B"]["sets"]["half"]
        self.assertEqual((half_b["records"], half_b["mean_jsd"]), (0, 1.0))
        # By family: x is the four TCP test records; "half" has no x, and its y records
        # (TCP and UDP to 443) against the test's y (UDP to 53).
        self.assertEqual(fam["values"]["x"]["sets"]["half"]["mean_jsd"], 1.0)
        self.assertEqual(fam["values"]["y"]["sets"]["half"]["jsd"]["dst_port"], 1.0)
        self.assertAlmostEqual(tasks.jsd({1: 1}, {1: 1, 2: 1}), 0.311278, 6)
        self.assertEqual(tasks.jsd({1: 5}, {2: 5}), 1.0)


def packets_csv(path, flows):
    """A packet CSV: flows as lists of (time_s, ip_length), TCP from 10.0.0.i:40000+i to
    10.1.0.1:443 (one 5-tuple per flow)."""
    rows = []
    for i, pkts in enumerate(flows):
        rows += [(int(t * 1e6) + 1458298072000000, i, size) for t, size in pkts]
    with open(path, "w") as f:
        f.write("srcip,dstip,srcport,dstport,proto,time,pkt_len,version,ihl,tos,id,flag,off,"
                "ttl,chksum,tcp_flags\n")
        for t, i, size in sorted(rows):
            f.write("%d,%d,%d,443,TCP,%d,%d,4,5,0,0,2,0,64,0,16\n"
                    % (167772160 + i, 167837953, 40000 + i, t, size))


class NetmlTest(unittest.TestCase):
    """NetML's vectors of a hand-made flow (packets at 0, 1 and 3 s of 40, 540 and 40
    bytes) against values worked out from eval.md 2.3; short flows and UDP-less
    protocols are dropped; the parameters come from the trace."""

    def test_vectors(self):
        f = [(0.0, 40), (1.0, 540), (3.0, 40)]
        p = {"interval": 10.0, "dim": 4, "window": 1.5}
        self.assertEqual(netml.vector(f, "IAT", p), [1.0, 2.0, 0.0])
        self.assertEqual(netml.vector(f, "SIZE", p), [40.0, 540.0, 40.0, 0.0])
        self.assertEqual(netml.vector(f, "IAT_SIZE", p),
                         [1.0, 40.0, 2.0, 540.0, 40.0, 0.0, 0.0])
        std = ((2 * (40 - 620 / 3) ** 2 + (540 - 620 / 3) ** 2) / 3) ** 0.5
        want = [3.0, 1.0, 620 / 3, 620 / 3, std, 40.0, 40.0, 290.0, 40.0, 540.0, 3.0, 620.0]
        for a, b in zip(netml.vector(f, "STATS", p), want):
            self.assertAlmostEqual(a, b)
        # Windows of 1.5 s from 0: the first holds 2 packets; at 3 s the window moves to
        # 1.5, floor((3 - 1.5) / 1.5) = 1 empty window is inserted, and the count
        # restarts at 1 (eval.md 2.3).
        self.assertEqual(netml.vector(f, "SAMP_NUM", p), [2.0, 0.0, 1.0])
        self.assertEqual(netml.vector(f, "SAMP_SIZE", p), [580.0, 0.0, 40.0])
        self.assertEqual(netml.quantile([1, 2, 3, 4], 0.9), 3.7)

    def test_flows_and_fit(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "p.csv")
            packets_csv(path, [[(0, 40), (1, 540), (3, 40)], [(5, 60)],
                               [(10, 40), (10.5, 40)]])
            with netshare.Dataset.read(path) as ds:
                subflows, interval = netml.flows(ds)
                params = netml.fit(ds)
        self.assertEqual(len(subflows), 2)  # the one-packet flow is dropped
        self.assertAlmostEqual(interval, netml.quantile([3.0, 0.5], 0.9))
        self.assertEqual(params["dim"], 2)  # floor of the 0.9 quantile of [3, 2]


@unittest.skipIf(sklearn is None, "scikit-learn (python3-sklearn) not installed")
class AnomalyTest(unittest.TestCase):
    """A detector trained on the real training data itself has relative error 0 and
    rho 1; one trained on packets ten times as large and a thousand times as slow flags
    every held-out subflow in the SIZE mode."""

    def test_known_ratios(self):
        import random
        rnd = random.Random(1)

        def trace(scale_t=1.0, scale_s=1):
            out = []
            for i in range(120):
                t0, n = rnd.uniform(0, 100), rnd.randint(2, 8)
                out.append([(t0 + scale_t * k * rnd.uniform(0.01, 0.1),
                             scale_s * rnd.choice((40, 52, 1500))) for k in range(n)])
            return out
        with tempfile.TemporaryDirectory() as tmp:
            paths = [os.path.join(tmp, n) for n in ("a.csv", "b.csv", "odd.csv")]
            packets_csv(paths[0], trace())
            packets_csv(paths[1], trace())
            packets_csv(paths[2], trace(1000.0, 10))
            a, b, odd = (netshare.Dataset.read(p) for p in paths)
            result = tasks.anomaly({"real": a, "odd": odd}, b)
            for d in (a, b, odd):
                d.close()
        self.assertEqual(result["modes"], list(netml.MODES))
        self.assertEqual(set(result["relative_error"]["real"].values()), {0.0})
        self.assertIn(result["spearman"]["real"], (1.0, None))
        self.assertGreaterEqual(result["anomaly_ratio"]["odd"]["SIZE"], 0.95)
        self.assertGreater(result["relative_error"]["odd"]["SIZE"], 0.5)


class WithoutSklearnTest(unittest.TestCase):
    def test_message(self):
        code = ("import sys; sys.modules['sklearn'] = None\n"
                "import netshare.tasks as t\n"
                "try:\n    t._sklearn()\nexcept ImportError as e:\n    print(e)\n")
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=dict(os.environ))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("needs scikit-learn", r.stdout)
        self.assertIn("python3-sklearn", r.stdout)


if __name__ == "__main__":
    unittest.main()
