# SPDX-License-Identifier: BSD-3-Clause
"""Dataset and evaluate through ctypes: reading, records, writing, baseline, metrics, errors."""

import math
import os
import tempfile
import unittest

import netshare

NETFLOW = ("srcip,dstip,srcport,dstport,proto,ts,td,pkt,byt,type\n"
           "10.0.0.1,10.0.0.2,1234,80,TCP,1458298072364000.0,1.5,10,4000,background\n"
           "10.0.0.3,10.0.0.2,5353,53,UDP,1458298072366000.0,0,1,60,blacklist\n")


class DatasetTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.csv = os.path.join(self.dir.name, "f.csv")
        with open(self.csv, "w") as f:
            f.write(NETFLOW)

    def tearDown(self):
        self.dir.cleanup()

    def test_read_records_and_write(self):
        with netshare.Dataset.read(self.csv) as ds:
            self.assertTrue(ds.flows)
            self.assertEqual(len(ds), 2)
            r = ds[0]
            self.assertEqual(str(r["src_ip"]), "10.0.0.1")
            self.assertEqual(r["dst_port"], 80)
            self.assertEqual(r["protocol"], 6)
            self.assertEqual(r["duration_ns"], 1500000000)
            self.assertEqual(r["label"], "background")
            self.assertEqual(ds[-1]["label"], "blacklist")
            self.assertEqual([x["packets"] for x in ds], [10, 1])
            with self.assertRaises(IndexError):
                ds[2]
            out = os.path.join(self.dir.name, "out.log")
            ds.write(out)
            back = netshare.Dataset.read(out)
            self.assertEqual(list(back), list(ds))

    def test_errors_carry_the_library_message(self):
        with self.assertRaises(netshare.NetshareError) as ctx:
            netshare.Dataset.read(os.path.join(self.dir.name, "missing.pcap"))
        self.assertEqual(ctx.exception.status, netshare.Status.EIO)
        self.assertIn("missing.pcap", ctx.exception.message)
        bad = os.path.join(self.dir.name, "bad.csv")
        with open(bad, "w") as f:
            f.write(NETFLOW + "1.2.3.4,5.6.7.8,99999,1,TCP,1,0,1,1,x\n")
        with self.assertRaises(netshare.NetshareError) as ctx:
            netshare.Dataset.read(bad)
        self.assertEqual(ctx.exception.status, netshare.Status.EFORMAT)
        self.assertIn("line 4, column 3", ctx.exception.message)
        self.assertEqual(len(netshare.Dataset.read(bad, lenient=True)), 2)

    def test_evaluate_and_baseline(self):
        ds = netshare.Dataset.read(self.csv)
        same = netshare.evaluate(ds, ds)
        self.assertEqual(same["dstport"], 0.0)
        self.assertEqual(same["five_tuples_in_real"], 1.0)
        base = ds.baseline_marginal(seed=4)
        self.assertGreater(len(base), 0)
        details = netshare.evaluate_details(ds, base)
        kinds = {m["name"]: m["kind"] for m in details}
        self.assertEqual(kinds["dstport+proto"], "jsd")
        for m in details:
            if m["kind"] == "jsd" and not math.isnan(m["value"]):
                self.assertLessEqual(m["value"], math.log(2) + 1e-12)
        # Options: how many flows a baseline draws, how many services a report uses.
        few = ds.baseline_service_marginal(seed=4, flows=3)
        self.assertEqual(len(few), 3)  # flow records: one record per drawn flow
        one = netshare.evaluate(ds, base, services=1)
        self.assertIn("flow_size_by_service", one)
        self.assertNotIn("membership_auc", one)
        # With the held-out part: the membership audit (a copy of the trained-on part
        # is closer to it than to the held-out part).
        a, b = ds.split_time(0.5)
        audit = netshare.evaluate(a, a, held_out=b)
        self.assertGreater(audit["membership_auc"], 0.9)
        self.assertTrue(math.isnan(netshare.evaluate(a, b, held_out=b)["membership_auc"]))
        with self.assertRaises(netshare.NetshareError) as e:
            netshare.evaluate(ds, base, services=0)
        self.assertIn("services", e.exception.message)
        with self.assertRaises(ValueError):
            ds.baseline_marginal(flows=-1)

    def test_split_service_baseline_and_notes(self):
        ds = netshare.Dataset.read(self.csv)
        first, rest = ds.split_time(0.5)
        self.assertEqual((len(first), len(rest)), (1, 1))
        self.assertEqual(first[0], ds[0])
        self.assertEqual(rest[0], ds[1])
        with self.assertRaises(netshare.NetshareError) as ctx:
            ds.split_time(1.0)
        self.assertEqual(ctx.exception.status, netshare.Status.EINVAL)
        base = ds.baseline_service_marginal(seed=2)
        self.assertEqual(len(base), 2)  # one record per flow, as in the real trace
        for r in base:
            self.assertIn(r["dst_port"], (80, 53))
        details = netshare.evaluate_details(ds, ds)
        for m in details:
            if math.isnan(m["value"]):
                self.assertTrue(m["note"], m["name"])
            else:
                self.assertIsNone(m["note"], m["name"])

    def test_closed_handles_and_bad_arguments(self):
        ds = netshare.Dataset.read(self.csv)
        with ds:
            self.assertEqual(len(ds[0:2]), 2)
            self.assertEqual(ds[::-1][0], ds[1])
            self.assertEqual(ds[5:], [])
            with self.assertRaises(TypeError):
                ds["0"]
            with self.assertRaises(TypeError):
                ds[1.0]
        self.assertTrue(ds.closed)
        # After close, every use is a clear error, never freed memory.
        for use in (lambda: len(ds), lambda: ds[0], lambda: list(ds),
                    lambda: ds.write(os.path.join(self.dir.name, "x.csv")),
                    lambda: netshare.evaluate(ds, ds)):
            with self.assertRaises(ValueError) as ctx:
                use()
            self.assertIn("closed", str(ctx.exception))
        ds.close()  # twice is fine
        for bad in (None, 3, 1.5):
            with self.assertRaises(TypeError) as ctx:
                netshare.Dataset.read(bad)
            self.assertIn("Dataset.read", str(ctx.exception))
        # Read formats, column maps and write options.
        mapped = os.path.join(self.dir.name, "mapped.csv")
        with open(mapped, "w") as f:
            f.write("a,b,c,d,e,t,dur,np,nb\n10.0.0.1,10.0.0.2,1234,80,TCP,1458298072,1.5,10,4000\n")
        m = netshare.Dataset.read(mapped, format="mapped-csv", column_map=(
            "srcip=a,dstip=b,srcport=c,dstport=d,proto=e,ts=t,td=dur,pkt=np,byt=nb"))
        self.assertEqual(m[0]["dst_port"], 80)
        self.assertEqual(m[0]["packets"], 10)
        with self.assertRaises(netshare.NetshareError):
            netshare.Dataset.read(self.csv, format="zeek")  # not a Zeek log
        with self.assertRaises(ValueError):
            netshare.Dataset.read(self.csv, format="parquet")
        with self.assertRaises(ValueError):
            netshare.Dataset.read(self.csv, max_records=-1)
        out = os.path.join(self.dir.name, "nf.csv")
        m.write(out, format="netflow-csv")
        with open(out) as f:
            self.assertTrue(f.readline().startswith("srcip,dstip"))
        with self.assertRaises(ValueError):
            m.write(out, link_type="tokenring")
        # bytes and os.PathLike paths work.
        import pathlib
        self.assertEqual(len(netshare.Dataset.read(os.fsencode(self.csv))), 2)
        self.assertEqual(len(netshare.Dataset.read(pathlib.Path(self.csv))), 2)


if __name__ == "__main__":
    unittest.main()
