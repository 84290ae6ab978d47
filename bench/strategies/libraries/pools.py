"""The parent side the library strategies share: is the library there, and an executor's
shape over its pool (``submit(fn, *args)`` returning a future, which joblib's
``Parallel`` lacks and mpire's ``apply_async`` does not give). Every library task
answers ``(report, value)`` (bench.strategies.libraries.worker).
"""
from __future__ import annotations

import importlib
import queue
from concurrent.futures import Future

from bench.strategies.base import Strategy, flatten, gather
from bench.texts import messages
from workloads import tasks

# the library each strategy needs, and what installs it (pyproject.toml pins the same)
REQUIREMENTS = {"joblib": "joblib>=1.4,<1.7", "mpire": "mpire>=2.10,<2.11"}


class LibraryMissing(ValueError):
    """The library a strategy drives is not installed; one line for the user."""


def missing(library: str) -> str | None:
    """Why ``library`` cannot be used here (one line), or None when it imports."""
    try:
        importlib.import_module(library)
    except ImportError:
        return messages.LIBRARY_MISSING.format(library=library, requirement=REQUIREMENTS[library])
    return None


def require(library: str):
    """The library's module, or LibraryMissing with the line that says how to install it."""
    why = missing(library)
    if why is not None:
        raise LibraryMissing(why)
    return importlib.import_module(library)


def version(library: str) -> str:
    """``joblib 1.6.0``: what the pool's facts record next to its figures."""
    from importlib import metadata

    try:
        return f"{library} {metadata.version(library)}"
    except metadata.PackageNotFoundError:
        return library


class LibraryPool:
    """A library's live pool with an executor's shape; subclasses send the tasks
    (``submit``, ``map``) and stop it (``shutdown``)."""

    def __init__(self, reports: queue.SimpleQueue, cv_threads: int | None):
        self.reports = reports
        self.cv_threads = cv_threads

    def unwrap(self, pair):
        report, value = pair
        if report:
            self.reports.put(report)
        return value

    def future(self) -> tuple[Future, callable, callable]:
        """A future and the two callbacks that settle it from a library's result."""
        out: Future = Future()

        def done(pair) -> None:
            try:
                out.set_result(self.unwrap(pair))
            except BaseException as exc:  # noqa: BLE001 - handed to whoever waits
                out.set_exception(exc)

        def failed(exc) -> None:
            out.set_exception(exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))

        return out, done, failed

    def collect(self, pairs, on_first_result) -> list:
        """Results in input order from the library's ordered iterator."""
        return gather(map(self.unwrap, pairs), on_first_result)


class LibraryStrategy(Strategy):
    """What every library strategy shares: its pool is a LibraryPool, a pass is the
    library's ordered map over ``calls``; a strategy whose calls are slices gets one
    list per call back, flattened into one result per image."""

    library = ""

    def worker_pids(self, pool) -> list[int]:
        return pool.worker_pids()

    def run(self, pool, workload, images, on_first_result):
        results = pool.map(self.calls(workload, images), len(images), on_first_result)
        return flatten(results) if self.sliced else results

    def calls(self, workload, images):
        """(function, *args) of every task of one pass, in order: one per image here."""
        return ((tasks.run_one, workload, i, img) for i, img in enumerate(images))
