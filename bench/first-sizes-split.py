#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Whose flows first_sizes_by_service scores, and how a synthetic trace does on the
rest.

The report's first_sizes_by_service is, for the 10 services (destination port and
protocol) with most flows in the real part A, the Jensen-Shannon divergence of the
tuples of a flow's first three record sizes (32-byte bins, "no record" past the
flow's end), weighted by the services' shares of those 10. This computes it again
(it matches the report's value for the held-out part and the baselines) and splits
it: the same divergence for the flow-length pattern alone (1, 2, 3+ records) and the
first size alone; each service's own value; and for the flows of every other
service, pooled by protocol, which the metric never looks at.

Usage: bench/first-sizes-split.py REAL.csv [HOLDOUT] SYNTHETIC.csv...
(packet CSVs, as `netshare convert TRACE X.csv` and `netshare generate ... -o X.csv`
write them; A is REAL's first 1 - HOLDOUT of its records in time order, default 0.5,
and the rest is scored too: the noise floor.)
"""
import collections
import csv
import math
import sys

BIN, LAST, NONE, FIRST, TOP = 32, 47, 48, 3, 10


def flows(rows):
    f = collections.OrderedDict()
    for r in rows:
        k = (r['srcip'], r['dstip'], r['srcport'], r['dstport'], r['proto'])
        f.setdefault(k, []).append(int(r['pkt_len']))
    return f


def read(path):
    rows = list(csv.DictReader(open(path)))
    rows.sort(key=lambda r: float(r['time']))
    return rows


def jsd(p, q):
    sp, sq = sum(p.values()), sum(q.values())
    if not sp or not sq:
        return math.log(2)
    v = 0.0
    for k in set(p) | set(q):
        a, b = p.get(k, 0) / sp, q.get(k, 0) / sq
        m = (a + b) / 2
        v += 0.5 * (a * math.log(a / m) if a else 0) + 0.5 * (b * math.log(b / m) if b else 0)
    return v


def views(sizes):
    b = [min(s // BIN, LAST) for s in sizes[:FIRST]] + [NONE] * (FIRST - min(FIRST, len(sizes)))
    return {'tuple': tuple(b), 'length': min(len(sizes), FIRST), 'first': b[0]}


def tables(f, top):
    t = collections.defaultdict(lambda: collections.defaultdict(collections.Counter))
    for k, sizes in f.items():
        group = (k[3], k[4]) if (k[3], k[4]) in top else ('rest', k[4])
        for name, v in views(sizes).items():
            t[group][name][v] += 1
    return t


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    rows = read(args[0])
    holdout = 0.5
    if len(args) > 1 and not args[1].endswith('.csv'):
        holdout = float(args.pop(1))
    cut = int(round(len(rows) * (1 - holdout)))
    a = flows(rows[:cut])
    count = collections.Counter((k[3], k[4]) for k in a)
    top = [s for s, _ in count.most_common(TOP)]
    total = sum(count[s] for s in top)
    print('A: %d flows, %d services; the top %d hold %d (%.1f %%)' %
          (len(a), len(count), TOP, total, 100.0 * total / len(a)))
    ta = tables(a, set(top))
    rests = sorted(g for g in ta if g[0] == 'rest')
    print('%-14s %s | %s | %s' % ('', 'tuple length first', ' '.join(
        '%s/%s' % s for s in top), ' '.join('rest-%s(%d)' % (g[1], sum(ta[g]['length'].values()))
                                           for g in rests)))
    for name, rs in [('held-out', rows[cut:])] + [(p, read(p)) for p in args[1:]]:
        tb = tables(flows(rs), set(top))
        weighted = [sum(count[s] / total * jsd(ta[s][v], tb[s][v]) for s in top)
                    for v in ('tuple', 'length', 'first')]
        print('%-14s %.3f %.3f %.3f | %s | %s' % (
            name.split('/')[-1][:14], *weighted,
            ' '.join('%.2f' % jsd(ta[s]['tuple'], tb[s]['tuple']) for s in top),
            ' '.join('%.3f' % jsd(ta[g]['tuple'], tb[g]['tuple']) for g in rests)))


if __name__ == '__main__':
    main()
