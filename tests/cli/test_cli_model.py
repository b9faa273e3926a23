# SPDX-License-Identifier: BSD-3-Clause
"""netshare train / generate / inspect / run: the model workflow end to end on a small
trace this test writes itself (a few training iterations: behaviour, not quality), the
same seed giving the same bytes, resume after a kill, and bad input to every subcommand
(one-line error naming the problem, non-zero exit, no partial output)."""

import json
import os
import random
import resource
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from cli_helpers import CLI, ErrorAssertions, run
FAST = ["-I", "4", "--batch-size", "16", "-k", "2", "-q"]


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def packet_csv(path, flows=120, seed=1, length=None):
    """A packet CSV: TCP flows to 443 and UDP flows to 53 over 4 s; TCP flows of 2-6
    packets and UDP ones of 1, or every flow `length` packets."""
    rnd = random.Random(seed)
    rows = []
    for f in range(flows):
        tcp = f % 3 != 0
        n = length or (rnd.randint(2, 6) if tcp else 1)
        t = 1_600_000_000_000_000 + rnd.randrange(4_000_000)
        for j in range(n):
            rows.append((t + j * 1500, f, tcp, j))
    rows.sort()
    with open(path, "w") as out:
        out.write("srcip,dstip,srcport,dstport,proto,time,pkt_len,version,ihl,tos,id,flag,"
                  "off,ttl,chksum,tcp_flags\n")
        for t, f, tcp, j in rows:
            out.write(f"{167772160 + f},{1572395042 if tcp else 134744072},{30000 + f},"
                      f"{443 if tcp else 53},{'TCP' if tcp else 'UDP'},{t},"
                      f"{40 + 500 * (j % 2) if tcp else 70},4,5,0,{j},2,0,64,0,"
                      f"{16 if tcp else 0}\n")


def zeek_log(path, flows=150, seed=2):
    """A Zeek conn.log whose responders send about 40 % of each flow's packets and
    bytes."""
    rnd = random.Random(seed)
    cols = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto",
            "duration", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes"]
    with open(path, "w") as out:
        out.write("#separator \\x09\n#fields\t" + "\t".join(cols) + "\n")
        for f in range(flows):
            op = rnd.randint(3, 30)
            rp = int(op * rnd.uniform(0.5, 0.8))
            out.write("\t".join(map(str, [
                1600000000 + f * 0.5, "C%d" % f, "10.0.0.%d" % (1 + f % 50), 40000 + f,
                "192.0.2.%d" % (1 + f % 3), 443, "tcp", "%.3f" % rnd.uniform(0.1, 2),
                op, op * 80, rp, rp * 600])) + "\n")


def zeek_rows(path):
    """The data rows of a conn.log as dicts."""
    with open(path) as f:
        lines = f.read().splitlines()
    names = next(l for l in lines if l.startswith("#fields")).split("\t")[1:]
    return [dict(zip(names, l.split("\t"))) for l in lines if l and not l.startswith("#")]


