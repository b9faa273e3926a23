# SPDX-License-Identifier: BSD-3-Clause
"""Shared by the CLI tests: running the tool and checking its one-line errors."""

import os
import subprocess

CLI = os.environ["NETSHARE_CLI"]


def run(*args, stdin=None, timeout=600):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=timeout,
                          input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL)


class ErrorAssertions:
    """A unittest.TestCase mixin."""

    def assert_one_line_error(self, r, code, *needles):
        """Exit status `code`; stderr starts with "netshare"; a runtime error (1) is one
        line; every needle appears in it."""
        self.assertEqual(r.returncode, code, r)
        lines = r.stderr.strip().splitlines()
        self.assertTrue(lines and lines[0].startswith("netshare"), r.stderr)
        if code == 1:
            self.assertEqual(len(lines), 1, r.stderr)
        for n in needles:
            self.assertIn(n, r.stderr)
