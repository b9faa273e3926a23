# SPDX-License-Identifier: BSD-3-Clause
"""Filling the library's params structs from Python values (internal module)."""

import ctypes as _ct


def _init(struct, init_fn):
    """A params struct filled with the library's defaults, checked against ctypes."""
    p = struct()
    init_fn(_ct.byref(p))
    if p.struct_size != _ct.sizeof(p):
        raise ImportError("%s: the library's struct is %d bytes, these bindings' %d: "
                          "rebuild or update the bindings" % (struct.__name__, p.struct_size,
                                                               _ct.sizeof(p)))
    return p


_UNSIGNED = {_ct.c_uint8: 8, _ct.c_uint16: 16, _ct.c_uint32: 32, _ct.c_uint64: 64,
             _ct.c_uint: 8 * _ct.sizeof(_ct.c_uint), _ct.c_size_t: 8 * _ct.sizeof(_ct.c_size_t)}
_SIGNED = {_ct.c_int: 8 * _ct.sizeof(_ct.c_int), _ct.c_int64: 64}


def _set(p, options, where):
    """Set params fields by name, refusing what ctypes would silently wrap or coerce:
    a negative or too large count, a float for an integer, a non-number."""
    fields = dict(p._fields_)
    for key, value in options.items():
        if key in ("struct_size", "progress", "progress_user") or key not in fields:
            raise TypeError("%s: unknown option %r" % (where, key))
        t = fields[key]
        if t in _UNSIGNED or t in _SIGNED:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError("%s: %s must be an integer, not %r" % (where, key, value))
            bits = _UNSIGNED.get(t) or _SIGNED[t]
            lo, hi = (0, (1 << bits) - 1) if t in _UNSIGNED else \
                     (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
            if not lo <= value <= hi:
                raise ValueError("%s: %s = %d is outside %d..%d" % (where, key, value, lo, hi))
        elif t in (_ct.c_float, _ct.c_double):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError("%s: %s must be a number, not %r" % (where, key, value))
        elif t is _ct.c_char_p:
            if value is not None and not isinstance(value, str):
                raise TypeError("%s: %s must be a str, not %r" % (where, key, value))
        setattr(p, key, value.encode() if isinstance(value, str) else value)
