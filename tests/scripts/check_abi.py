# SPDX-License-Identifier: BSD-3-Clause
"""The library's ABI against the 1.0 baseline (abi/libnetshare.abi, written by abidw).

abidiff must find no change, or only the changes the struct_size convention makes
compatible (man/libnetshare.3): functions added, and fields appended at the end of a
public struct (an insertion at an offset at or past the struct's old size). Anything
else abidiff reports (a removed or changed function, a field inserted, removed, moved
or retyped, a changed enum or typedef) fails. libabigail's own suppression for this
(has_data_member_inserted_at = end) crashes abidiff 2.2, hence the whitelist of report
lines below. The opaque handles' layouts are the library's own (abi/opaque.abignore).
Skips (77) without abidiff (Debian: abigail-tools).

Regenerate the baseline only with a new soname and symbol node (docs/DEVELOPING.md):
  abidw --headers-dir include/netshare --drop-private-types --no-corpus-path \\
        --out-file abi/libnetshare.abi build/lib/libnetshare.so.X.Y.Z
"""

import re
import shutil
import subprocess
import sys

# Lines of an abidiff report that only describe where a change is, or a compatible one.
CONTEXT = [
    r"Functions changes summary: 0 Removed, \d+ Changed( \(\d+ filtered out\))?, \d+ Added "
    r"functions?",
    r"Variables changes summary: 0 Removed, \d+ Changed( \(\d+ filtered out\))?, \d+ Added "
    r"variables?",
    r"\d+ functions? with some indirect sub-type changes?:",
    r"\d+ Added functions?:",
    r"\[A\] 'function .*'(\s+\{.*\})?",
    r"\[C\] 'function .*' has some indirect sub-type changes:",
    r"parameter \d+ of type '.*' has sub-type changes:",
    r"return type changed:",
    r"in pointed to type '.*':",
    r"in referenced type '.*':",
    r"in unqualified underlying type '.*':",
    r"underlying type 'struct netshare_\w+' changed:",
    r"type 'struct netshare_\w+' changed:",
    r"'struct netshare_\w+' changed:",
    r"\d+ data member insertions?:",
]
SIZE = re.compile(r"type size changed from (\d+) to (\d+) \(in bits\)")
INSERTED = re.compile(r"'.*', at offset (\d+) \(in bits\)")


def incompatible(report):
    """The lines of report that are not a compatible change, with the reason."""
    bad, old_size = [], None
    for raw in report.splitlines():
        # Source locations ("at read.c:112:1") say where, not what.
        line = re.sub(r" at [\w./+-]+:\d+(:\d+)?", "", raw.strip())
        if not line:
            continue
        m = SIZE.fullmatch(line)
        if m:
            old_size = int(m.group(1))
            if int(m.group(2)) < old_size:
                bad.append(line + "  <- a struct shrank")
            continue
        m = INSERTED.fullmatch(line)
        if m:
            if old_size is None or int(m.group(1)) < old_size:
                bad.append(line + "  <- inserted before the end of the struct")
            continue
        if not any(re.fullmatch(p, line) for p in CONTEXT):
            bad.append(line)
    return bad


def main():
    src, so = sys.argv[1], sys.argv[2]
    if not shutil.which("abidiff"):
        print("abidiff not found (install abigail-tools): ABI not checked")
        return 77
    r = subprocess.run(["abidiff", "--headers-dir2", src + "/include/netshare",
                        "--suppressions", src + "/abi/opaque.abignore",
                        src + "/abi/libnetshare.abi", so], capture_output=True, text=True)
    print(r.stdout, end="")
    if r.returncode & 3 or r.returncode < 0:
        print("FAIL: abidiff failed (exit %d): %s" % (r.returncode, r.stderr.strip()))
        return 1
    bad = incompatible(r.stdout) if r.returncode else []
    if r.returncode & 8 or bad:
        print("FAIL: the ABI is incompatible with abi/libnetshare.abi:")
        for line in bad:
            print("  " + line)
        return 1
    print("ABI compatible with abi/libnetshare.abi")
    return 0


if __name__ == "__main__":
    sys.exit(main())
