# SPDX-License-Identifier: BSD-3-Clause
"""Python bindings (ctypes) for libnetshare.

    import netshare
    print(netshare.version())

Every library error raises NetshareError, which carries the status code and the
library's message saying what failed and where.
"""

import enum

from . import _lib

_c = _lib.load()

__all__ = ["NetshareError", "Status", "LogLevel", "version", "version_number",
           "strerror", "set_log_handler"]


class Status(enum.IntEnum):
    """netshare_status: the library's status codes (values fixed by the ABI)."""
    OK = 0
    EINTERNAL = -1
    EINVAL = -2
    ENOMEM = -3
    EIO = -4
    EFORMAT = -5
    EUNSUPPORTED = -6
    ECORRUPT = -7
    EVERSION = -8
    ECANCELED = -9
    EABI = -10
    ESTATE = -11
    ENUMERIC = -12


class LogLevel(enum.IntEnum):
    ERROR = 0
    WARN = 1
    INFO = 2
    DEBUG = 3


class NetshareError(Exception):
    """A libnetshare call failed. `status` is a Status (or int), `message` the library's."""

    def __init__(self, status, message):
        try:
            status = Status(status)
        except ValueError:
            pass
        self.status = status
        self.message = message
        name = status.name if isinstance(status, Status) else str(status)
        super().__init__("%s (%s)" % (message, name) if message else name)


def _check(status):
    """Raise NetshareError for a negative status, reading the thread's last error now."""
    if status < 0:
        raise NetshareError(status, _c.netshare_last_error().decode("utf-8", "replace"))
    return status


def version():
    """The run-time library version, e.g. '0.1.0'."""
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
