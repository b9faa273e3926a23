# SPDX-License-Identifier: BSD-3-Clause
"""Dataset (netshare_dataset) and evaluation (internal module)."""

import ctypes as _ct
import os
import ipaddress as _ip

from . import _lib
from ._errors import _check
from ._handle import _Handle
from ._lib import lib as _c
from ._params import _init, _set


def _path(path, where):
    """A file name for the library: str, bytes or os.PathLike; anything else (None, a
    number) is a TypeError that names the call."""
    try:
        return os.fsencode(path)
    except TypeError:
        raise TypeError("%s: the path must be a str, bytes or os.PathLike, not %s"
                        % (where, type(path).__name__)) from None


def _choice(value, names, where):
    if value not in names:
        raise ValueError("%s: %r is not one of %s" % (where, value, ", ".join(names)))
    return names[value]


def _text(value, where):
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("%s must be a str, not %s" % (where, type(value).__name__))
    return value.encode()


def _record_dict(r, flows):
    """A record as a dict (addresses as ipaddress objects)."""
    if r.ip_version == 4:
        src, dst = _ip.IPv4Address(r.src_ip), _ip.IPv4Address(r.dst_ip)
    else:
        src, dst = _ip.IPv6Address(bytes(r.src_ip6)), _ip.IPv6Address(bytes(r.dst_ip6))
    d = {"time_ns": r.time_ns, "src_ip": src, "dst_ip": dst, "src_port": r.src_port,
         "dst_port": r.dst_port, "protocol": r.protocol}
    if flows:
        d.update(duration_ns=r.duration_ns, packets=r.packets, bytes=r.bytes,
                 resp_packets=r.resp_packets, resp_bytes=r.resp_bytes,
                 label=r.label.decode("utf-8", "replace") if r.label else None)
    else:
        d.update(ip_length=r.ip_length, tos=r.tos, ttl=r.ttl, ip_id=r.ip_id,
                 ip_flags=r.ip_flags, tcp_flags=r.tcp_flags, frag_offset=r.frag_offset)
    return d


def _empty_record():
    r = _lib.Record()
    _c.netshare_record_init(_ct.byref(r))
    r.ip_version = 4
    return r


