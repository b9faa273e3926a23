# SPDX-License-Identifier: BSD-3-Clause
"""Shared by the CLI tests (and tests/bench): running the tool, checking its one-line errors,
and exiting 77 when ../shared/data is absent."""

import os
import subprocess
import sys
import unittest

CLI = os.environ.get("NETSHARE_CLI", "")  # unset for tests that run no CLI


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


# Exit status meson reads as "skipped".
EXIT_SKIP = 77
# The reason text of every skip for want of ../shared/data.
NO_DATA = "../shared/data absent"


def main():
    """unittest.main, but a run in which nothing failed and some tests were skipped for
    want of ../shared/data exits 77, so meson reports SKIP rather than a pass."""
    prog = unittest.main(exit=False)
    result = prog.result
    if not result.wasSuccessful():
        sys.exit(1)
    if any(NO_DATA in reason for _, reason in result.skipped):
        print("SKIP: tests that need ../shared/data did not run; everything else passed")
        sys.exit(EXIT_SKIP)
    sys.exit(0)
