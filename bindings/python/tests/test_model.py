# SPDX-License-Identifier: BSD-3-Clause
"""Encoder, Model and Sampler through ctypes: shapes of the encoded tensors, training with
progress and cancelling, save/export/load sampling the same records, samplers in threads,
numpy columns, and errors carrying the library's message."""

import os
import random
import subprocess
import sys
import tempfile
import threading
import unittest

import netshare

try:
    import numpy
except ImportError:
    numpy = None

SMALL = dict(iterations=3, batch_size=16, attr_layers=3, attr_units=16, lstm_units=8,
             disc_layers=3, disc_units=16, aux_disc_layers=3, aux_disc_units=16)


def netflow_csv(path, flows=80, seed=2):
    rnd = random.Random(seed)
    with open(path, "w") as f:
        f.write("srcip,dstip,srcport,dstport,proto,ts,td,pkt,byt,type\n")
        rows = []
        for i in range(flows):
            tcp = i % 4 != 0
            for j in range(rnd.randint(1, 3)):
                rows.append((1458298072000000 + rnd.randrange(10_000_000) + j, i, tcp))
        for t, i, tcp in sorted(rows):
            f.write("10.0.%d.%d,10.1.0.%d,%d,%d,%s,%d.0,%.1f,%d,%d,%s\n" % (
                i // 200, i % 200, i % 7, 40000 + i, 443 if tcp else 53,
                "TCP" if tcp else "UDP", t, 0.5 if tcp else 0, 3 if tcp else 1,
                900 if tcp else 70, "background" if tcp else "dns"))


def records(ds):
    return [tuple(sorted(r.items())) for r in ds]


class ModelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.csv = os.path.join(cls.tmp.name, "flows.csv")
        netflow_csv(cls.csv)
        cls.ds = netshare.Dataset.read(cls.csv)
        cls.model = netshare.Model.train(cls.ds, chunks=2, **SMALL)

    @classmethod
    def tearDownClass(cls):
        cls.model.close()
        cls.ds.close()
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def test_encoder_shapes(self):
        with netshare.Encoder.fit(self.ds, chunks=2) as enc:
            info = enc.info
            self.assertEqual(info["chunks"], 2)
            a, f, n = enc.encode(self.ds, 0)
            if numpy is not None:
                self.assertEqual(a.dtype, numpy.float32)
                self.assertEqual(a.shape[1], info["attribute_dim"])
                self.assertEqual(f.shape[1:], (info["max_len"], info["feature_dim"]))
                self.assertEqual(len(n), a.shape[0])
                self.assertTrue(((n >= 1) & (n <= info["max_len"])).all())
            else:
                self.assertEqual(len(a) % info["attribute_dim"], 0)
        with self.assertRaises(netshare.NetshareError) as e:
            enc2 = netshare.Encoder.fit(self.ds, chunks=2)
            enc2.encode(self.ds, 5)
        self.assertEqual(e.exception.status, netshare.Status.EINVAL)
        self.assertIn("chunk 5", e.exception.message)
        with self.assertRaises(TypeError):
            netshare.Encoder.fit(self.ds, no_such_option=1)

    def test_progress_and_cancel(self):
        seen = []
        m = netshare.Model.train(self.ds, chunks=1, progress=seen.append, **SMALL)
        self.assertEqual([p["done"] for p in seen if p["stage"] == "train"][-1], 3)
        self.assertEqual(m.info["iterations_total"], 3)
        with self.assertRaises(netshare.NetshareError) as e:
            netshare.Model.train(self.ds, chunks=1, progress=lambda p: p["done"] >= 2, **SMALL)
        self.assertEqual(e.exception.status, netshare.Status.ECANCELED)

        def boom(_p):
            raise KeyError("from the callback")
        with self.assertRaises(KeyError):
            netshare.Model.train(self.ds, chunks=1, progress=boom, **SMALL)

    def test_differential_privacy(self):
        """Model.train(private, public=..., window=..., epsilon=E): fitted on the public
        data, pretrained on it, info reports the privacy; without pretraining the
        library's error comes through."""
        pub_csv = self.path("public.csv")
        netflow_csv(pub_csv, flows=90, seed=9)
        with netshare.Dataset.read(pub_csv) as pub:
            times = [r["time_ns"] for r in self.ds]
            window = (min(times), max(times) + 1)
            with netshare.Model.train(self.ds, public=pub, window=window, chunks=2,
                                      epsilon=8, public_iterations=2, **SMALL) as m:
                info = m.info
                self.assertEqual(info["privacy"], 1)
                self.assertLessEqual(info["epsilon"], 8)
                self.assertGreater(info["epsilon"], 7.9)
                self.assertGreater(info["dp_sigma"], 0)
                self.assertEqual(info["public_iterations"], 2)
                with m.sampler(seed=1) as s:
                    self.assertGreater(len(s.generate()), 0)
            enc = netshare.Encoder.fit(pub, chunks=2, window_start_ns=window[0],
                                       window_end_ns=window[1])
            with enc, netshare.Model.new(enc, epsilon=8, **SMALL) as m:
                with self.assertRaises(netshare.NetshareError) as e:
                    m.resume(self.ds)
                self.assertIn("netshare_model_pretrain", str(e.exception))
        self.assertEqual(self.model.info["privacy"], 0)

    def test_save_export_load_sample_the_same(self):
        with netshare.Sampler(self.model, seed=5, raw=True) as s:
            raw = s.generate()
            self.assertEqual(s.info["repicked"], 0)  # repick_ports is off
        with netshare.Sampler(self.model, seed=5, repick_ports=False) as s:
            s.generate()
            self.assertEqual(s.info["repicked"], 0)
            self.assertGreater(s.info["records"], 0)
        with netshare.Sampler(self.model, seed=5) as s:
            a = s.generate()
            info = s.info
        self.assertNotEqual(list(raw), list(a))
        self.assertEqual(len(a), info["records"])
        self.assertGreater(info["flows"], 0)
        full, small = self.path("m.nsm"), self.path("m.export.nsm")
        self.model.save(full)
        self.model.export(small)
        self.assertLess(os.path.getsize(small) * 2, os.path.getsize(full))
        for path in (full, small):
            with netshare.Model.load(path) as m, m.sampler(seed=5) as s:
                self.assertEqual(records(s.generate()), records(a))
        with netshare.Sampler(self.model, seed=6) as s:
            self.assertNotEqual(records(s.generate()), records(a))
            out = self.path("syn.csv")
            s.write(out)
            self.assertEqual(len(netshare.Dataset.read(out)), s.info["records"])
        self.assertEqual(self.model.encoder.info["chunks"], 2)

    def test_condition_paths(self):
        """A netshare_model_params field added in 1.12 (the struct grew): set by name,
        reported by info, kept by the file (the reloaded model samples the same)."""
        with netshare.Model.train(self.ds, chunks=1, condition_paths=3, **SMALL) as m:
            self.assertEqual(m.info["condition_paths"], 3)
            with netshare.Model.train(self.ds, chunks=1, **SMALL) as plain:
                self.assertEqual(plain.info["condition_paths"], 0)
                self.assertGreater(m.info["params_generator"],
                                   plain.info["params_generator"])
            path = self.path("paths.nsm")
            m.save(path)
            with m.sampler(seed=5) as s:
                a = records(s.generate())
            with netshare.Model.load(path) as back, back.sampler(seed=5) as s:
                self.assertEqual(back.info["condition_paths"], 3)
                self.assertEqual(records(s.generate()), a)
        with self.assertRaises(netshare.NetshareError) as e:
            netshare.Model.train(self.ds, chunks=1, condition_paths=4, **SMALL)
        self.assertIn("condition_paths", str(e.exception))

    def test_conditional_generation(self):
        """where= keeps the flows with those attributes: every record's label is the
        condition's, flows counted as asked; a label the model lacks is refused with
        the values it has."""
        with netshare.Sampler(self.model, seed=3, where="label=dns", flows=30) as s:
            syn = s.generate()
            info = s.info
        self.assertGreater(len(syn), 0)
        self.assertEqual({r["label"] for r in syn}, {"dns"})
        self.assertEqual(info["where_accepted"], info["flows"])
        self.assertGreaterEqual(info["where_drawn"], info["where_accepted"])
        self.assertLessEqual(abs(info["flows"] - 30), 2)  # two chunks, each rounded
        with self.assertRaises(netshare.NetshareError) as cm:
            netshare.Sampler(self.model, where="label=nope")
        self.assertIn("background, dns", str(cm.exception))
        # Three windows of the model's span, 20 flows a second over it.
        with netshare.Sampler(self.model, seed=3) as s:
            one = s.generate()
        span = (max(r["time_ns"] for r in one) - min(r["time_ns"] for r in one)) / 1e9
        with netshare.Sampler(self.model, seed=3, duration_s=3 * span, flow_rate=20) as s:
            three = s.generate()
            flows = s.info["flows"]
        self.assertLess(max(r["time_ns"] for r in three) - min(r["time_ns"] for r in three),
                        3 * span * 1e9 + 1)
        self.assertGreater(flows, 20 * 3 * span * 0.8)
        with self.assertRaises(netshare.NetshareError):
            netshare.Sampler(self.model, flows=5, flow_rate=1)

    def test_samplers_in_threads(self):
        results = {}

        def work(seed):
            with netshare.Sampler(self.model, seed=seed) as s:
                results[seed] = records(s.generate())
        threads = [threading.Thread(target=work, args=(k,)) for k in (1, 2, 3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for seed in (1, 2, 3):
            with netshare.Sampler(self.model, seed=seed) as s:
                self.assertEqual(results[seed], records(s.generate()))

    def test_errors_carry_the_message(self):
        with self.assertRaises(netshare.NetshareError) as e:
            netshare.Model.load(self.path("missing.nsm"))
        self.assertEqual(e.exception.status, netshare.Status.EIO)
        self.assertIn("missing.nsm", e.exception.message)
        bad = self.path("bad.nsm")
        self.model.export(bad)
        with open(bad, "r+b") as f:
            f.seek(100)
            byte = f.read(1)
            f.seek(100)
            f.write(bytes([byte[0] ^ 1]))
        with self.assertRaises(netshare.NetshareError) as e:
            netshare.Model.load(bad)
        self.assertEqual(e.exception.status, netshare.Status.ECORRUPT)
        small = self.path("small.nsm")
        self.model.export(small)
        with self.assertRaises(netshare.NetshareError) as e:
            netshare.Model.load(small, memory_limit=4096)
        self.assertEqual(e.exception.status, netshare.Status.ENOMEM)
        self.assertIn("memory_limit", e.exception.message)
        netshare.Model.load(small, memory_limit=1 << 40).close()
        with self.assertRaises(netshare.NetshareError) as e:
            netshare.Sampler(self.model, time_scale=0)
        self.assertIn("time_scale", e.exception.message)
        with self.assertRaises(netshare.NetshareError) as e:
            netshare.Sampler(self.model, class_temperature=-1)
        self.assertIn("class_temperature", e.exception.message)
        with self.assertRaises(TypeError):
            netshare.Sampler(self.model, no_such_step=False)

    def test_bad_options_and_closed_models(self):
        # ctypes would wrap -1 to 4294967295 and truncate 2.5: refused, naming the field.
        for bad, exc in ((-1, ValueError), (1 << 32, ValueError), (2.5, TypeError),
                         ("10", TypeError), (True, TypeError)):
            with self.assertRaises(exc) as ctx:
                netshare.Model.train(self.ds, iterations=bad)
            self.assertIn("iterations", str(ctx.exception))
        with self.assertRaises(TypeError):
            netshare.Model.load(None)
        path = self.path("closed.nsm")
        self.model.export(path)
        m = netshare.Model.load(path)
        s = netshare.Sampler(m, seed=1)
        enc = m.encoder
        self.assertGreater(enc.info["flows"], 0)
        m.close()
        with self.assertRaises(ValueError):
            s.generate()  # the model it reads is gone
        with self.assertRaises(ValueError):
            enc.info  # borrowed from the closed model
        with self.assertRaises(ValueError):
            m.info
        # The model's memory is freed only now, after the sampler that reads it.
        s.close()
        self.assertTrue(m.closed and s.closed)
        # Collected without close(): freed in the same order.
        m2 = netshare.Model.load(path)
        s2 = netshare.Sampler(m2, seed=1)
        del m2
        self.assertGreater(len(s2.generate()), 0)
        del s2

    def test_python_example_runs(self):
        here = os.path.dirname(os.path.abspath(__file__))
        example = os.path.join(here, "..", "..", "..", "examples", "python", "train_and_sample.py")
        out = self.path("example.csv")
        r = subprocess.run([sys.executable, example, self.csv, out, "3"], capture_output=True,
                           text=True, timeout=300, env=dict(os.environ))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("records of", r.stdout)
        self.assertIn("dstport+proto", r.stdout)
        self.assertTrue(os.path.exists(out))

    @unittest.skipIf(numpy is None, "numpy not installed")
    def test_numpy_columns(self):
        cols = self.ds.columns()
        self.assertEqual(len(cols["time_ns"]), len(self.ds))
        self.assertEqual(cols["dst_port"].dtype.kind, "i")
        self.assertEqual(set(cols["dst_port"].tolist()), {443, 53})
        self.assertEqual(int(cols["src_ip"][0]) >> 24, 10)


if __name__ == "__main__":
    unittest.main()