class Dataset(_Handle):
    """A trace: packet or flow records (netshare_dataset).

        with netshare.Dataset.read("trace.pcap") as ds:
            print(len(ds), ds[0]["dst_port"])
            ds.write("copy.csv")
    """

    def __init__(self, handle):
        super().__init__(handle, _c.netshare_dataset_free)

    @classmethod
    def read(cls, path, lenient=False, max_records=0, extra_columns=None, format="auto",
             column_map=None, label_column=None):
        """Read pcap/pcapng, NetFlow or nfdump CSV, or a Zeek conn.log ("-": stdin).
        format: "auto" (from the content), "pcap", "netflow-csv", "nfdump-csv", "zeek",
        "zeek-csv", "mapped-csv" (with column_map="srcip=sa,dstip=da,...") or
        "packet-csv". label_column="detailed-label": the records' label is that
        column."""
        p = _lib.ReadParams()
        _c.netshare_read_params_init(_ct.byref(p))
        p.format = _choice(format, _lib.FORMATS, "Dataset.read: format")
        p.lenient = int(bool(lenient))
        if isinstance(max_records, bool) or not isinstance(max_records, int) or max_records < 0:
            raise ValueError("Dataset.read: max_records must be a whole number >= 0, not %r"
                             % (max_records,))
        p.max_records = max_records
        keep = [_text(extra_columns, "Dataset.read: extra_columns"),
                _text(column_map, "Dataset.read: column_map"),
                _text(label_column, "Dataset.read: label_column")]
        p.extra_columns, p.column_map, p.label_column = keep
        h = _lib.DATASET_P()
        _check(_c.netshare_dataset_read(_ct.byref(h), _path(path, "Dataset.read"),
                                        _ct.byref(p)))
        return cls(h)

    @property
    def flows(self):
        """True for flow records, False for packets."""
        return _c.netshare_dataset_kind(self._h) == 1

    def __len__(self):
        return _c.netshare_dataset_count(self._h)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if isinstance(i, bool) or not isinstance(i, int):
            raise TypeError("Dataset indices must be integers or slices, not %s"
                            % type(i).__name__)
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("record %d out of range (%d records)" % (i, n))
        r = _lib.Record()
        _c.netshare_record_init(_ct.byref(r))
        _check(_c.netshare_dataset_get(self._h, i, _ct.byref(r)))
        return _record_dict(r, self.flows)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    @property
    def extra_columns(self):
        """Names of the extra columns (read with extra_columns=, or a model's output)."""
        n = _c.netshare_dataset_extra_count(self._h)
        return [_c.netshare_dataset_extra_name(self._h, k).decode() for k in range(n)]

    def extra(self, name):
        """The values of extra column `name`, one per record: str (None when missing)
        for a categorical column, float (nan when missing) for a numeric one."""
        names = self.extra_columns
        if name not in names:
            raise KeyError("no extra column %r (the dataset has: %s)"
                           % (name, ", ".join(names) or "none"))
        col = names.index(name)
        cat = _c.netshare_dataset_extra_is_categorical(self._h, col) == 1
        num, text = _ct.c_double(), _ct.c_char_p()
        out = []
        for i in range(len(self)):
            _check(_c.netshare_dataset_extra_get(self._h, i, col, _ct.byref(num),
                                                 _ct.byref(text)))
            out.append((text.value.decode() if text.value is not None else None) if cat
                       else num.value)
        return out

    def columns(self):
        """Every field as a column: a dict name -> numpy array when numpy is installed
        (addresses as integers for IPv4, 16-byte strings for IPv6), lists otherwise."""
        rows = list(self)
        names = [k for k in (rows[0] if rows else _record_dict(_empty_record(), self.flows))]
        cols = {k: [r[k] for r in rows] for k in names}
        for k in ("src_ip", "dst_ip"):
            cols[k] = [int(a) if a.version == 4 else a.packed for a in cols[k]]
        try:
            import numpy as np
        except ImportError:
            return cols
        return {k: np.array(v, dtype=object if k in ("label",) else None)
                for k, v in cols.items()}

    def write(self, path, format="auto", link_type="ethernet", nanosecond=False,
              headers_only=False):
        """Write pcap (.pcap), CSV (.csv) or a Zeek log (.log), atomically. format: as
        for read ("auto": from the name); pcap: link_type "ethernet" or "raw",
        nanosecond time stamps, headers_only (the true length kept in orig_len)."""
        p = _lib.WriteParams()
        _c.netshare_write_params_init(_ct.byref(p))
        p.format = _choice(format, _lib.FORMATS, "Dataset.write: format")
        p.link_type = _choice(link_type, _lib.LINK_TYPES, "Dataset.write: link_type")
        p.nanosecond = int(bool(nanosecond))
        p.headers_only = int(bool(headers_only))
        _check(_c.netshare_dataset_write(self._h, _path(path, "Dataset.write"), _ct.byref(p)))

    def _baseline(self, fn, where, seed, flows):
        p = _init(_lib.BaselineParams, _c.netshare_baseline_params_init)
        _set(p, {"seed": seed, "flows": flows}, where)
        h = _lib.DATASET_P()
        _check(fn(_ct.byref(h), self._h, _ct.byref(p)))
        return Dataset(h)

    def baseline_marginal(self, seed=1, flows=0):
        """The marginal baseline of this trace (a new Dataset); flows: how many (0: as
        many as the trace has)."""
        return self._baseline(_c.netshare_baseline_marginal, "Dataset.baseline_marginal",
                              seed, flows)

    def baseline_service_marginal(self, seed=1, flows=0):
        """The service-marginal baseline of this trace (a new Dataset): a service drawn
        by its share of the flows, everything else from that service's marginals."""
        return self._baseline(_c.netshare_baseline_service_marginal,
                              "Dataset.baseline_service_marginal", seed, flows)

    def split_time(self, holdout):
        """(first, rest): the records before the (1 - holdout) quantile of the record
        times, and the rest (held out), as two new Datasets."""
        a, b = _lib.DATASET_P(), _lib.DATASET_P()
        _check(_c.netshare_dataset_split_time(self._h, float(holdout), _ct.byref(a),
                                              _ct.byref(b)))
        return Dataset(a), Dataset(b)


def evaluate(real, synthetic, services=10, held_out=None):
    """NetShare's metrics of `synthetic` against `real` (Datasets): a dict name -> value,
    with kind, unit and group available as evaluate_details(). JSD in nats (0..ln 2).
    services: how many of the real trace's services the per-service metrics use.
    held_out: the part of the trace held out from training (a Dataset; `real` being
    the part trained on) adds the membership-inference audit "membership_auc"."""
    return {m["name"]: m["value"]
            for m in evaluate_details(real, synthetic, services, held_out)}


def evaluate_details(real, synthetic, services=10, held_out=None):
    """The metrics as a list of dicts with name, kind, unit, group, value (NaN when it
    cannot be computed) and note (why it is NaN, else None)."""
    p = _init(_lib.ReportParams, _c.netshare_report_params_init)
    _set(p, {"services": services}, "evaluate")
    if held_out is not None:
        p.held_out = held_out._h
    h = _lib.REPORT_P()
    _check(_c.netshare_report_new(_ct.byref(h), real._h, synthetic._h, _ct.byref(p)))
    try:
        out = []
        m = _lib.Metric()
        m.struct_size = _ct.sizeof(m)
        for i in range(_c.netshare_report_count(h)):
            _check(_c.netshare_report_get(h, i, _ct.byref(m)))
            out.append({"name": m.name.decode(), "kind": m.kind.decode(),
                        "unit": m.unit.decode(), "group": m.group.decode(), "value": m.value,
                        "note": m.note.decode() if m.note else None})
        return out
    finally:
        _c.netshare_report_free(h)
