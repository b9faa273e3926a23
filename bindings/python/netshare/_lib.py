# SPDX-License-Identifier: BSD-3-Clause
"""Loading libnetshare and declaring the C prototypes (internal to the package)."""

import ctypes
import glob
import os

SONAME = "libnetshare.so.0"
# The bindings are written for this major version and need at least this version.
SUPPORTED_MAJOR = 0
MIN_VERSION_NUMBER = 100  # 0.1.0


def _build_tree_candidates():
    """Libraries in build directories of the source tree this package sits in: build/
    first (the README's), then the others by name (build-asan/ holds an instrumented
    library that an uninstrumented Python cannot load)."""
    root = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
    found = glob.glob(os.path.join(root, "*", "lib", SONAME))
    return sorted(found, key=lambda p: (os.path.basename(os.path.dirname(os.path.dirname(p)))
                                        != "build", p))


def _candidates():
    env = os.environ.get("NETSHARE_LIBRARY")
    if env:
        # An explicit choice is final: do not silently fall back to another copy.
        return [("NETSHARE_LIBRARY", env)]
    out = [("installed soname", SONAME)]
    out += [("build tree", p) for p in _build_tree_candidates()]
    return out


def load():
    """Load the library: $NETSHARE_LIBRARY, else the installed soname, else a build tree.

    Raises ImportError naming every place tried and why each failed.
    """
    tried = []
    for where, path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s (%s): %s" % (path, where, e))
            continue
        _declare(lib)
        number = lib.netshare_version_number()
        if number // 10000 != SUPPORTED_MAJOR or number < MIN_VERSION_NUMBER:
            tried.append("%s (%s): version %s is not supported by these bindings "
                         "(need %d.x, at least %d)" % (path, where,
                         lib.netshare_version_string().decode(), SUPPORTED_MAJOR,
                         MIN_VERSION_NUMBER))
            continue
        return lib
    raise ImportError("cannot load libnetshare; tried:\n  " + "\n  ".join(tried) +
                      "\nSet NETSHARE_LIBRARY to the path of libnetshare.so.")


LOG_FN = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
PROGRESS_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


class DatasetHandle(ctypes.Structure):
    """Opaque netshare_dataset (typed, so handles of other kinds are refused)."""


class ReportHandle(ctypes.Structure):
    """Opaque netshare_report."""


DATASET_P = ctypes.POINTER(DatasetHandle)
REPORT_P = ctypes.POINTER(ReportHandle)


class ReadParams(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("format", ctypes.c_int),
                ("lenient", ctypes.c_int), ("column_map", ctypes.c_char_p),
                ("max_records", ctypes.c_uint64), ("progress", PROGRESS_FN),
                ("progress_user", ctypes.c_void_p), ("extra_columns", ctypes.c_char_p)]


class Record(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("time_ns", ctypes.c_int64),
                ("ip_version", ctypes.c_uint8), ("protocol", ctypes.c_uint8),
                ("src_port", ctypes.c_uint16), ("dst_port", ctypes.c_uint16),
                ("src_ip", ctypes.c_uint32), ("dst_ip", ctypes.c_uint32),
                ("src_ip6", ctypes.c_uint8 * 16), ("dst_ip6", ctypes.c_uint8 * 16),
                ("ip_length", ctypes.c_uint16), ("tos", ctypes.c_uint8),
                ("ttl", ctypes.c_uint8), ("ip_id", ctypes.c_uint16),
                ("ip_flags", ctypes.c_uint8), ("tcp_flags", ctypes.c_uint8),
                ("frag_offset", ctypes.c_uint16), ("duration_ns", ctypes.c_int64),
                ("packets", ctypes.c_uint64), ("bytes", ctypes.c_uint64),
                ("label", ctypes.c_char_p)]


class Metric(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("name", ctypes.c_char_p),
                ("kind", ctypes.c_char_p), ("unit", ctypes.c_char_p),
                ("group", ctypes.c_char_p), ("value", ctypes.c_double)]

# (name, argtypes, restype): one table, applied once at load time.
_PROTOTYPES = [
    ("netshare_strerror", [ctypes.c_int], ctypes.c_char_p),
    ("netshare_status_name", [ctypes.c_int], ctypes.c_char_p),
    ("netshare_last_error", [], ctypes.c_char_p),
    ("netshare_clear_error", [], None),
    ("netshare_version_number", [], ctypes.c_uint),
    ("netshare_version_string", [], ctypes.c_char_p),
    ("netshare_log_set", [LOG_FN, ctypes.c_int, ctypes.c_void_p], ctypes.c_int),
    ("netshare_read_params_init", [ctypes.POINTER(ReadParams)], None),
    ("netshare_dataset_read", [ctypes.POINTER(DATASET_P), ctypes.c_char_p,
                               ctypes.POINTER(ReadParams)], ctypes.c_int),
    ("netshare_dataset_free", [DATASET_P], None),
    ("netshare_dataset_kind", [DATASET_P], ctypes.c_int),
    ("netshare_dataset_count", [DATASET_P], ctypes.c_size_t),
    ("netshare_record_init", [ctypes.POINTER(Record)], None),
    ("netshare_dataset_get", [DATASET_P, ctypes.c_size_t, ctypes.POINTER(Record)], ctypes.c_int),
    ("netshare_dataset_write", [DATASET_P, ctypes.c_char_p, ctypes.c_void_p], ctypes.c_int),
    ("netshare_report_new", [ctypes.POINTER(REPORT_P), DATASET_P, DATASET_P], ctypes.c_int),
    ("netshare_report_count", [REPORT_P], ctypes.c_size_t),
    ("netshare_report_get", [REPORT_P, ctypes.c_size_t, ctypes.POINTER(Metric)], ctypes.c_int),
    ("netshare_report_free", [REPORT_P], None),
    ("netshare_baseline_marginal", [ctypes.POINTER(DATASET_P), DATASET_P, ctypes.c_uint64],
     ctypes.c_int),
]


def _declare(lib):
    for name, argtypes, restype in _PROTOTYPES:
        fn = getattr(lib, name)
        fn.argtypes = argtypes
        fn.restype = restype
