"""A case process that cleans up after itself, whatever happens to its parent.

It runs in its own process group, so if the parent dies (``kill -9``, a crash) nothing
else would end it. On :data:`STOP_SIGNAL` - from the parent on a timeout or Ctrl-C, or
from the kernel when the parent dies (``PR_SET_PDEATHSIG`` on Linux, polling elsewhere) -
it ends every other process of its group (bench.run.cleanup.end_group), removes its
folders, and dies. The parent does this itself only if the case process does not react.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time

STOP_SIGNAL = signal.SIGHUP
PARENT_ENV = "BENCH_PARENT_PID"


def _set_parent_death_signal(signum: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        return libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def install(folders: list[str], parent_pid: int) -> None:
    """From now on STOP_SIGNAL, or the death of ``parent_pid``, ends this case: every
    process of its group, and ``folders``."""
    # Imported now, not in the handler: a signal can arrive while the main code is
    # half-way through importing one of these, and the handler would then fail.
    from bench.run.cleanup import end_group, killpg, remove_tree

    guard_pid = os.getpid()
    done = []

    def stop(*_):
        if os.getpid() != guard_pid or done:   # a forked pool worker, or a second call
            return
        done.append(True)
        pgid = os.getpgid(0)
        try:
            end_group(pgid, final=False)       # the others first: they may be writing
            for folder in folders:
                remove_tree(folder)
        finally:
            killpg(pgid)
            os._exit(1)

    signal.signal(STOP_SIGNAL, stop)
    if not _set_parent_death_signal(STOP_SIGNAL):
        def watch():
            while os.getppid() == parent_pid:
                time.sleep(0.2)
            os.kill(guard_pid, STOP_SIGNAL)
        threading.Thread(target=watch, name="bench-orphan-watch", daemon=True).start()
    if parent_pid and os.getppid() != parent_pid:   # the parent died before we got here
        stop()
