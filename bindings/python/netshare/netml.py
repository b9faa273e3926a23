# SPDX-License-Identifier: BSD-3-Clause
"""NetML's flow features (noise-lab/netml v0.7.1, reference/eval.md section 2), from a
packet dataset, in plain Python.

Flows are directional 5-tuples of IPv4 TCP/UDP packets with at least two packets, split
where a flow idles longer than 600 s and then longer than the interval (the q-quantile
of the flows' durations), with NetML's quirk kept: a flow that was split loses its last
part. Packet size is the IP total length (NetML takes the captured frame length, which
for header-only traces says nothing; eval.md 2.6). Modes: IAT, SIZE, IAT_SIZE, STATS
(12 values), SAMP_NUM, SAMP_SIZE, each padded or truncated to NetML's dimension.

    params = netml.fit(train_dataset)              # interval, dim, window: from one trace
    X = netml.features(dataset, "IAT_SIZE", params)  # the same extraction for any trace
"""

import math

MODES = ("IAT", "SIZE", "IAT_SIZE", "STATS", "SAMP_NUM", "SAMP_SIZE")
IDLE_TIMEOUT_S = 600.0
SAMP_MAX = 500


def quantile(values, q):
    """np.quantile's default (linear interpolation)."""
    v = sorted(values)
    if not v:
        return 0.0
    pos = (len(v) - 1) * q
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def _split(pkts, gap):
    """Parts of a time-ordered packet list at idle gaps longer than `gap`; a list that was
    split loses its last part (NetML's behaviour)."""
    parts, cur = [], [pkts[0]]
    for p in pkts[1:]:
        if p[0] - cur[-1][0] > gap:
            parts.append(cur)
            cur = [p]
        else:
            cur.append(p)
    if not parts:
        return [cur]
    return parts


def flows(dataset, interval=None, q_interval=0.9, thres=2):
    """(subflows, interval): lists of (time_s, size) per subflow. interval None: the
    q_interval quantile of the flows' durations (NetML's default)."""
    if dataset.flows:
        raise ValueError("NetML features need packet records (pcap), not flow records")
    by_key = {}
    for r in dataset:
        if r["protocol"] not in (6, 17) or r["src_ip"].version != 4:
            continue
        key = (r["src_ip"], r["dst_ip"], r["src_port"], r["dst_port"], r["protocol"])
        by_key.setdefault(key, []).append((r["time_ns"] / 1e9, r["ip_length"]))
    base = []
    for pkts in by_key.values():
        if len(pkts) < max(2, thres):
            continue
        pkts.sort()
        base.extend(p for p in _split(pkts, IDLE_TIMEOUT_S) if len(p) >= thres)
    if interval is None:
        interval = quantile([f[-1][0] - f[0][0] for f in base], q_interval)
    out = []
    for f in base:
        parts = _split(f, interval) if interval > 0 else [f]
        out.extend(p for p in parts if len(p) >= max(2, thres))
    return out, interval


def fit(dataset, q_interval=0.9):
    """The extraction parameters from one trace: interval, dim (the q_interval quantile
    of subflow lengths) and SAMP window (0.3 quantile of subflow durations)."""
    subflows, interval = flows(dataset, q_interval=q_interval)
    if not subflows:
        raise ValueError("no TCP/UDP flow of two or more packets to take NetML features from")
    dim = max(2, int(math.floor(quantile([len(f) for f in subflows], q_interval))))
    window = quantile([f[-1][0] - f[0][0] for f in subflows], 0.3)
    return {"interval": interval, "dim": dim, "window": window}


def _pad(v, n):
    return (list(v) + [0.0] * n)[:n]


def _samp(f, window, size):
    if window <= 0:  # NetML divides by it; a zero window has no windows to count
        return [float(len(f) if not size else sum(s for _, s in f))]
    out, cur, acc = [], f[0][0], 0.0
    for t, s in f:
        if t - cur <= window:
            acc += s if size else 1.0
            continue
        out.append(acc)
        cur += window
        skip = min(int((t - cur) // window), SAMP_MAX)
        out.extend([0.0] * skip)
        cur += skip * window
        acc = float(s) if size else 1.0
        if len(out) >= SAMP_MAX:
            break
    if acc > 0 and len(out) < SAMP_MAX:
        out.append(acc)
    return out[:SAMP_MAX]


def _stats(f):
    times = [t for t, _ in f]
    sizes = [float(s) for _, s in f]
    n = len(sizes)
    dur = times[-1] - times[0]
    mean = sum(sizes) / n
    std = math.sqrt(sum((s - mean) ** 2 for s in sizes) / n)
    return [dur, n / dur if dur > 0 else 0.0, sum(sizes) / dur if dur > 0 else 0.0, mean, std,
            quantile(sizes, 0.25), quantile(sizes, 0.5), quantile(sizes, 0.75), min(sizes),
            max(sizes), float(n), sum(sizes)]


def vector(f, mode, params):
    """One subflow's feature vector in `mode`."""
    dim = params["dim"]
    times = [t for t, _ in f]
    iat = [b - a for a, b in zip(times, times[1:])]
    sizes = [float(s) for _, s in f]
    if mode == "IAT":
        return _pad(iat, dim - 1)
    if mode == "SIZE":
        return _pad(sizes, dim)
    if mode == "IAT_SIZE":
        inter = []
        for a, s in zip(iat, sizes):
            inter += [a, s]
        return _pad(inter + sizes[len(iat):len(iat) + 1], 2 * dim - 1)
    if mode == "STATS":
        return _stats(f)
    if mode in ("SAMP_NUM", "SAMP_SIZE"):
        return _pad(_samp(f, params["window"], mode == "SAMP_SIZE"), dim - 1)
    raise ValueError("unknown NetML mode %r (modes: %s)" % (mode, ", ".join(MODES)))


def features(dataset, mode, params):
    """Every subflow's vector of `dataset` in `mode`, extracted with `params` (fit())."""
    subflows, _ = flows(dataset, interval=params["interval"])
    return [vector(f, mode, params) for f in subflows]
