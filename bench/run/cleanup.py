"""Leave nothing behind: end a case's process group, remove its temporary folders.

multiprocessing's resource tracker unlinks the shared memory and semaphores their owners
did not release, once every process using it has gone: killing the whole group at once
would leak them, so :func:`end_group` kills the tracker last.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time

import psutil

TRACKER_MARK = "multiprocessing.resource_tracker"
TRACKER_GRACE_S = 3.0


def group_members(pgid: int) -> list[psutil.Process]:
    out = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                out.append(proc)
        except (ProcessLookupError, psutil.Error, OSError):
            continue
    return out


def _is_tracker(proc: psutil.Process) -> bool:
    try:
        return TRACKER_MARK in " ".join(proc.cmdline())
    except psutil.Error:
        return False


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


def killpg(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def end_group(pgid: int, grace: float = TRACKER_GRACE_S, final: bool = True) -> None:
    """Kill every process of group ``pgid``, resource trackers last. Safe to call from
    inside the group: the caller is spared until the final killpg (``final=False``: left
    to the caller, to remove its folders first)."""
    me = os.getpid()
    deadline = time.monotonic() + grace
    # The group leader first: a multiprocessing.Pool would otherwise replace killed
    # workers. Then everything but the trackers, until nothing else is left.
    if pgid != me:
        _kill(pgid)
    for _ in range(20):
        others = [p for p in group_members(pgid) if p.pid != me and not _is_tracker(p)]
        if not others:
            break
        for p in others:
            _kill(p.pid)
        psutil.wait_procs(others, timeout=0.5)
    trackers = [p for p in group_members(pgid) if p.pid != me]
    if trackers:
        if os.getpgid(0) == pgid:
            _release_tracker()
        psutil.wait_procs(trackers, timeout=max(0.0, deadline - time.monotonic()))
    if final:
        killpg(pgid)


def _release_tracker() -> None:
    """Close this process's end of its resource tracker's pipe (it ends at EOF)."""
    with contextlib.suppress(ImportError, AttributeError, OSError):
        from multiprocessing import resource_tracker

        fd = getattr(resource_tracker._resource_tracker, "_fd", None)
        if fd is not None:
            os.close(fd)


def remove_tree(path: str | None) -> None:
    if path:
        shutil.rmtree(path, ignore_errors=True)


def kill_descendants(timeout: float = 3.0) -> None:
    """Terminate (then kill) every process this one started that is still running."""
    try:
        children = psutil.Process().children(recursive=True)
    except psutil.Error:
        return
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.terminate()
    _, alive = psutil.wait_procs(children, timeout=timeout)
    for child in alive:
        with contextlib.suppress(psutil.Error):
            child.kill()
    psutil.wait_procs(alive, timeout=timeout)
