# SPDX-License-Identifier: BSD-3-Clause
"""netshare stats / convert: output, JSON, and bad input (one-line errors, exit codes, no
partial output files). Uses small files it writes itself; real traces where present."""

import json
import os
import shutil
import struct
import tempfile
import unittest

from cli_helpers import NO_DATA, ErrorAssertions, main, run
DATA = os.environ.get("NETSHARE_TEST_DATA", "")

NETFLOW = ("srcip,dstip,srcport,dstport,proto,ts,td,pkt,byt,type\n"
           "10.0.0.1,10.0.0.2,1234,80,TCP,1458298072364000.0,1.5,10,4000,background\n"
           "10.0.0.1,10.0.0.2,1234,80,TCP,1458298072365000.0,0.5,3,200,background\n"
           "10.0.0.3,10.0.0.2,5353,53,UDP,1458298072366000.0,0,1,60,blacklist\n")


class StatsAndConvert(ErrorAssertions, unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.csv = os.path.join(self.dir, "flows.csv")
        with open(self.csv, "w") as f:
            f.write(NETFLOW)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_stats_json(self):
        r = run("stats", "--json", self.csv)
        self.assertEqual(r.returncode, 0, r.stderr)
        d = json.loads(r.stdout)
        self.assertEqual(d["records"], 3)
        self.assertEqual(d["flows"], 2)
        self.assertEqual(d["format"], "netflow-csv")
        self.assertEqual(d["kind"], "flows")
        self.assertEqual(d["packets"], 14)
        self.assertEqual(d["bytes"], 4260)
        self.assertEqual(d["flow_size"]["max"], 2)
        self.assertEqual([p["name"] for p in d["protocols"]], ["TCP", "UDP"])

    def test_stats_encoded(self):
        r = run("stats", "--json", "--encoded", "--chunks", "2", self.csv)
        self.assertEqual(r.returncode, 0, r.stderr)
        enc = json.loads(r.stdout)["encoded"]
        self.assertEqual(enc["chunks"], 2)
        self.assertEqual(enc["max_flow_len"], 2)   # the two records of one 5-tuple
        self.assertEqual(enc["flows"], sum(enc["flows_per_chunk"]))
        self.assertEqual(enc["protocol_words"], 2)
        # 32 + 32 bit heads x 2, 3 word2vec x 10, port classes (no port is in two flows:
        # only "other", 1 per role), the label (two values: a flow attribute), 2 + 2 x 2
        # tags, flow start
        self.assertEqual(enc["A"], 128 + 30 + 2 + 2 + 6 + 1)
        r = run("stats", "--json", "--encoded", "--chunks", "2", "--port-classes", "0",
                self.csv)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["encoded"]["A"], 128 + 30 + 2 + 6 + 1)
        r = run("stats", "-e", "-K", "1", "--max-flow-len", "1", self.csv)
        self.assertIn("1 truncated", r.stdout)
        self.assert_one_line_error(run("stats", "--sample-len", "0", self.csv), 1,
                                   "sample_len = 0")
        self.assert_one_line_error(run("stats", "--chunks", "many", self.csv), 2, "--chunks")

    def test_stats_text_and_stdin(self):
        r = run("stats", "-", stdin=NETFLOW)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("records       3 flow records", r.stdout)
        self.assertIn("flows         2 directional 5-tuples", r.stdout)
        self.assertIn("labels        background 2 (66.7%) blacklist 1 (33.3%)", r.stdout)
        r = run("stats", "--json", "-", stdin=NETFLOW)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["labels"], {"background": 2, "blacklist": 1})
        self.assertEqual((doc["labels_other"], doc["unlabelled"]), (0, 0))

    def test_convert_round_trip(self):
        log = os.path.join(self.dir, "flows.log")
        back = os.path.join(self.dir, "back.csv")
        self.assertEqual(run("convert", self.csv, log).returncode, 0)
        self.assertEqual(run("convert", log, back, "--to", "netflow-csv").returncode, 0)
        a = json.loads(run("stats", "--json", self.csv).stdout)
        b = json.loads(run("stats", "--json", back).stdout)
        for key in ("records", "flows", "packets", "bytes", "time_min_ns", "protocols"):
            self.assertEqual(a[key], b[key], key)

    def test_generate_baseline_and_eval(self):
        out = os.path.join(self.dir, "base.csv")
        r = run("generate", "--baseline", "marginal", "-i", self.csv, "-o", out, "--seed", "3")
        self.assertEqual(r.returncode, 0, r.stderr)
        again = os.path.join(self.dir, "again.csv")
        run("generate", "--baseline", "marginal", "-i", self.csv, "-o", again, "--seed", "3")
        with open(out) as a, open(again) as b:
            self.assertEqual(a.read(), b.read())  # same seed, same bytes
        r = run("eval", "--json", self.csv, out)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        names = [m["name"] for m in doc["synthetic"][0]["metrics"]]
        for want in ("dstport", "label", "dstport+proto", "five_tuples_in_real"):
            self.assertIn(want, names)
        self.assert_one_line_error(run("generate", "-m", "x.nsm", "-o", out), 1, "x.nsm")
        self.assert_one_line_error(run("generate", "--baseline", "fancy", "-i", self.csv,
                                       "-o", out), 2, "unknown baseline 'fancy'")
        self.assert_one_line_error(run("eval", self.csv), 2, "at least one SYNTHETIC")
        self.assert_one_line_error(run("eval", self.csv, "/nonexistent/s.csv"), 1,
                                   "/nonexistent/s.csv")

    def test_convert_keeps_what_a_capture_was(self):
        # A raw-IP, headers-only capture stays raw-IP and headers-only through convert;
        # the flags still choose otherwise.
        csv = os.path.join(self.dir, "p.csv")
        with open(csv, "w") as f:
            f.write("srcip,dstip,srcport,dstport,proto,time,pkt_len,version,ihl,tos,id,flag,"
                    "off,ttl,chksum,tcp_flags\n")
            for i in range(20):
                f.write("167772161,167772162,%d,443,TCP,%d,1500,4,5,0,%d,2,0,64,0,16\n"
                        % (30000 + i, 1600000000000000 + i * 1000, i))
        raw = os.path.join(self.dir, "raw.pcap")
        self.assertEqual(run("convert", "--link", "raw", "--headers-only", csv, raw).returncode, 0)

        def shape(path):
            with open(path, "rb") as f:
                d = f.read()
            link = struct.unpack("<I", d[20:24])[0]
            incl, orig = struct.unpack("<II", d[32:40])
            return link, incl, orig

        self.assertEqual(shape(raw), (101, 40, 1500))
        again = os.path.join(self.dir, "again.pcap")
        r = run("convert", raw, again)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(shape(again), (101, 40, 1500))
        whole = os.path.join(self.dir, "whole.pcap")
        r = run("convert", "--full-frames", "--link", "ethernet", raw, whole)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(shape(whole), (1, 1514, 1514))

    def test_missing_file(self):
        self.assert_one_line_error(run("stats", "/nonexistent/t.pcap"), 1,
                                   "/nonexistent/t.pcap: No such file or directory")

    def test_wrong_format(self):
        junk = os.path.join(self.dir, "junk.bin")
        with open(junk, "wb") as f:
            f.write(b"\x00\x01garbage that is no trace\n")
        self.assert_one_line_error(run("stats", junk), 1, "junk.bin", "not a pcap")
        self.assert_one_line_error(run("stats", "--format", "pcap", junk), 1, "junk.bin")

    def test_bad_row_named_and_lenient(self):
        bad = os.path.join(self.dir, "bad.csv")
        with open(bad, "w") as f:
            f.write(NETFLOW + "10.0.0.9,10.0.0.2,99999,80,TCP,1,0,1,1,x\n")
        self.assert_one_line_error(run("stats", bad), 1, "bad.csv: line 5, column 3 (srcport)")
        r = run("stats", "--json", "--lenient", bad)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(json.loads(r.stdout)["skipped"]["bad-row"], 1)

    def test_unwritable_output_leaves_nothing(self):
        self.assert_one_line_error(run("convert", self.csv, "/nonexistent-dir/out.csv"), 1,
                                   "/nonexistent-dir/out.csv")
        out = os.path.join(self.dir, "out.pcap")
        self.assert_one_line_error(run("convert", self.csv, out), 1, "pcap needs packet records")
        self.assertEqual(sorted(os.listdir(self.dir)), ["flows.csv"])

    def test_existing_output_survives_failure(self):
        out = os.path.join(self.dir, "keep.csv")
        with open(out, "w") as f:
            f.write("precious")
        bad = os.path.join(self.dir, "bad.csv")
        with open(bad, "w") as f:
            f.write("srcip,dstip\n")
        self.assertEqual(run("convert", bad, out).returncode, 1)
        with open(out) as f:
            self.assertEqual(f.read(), "precious")

    def test_usage_errors(self):
        self.assert_one_line_error(run("stats"), 2, "no input file")
        self.assert_one_line_error(run("stats", "--format", "xml", self.csv), 2, "unknown format 'xml'")
        self.assert_one_line_error(run("convert", self.csv), 2, "expected INPUT and OUTPUT")
        self.assert_one_line_error(run("convert", "--link", "wifi", self.csv, "x.pcap"), 2, "--link")
        self.assert_one_line_error(run("stats", "--max-records", "-3", self.csv), 2, "--max-records")

    @unittest.skipUnless(os.path.isdir(DATA), NO_DATA)
    def test_real_pcap_stats(self):
        d = json.loads(run("stats", "--json", os.path.join(DATA, "pathspider-real.pcap")).stdout)
        self.assertEqual(d["frames"], 62781)
        self.assertEqual(d["skipped"]["not-ip"], 743)
        self.assertEqual(d["flows"], 11978)
        self.assertEqual(d["link_type_name"], "EN10MB")


if __name__ == "__main__":
    main()
