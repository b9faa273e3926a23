#!/usr/bin/env python3
"""Rewrite the NETSHARE_0.1 node of lib/netshare.sym from the NETSHARE_API declarations in
include/netshare (run from the source root after adding a public function; node 0.1 is
unreleased, so it may still change)."""
import pathlib, re, sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
names = set()
for h in (root / "include/netshare").glob("*.h*"):
    for m in re.finditer(r"NETSHARE_API\s+[^;(]*?\b(netshare_\w+)\s*\(", h.read_text()):
        names.add(m.group(1))
sym = root / "lib/netshare.sym"
text = sym.read_text()
head, rest = text.split("global:\n", 1)
_, tail = rest.split("local:", 1)
body = "".join(f"\t{n};\n" for n in sorted(names))
sym.write_text(head + "global:\n" + body + "local:" + tail)
print(f"{len(names)} symbols")
