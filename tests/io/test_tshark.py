# SPDX-License-Identifier: BSD-3-Clause
"""Cross-checks of the pcap reader and writer against Wireshark's tshark and capinfos.

Reading: frame, IPv4/IPv6/non-IP, protocol and 5-tuple counts of real traces equal what
tshark dissects; every tcpdump regression capture we read has capinfos' packet count.
Writing: tshark finds no malformed packet and no bad checksum in pcaps we write.
Skips (77) where tshark or ../shared/data is absent.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from cli_helpers import NO_DATA, main  # noqa: E402

CLI = os.environ["NETSHARE_CLI"]
DATA = os.environ.get("NETSHARE_TEST_DATA", "")
TSHARK = shutil.which("tshark")
CAPINFOS = shutil.which("capinfos")

TRACES = ["caida-10k.pcapng", "pathspider-real.pcap", "ndpi-reddit-ipv6.pcap",
          "ndpi-gnutella-mixed.pcap", "ndpi-kakaotalk-sll.pcap", "pathspider-icmp-ttl.pcapng",
          "cicids2017-demo.pcapng", "tcpreplay-test.pcap", "caida-1k.pcapng"]
PORT_PROTOS = {6: "tcp", 17: "udp", 132: "sctp"}
V6_EXT = {"ipv6.hopopts", "ipv6.routing", "ipv6.fraghdr", "ipv6.dstopts"}
V6_NAMES = {"tcp": 6, "udp": 17, "icmpv6": 58, "sctp": 132, "esp": 50, "gre": 47}


def stats(path):
    r = subprocess.run([CLI, "stats", "--json", path], capture_output=True, text=True,
                       timeout=300)
    if r.returncode != 0:
        raise AssertionError("netshare stats %s: %s" % (path, r.stderr))
    return json.loads(r.stdout)


def pcap_frames(path):
    """(stored length, length on the wire, stored bytes) of each frame of a pcap file."""
    import struct
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    order = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    link = struct.unpack(order + "I", data[20:24])[0]
    pos, frames = 24, []
    while pos + 16 <= len(data):
        incl, orig = struct.unpack(order + "II", data[pos + 8:pos + 16])
        frames.append((incl, orig, data[pos + 16:pos + 16 + incl], link))
        pos += 16 + incl
    return frames


def header_length(frame, link):
    """Bytes of a whole frame up to its payload: link, IP and transport headers, parsed
    here (not by the library) from the frame itself."""
    at = 14 if link == 1 else 0
    version = frame[at] >> 4
    if version == 4:
        ihl, proto = (frame[at] & 15) * 4, frame[at + 9]
        frag = int.from_bytes(frame[at + 6:at + 8], "big") & 0x1fff
    else:
        ihl, proto, frag = 40, frame[at + 6], 0
        if proto == 44:  # fragment header
            proto = frame[at + 40]
            frag = int.from_bytes(frame[at + 42:at + 44], "big") >> 3
            ihl += 8
    at += ihl
    if frag:
        return at
    if proto == 6:
        return at + (frame[at + 12] >> 4) * 4
    return at + {17: 8, 136: 8, 1: 8, 58: 8, 2: 8, 33: 12, 132: 12}.get(proto, 0)


def check_headers_only(test, full, headers_only):
    """The headers-only file holds the same frames as the whole-frame one, each cut at
    the end of its headers (a frame without payload is whole in both)."""
    f, h = pcap_frames(full), pcap_frames(headers_only)
    test.assertEqual(len(f), len(h))
    test.assertGreater(len(f), 0)
    cut = 0
    for (fi, fo, fd, link), (hi, ho, hd, _) in zip(f, h):
        test.assertEqual(fi, fo)  # whole frames: nothing cut
        test.assertEqual(ho, fo)
        test.assertEqual(hi, min(fo, header_length(fd, link)))
        test.assertEqual(hd, fd[:hi])
        cut += hi < ho
    test.assertGreater(cut, len(f) // 2)  # most packets carry payload


def tshark_counts(path):
    """What tshark sees, counted the way the library defines records and flows."""
    fields = ["frame.protocols", "ip.proto", "ip.src", "ip.dst", "ip.frag_offset",
              "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport", "udp.srcport",
              "udp.dstport", "sctp.srcport", "sctp.dstport"]
    cmd = [TSHARK, "-r", path, "-n", "-o", "ip.defragment:FALSE",
           "-o", "ipv6.defragment:FALSE", "-T", "fields", "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600).stdout
    frames = ipv4 = ipv6 = 0
    protos = {}
    tuples = set()
    for line in out.splitlines():
        v = dict(zip(fields, line.split("\t")))
        frames += 1
        chain = v["frame.protocols"].split(":")
        first = next((t for t in chain if t in ("ip", "ipv6")), None)
        if first is None:
            continue
        if first == "ip":
            ipv4 += 1
            proto = int(v["ip.proto"])
            src, dst = v["ip.src"], v["ip.dst"]
            first_fragment = v["ip.frag_offset"] in ("", "0")
        else:
            ipv6 += 1
            rest = chain[chain.index("ipv6") + 1:]
            while rest and rest[0] in V6_EXT:
                rest = rest[1:]
            proto = V6_NAMES.get(rest[0] if rest else "", -1)
            src, dst = v["ipv6.src"], v["ipv6.dst"]
            first_fragment = "ipv6.fraghdr" not in chain or rest
        protos[proto] = protos.get(proto, 0) + 1
        sport = dport = "0"
        if proto in PORT_PROTOS and first_fragment:
            name = PORT_PROTOS[proto]
            sport, dport = v[name + ".srcport"], v[name + ".dstport"]
        tuples.add((first, src, dst, sport, dport, proto))
    return frames, ipv4, ipv6, protos, len(tuples)


@unittest.skipUnless(TSHARK and CAPINFOS, "tshark/capinfos not installed")
@unittest.skipUnless(os.path.isdir(DATA), NO_DATA)
class ReadMatchesTshark(unittest.TestCase):
    def test_counts(self):
        for name in TRACES:
            with self.subTest(trace=name):
                ours = stats(os.path.join(DATA, name))
                frames, ipv4, ipv6, protos, tuples = tshark_counts(os.path.join(DATA, name))
                self.assertEqual(ours["frames"], frames)
                self.assertEqual(ours["ipv4"], ipv4)
                self.assertEqual(ours["ipv6"], ipv6)
                self.assertEqual(ours["records"], ipv4 + ipv6)
                # tshark calls a frame cut inside its link header "not IP" too.
                self.assertEqual(sum(ours["skipped"].values()), frames - ipv4 - ipv6)
                mine = {p["number"]: p["records"] for p in ours["protocols"]}
                self.assertNotIn(-1, protos, "tshark showed an IPv6 payload we cannot name")
                self.assertEqual(mine, protos)
                self.assertEqual(ours["flows"], tuples)

    def test_tcpdump_corpus_packet_counts(self):
        corpus = os.path.join(DATA, "tcpdump-tests")
        files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus))
        r = subprocess.run([CLI, "stats", "--json", *files], capture_output=True, text=True,
                           timeout=600)
        self.assertIn(r.returncode, (0, 1))
        ours = {d["file"]: d["frames"] for d in map(json.loads, r.stdout.splitlines())}
        self.assertGreater(len(ours), 500)
        # Every failure is one line naming its file.
        for line in r.stderr.splitlines():
            self.assertTrue(line.startswith("netshare: " + corpus), line)
        checked = 0
        for path, frames in sorted(ours.items()):
            c = subprocess.run([CAPINFOS, "-T", "-r", "-c", "-M", path], capture_output=True,
                               text=True, timeout=60)
            if c.returncode != 0:
                continue  # capinfos rejects it; we read it: nothing to compare
            expected = int(c.stdout.split("\t")[-1])
            with self.subTest(file=os.path.basename(path)):
                self.assertEqual(frames, expected)
            checked += 1
        self.assertGreater(checked, 500)


def tcp_anomalies(path):
    """(packets tshark's TCP analysis calls retransmitted or out of order, TCP packets)."""
    def count(expr):
        r = subprocess.run([TSHARK, "-r", path, "-n", "-Y", expr, "-T", "fields", "-e",
                            "frame.number"], capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise AssertionError("tshark %s: %s" % (path, r.stderr))
        return len(r.stdout.splitlines())
    return (count("tcp.analysis.retransmission || tcp.analysis.out_of_order"), count("tcp"))


def tshark_config(home):
    """A Wireshark profile with every dissector above the transport layer disabled: our
    payloads are zeros, which application dissectors (NTP, MySQL, ...) rightly reject."""
    keep = {"frame", "eth", "ethertype", "ip", "ipv6", "tcp", "udp", "icmp", "icmpv6",
            "igmp", "gre", "esp", "sctp", "udplite", "dccp", "raw", "data", "ipv6.hopopts",
            "ipv6.routing", "ipv6.fraghdr", "ipv6.dstopts", "ah"}
    names = subprocess.run([TSHARK, "-G", "protocols"], capture_output=True, text=True,
                           timeout=120).stdout
    os.makedirs(os.path.join(home, "wireshark"))
    with open(os.path.join(home, "wireshark", "disabled_protos"), "w") as f:
        for line in names.splitlines():
            name = line.split("\t")[2]
            if name not in keep and not name.startswith("_ws."):
                f.write(name + "\n")


@unittest.skipUnless(TSHARK, "tshark not installed")
@unittest.skipUnless(os.path.isdir(DATA), NO_DATA)
class WrittenPcapIsValid(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        tshark_config(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def check(self, pcap):
        env = dict(os.environ, XDG_CONFIG_HOME=self.tmp)
        base = [TSHARK, "-r", pcap, "-n", "-o", "ip.check_checksum:TRUE",
                "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"]
        bad = subprocess.run(base + ["-Y", "_ws.malformed || _ws.expert.severity >= 8388608 || "
                                     "ip.checksum.status == 0 || tcp.checksum.status == 0 || "
                                     "udp.checksum.status == 0 || icmp.checksum.status == 0 "
                                     "|| icmpv6.checksum.status == 0 || "
                                     "igmp.checksum.status == 0"],
                             capture_output=True, text=True, env=env, timeout=600)
        self.assertEqual(bad.returncode, 0, bad.stderr)
        self.assertEqual(bad.stdout, "", "tshark flags these frames:\n" + bad.stdout[:2000])
        # The check can fail: checksums were really verified (status 1 = good).
        good = subprocess.run(base + ["-Y", "ip.checksum.status == 1 || "
                                      "tcp.checksum.status == 1 || udp.checksum.status == 1"],
                              capture_output=True, text=True, env=env, timeout=600)
        self.assertGreater(len(good.stdout.splitlines()), 0)

    def test_written_pcaps(self):
        for name in ["caida-10k.pcapng", "pathspider-real.pcap", "ndpi-reddit-ipv6.pcap",
                     "ndpi-gnutella-mixed.pcap", "pathspider-icmp-ttl.pcapng"]:
            for extra in ([], ["--link", "raw", "--ns"]):
                with self.subTest(trace=name, options=extra):
                    out = os.path.join(self.tmp, "out.pcap")
                    r = subprocess.run([CLI, "convert", *extra, os.path.join(DATA, name), out],
                                       capture_output=True, text=True, timeout=300)
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.check(out)
                    self.assertEqual(stats(out)["records"],
                                     stats(os.path.join(DATA, name))["records"])


@unittest.skipUnless(TSHARK, "tshark not installed")
@unittest.skipUnless(os.path.isdir(DATA), NO_DATA)
class SyntheticPcapIsValid(WrittenPcapIsValid):
    """Synthetic traces (a model trained a few iterations: behaviour, not fidelity) read in
    tshark without a malformed packet or bad checksum; they have multi-packet flows; and
    each generated flow is one 5-tuple, however many chunks it spans."""

    def test_written_pcaps(self):
        for name in ["caida-10k.pcapng", "pathspider-real.pcap"]:
            with self.subTest(trace=name):
                model = os.path.join(self.tmp, "m.nsm")
                out = os.path.join(self.tmp, "syn.pcap")
                r = subprocess.run([CLI, "train", "-q", "-i", os.path.join(DATA, name), "-o",
                                    model, "-I", "8", "--batch-size", "32",
                                    "--max-flow-len", "40"],
                                   capture_output=True, text=True, timeout=900)
                self.assertEqual(r.returncode, 0, r.stderr)
                r = subprocess.run([CLI, "generate", "-m", model, "-o", out, "--seed", "2"],
                                   capture_output=True, text=True, timeout=600)
                self.assertEqual(r.returncode, 0, r.stderr)
                # "wrote R records of F flows to ... (C flow continuations across chunks ..."
                words = r.stderr.split()
                flows = int(words[words.index("flows") - 1])
                continuations = int(words[words.index("continuations") - 2].lstrip("("))
                self.check(out)
                self.assertGreater(stats(out)["flow_size"]["max"], 1)
                # Each connection has one sequence space: tshark's TCP analysis flags no
                # larger share of packets as retransmitted or out of order than in the
                # real trace (before: most packets, with every seq and ack 0).
                bad, tcp = tcp_anomalies(out)
                real_bad, real_tcp = tcp_anomalies(os.path.join(DATA, name))
                self.assertGreater(tcp, 100)
                self.assertLessEqual(bad / tcp, real_bad / real_tcp,
                                     "%d of %d synthetic TCP packets flagged; real %d of %d"
                                     % (bad, tcp, real_bad, real_tcp))
                # caida is a headers-only capture, so its synthetic pcap is by default (and
                # pathspider's with --headers-only): clean even with every Wireshark
                # dissector on (an empty profile), since no zero payload reaches DNS, NTP,
                # ...; same records. The other way round, whole frames.
                headers_only = name.startswith("caida")
                hdr = os.path.join(self.tmp, "syn-h.pcap")
                r = subprocess.run([CLI, "generate", "-q", "-m", model, "-o", hdr, "--seed", "2",
                                    "--full-frames" if headers_only else "--headers-only"],
                                   capture_output=True, text=True, timeout=600)
                self.assertEqual(r.returncode, 0, r.stderr)
                if headers_only:
                    hdr, out = out, hdr
                check_headers_only(self, out, hdr)
                empty = os.path.join(self.tmp, "empty-profile")
                os.makedirs(empty, exist_ok=True)
                bad = subprocess.run([TSHARK, "-r", hdr, "-n", "-o", "ip.check_checksum:TRUE",
                                      "-o", "tcp.check_checksum:TRUE", "-o",
                                      "udp.check_checksum:TRUE", "-Y",
                                      "_ws.malformed || _ws.expert.severity >= 8388608 || "
                                      "ip.checksum.status == 0 || tcp.checksum.status == 0 || "
                                      "udp.checksum.status == 0"],
                                     capture_output=True, text=True, timeout=600,
                                     env=dict(os.environ, XDG_CONFIG_HOME=empty))
                self.assertEqual(bad.returncode, 0, bad.stderr)
                self.assertEqual(bad.stdout, "", "tshark flags these frames:\n" + bad.stdout[:2000])
                self.assertEqual(stats(hdr)["records"], stats(out)["records"])
                # The same trace as CSV (which keeps the ports of packets the model made
                # non-first fragments, unlike pcap): one 5-tuple per generated flow.
                csv = os.path.join(self.tmp, "syn.csv")
                r = subprocess.run([CLI, "generate", "-q", "-m", model, "-o", csv, "--seed", "2"],
                                   capture_output=True, text=True, timeout=600)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(stats(csv)["flows"], flows)
                self.assertGreater(continuations, 0)


if __name__ == "__main__":
    main()
