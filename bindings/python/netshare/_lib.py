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
    """Libraries in build directories of the source tree this package sits in."""
    root = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
    return sorted(glob.glob(os.path.join(root, "*", "lib", SONAME)))


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

# (name, argtypes, restype): one table, applied once at load time.
_PROTOTYPES = [
    ("netshare_strerror", [ctypes.c_int], ctypes.c_char_p),
    ("netshare_status_name", [ctypes.c_int], ctypes.c_char_p),
    ("netshare_last_error", [], ctypes.c_char_p),
    ("netshare_clear_error", [], None),
    ("netshare_version_number", [], ctypes.c_uint),
    ("netshare_version_string", [], ctypes.c_char_p),
    ("netshare_log_set", [LOG_FN, ctypes.c_int, ctypes.c_void_p], ctypes.c_int),
]


def _declare(lib):
    for name, argtypes, restype in _PROTOTYPES:
        fn = getattr(lib, name)
        fn.argtypes = argtypes
        fn.restype = restype
