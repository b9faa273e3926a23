# SPDX-License-Identifier: BSD-3-Clause
"""The lifetime of a C handle (internal module)."""

import weakref as _weakref


def _release(free, handle, owners):
    """Free a handle, then let the handles it borrowed from go if they were closed."""
    free(handle)
    for o in owners:
        o._users -= 1
        if o._closing and o._users == 0:
            o._fin()


class _Handle:
    """A C handle freed exactly once: by close(), the context manager or collection.
    After close(), every use raises ValueError instead of reaching freed memory. A handle
    that others borrow from (a model its samplers) is freed only when the last of them
    is: closing it first makes it unusable at once, and frees it later."""

    def __init__(self, handle, free, *keep):
        self._handle = handle
        self._keep = keep  # objects the handle borrows from
        self._users = 0    # open handles that borrow from this one
        self._closing = False
        owners = [k for k in keep if isinstance(k, _Handle)]
        for o in owners:
            o._users += 1
        self._fin = _weakref.finalize(self, _release, free, handle, owners)

    @property
    def _h(self):
        if self.closed:
            raise ValueError(f"{type(self).__name__} is closed")
        return self._handle

    @property
    def closed(self):
        """True once close() (or the with block) has been called or the handle freed."""
        return self._closing or not self._fin.alive

    def close(self):
        if self._users > 0:
            self._closing = True  # freed when the last borrower is
        else:
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
