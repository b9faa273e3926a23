# SPDX-License-Identifier: BSD-3-Clause
"""The lifetime of a C handle (internal module)."""

import weakref as _weakref


class _Handle:
    """A C handle freed exactly once: by close(), the context manager or collection.
    After close(), every use raises ValueError instead of reaching freed memory."""

    def __init__(self, handle, free, *keep):
        self._handle = handle
        self._keep = keep  # objects the handle borrows from
        self._fin = _weakref.finalize(self, free, handle)

    @property
    def _h(self):
        if not self._fin.alive:
            raise ValueError(f"{type(self).__name__} is closed")
        return self._handle

    @property
    def closed(self):
        """True once close() (or the with block) has freed the handle."""
        return not self._fin.alive

    def close(self):
        self._fin()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Borrowed:
    """The lifetime of a handle owned by another object (a model's encoder): alive while
    the owner is open; closing the borrower frees nothing."""

    def __init__(self, owner):
        self._owner = owner

    @property
    def alive(self):
        return not self._owner.closed

    def __call__(self):
        pass
