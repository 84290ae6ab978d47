"""Ctrl-C and SIGTERM: stop cleanly, keep what was measured, say how to resume.

Both raise :class:`Interrupted` (a ``KeyboardInterrupt``). The request is remembered too:
Python can swallow an exception raised at an unlucky moment (an at-fork hook, a
``__del__``), so :func:`check` raises it again at the next safe point. After
:func:`handled` further signals are ignored: a second Ctrl-C cannot cut the clean-up
short. A forked process (the capacity probes) dies of the signal quietly.
"""
from __future__ import annotations

import contextlib
import os
import signal

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _State:
    pid = 0                  # the process that installed the handlers
    requested: int | None = None
    done = False             # the interrupt is being handled: ignore further signals
    depth = 0


def _handler(signum, frame):
    if os.getpid() != _State.pid:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    if _State.done:
        return
    if _State.requested is None:
        _State.requested = signum
    if _State.depth:
        return                        # raised when the deferred block ends
    raise Interrupted(_State.requested)


@contextlib.contextmanager
def handling():
    """Install the handlers for the duration of a run; restore the old ones after."""
    old = {s: signal.getsignal(s) for s in SIGNALS}
    _State.pid, _State.requested, _State.done, _State.depth = os.getpid(), None, False, 0
    for s in SIGNALS:
        signal.signal(s, _handler)
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        _State.pid = 0


def check() -> None:
    """Raise a requested interrupt that has not been handled (safe point)."""
    if _State.requested is not None and not _State.done and not _State.depth:
        raise Interrupted(_State.requested)


@contextlib.contextmanager
def deferred():
    """Hold a signal until the block is finished, then raise it."""
    with shielded():
        yield
    check()


@contextlib.contextmanager
def shielded():
    """Hold signals during a clean-up; a requested interrupt stays requested and is
    raised at the next :func:`check` or :func:`deferred` (the clean-up always ends)."""
    _State.depth += 1
    try:
        yield
    finally:
        _State.depth -= 1


def handled() -> None:
    """The interrupt has been caught at the top: ignore any further signal."""
    _State.done = True


def exit_code(exc: KeyboardInterrupt) -> int:
    return 128 + exc.signum if isinstance(exc, Interrupted) else 130   # 143 for SIGTERM


def signal_name(exc: KeyboardInterrupt) -> str:
    return signal.Signals(exc.signum).name if isinstance(exc, Interrupted) else "SIGINT"
