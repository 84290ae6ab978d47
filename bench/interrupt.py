"""Ctrl-C and SIGTERM: stop cleanly, keep what was measured, say how to resume.

Both signals raise :class:`Interrupted` (a ``KeyboardInterrupt``, so every
``except KeyboardInterrupt``/``finally`` on the way out runs) - once: a second
signal while the first is being handled is ignored, so a impatient double Ctrl-C
cannot cut the clean-up short. Inside :func:`deferred` (recording a finished case
and saving the results file) a signal waits until the block is done.
"""
from __future__ import annotations

import contextlib
import signal

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum          # 130 for SIGINT, 143 for SIGTERM

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


class _State:
    raised = False
    depth = 0
    pending: int | None = None


def _handler(signum, frame):
    if _State.raised:
        return
    if _State.depth:
        _State.pending = signum
        return
    _State.raised = True
    raise Interrupted(signum)


@contextlib.contextmanager
def handling():
    """Install the handlers for the duration of a run; restore the old ones after."""
    old = {s: signal.getsignal(s) for s in SIGNALS}
    _State.raised, _State.depth, _State.pending = False, 0, None
    for s in SIGNALS:
        signal.signal(s, _handler)
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


@contextlib.contextmanager
def deferred():
    """Hold a signal until the block is finished, then raise it."""
    _State.depth += 1
    try:
        yield
    finally:
        _State.depth -= 1
        if not _State.depth and _State.pending is not None and not _State.raised:
            signum, _State.pending = _State.pending, None
            _State.raised = True
            raise Interrupted(signum)


def exit_code(exc: KeyboardInterrupt) -> int:
    return exc.exit_code if isinstance(exc, Interrupted) else 130


def signal_name(exc: KeyboardInterrupt) -> str:
    return exc.name if isinstance(exc, Interrupted) else "SIGINT"