class ModelWorkflow(ErrorAssertions, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        csv = os.path.join(cls.dir, "trace.csv")
        packet_csv(csv)
        cls.trace = os.path.join(cls.dir, "trace.pcap")
        r = run("convert", csv, cls.trace)
        assert r.returncode == 0, r.stderr
        cls.model = os.path.join(cls.dir, "m.nsm")
        r = run("train", "-i", cls.trace, "-o", cls.model, *FAST)
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def assert_train_usage_errors(self, option, values):
        """`train OPTION VALUE` exits 2 naming the option, for each value."""
        for bad in values:
            r = run("train", "-i", self.trace, "-o", self.path("bad.nsm"), option, bad)
            self.assertEqual(r.returncode, 2, bad)
            self.assertIn(option, r.stderr)

    @unittest.skipIf(b"libasan" in subprocess.run(["ldd", CLI], capture_output=True).stdout,
                     "AddressSanitizer cannot run under an address-space limit")
    def test_generate_under_address_space_limits(self):
        """Under `ulimit -v`, generate either works or fails at once with a one-line
        out-of-memory error and no output (OpenBLAS used to spin forever when its
        buffer could not be mapped)."""
        out = self.path("limited.pcap")
        results = []
        for mb in range(200, 1401, 100):
            limit = mb << 20
            def limited(limit=limit):
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            try:
                r = subprocess.run([CLI, "generate", "-q", "-m", self.model, "-o", out],
                                   capture_output=True, text=True, timeout=120,
                                   preexec_fn=limited)
            except subprocess.TimeoutExpired:
                self.fail("generate under a %d MB address-space limit hung" % mb)
            results.append(r.returncode)
            if r.returncode == 0:
                self.assertTrue(os.path.exists(out))
                os.unlink(out)
                continue
            self.assert_one_line_error(r, 1)
            self.assertRegex(r.stderr, "out of memory|address-space limit")
            self.assertFalse(os.path.exists(out))
        self.assertIn(1, results, "no limit was low enough to fail: the test tests nothing")
        self.assertIn(0, results, "no limit was high enough to work")

    def test_zeek_responder_counts_are_learnt(self):
        """A Zeek model writes the responder's packets and bytes (resp_pkts,
        resp_ip_bytes), learnt as shares of the flow's totals: never all 0 (as before),
        never more than the flow."""
        log, model, out = self.path("conn.log"), self.path("zeek.nsm"), self.path("syn.log")
        zeek_log(log)
        r = run("train", "-i", log, "-o", model, *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run("generate", "-q", "-m", model, "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = zeek_rows(out)
        self.assertGreater(len(rows), 50)
        with_resp = [x for x in rows if int(x["resp_pkts"]) > 0]
        self.assertGreater(len(with_resp), len(rows) // 2)
        for x in rows:
            for k in ("orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes"):
                self.assertGreaterEqual(int(x[k]), 0)
        r = run("inspect", "--statistics", model)
        self.assertIn("the responder's shares", r.stdout)

    def test_train_leaves_only_the_model(self):
        self.assertTrue(os.path.getsize(self.model) > 0)
        self.assertFalse(os.path.exists(self.model + ".partial"))

    def test_inspect(self):
        r = run("inspect", "--json", self.model)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["records"], "packets")
        self.assertEqual(doc["chunks"], 2)
        self.assertEqual(doc["iterations_chunk0"], 4)
        self.assertEqual(doc["iterations_total"], 4 + 1)
        self.assertIn("gen_flag", [h["name"] for h in doc["feature_heads"]])
        self.assertIs(doc["headers_only"], False)  # whole frames, not a headers-only capture
        text = run("inspect", "--heads", self.model)
        self.assertEqual(text.returncode, 0)
        self.assertIn("chunks        2", text.stdout)
        self.assertIn("srcip", text.stdout)

    def test_generate_same_seed_same_bytes(self):
        outs = [self.path(n) for n in ("a.pcap", "b.pcap", "c.pcap")]
        for out, seed in zip(outs, ("7", "7", "8")):
            r = run("generate", "-m", self.model, "-o", out, "--seed", seed)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("records of", r.stderr)
            self.assertNotIn("warning", r.stderr)
        data = [read_bytes(o) for o in outs]
        self.assertEqual(data[0], data[1])
        self.assertNotEqual(data[0], data[2])
        stats = json.loads(run("stats", "--json", outs[0]).stdout)
        self.assertGreater(stats["records"], 0)
        self.assertEqual(stats["format"], "pcap")
        # --flows scales the trace; CSV output works too.
        small, big = self.path("small.csv"), self.path("big.csv")
        self.assertEqual(run("generate", "-q", "-m", self.model, "-o", small, "-F", "20").returncode, 0)
        self.assertEqual(run("generate", "-q", "-m", self.model, "-o", big, "-F", "200").returncode, 0)
        n_small = json.loads(run("stats", "--json", small).stdout)["flows"]
        n_big = json.loads(run("stats", "--json", big).stdout)["flows"]
        self.assertGreater(n_big, 3 * n_small)

    def test_generate_warns_when_most_flows_repeat(self):
        """One 5-tuple in the whole trace: a generator trained on it draws that 5-tuple
        again and again, and without new ephemeral ports most rows are dropped. The
        output is still written, exit 0, and a warning (even with -q) says why it is
        thin."""
        csv, trace, model = self.path("one.csv"), self.path("one.pcap"), self.path("one.nsm")
        with open(csv, "w") as out:
            out.write("srcip,dstip,srcport,dstport,proto,time,pkt_len,version,ihl,tos,id,"
                      "flag,off,ttl,chksum,tcp_flags\n")
            for i in range(80):
                out.write(f"167772161,134744072,30000,53,UDP,{1_600_000_000_000_000 + i * 10**8},"
                          f"70,4,5,0,{i},2,0,64,0,0\n")
        self.assertEqual(run("convert", csv, trace).returncode, 0)
        r = run("train", "-i", trace, "-o", model, "-I", "40", "--batch-size", "16", "-k",
                "1", "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = self.path("one-gen.pcap")
        r = run("generate", "-m", model, "-o", out, "--flows", "40", "--no-repick", "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.getsize(out) > 24)
        lines = [l for l in r.stderr.splitlines() if "warning" in l]
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertRegex(lines[0], r"^netshare: warning: (\d+) of (\d+) generated flows "
                         r"\(\d+%\) repeated a 5-tuple")
        dropped, drawn = map(int, lines[0].split()[2:5:2])
        self.assertGreater(2 * dropped, drawn)
        self.assertIn("--no-repick", lines[0])

    def test_train_private(self):
        """--epsilon with a public trace and a declared window: a model that inspect
        calls (epsilon, delta)-DP, whose statistics are public, noised or declared and
        never the private trace's own; generation works; options that do not go
        together are usage errors; a model without DP is labelled NONE."""
        pub, priv, model = self.path("pub.csv"), self.path("priv.csv"), self.path("dp.nsm")
        packet_csv(pub, flows=150, seed=5)
        packet_csv(priv, flows=120, seed=6)
        st = json.loads(run("stats", "--json", priv).stdout)
        ns = lambda t: "%d.%09d" % divmod(t, 10**9)
        window = ns(st["time_min_ns"]) + "," + ns(st["time_max_ns"] + 1)
        base = ["train", "-i", priv, "-o", model, *FAST]
        for extra, needle in (([], "--public"),
                              (["--public", pub], "--window"),
                              (["--window", window], "--public")):
            r = run(*base, "--epsilon", "4", *extra)
            self.assert_one_line_error(r, 2, needle)
        self.assert_one_line_error(run(*base, "--public", pub), 2, "--epsilon")
        self.assert_one_line_error(run(*base, "--epsilon", "-1", "--public", pub,
                                       "--window", window), 2, "--epsilon")
        self.assert_one_line_error(run(*base, "--epsilon", "4", "--public", pub,
                                       "--window", "5,4"), 2, "--window")
        self.assertFalse(os.path.exists(model))
        r = run(*base, "--epsilon", "4", "--public", pub, "--public-iterations", "3",
                "--window", window)
        self.assertEqual(r.returncode, 0, r.stderr)
        text = run("inspect", "--statistics", model).stdout
        self.assertIn("-differentially private per flow (target epsilon 4)", text)
        doc = json.loads(run("inspect", "--json", model).stdout)
        self.assertEqual(doc["privacy"], "dp")
        self.assertLessEqual(doc["epsilon"], 4)
        self.assertGreater(doc["epsilon"], 3.9)
        self.assertGreater(doc["dp_sigma"], 0)
        self.assertEqual(doc["public_iterations"], 3)
        self.assertEqual(doc["feature_condition"], "generated")
        r = run(*base, "--epsilon", "4", "--public", pub, "--public-iterations", "3",
                "--window", window, "--feature-condition", "real")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("feature_condition", r.stderr)
        sources = {s["name"]: s["source"] for s in doc["statistics"]}
        self.assertNotIn("trace", sources.values())
        self.assertEqual(sources["time_span"], "declared")
        self.assertEqual(sources["chunk_flow_counts"], "noised")
        self.assertEqual(sources["port_vocabulary"], "public")
        out = self.path("dp.pcap")
        self.assertEqual(run("generate", "-q", "-m", model, "-o", out).returncode, 0)
        self.assertGreater(json.loads(run("stats", "--json", out).stdout)["records"], 0)
        plain = run("inspect", self.model).stdout
        self.assertIn("privacy       NONE: not differentially private", plain)
        self.assertEqual(json.loads(run("inspect", "--json", self.model).stdout)["privacy"],
                         "none")

    def test_eval_task_traffic_type(self):
        """eval --task traffic-type runs netshare.tasks (scikit-learn): labels the
        destination port decides give accuracy 1 for every classifier; without
        scikit-learn, one line naming python3-sklearn and exit 1; an unknown task is a
        usage error."""
        real, syn = self.path("labelled.csv"), self.path("labelled-syn.csv")
        for path, n, seed in ((real, 240, 1), (syn, 160, 2)):
            rnd = random.Random(seed)
            with open(path, "w") as f:
                f.write("srcip,dstip,srcport,dstport,proto,ts,td,pkt,byt,type\n")
                rows = sorted((1458298072000000 + rnd.randrange(10_000_000), i)
                              for i in range(n))
                for t, i in rows:
                    dns = i % 3 == 0
                    f.write("10.0.0.%d,10.1.0.1,%d,%d,%s,%d,0.5,2,%d,%s\n" % (
                        1 + i % 200, 40000 + i, 53 if dns else 443, "UDP" if dns else "TCP",
                        t, 120 if dns else 900, "dns" if dns else "web"))
        self.assert_one_line_error(run("eval", "--task", "nope", real, syn), 2, "nope")
        fake = self.path("no-sklearn/sklearn")
        os.makedirs(fake, exist_ok=True)
        with open(os.path.join(fake, "__init__.py"), "w") as f:
            f.write("raise ImportError('hidden by the test')\n")
        # The Python package loads the library itself: not through the test's
        # LD_LIBRARY_PATH, which under ASan names the instrumented build that plain
        # Python cannot load (it then finds a build tree next to the package).
        env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
        task = [CLI, "eval", "--task", "traffic-type"]
        r = subprocess.run(task + [real, syn], capture_output=True, text=True, timeout=300,
                           env=dict(env, PYTHONPATH=os.path.dirname(fake)))
        self.assert_one_line_error(r, 1, "python3-sklearn")
        try:
            import sklearn  # noqa: F401
        except ImportError:
            self.skipTest("scikit-learn not installed")
        r = subprocess.run(task + ["--holdout", "0.5", real, syn], capture_output=True,
                           text=True, timeout=300, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        for name in ("real", "labelled-syn.csv"):
            self.assertEqual(set(doc["accuracy"][name].values()), {1.0}, name)
        # NetML anomaly detection on the packet trace against itself.
        r = subprocess.run([CLI, "eval", "--task", "anomaly", self.trace, self.trace],
                           capture_output=True, text=True, timeout=300, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(len(doc["modes"]), 6)
        self.assertEqual(set(doc["relative_error"]["real"].values()), {0.0})
        r = subprocess.run([CLI, "eval", "--task", "anomaly", real, syn], capture_output=True,
                           text=True, timeout=300, env=env)
        self.assert_one_line_error(r, 1, "packet records")

    def test_labelled_zeek_csv_and_where(self):
        """A labelled Zeek CSV (IoT-23's layout): the model learns the label and an extra
        column per flow and writes the same dialect back; generate --where keeps only
        matching flows (every record), reports the acceptance rate, and refuses an
        unknown field or value (exit 1, one line) and --where with a baseline (exit 2)."""
        real, model = self.path("iot.csv"), self.path("iot.nsm")
        rnd = random.Random(5)
        with open(real, "w") as f:
            f.write("ts,uid,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,service,duration,"
                    "orig_pkts,orig_ip_bytes,resp_pkts,resp_ip_bytes,label,detailed-label\n")
            for i in range(300):
                bad = i % 4 != 0
                f.write("%.6f,C%d,192.168.100.%d,%d,%s,%d,%s,,%s,%d,%d,%d,%d,%s,%s\n" % (
                    1533042911 + i * 3 + rnd.random(), i, 100 + i % 20, 40000 + i,
                    "103.70.1.%d" % (i % 5) if bad else "81.2.254.224",
                    50 if bad else 123, "tcp" if bad else "udp",
                    "%.3f" % rnd.uniform(1, 3) if bad else "", 3, 180, 0, 0,
                    "Malicious" if bad else "Benign", "C&C" if bad else "-"))
        r = run("train", "-i", real, "-x", "detailed-label", "-o", model, *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = self.path("iot-syn.csv")
        r = run("generate", "-m", model, "-o", out, "--where", "label=Benign", "--flows", "40")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stderr, r"condition 'label=Benign': \d+ of \d+ drawn flows "
                                   r"satisfied it \(acceptance [\d.]+%\)")
        with open(out) as f:
            header = f.readline().rstrip("\n").split(",")
            rows = [dict(zip(header, line.rstrip("\n").split(","))) for line in f]
        self.assertEqual(header[:3], ["ts", "uid", "id.orig_h"])  # the input's dialect
        self.assertEqual(header[-2:], ["label", "detailed-label"])
        self.assertGreaterEqual(len(rows), 38)
        self.assertEqual({x["label"] for x in rows}, {"Benign"})
        r = run("generate", "-q", "-m", model, "-o", out, "--where", "detailed-label=C&C")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as f:
            next(f)
            self.assertEqual({line.rstrip("\n").split(",")[-1] for line in f}, {"C&C"})
        for cond, msg in (("label=Nope", "takes the values Benign, Malicious"),
                          ("colour=red", "not a flow attribute"),
                          ("dstport=x", "a port is a number")):
            r = run("generate", "-q", "-m", model, "-o", self.path("nope.csv"), "--where", cond)
            self.assert_one_line_error(r, 1, msg)
            self.assertFalse(os.path.exists(self.path("nope.csv")))
        self.assert_one_line_error(run("generate", "-m", model, "-o", self.path("e.csv"),
                                       "--where", ""), 2, "field=value")
        for opt, val in (("--duration", "0"), ("--duration", "5x"), ("--rate", "-1")):
            self.assert_one_line_error(run("generate", "-m", model, "-o", self.path("e.csv"),
                                           opt, val), 2, opt)
        r = run("generate", "--baseline", "marginal", "-i", real, "-o", self.path("b.csv"),
                "--where", "label=Benign")
        self.assert_one_line_error(r, 2, "--where, --duration and --rate are for")
        # --label COL: the label is another column, learnt and written under its name.
        lmodel, lout = self.path("iot-dl.nsm"), self.path("iot-dl.csv")
        r = run("train", "-i", real, "--label", "detailed-label", "-o", lmodel, *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run("generate", "-q", "-m", lmodel, "-o", lout, "--where", "detailed-label=C&C")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(lout) as f:
            header = f.readline().rstrip("\n").split(",")
            self.assertEqual(header[-1], "detailed-label")
            self.assertNotIn("label", header)
            self.assertEqual({line.rstrip("\n").split(",")[-1] for line in f}, {"C&C"})
        # The conditional task on the other column (plain Python, as in the task test).
        env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
        r = subprocess.run([CLI, "eval", "--task", "conditional", "--label", "detailed-label",
                            real, out], capture_output=True, text=True, timeout=300, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["label"], "detailed-label")
        cc = doc["values"]["C&C"]["sets"]
        self.assertEqual(cc["iot-syn.csv"]["share"], 1.0)  # generated with --where
        self.assertEqual(cc["real"]["jsd"]["protocol"], 0.0)  # every C&C flow is TCP
        self.assertLessEqual(cc["iot-syn.csv"]["mean_jsd"], 1.0)

    def test_train_same_seed_same_model(self):
        """Same seed: the same model file, byte for byte, whatever the thread count
        (chunk 0's critics step side by side, the later chunks train side by side);
        another seed differs."""
        data = {}
        for threads in ("1", "2", "3"):
            for name, seed in (("a", "3"), ("b", "3"), ("c", "4")):
                model = self.path("det-%s-%s.nsm" % (threads, name))
                r = run("train", "-i", self.trace, "-o", model, "-I", "8", "-k", "3",
                        "--batch-size", "16", "-q", "-t", threads, "--seed", seed)
                self.assertEqual(r.returncode, 0, r.stderr)
                data[threads, name] = read_bytes(model)
            self.assertEqual(data[threads, "a"], data[threads, "b"], "threads " + threads)
            self.assertNotEqual(data[threads, "a"], data[threads, "c"])
            self.assertEqual(data[threads, "a"], data["1", "a"], "threads " + threads)

    def test_discriminator_front_option(self):
        """--disc-embed: auto is off for this trace's short flows, N is in the file and
        in inspect; bad values are usage errors."""
        docs = {}
        for value in ("auto", "4"):
            model = self.path("front-%s.nsm" % value)
            r = run("train", "-i", self.trace, "-o", model, "-I", "4", "-k", "1",
                    "--batch-size", "16", "-q", "--disc-embed", value)
            self.assertEqual(r.returncode, 0, r.stderr)
            r = run("inspect", "--json", model)
            self.assertEqual(r.returncode, 0, r.stderr)
            docs[value] = json.loads(r.stdout)
        self.assertEqual(docs["auto"]["disc_embed"], 0)
        self.assertEqual(docs["4"]["disc_embed"], 4)
        self.assertLess(docs["4"]["params_discriminator"],
                        docs["auto"]["params_discriminator"])
        r = run("inspect", self.path("front-4.nsm"))
        self.assertIn("discriminator embeds each record into 4 floats", r.stdout)
        self.assert_train_usage_errors("--disc-embed", ("-1", "257", "x"))

    def test_ema_decay_option(self):
        """--ema-decay: in the file and in inspect (0 by default); from the same
        training, the averages generate other records than the last weights; the
        exported file (train's default) generates what the full one (--keep-state)
        does; bad values are usage errors."""
        out = {}
        for name, args in (("off", []), ("0.9", ["--ema-decay", "0.9"]),
                           ("0.9-full", ["--ema-decay", "0.9", "--keep-state"])):
            model = self.path("ema-%s.nsm" % name)
            r = run("train", "-i", self.trace, "-o", model, "-I", "6", "-k", "1",
                    "--batch-size", "16", "-q", *args)
            self.assertEqual(r.returncode, 0, r.stderr)
            r = run("inspect", "--json", model)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout)["ema_decay"], 0.9 if args else 0)
            syn = self.path("ema-%s.csv" % name)
            r = run("generate", "-m", model, "-o", syn, "--seed", "5", "-q")
            self.assertEqual(r.returncode, 0, r.stderr)
            out[name] = read_bytes(syn)
        self.assertNotEqual(out["off"], out["0.9"])
        self.assertEqual(out["0.9"], out["0.9-full"])
        r = run("inspect", self.path("ema-0.9.nsm"))
        self.assertIn("averaged with decay 0.9", r.stdout)
        self.assert_train_usage_errors("--ema-decay", ("-0.1", "1", "x", "nan"))

    def train_variants(self, stem, variants, trace=None):
        """One small model per (name, extra train args) of trace (default: the class's):
        {name: (file bytes, inspect --json document)}."""
        out = {}
        for name, args in variants:
            model = self.path("%s-%s.nsm" % (stem, name))
            r = run("train", "-i", trace or self.trace, "-o", model, "-I", "6", "-k", "1",
                    "--batch-size", "16", "-q", *args)
            self.assertEqual(r.returncode, 0, r.stderr)
            out[name] = (read_bytes(model), json.loads(run("inspect", "--json", model).stdout))
        return out

    def test_feature_condition_option(self):
        """--feature-condition: generated by default, real on request, in the file and
        in inspect; the two train different models from the same seed; bad values are
        usage errors."""
        out = self.train_variants("cond", (
            ("default", []), ("generated", ["--feature-condition", "generated"]),
            ("real", ["--feature-condition", "real"])))
        for name, (_, doc) in out.items():
            self.assertEqual(doc["feature_condition"], "real" if name == "real"
                             else "generated")
        self.assertEqual(out["default"][0], out["generated"][0])
        self.assertNotEqual(out["generated"][0], out["real"][0])
        r = run("inspect", self.path("cond-real.nsm"))
        self.assertIn("conditioned on real attributes", r.stdout)
        self.assert_train_usage_errors("--feature-condition", ("x", "", "REAL", "auto"))

    def test_flow_end_option(self):
        """--flow-end: auto by default, larger or drawn on request, in the file and in
        inspect; auto is drawn on a trace whose commonest flow is one packet and larger
        on one whose flows all have 4; larger and drawn train different models from the
        same seed; a drawn model generates the same trace for the same seed; bad values
        are usage errors."""
        out = self.train_variants("end", (
            ("default", []), ("auto", ["--flow-end", "auto"]),
            ("larger", ["--flow-end", "larger"]), ("drawn", ["--flow-end", "drawn"])))
        for name, (_, doc) in out.items():
            self.assertEqual(doc["flow_end"], "larger" if name == "larger" else "drawn")
            # the choice auto may read off the trace is listed beside the statistics
            derived = {d["name"]: d for d in doc["derived"]}
            self.assertEqual(derived["flow_end"]["value"], doc["flow_end"])
            self.assertIn("1 bit", derived["flow_end"]["reveals"])
        self.assertEqual(out["default"][0], out["auto"][0])
        self.assertEqual(out["auto"][0], out["drawn"][0])
        self.assertNotEqual(out["larger"][0], out["drawn"][0])
        csv = self.path("fours.csv")
        packet_csv(csv, length=4)
        fours = self.train_variants("fours", (("default", []),
                                              ("larger", ["--flow-end", "larger"])), csv)
        self.assertEqual(fours["default"][1]["flow_end"], "larger")
        self.assertEqual(fours["default"][0], fours["larger"][0])
        model = self.path("end-drawn.nsm")
        self.assertIn("flows end     by draws", run("inspect", model).stdout)
        text = run("inspect", "--statistics", model).stdout
        self.assertRegex(text, r"derives from the trace:\n +flow_end +drawn ")
        traces = []
        for k in range(2):
            trace = self.path("end-drawn-%d.csv" % k)
            r = run("generate", "-m", model, "-o", trace, "--raw", "-n", "300",
                    "--seed", "5", "-q")
            self.assertEqual(r.returncode, 0, r.stderr)
            traces.append(read_bytes(trace))
        self.assertEqual(traces[0], traces[1])
        self.assertGreater(len(traces[0].splitlines()), 1)
        self.assert_train_usage_errors("--flow-end", ("x", "", "DRAWN", "argmax"))

    def test_condition_paths_option(self):
        """--condition-paths: none by default, state, output or both on request, in the
        file and in inspect (JSON and text); each trains another model from the same
        seed, and generates; bad values are usage errors."""
        out = self.train_variants("paths", (
            ("default", []), ("none", ["--condition-paths", "none"]),
            ("state", ["--condition-paths", "state"]),
            ("output", ["--condition-paths", "output"]),
            ("both", ["--condition-paths", "state,output"]),
            ("both2", ["--condition-paths", "output,state"])))
        want = {"default": "none", "none": "none", "state": "state", "output": "output",
                "both": "state,output", "both2": "state,output"}
        for name, (_, doc) in out.items():
            self.assertEqual(doc["condition_paths"], want[name])
        self.assertEqual(out["default"][0], out["none"][0])
        self.assertEqual(out["both"][0], out["both2"][0])
        files = [out[n][0] for n in ("none", "state", "output", "both")]
        self.assertEqual(len(set(files)), 4)
        self.assertGreater(out["both"][1]["params_generator"],
                           out["output"][1]["params_generator"])
        self.assertGreater(out["output"][1]["params_generator"],
                           out["none"][1]["params_generator"])
        model = self.path("paths-both.nsm")
        self.assertIn("through: state,output", run("inspect", model).stdout)
        self.assertNotIn("through:", run("inspect", self.path("paths-none.nsm")).stdout)
        syn = self.path("paths-both.csv")
        r = run("generate", "-m", model, "-o", syn, "--seed", "5", "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertGreater(len(read_bytes(syn).splitlines()), 1)
        self.assert_train_usage_errors("--condition-paths",
                                       ("x", "", "STATE", "state,", "input", "3"))

    def test_adam_betas_option(self):
        """--adam-betas: the default is WGAN-GP's 0,0.9 (the same model bytes as
        without the option); NetShare's 0.5,0.999 trains another model from the same
        seed; anything but two decays in [0, 1) is a usage error."""
        out = self.train_variants("betas", (
            ("default", []), ("wgan-gp", ["--adam-betas", "0,0.9"]),
            ("netshare", ["--adam-betas", "0.5,0.999"])))
        self.assertEqual(out["default"][0], out["wgan-gp"][0])
        self.assertNotEqual(out["default"][0], out["netshare"][0])
        self.assert_train_usage_errors("--adam-betas", ("0.5", "0.5,", ",0.9", "1,0.9",
                                                        "0.5,1", "-0.1,0.9", "0.5,0.9,0",
                                                        "x,y", "0.5;0.9", "nan,0.9"))

    def test_resume_after_kill_gives_the_same_model(self):
        args = ["-I", "60", "--batch-size", "16", "-k", "2", "-q", "-t", "1",
                "--checkpoint-every", "3"]
        whole = self.path("whole.nsm")
        self.assertEqual(run("train", "-i", self.trace, "-o", whole, *args).returncode, 0)
        killed = self.path("killed.nsm")
        p = subprocess.Popen([CLI, "train", "-i", self.trace, "-o", killed, *args],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while not os.path.exists(killed + ".partial") and time.time() < deadline:
            time.sleep(0.02)
        p.send_signal(signal.SIGKILL)
        p.wait()
        self.assertTrue(os.path.exists(killed + ".partial"))
        self.assertFalse(os.path.exists(killed))
        r = run("train", "-i", self.trace, "-o", killed, "--resume", "-t", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(killed + ".partial"))
        self.assertEqual(read_bytes(whole), read_bytes(killed))

    def test_run_reports_model_and_baseline(self):
        out = self.path("run.pcap")
        r = run("run", self.trace, "-o", out, "--json", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual([s["file"] for s in doc["synthetic"]],
                         [out, "gan-only", "marginal", "service-marginal"])
        self.assertIsNone(doc["held_out"])
        names = [m["name"] for m in doc["synthetic"][0]["metrics"]]
        self.assertIn("dstport+proto", names)
        self.assertTrue(os.path.exists(out))

    def test_outputs_checked_before_any_work(self):
        # Each fails at once (well under the time a training would take), names the
        # problem and leaves no file behind, least of all over its input.
        before = read_bytes(self.trace)
        started = time.monotonic()
        self.assert_one_line_error(run("train", "-i", self.trace, "-o", self.dir, *FAST), 1,
                                   "is a directory")
        self.assert_one_line_error(run("train", "-i", self.trace, "-o",
                                       "/nonexistent/dir/m.nsm", *FAST), 1, "/nonexistent/dir")
        self.assert_one_line_error(run("train", "-i", self.trace, "-o", self.trace, *FAST), 2,
                                   "is the input")
        self.assert_one_line_error(run("generate", "-m", self.model, "-o", self.model), 2,
                                   "is the input")
        self.assert_one_line_error(run("generate", "--baseline", "marginal", "-i", self.trace,
                                       "-o", self.trace), 2, "is the input")
        self.assert_one_line_error(run("run", self.trace, "-o", self.trace, *FAST), 2,
                                   "is the input")
        same = self.path("same.out")
        self.assert_one_line_error(run("run", self.trace, "-o", same, "-m", same, *FAST), 2,
                                   "both be written")
        self.assert_one_line_error(run("eval", "--html", self.trace, self.trace, self.trace), 2,
                                   "is the input")
        link = self.path("link.pcap")
        os.symlink(self.trace, link)
        self.assert_one_line_error(run("convert", self.trace, link), 2, "is the input")
        self.assertLess(time.monotonic() - started, 30)
        self.assertEqual(read_bytes(self.trace), before)
        self.assertFalse(os.path.exists(self.dir + ".partial"))
        self.assertFalse(os.path.exists(same))

    def test_progress_off_a_terminal_never_goes_back(self):
        # A line per tenth of the work; checkpoints (every iteration here) start each
        # training round where the last one stopped, not at 0 %.
        out = self.path("progress.nsm")
        r = run("train", "-i", self.trace, "-o", out, "-I", "20", "--batch-size", "16", "-k",
                "2", "--checkpoint-every", "3")
        self.assertEqual(r.returncode, 0, r.stderr)
        shares = [int(line.split("%")[0].split()[-1]) for line in r.stderr.splitlines()
                  if line.startswith("train:")]
        self.assertGreater(len(shares), 5, r.stderr)
        self.assertEqual(shares, sorted(shares), r.stderr)
        self.assertEqual(shares[-1], 100)

    def test_held_out_run_and_eval(self):
        out = self.path("held.pcap")
        r = run("run", self.trace, "-o", out, "--json", "--holdout", "0.4", *FAST)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual([s["file"] for s in doc["synthetic"]],
                         [out, "gan-only", "marginal", "service-marginal", "held-out"])
        self.assertEqual(doc["held_out"], "held-out")
        held = {m["name"]: m for m in doc["synthetic"][-1]["metrics"]}
        ours = {m["name"]: m for m in doc["synthetic"][0]["metrics"]}
        # The floor's own ratio is 1 wherever it is defined, and every distance of the
        # other traces carries its ratio (or null, with the floor 0 or n/a).
        self.assertEqual(held["dstport+proto"]["floor_ratio"], 1.0)
        for name, m in ours.items():
            if m["kind"] in ("jsd", "emd") and m["value"] is not None and \
                    held[name]["value"]:
                self.assertAlmostEqual(m["floor_ratio"], m["value"] / held[name]["value"],
                                       delta=1e-6 * m["floor_ratio"])
            if m["value"] is None:
                self.assertTrue(m["note"], name)
        self.assertIn("structure", doc["closest"])
        # The same split through eval: the held-out column has the same values.
        r = run("eval", "--json", "--holdout", "0.4", self.trace, out)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc2 = json.loads(r.stdout)
        held2 = {m["name"]: m["value"] for m in doc2["synthetic"][-1]["metrics"]}
        self.assertEqual(held2["dstport+proto"], held["dstport+proto"]["value"])
        # Text output: n/a instead of nan, the floor column, one sentence per group.
        r = run("eval", "--holdout", "0.4", self.trace, out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("nan", r.stdout)
        self.assertIn("(floor)", r.stdout)
        self.assertIn("closest to the held-out real traffic:", r.stdout)
        for bad in ("0", "1", "-0.5", "x", "0.5x"):
            self.assert_one_line_error(run("eval", "--holdout", bad, self.trace, out), 2,
                                       "--holdout")
            self.assert_one_line_error(run("train", "-i", self.trace, "-o", self.path("h.nsm"),
                                           "--holdout", bad, *FAST), 2, "--holdout")

    def test_raw_generation_and_statistics(self):
        default, raw = self.path("default.pcap"), self.path("raw.pcap")
        for path, extra in ((default, []), (raw, ["--raw"])):
            r = run("generate", "-m", self.model, "-o", path, "-q", *extra)
            self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotEqual(read_bytes(default), read_bytes(raw))
        one = self.path("one-step.pcap")
        r = run("generate", "-m", self.model, "-o", one, "-q", "--no-repick")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_one_line_error(run("generate", "--baseline", "marginal", "-i", self.trace,
                                       "-o", self.path("b.pcap"), "--raw"), 2, "--raw")
        sm = self.path("sm.pcap")
        r = run("generate", "--baseline", "service-marginal", "--holdout", "0.5", "-i",
                self.trace, "-o", sm, "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(sm))
        r = run("inspect", "--json", self.model)
        self.assertEqual(r.returncode, 0, r.stderr)
        stats = {s["name"]: s for s in json.loads(r.stdout)["statistics"]}
        for name in ("time_span", "chunk_flow_counts", "field_bounds", "port_vocabulary",
                     "port_counts", "service_classes", "partner_ports", "gap_quantiles",
                     "longest_flows", "payload_floors"):
            self.assertIn(name, stats)
            self.assertEqual(stats[name]["source"], "trace")
            self.assertTrue(stats[name]["reveals"])
        self.assertGreater(stats["service_classes"]["values"], 0)
        self.assertEqual(stats["longest_flows"]["used_by"], "sampling:cap_flow_lengths")
        r = run("inspect", "--statistics", self.model)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("partner_ports", r.stdout)
        self.assertIn("sampling:draw_partner_ports", r.stdout)

    def test_bad_input(self):
        missing = "/nonexistent/t.pcap"
        out = self.path("bad-out.nsm")
        self.assert_one_line_error(run("train", "-i", missing, "-o", out, *FAST), 1, missing)
        junk = self.path("junk.bin")
        with open(junk, "wb") as f:
            f.write(b"\x00\x01garbage that is no trace\n")
        self.assert_one_line_error(run("train", "-i", junk, "-o", out, *FAST), 1, "junk.bin")
        self.assert_one_line_error(run("train", "-i", self.trace, "-o", out, "--resume"), 1,
                                   "no checkpoint")
        self.assertFalse(os.path.exists(out))
        self.assertFalse(os.path.exists(out + ".partial"))
        # A damaged model: every command that reads it says so.
        damaged = self.path("damaged.nsm")
        data = bytearray(read_bytes(self.model))
        data[len(data) // 2] ^= 0x40
        with open(damaged, "wb") as f:
            f.write(bytes(data))
        self.assert_one_line_error(run("inspect", damaged), 1, "damaged.nsm", "checksum")
        syn = self.path("never.pcap")
        self.assert_one_line_error(run("generate", "-m", damaged, "-o", syn), 1, "checksum")
        self.assert_one_line_error(run("generate", "-m", self.trace, "-o", syn), 1, "trace.pcap")
        self.assert_one_line_error(run("generate", "-m", missing, "-o", syn), 1, missing)
        self.assert_one_line_error(run("generate", "-m", self.model, "-o", "/nonexistent/s.pcap"),
                                   1, "/nonexistent/s.pcap")
        self.assert_one_line_error(run("generate", "-m", self.model, "-o", self.path("s.txt")), 1,
                                   "output format")
        self.assertFalse(os.path.exists(syn))
        self.assert_one_line_error(run("run", missing, "-o", syn, *FAST), 1, missing)
        self.assertFalse(os.path.exists(syn))
        # Usage errors.
        self.assert_one_line_error(run("train", "-i", self.trace), 2, "-o")
        self.assert_one_line_error(run("train", "-i", self.trace, "-o", out, "--chunks", "0"), 2,
                                   "--chunks")
        self.assert_one_line_error(run("generate", "-m", self.model), 2, "-o OUTPUT")
        self.assert_one_line_error(run("generate", "-m", self.model, "-o", syn, "-T", "0"), 2,
                                   "--time-scale")
        self.assert_one_line_error(run("generate", "-m", self.model, "-o", syn, "--temperature",
                                       "-1"), 2, "--temperature")
        self.assert_one_line_error(run("inspect"), 2, "one MODEL")
        self.assert_one_line_error(run("run", self.trace), 2, "-o")
        leftovers = [n for n in os.listdir(self.dir) if ".tmp" in n or n.startswith(".")]
        self.assertEqual(leftovers, [])


if __name__ == "__main__":
    unittest.main()
