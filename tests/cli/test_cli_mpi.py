# SPDX-License-Identifier: BSD-3-Clause
"""`mpirun -n 3 netshare train` on localhost (oversubscribed ranks): the model file is
byte-identical to a single-process one with the same seed (training state included);
with --data-parallel, the same for two runs with the same rank count;
a rank that cannot read its trace, or that is killed, makes the job exit non-zero with
one message and no model file. Skips (77) when mpirun or an MPI build is absent."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from cli_helpers import CLI, run
from test_cli_model import packet_csv

MPIRUN = shutil.which("mpirun")
# With weight averaging, so that the chunks' averages (GAVG) go between ranks too.
ARGS = ["-I", "6", "-k", "5", "-t", "1", "--batch-size", "16", "--ema-decay", "0.9", "-q",
        "--seed", "3"]


def mpi_build():
    r = run("version", "--json")
    return r.returncode == 0 and json.loads(r.stdout).get("mpi") is True


# Under AddressSanitizer, LeakSanitizer reports OpenMPI's own allocations at MPI_Init
# and MPI_Finalize (libmpi, PMIx, hwloc; their stacks unwind no further), so the ranks
# run without leak detection; the single-process runs here keep it.
ENV = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
LAUNCH = [MPIRUN, "--allow-run-as-root", "--oversubscribe", "-x", "ASAN_OPTIONS"]


def mpirun(n, *cmd):
    return subprocess.run([*LAUNCH, "-n", str(n), *cmd], capture_output=True, text=True,
                          timeout=600, env=ENV)


class MpiTrain(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.trace = os.path.join(cls.tmp.name, "trace.csv")
        packet_csv(cls.trace, flows=200, seed=4)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()

    def test_chunk_parallel_model_is_the_single_process_one(self):
        """5 chunks over 3 ranks (and over 2), with the training state: the same bytes
        as one process; and a file that trains on from there like any other."""
        single = self.path("single.nsm")
        r = run("train", "-i", self.trace, "-o", single, "--keep-state", *ARGS)
        self.assertEqual(r.returncode, 0, r.stderr)
        for n in (3, 2):
            out = self.path("mpi-%d.nsm" % n)
            r = mpirun(n, CLI, "train", "-i", self.trace, "-o", out, "--keep-state", *ARGS)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(self.read("single.nsm"), self.read("mpi-%d.nsm" % n), n)
            self.assertFalse(os.path.exists(out + ".partial"))
        other = self.path("other-seed.nsm")
        r = mpirun(3, CLI, "train", "-i", self.trace, "-o", other, "--keep-state",
                   *ARGS[:-1], "4")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotEqual(self.read("single.nsm"), self.read("other-seed.nsm"))

    def test_generate_over_ranks_is_the_single_process_trace(self):
        """mpirun generate (feature batches over the ranks, rank 0 decoding and
        writing): the same bytes as one process, for 3 and 2 ranks, with a condition
        and several time windows too; only rank 0 writes or speaks."""
        model = self.path("gen.nsm")
        r = run("train", "-i", self.trace, "-o", model, *ARGS)
        self.assertEqual(r.returncode, 0, r.stderr)
        # Enough flows for several batches of 256 per chunk, so that every rank has some.
        for extra in (["--flows", "4000"],
                      ["--where", "dstport=443", "--duration", "10", "--flows", "3000"]):
            single = self.path("gen-single.pcap")
            r = run("generate", "-q", "-m", model, "-o", single, "--seed", "5", *extra)
            self.assertEqual(r.returncode, 0, r.stderr)
            for n in (3, 2):
                out = self.path("gen-mpi-%d.pcap" % n)
                r = mpirun(n, CLI, "generate", "-m", model, "-o", out, "--seed", "5", *extra)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(self.read("gen-single.pcap"), self.read("gen-mpi-%d.pcap" % n),
                                 (n, extra))
                self.assertEqual(r.stderr.count("wrote"), 1, r.stderr)  # rank 0 only
        r = mpirun(2, CLI, "generate", "-m", model, "-o", self.path("bad.pcap"),
                   "--where", "dstport=1")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("dstport=1", r.stderr)
        self.assertFalse(os.path.exists(self.path("bad.pcap")))

    def test_data_parallel_chunk0_is_the_same_run_after_run(self):
        """--data-parallel (chunk 0 on every rank, gradients averaged in rank order):
        two runs with 3 ranks give the same bytes; with 2 ranks, another model (another
        effective batch), also the same twice; and not the model without the flag."""
        files = {}
        for n, name in ((3, "a"), (3, "b"), (2, "c"), (2, "d")):
            out = self.path("dp-%s.nsm" % name)
            r = mpirun(n, CLI, "train", "-i", self.trace, "-o", out, "--keep-state",
                       "--data-parallel", *ARGS)
            self.assertEqual(r.returncode, 0, r.stderr)
            files[name] = self.read("dp-%s.nsm" % name)
        self.assertEqual(files["a"], files["b"])
        self.assertEqual(files["c"], files["d"])
        self.assertNotEqual(files["a"], files["c"])
        plain = self.path("plain.nsm")
        r = mpirun(3, CLI, "train", "-i", self.trace, "-o", plain, "--keep-state", *ARGS)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotEqual(files["a"], self.read("plain.nsm"))

    def test_condition_paths_over_ranks(self):
        """With both condition paths (their layers go between ranks in the chunks'
        weights and averages, and into the gradient average): 5 chunks over 3 ranks
        give the single-process bytes; --data-parallel the same bytes twice, and not
        those of the model without the paths."""
        paths = [*ARGS, "--keep-state", "--condition-paths", "state,output"]
        r = run("train", "-i", self.trace, "-o", self.path("paths-single.nsm"), *paths)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = mpirun(3, CLI, "train", "-i", self.trace, "-o", self.path("paths-mpi.nsm"), *paths)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.read("paths-single.nsm"), self.read("paths-mpi.nsm"))
        files = {}
        for name, extra in (("a", paths), ("b", paths), ("none", [*ARGS, "--keep-state"])):
            out = self.path("paths-dp-%s.nsm" % name)
            r = mpirun(2, CLI, "train", "-i", self.trace, "-o", out, "--data-parallel", *extra)
            self.assertEqual(r.returncode, 0, r.stderr)
            files[name] = self.read("paths-dp-%s.nsm" % name)
        self.assertEqual(files["a"], files["b"])
        self.assertNotEqual(files["a"], files["none"])
        r = run("inspect", "--json", self.path("paths-dp-a.nsm"))
        self.assertEqual(json.loads(r.stdout)["condition_paths"], "state,output")

    def test_a_rank_that_cannot_read_fails_the_job(self):
        """Rank 2's trace is damaged: every rank exits, the job with status 1, one
        message naming the file, no model file."""
        for r_ in (0, 1):
            shutil.copy(self.trace, self.path("t%d.csv" % r_))
        with open(self.path("t2.csv"), "w") as f:
            f.write("srcip,dstip,srcport\n1,2\n")
        out = self.path("failed.nsm")
        script = 'exec "$0" train -i "$1/t$OMPI_COMM_WORLD_RANK.csv" -o "$2" ' + " ".join(ARGS)
        r = mpirun(3, "sh", "-c", script, CLI, self.tmp.name, out)
        self.assertNotEqual(r.returncode, 0)
        messages = [l for l in r.stderr.splitlines() if l.startswith("netshare")]
        self.assertEqual(len(messages), 1, r.stderr)
        self.assertIn("t2.csv", messages[0])
        self.assertFalse(os.path.exists(out))

    def test_ranks_with_other_options_are_refused(self):
        """Each rank with its own seed: rank 0 says that rank 1's model differs; no
        model file."""
        out = self.path("mixed.nsm")
        script = ('exec "$0" train -i "$1" -o "$2" ' + " ".join(ARGS[:-1]) +
                  ' $OMPI_COMM_WORLD_RANK')
        r = mpirun(3, "sh", "-c", script, CLI, self.trace, out)
        self.assertNotEqual(r.returncode, 0)
        messages = [l for l in r.stderr.splitlines() if l.startswith("netshare")]
        self.assertEqual(len(messages), 1, r.stderr)
        self.assertIn("rank 1:", messages[0])
        self.assertIn("other parameters or another encoder", messages[0])
        self.assertFalse(os.path.exists(out))

    def test_a_killed_rank_fails_the_job(self):
        out = self.path("killed.nsm")
        p = subprocess.Popen([*LAUNCH, "-n", "3", CLI, "train", "-i", self.trace, "-o", out,
                              *ARGS[:1], "400", *ARGS[2:]], env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ranks = []
        for _ in range(200):  # the three netshare processes under mpirun
            time.sleep(0.05)
            r = subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True, text=True)
            ranks = r.stdout.split()
            if len(ranks) == 3:
                break
        self.assertEqual(len(ranks), 3, "mpirun did not start three ranks")
        time.sleep(1)
        os.kill(int(ranks[1]), signal.SIGKILL)
        _, err = p.communicate(timeout=300)
        self.assertNotEqual(p.returncode, 0, err)
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    if not MPIRUN or not mpi_build():
        print("SKIP: no mpirun, or netshare built without MPI (meson -Dmpi=enabled)")
        sys.exit(77)
    unittest.main()
