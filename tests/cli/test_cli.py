# SPDX-License-Identifier: BSD-3-Clause
"""The netshare CLI: help, version, dispatch and exit codes (0 ok, 1 runtime, 2 usage)."""

import json
import os
import subprocess
import unittest

CLI = os.environ["NETSHARE_CLI"]


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


class HelpAndVersion(unittest.TestCase):
    def test_help_lists_commands(self):
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith("Usage: netshare"))
        self.assertIn("\n  version ", r.stdout)
        self.assertIn("\n  help ", r.stdout)
        self.assertEqual(r.stderr, "")

    def test_version_flag(self):
        r = run("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^netshare \d+\.\d+\.\d+ \(libnetshare \d+\.\d+\.\d+\)\n$")

    def test_version_json(self):
        r = run("version", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["cli_version"], doc["library_version"])
        major, minor, patch = (int(x) for x in doc["library_version"].split("."))
        self.assertEqual(doc["library_version_number"], major * 10000 + minor * 100 + patch)

    def test_help_command_and_command_help_agree(self):
        a = run("help", "version")
        b = run("version", "--help")
        self.assertEqual(a.returncode, 0)
        self.assertEqual(a.stdout, b.stdout)
        self.assertIn("Usage: netshare version", a.stdout)


class UsageErrors(unittest.TestCase):
    def assert_usage_error(self, r, *needles):
        self.assertEqual(r.returncode, 2, r)
        self.assertTrue(r.stderr.startswith("netshare"), r.stderr)
        for n in needles:
            self.assertIn(n, r.stderr)

    def test_no_command(self):
        r = run()
        self.assertEqual(r.returncode, 2)
        self.assertIn("Usage: netshare", r.stderr)

    def test_unknown_command(self):
        self.assert_usage_error(run("trian"), "netshare: unknown command 'trian'")

    def test_unknown_global_option(self):
        self.assert_usage_error(run("--frobnicate"), "unknown option '--frobnicate'")

    def test_unknown_command_option(self):
        self.assert_usage_error(run("version", "--bogus"), "netshare version:",
                                "'--bogus'", "netshare help version")

    def test_extra_argument(self):
        self.assert_usage_error(run("version", "extra"), "unexpected argument 'extra'")

    def test_help_of_unknown_command(self):
        self.assert_usage_error(run("help", "nosuch"), "no such command 'nosuch'")


if __name__ == "__main__":
    unittest.main()
