# SPDX-License-Identifier: BSD-3-Clause
"""Status codes and the exception every failed call raises (internal module)."""

import enum

from ._lib import lib as _c


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
