# SPDX-License-Identifier: BSD-3-Clause
"""netshare.tasks: Spearman's rho against hand-computed values; the traffic-type task on
a constructed case whose accuracies are known (labels that the destination port
decides: 1.0 for every classifier; the same flows with the labels swapped: 0.0; one
label only: its share of the test records); the message without scikit-learn."""

import os
import subprocess
import sys
import tempfile
import unittest

import netshare
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
