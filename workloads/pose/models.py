"""MediaPipe models: built lazily, one per thread, never across a fork (docs/pose.md).

A model is only built in the process and thread that uses it; a parent that built one
and then forks gets :class:`ForkAfterModelError` (before the fork, and in any forked
worker). The state that knows this lives here only, reset in a fork child by the one
``os.register_at_fork`` hook. Graphs are not thread-safe, so they live in a
``threading.local`` and are closed when their thread ends (without ``close()`` a graph
and its two OS threads leak: its output callback keeps it alive).
"""
from __future__ import annotations

import atexit
import os
import sys
import threading
import time

import numpy as np

from workloads.pose.offline import check_available, solutions_pose

WARMUP_SHAPE = (64, 64, 3)       # a blank frame: starts the graph and its interpreters

_state = threading.local()       # .models: {model key: Model}; one per thread
_BUILT_IN_PID: int | None = None  # this process built a model (inherited by a fork child)
_FORKED_FROM: int | None = None   # set in a fork child whose parent had built a model
_ORPHANS: list = []               # a parent's models seen in a fork child: never touched
LOADS: list = []                  # (build_s, warmup_s) of every model loaded in this process


class ForkAfterModelError(RuntimeError):
    """A process that built a MediaPipe model forked (or is about to fork) a worker."""


_EXITING = False


def _exiting() -> None:
    global _EXITING
    _EXITING = True


atexit.register(_exiting)


def _after_fork_in_child() -> None:
    global _state, _BUILT_IN_PID, _FORKED_FROM
    if _BUILT_IN_PID is not None:
        _FORKED_FROM = _BUILT_IN_PID
    _BUILT_IN_PID = None
    # The parent's graphs are native state that fork copied half-way: keep a reference
    # so their close() (which would run in __del__) never runs here.
    _ORPHANS.append(_state)
    _state = threading.local()
    LOADS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def fork_message(pid: int, where: str) -> str:
    return (f"a MediaPipe model was built in process {pid} before it {where}: MediaPipe does not "
            "survive fork (workers crash with 'malloc(): unaligned tcache chunk detected', "
            "BrokenProcessPool); build models only in the workers (pool initializer) or use "
            "--start-method spawn or forkserver")


def check_fork(start_method: str) -> None:
    """Before a pool starts: refuse to fork a process that built a model."""
    if start_method == "fork" and _BUILT_IN_PID == os.getpid():
        raise ForkAfterModelError(fork_message(os.getpid(), "started a fork pool"))


def refuse_if_forked_after_model() -> None:
    """In a worker: refuse to build anything when the parent had a model at the fork."""
    if _FORKED_FROM is not None:
        raise ForkAfterModelError(fork_message(_FORKED_FROM, "forked this worker"))


class Model:
    """Holds one Pose graph; closes it when dropped (e.g. when its thread ends)."""

    __slots__ = ("pose", "pid")

    def __init__(self, pose):
        self.pose = pose
        self.pid = os.getpid()

    def __del__(self):
        # Never close a graph copied by fork, nor at interpreter exit: close() then
        # waits forever for MediaPipe's threads (measured); the OS reclaims it anyway.
        if self.pid == os.getpid() and not _EXITING and not sys.is_finalizing():
            try:
                self.pose.close()
            except Exception:  # noqa: BLE001 - closing a failed graph may raise; nothing to do
                pass


def import_mediapipe() -> float:
    """Import mediapipe's pose solution here (safe before a fork, measured); seconds it
    took (0 when already imported)."""
    imported = "mediapipe.python.solutions.pose" in sys.modules
    start = time.perf_counter()
    solutions_pose()
    return 0.0 if imported else time.perf_counter() - start


def new_pose(workload):
    """A bare ``Pose`` graph for ``workload``'s options, recorded as built in this process."""
    global _BUILT_IN_PID
    check_available(workload.backend, workload.model_complexity, workload.model_path)
    refuse_if_forked_after_model()
    pose = solutions_pose()
    _BUILT_IN_PID = os.getpid()              # before: the constructor starts native threads
    return pose.Pose(static_image_mode=True, model_complexity=workload.model_complexity)


def load_model(workload) -> tuple[Model, float, float]:
    """Build a model and run it once on a blank frame (graph start, interpreters)."""
    start = time.perf_counter()
    model = Model(new_pose(workload))
    built = time.perf_counter()
    model.pose.process(np.zeros(WARMUP_SHAPE, dtype=np.uint8))
    warm = time.perf_counter()
    LOADS.append((built - start, warm - built))
    return model, built - start, warm - built


def thread_models() -> dict:
    """This thread's models by model key (the model complexity)."""
    return vars(_state).setdefault("models", {})


def model_for(workload) -> Model:
    """This thread's model for ``workload``, loaded here on first use."""
    models = thread_models()
    model = models.get(workload.model_complexity)
    if model is None:                 # serial loop, or a thread without initializer
        model = models[workload.model_complexity] = load_model(workload)[0]
    return model
