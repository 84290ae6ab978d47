"""A user's function as a workload (``python -m bench run --task MODULE:FUNCTION``).

The contract and how results are compared: docs/own-work.md. An exception the function
raises for an item is that item's result (:class:`Failure`): the run goes on, and the
summary lists them.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import reprlib
import sys
import threading
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from workloads.base import Workload, check_params, register
from workloads.task_import import call_for, one_line, resolve
from workloads.files import DECODES, open_item

FAILED = "failed: "
FAILED_LISTED = 20            # per-item failures kept in a case's metadata


class StateForkError(RuntimeError):
    """A process that built a task's state is about to fork a pool."""


class Failure(NamedTuple):
    """What an item gives back when it could not be processed."""
    error: str
    raised: str = ""       # the task's own exception, one line; empty: the file could not be read


# -- state: once per worker (thread), never across a fork ------------------------------------
_local = threading.local()
_BUILT_IN_PID: int | None = None


class _Held:
    """A thread's state, closed as its thread ends; never in a fork child nor at
    interpreter exit (a MediaPipe graph then hangs)."""

    __slots__ = ("state", "pid")

    def __init__(self, state):
        self.state, self.pid = state, os.getpid()

    def __del__(self):
        if self.pid == os.getpid() and not sys.is_finalizing():
            close_state(self.state)


def close_state(state) -> None:
    close = getattr(state, "close", None)
    if callable(close):
        try:
            close()
        except Exception:  # noqa: BLE001 - a state that fails to close is not the run's concern
            pass


def _after_fork_in_child() -> None:
    global _local, _BUILT_IN_PID
    _ORPHANS.append(_local)        # the parent's states: never closed here
    _local = threading.local()
    _BUILT_IN_PID = None


_ORPHANS: list = []
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def build_state(init: str):
    global _BUILT_IN_PID
    states = vars(_local).setdefault("states", {})
    _BUILT_IN_PID = os.getpid()
    held = states[init] = _Held(resolve(init, "--init")())
    return held.state


def state_for(init: str):
    held = vars(_local).get("states", {}).get(init)
    return held.state if held is not None else build_state(init)


# -- comparing results ------------------------------------------------------------------------
def same_value(a, b, atol: float | None) -> bool:
    """``==``, arrays by value (within ``atol`` when given), containers element by element."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if atol is None or a.dtype.kind not in "fciu" or b.dtype.kind not in "fciu":
            return bool(np.array_equal(a, b))
        return bool(np.allclose(a, b, rtol=0.0, atol=atol, equal_nan=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k], atol) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(same_value(x, y, atol) for x, y in zip(a, b)))
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return True
        return a == b if atol is None else abs(a - b) <= atol
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - an == that cannot say
        return False


def failed_items(failed: list) -> dict:
    """A case's per-item failures in its metadata (the first FAILED_LISTED named)."""
    return {"items_failed": len(failed),
            "failed_items": json.dumps(failed[:FAILED_LISTED]) if failed else None}


def describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array {value.dtype}{list(value.shape)}"
    short = reprlib.Repr()
    short.maxstring = short.maxother = 60
    return short.repr(value)


