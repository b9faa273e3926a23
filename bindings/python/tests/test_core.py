# SPDX-License-Identifier: BSD-3-Clause
"""Tests of the ctypes loader, version check and error model (stdlib unittest)."""

import os
import subprocess
import sys
import unittest

import netshare


class VersionTest(unittest.TestCase):
    def test_version_string_matches_number(self):
        major, minor, patch = (int(x) for x in netshare.version().split("."))
        self.assertEqual(netshare.version_number(), major * 10000 + minor * 100 + patch)
        self.assertEqual(major, netshare._lib.SUPPORTED_MAJOR)


class ErrorTest(unittest.TestCase):
    def test_strerror_of_every_status(self):
        for status in netshare.Status:
            self.assertNotEqual(netshare.strerror(status), "unknown status", status)
        self.assertEqual(netshare.strerror(12345), "unknown status")

    def test_status_values_match_the_library_names(self):
        for status in netshare.Status:
            name = netshare._c.netshare_status_name(int(status)).decode()
            self.assertEqual(name, "NETSHARE_" + status.name)

    def test_error_carries_library_message(self):
        with self.assertRaises(netshare.NetshareError) as ctx:
            netshare.set_log_handler(lambda level, msg: None, max_level=9)
        err = ctx.exception
        self.assertEqual(err.status, netshare.Status.EINVAL)
        self.assertIn("max_level 9", err.message)
        self.assertIn("EINVAL", str(err))

    def test_log_handler_install_and_remove(self):
        netshare.set_log_handler(lambda level, msg: None, netshare.LogLevel.DEBUG)
        netshare.set_log_handler(None)


class LoaderTest(unittest.TestCase):
    def run_import(self, env):
        code = "import netshare; print(netshare.version())"
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, timeout=60)

    def test_bad_env_path_names_what_was_tried(self):
        env = dict(os.environ, NETSHARE_LIBRARY="/nonexistent/libnetshare.so")
        r = self.run_import(env)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ImportError", r.stderr)
        self.assertIn("/nonexistent/libnetshare.so (NETSHARE_LIBRARY)", r.stderr)
        self.assertIn("Set NETSHARE_LIBRARY", r.stderr)

    def test_env_path_loads(self):
        r = self.run_import(dict(os.environ))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), netshare.version())

    def test_build_tree_fallback(self):
        env = dict(os.environ)
        lib = env.pop("NETSHARE_LIBRARY")
        # Only meaningful when the library under test is the first build-tree candidate
        # (meson test in build/ does that); then the fallback must load it.
        candidates = netshare._lib._build_tree_candidates()
        if not candidates or os.path.realpath(candidates[0]) != os.path.realpath(lib):
            self.skipTest("library under test is not the first build-tree candidate")
        r = self.run_import(env)
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
