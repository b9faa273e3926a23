# SPDX-License-Identifier: BSD-3-Clause
"""The lifetime of a C handle (internal module)."""

import weakref as _weakref


class _Handle:
    """A C handle freed exactly once: by close(), the context manager or collection."""

    def __init__(self, handle, free, *keep):
        self._h = handle
        self._keep = keep  # objects the handle borrows from
        self._fin = _weakref.finalize(self, free, handle)

    def close(self):
        self._fin()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
