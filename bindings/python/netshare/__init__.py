# SPDX-License-Identifier: BSD-3-Clause
"""Python bindings (ctypes) for libnetshare.

    import netshare
    print(netshare.version())

Every library error raises NetshareError, which carries the status code and the
library's message saying what failed and where.
"""

from . import _lib
from ._dataset import Dataset, evaluate, evaluate_details
from ._errors import LogLevel, NetshareError, Status, _check
from ._lib import lib as _c
from ._model import Encoder, Model, Sampler

__all__ = ["NetshareError", "Status", "LogLevel", "Dataset", "Encoder", "Model", "Sampler",
           "evaluate", "evaluate_details", "version", "version_number", "strerror",
           "set_log_handler"]


def version():
    """The run-time library version, e.g. '1.0.0'."""
    return _c.netshare_version_string().decode()


def version_number():
    """The run-time version as MAJOR*10000 + MINOR*100 + PATCH."""
    return _c.netshare_version_number()


def strerror(status):
    """The library's description of a status code."""
    return _c.netshare_strerror(int(status)).decode()


_log_callback = None  # keeps the ctypes trampoline alive while installed


def set_log_handler(handler, max_level=LogLevel.WARN):
    """Send library log lines to handler(level: LogLevel, message: str); None turns off."""
    global _log_callback
    if handler is None:
        cb = _lib.LOG_FN()
    else:
        def trampoline(level, message, _user):
            handler(LogLevel(level), message.decode("utf-8", "replace"))
        cb = _lib.LOG_FN(trampoline)
    _check(_c.netshare_log_set(cb, int(max_level), None))
    _log_callback = cb