def _digest(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.blake2b(fh.read(), digest_size=16).hexdigest()


def _numbers(path: str):
    """A text file of numbers as an array (pipelines compare them with allclose)."""
    try:
        return np.loadtxt(path, dtype=np.float64, ndmin=2)
    except ValueError:
        return _digest(path)


# -- the workload -----------------------------------------------------------------------------
@register
@dataclass(frozen=True)
class TaskWorkload(Workload):
    """A user's ``task`` on one item, with the state ``init`` built once per worker."""

    task: str = ""
    init: str = ""
    decode: str = "color"
    atol: float | None = None
    same: str = ""
    state_per_item: bool = False       # the anti-pattern; set by its strategy
    out_dir: str = ""
    name: str = field(default="task", init=False)
    rank = 80
    kind = "files"

    needs_verify_pass = False          # timed passes return the results themselves
    text_as_numbers = False            # .txt outputs compared as numbers (pipelines)
    PARAMS = ("task", "init", "decode", "atol", "same")

    def __post_init__(self):
        if self.decode not in DECODES:
            raise ValueError(f"--decode {self.decode!r}: choose from {', '.join(DECODES)}")

    @classmethod
    def from_params(cls, params: dict):
        check_params(params, cls.PARAMS, "task")
        return cls(**params)

    @staticmethod
    def params_for(task: str, init: str = "", decode: str = "color", atol: float | None = None,
                   same: str = "") -> dict:
        params = {"task": task, "decode": decode}
        params.update({k: v for k, v in (("init", init), ("atol", atol), ("same", same)) if v})
        return params

    @property
    def label(self) -> str:
        module, _, attr = self.task.rpartition(":")
        if module.endswith(".py") or "/" in module or os.sep in module:
            stem = os.path.splitext(os.path.basename(module))[0]
        else:
            stem = module.rsplit(".", 1)[-1]
        return f"{stem}.{attr}" + ("" if self.decode == "color" else f"-{self.decode}")

    def with_model_per_image(self):
        return replace(self, state_per_item=True) if self.init else self

    def prepare_parent(self) -> None:
        """Import the module, as a user's script does before it starts a pool."""
        resolve(self.task)
        if self.init:
            resolve(self.init, "--init")

    def check_fork(self, start_method: str) -> None:
        if self.has_model and start_method == "fork" and _BUILT_IN_PID == os.getpid():
            raise StateForkError(f"the state of --init {self.init} was built in process "
                                 f"{os.getpid()}, which must not fork a pool (a model copied "
                                 "half-way crashes its workers): build it in the workers only")

    def worker_setup(self):
        import time

        start = time.perf_counter()
        call_for(self.task)
        facts = {"task_import_s": time.perf_counter() - start}
        if self.init and not self.state_per_item:
            start = time.perf_counter()
            build_state(self.init)
            facts["init_s"] = time.perf_counter() - start
        return facts

    def process(self, index: int, item):
        name, payload, reason = open_item(item, self.decode)
        label = name or f"item {index}"
        if reason is not None:
            return Failure(reason)
        call = call_for(self.task)
        offered = {"name": name, "out_dir": self.out_dir}
        kwargs = {k: offered[k] for k in call.keywords}
        state = None
        if self.init:
            state = resolve(self.init, "--init")() if self.state_per_item else state_for(self.init)
        try:
            return call.fn(payload, **kwargs) if not self.init else call.fn(payload, state, **kwargs)
        except Exception as exc:  # noqa: BLE001 - one item's failure, recorded
            raised = one_line(exc)
            return Failure(f"{label}: {raised}", raised)
        finally:
            if self.state_per_item and state is not None:
                close_state(state)

    # -- verification -----------------------------------------------------------------------
    def written_names(self) -> list[str]:
        return []          # nothing to check by name alone: outputs() compares every file

    def outputs(self, results, count: int) -> dict:
        out = {f"{i:05d}": FAILED + r.error if isinstance(r, Failure) else r
               for i, r in enumerate(results)}
        if self.out_dir and os.path.isdir(self.out_dir):
            for folder, _, names in os.walk(self.out_dir):
                for n in sorted(names):
                    path = os.path.join(folder, n)
                    rel = os.path.relpath(path, self.out_dir).replace(os.sep, "/")
                    numbers = self.text_as_numbers and n.endswith(".txt")
                    out["file:" + rel] = _numbers(path) if numbers else _digest(path)
        return out

    def differs(self, a, b) -> bool:
        if any(isinstance(v, str) and v.startswith(FAILED) for v in (a, b)):
            return a != b
        if self.same:
            return not resolve(self.same, "--same")(a, b)
        return not same_value(a, b, self.atol)

    def describe_difference(self, a, b) -> str:
        if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape:
            delta = np.abs(a.astype(np.float64) - b.astype(np.float64))
            where = np.unravel_index(int(np.argmax(delta)), delta.shape)
            return f"largest difference {delta[where]:.3g} at {list(map(int, where))}"
        if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
            parts = [f"{k}: {self.describe_difference(a[k], b[k])}" for k in a
                     if not same_value(a[k], b[k], None)]
            return "; ".join(parts) or f"serial gave {describe(a)}, this case gave {describe(b)}"
        return f"serial gave {describe(a)}, this case gave {describe(b)}"

    def case_metadata(self, timing) -> dict:
        failed = [r.error for r in timing.last_results if isinstance(r, Failure)]
        meta = {"task": self.task, "task_init": self.init or None, "decode": self.decode,
                "state": ("none" if not self.init else "per item" if self.state_per_item
                          else "per worker"),
                # not pose's failed_images: the summary lists these once per group, not per case
                **failed_items(failed)}
        inits = [w["init_s"] for w in timing.warm_workers if "init_s" in w]
        if inits:
            meta["init_s"] = sorted(inits)[len(inits) // 2]
        return meta


@register
@dataclass(frozen=True)
class InitTaskWorkload(TaskWorkload):
    """A task with ``--init``: its state may be a model, so no process that built one
    forks a pool (the race keeps fork pools in a case process of their own)."""
    name: str = field(default="task-init", init=False)
    rank = 90
    has_model = True
