# SPDX-License-Identifier: BSD-3-Clause
"""netshare eval --html: a self-contained report (no network reference, no script) that
headless Chromium renders into a screenshot that is not blank and shows the plots'
colours. Skips the rendering part when Chromium is not installed."""

import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from cli_helpers import run  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def png_pixels(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return width, height, rows


class HtmlReport(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        csv = os.path.join(self.dir, "real.csv")
        with open(csv, "w") as f:
            f.write("srcip,dstip,srcport,dstport,proto,time,pkt_len,version,ihl,tos,id,flag,"
                    "off,ttl,chksum,tcp_flags\n")
            for i in range(400):
                tcp = i % 3 != 0
                for j in range(1 + (i % 4 if tcp else 0)):
                    f.write("%d,%d,%d,%d,%s,%d,%d,4,5,0,%d,2,0,64,0,%d\n" % (
                        167772160 + i % 50, 1572395042 if tcp else 134744072, 30000 + i,
                        443 if tcp else 53, "TCP" if tcp else "UDP",
                        1600000000000000 + i * 10000 + j * 900, 1500 if tcp and j else 60,
                        j, 16 if tcp else 0))
        self.real = os.path.join(self.dir, "real.pcap")
        self.assertEqual(run("convert", csv, self.real).returncode, 0)
        self.base = os.path.join(self.dir, "base.pcap")
        self.assertEqual(run("generate", "--baseline", "marginal", "-i", self.real, "-o",
                             self.base).returncode, 0)
        self.html = os.path.join(self.dir, "report.html")
        r = run("eval", "--html", self.html, self.real, self.base)
        self.assertEqual(r.returncode, 0, r.stderr)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_self_contained(self):
        with open(self.html) as f:
            text = f.read()
        self.assertIn("<svg", text)
        self.assertIn("dstport+proto", text)
        self.assertEqual(text.count("<polyline"), 4 * 2)  # 4 CDFs x (real, baseline)
        # Nothing to fetch: the only URL is the SVG namespace, which is a name.
        urls = [u for u in text.split('"') if "://" in u]
        self.assertEqual(set(urls), {"http://www.w3.org/2000/svg"})
        self.assertNotIn("<script", text)
        self.assertNotIn("<link", text)
        # A failed write leaves nothing behind.
        r = run("eval", "--html", "/nonexistent/r.html", self.real, self.base)
        self.assertEqual(r.returncode, 1)
        self.assertIn("/nonexistent/r.html", r.stderr)

    def test_held_out_floor_and_sentences(self):
        sm = os.path.join(self.dir, "service.pcap")
        self.assertEqual(run("generate", "--baseline", "service-marginal", "--holdout", "0.5",
                             "-i", self.real, "-o", sm).returncode, 0)
        html = os.path.join(self.dir, "held.html")
        r = run("eval", "--html", html, "--holdout", "0.5", self.real, self.base, sm)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(html) as f:
            text = f.read()
        # Both baselines, the noise-floor column, ratios and one sentence per group that
        # has distances (field, joint, structure).
        self.assertIn("base.pcap", text)
        self.assertIn("service.pcap", text)
        self.assertIn('<th class="floor">noise floor: held-out-0.5</th>', text)
        self.assertIn("&times;)</small>", text)
        self.assertEqual(text.count('<tr class="closest">'), 3)
        self.assertIn("Closest to the held-out real traffic: <b>", text)
        self.assertNotIn(">nan<", text.lower())
        # In-sample reports say they have no floor.
        self.assertIn("No held-out part", open(self.html).read())

    @unittest.skipUnless(CHROMIUM, "chromium not installed")
    def test_renders_in_headless_chromium(self):
        png = os.path.join(self.dir, "shot.png")
        r = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                            "--hide-scrollbars", "--window-size=1200,1800",
                            "--screenshot=" + png, "file://" + self.html],
                           capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, HOME=self.dir))
        self.assertTrue(os.path.exists(png), r.stderr[-2000:])
        width, height, rows = png_pixels(png)
        self.assertEqual((width, height), (1200, 1800))
        colours = {}
        for row in rows[::4]:
            for px in row[::4]:
                colours[px] = colours.get(px, 0) + 1
        # Not blank: many distinct colours, and white is not everything.
        self.assertGreater(len(colours), 20)
        self.assertLess(colours.get((255, 255, 255), 0), 0.97 * sum(colours.values()))
        # The first synthetic trace's colour (#1f77b4) is drawn somewhere.
        blue = sum(n for (r_, g, b), n in colours.items()
                   if abs(r_ - 0x1f) < 40 and abs(g - 0x77) < 40 and abs(b - 0xb4) < 40)
        self.assertGreater(blue, 50)


if __name__ == "__main__":
    unittest.main()
