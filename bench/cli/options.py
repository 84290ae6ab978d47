"""Parsing and validating command-line values; every problem is one UsageError line."""
from __future__ import annotations

import os
import tempfile

from bench.errors import UsageError
from bench.strategies import START_METHODS, STRATEGIES
from bench.texts import messages
from workloads.images import CONTENTS, ImageSize
from workloads.registry import FAULTS, WORKLOADS

MAX_WORKERS = 512


def split_list(text: str) -> list[str]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise UsageError(messages.EMPTY_LIST.format(text=text))
    return items


def choices(text: str, allowed, what: str, hidden=()) -> list[str]:
    """The items of ``text``, each one of ``allowed`` (the message lists them) or ``hidden``."""
    items = split_list(text)
    for item in items:
        if item not in allowed and item not in hidden:
            raise UsageError(messages.UNKNOWN_CHOICE.format(what=what, item=item, allowed=", ".join(allowed)))
    return list(dict.fromkeys(items))


def strategies(text: str) -> list[str]:
    return choices(text, list(STRATEGIES), "strategy")


def workloads(text: str) -> list[str]:
    """Benchmark workloads; the fault-injection ones (workloads/faults.py) are accepted
    too, but not offered."""
    return choices(text, list(WORKLOADS), "workload", hidden=FAULTS)


def contents(text: str) -> list[str]:
    return choices(text, list(CONTENTS), "content")


def layouts(text: str) -> list[str]:
    from workloads.imwrite import OUT_LAYOUTS

    return choices(text, list(OUT_LAYOUTS), "output layout")


def start_methods(text: str) -> list[str]:
    items = split_list(text)
    for item in items:
        if item not in ("fork", "spawn", "forkserver"):
            raise UsageError(messages.UNKNOWN_CHOICE.format(what="start method", item=item, allowed="fork, spawn, forkserver"))
        if item not in START_METHODS:
            raise UsageError(messages.START_METHOD_MISSING.format(item=item, available=", ".join(START_METHODS)))
    return list(dict.fromkeys(items))


def sizes(text: str) -> list[ImageSize]:
    try:
        return [ImageSize.parse(t) for t in split_list(text)]
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def whole_number(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise UsageError(messages.NOT_A_WHOLE_NUMBER.format(what=what, text=text)) from None


def positive_int(text: str, what: str, maximum: int | None = None) -> int:
    value = whole_number(text, what)
    if value < 1:
        raise UsageError(messages.AT_LEAST_ONE.format(what=what, value=value))
    if maximum is not None and value > maximum:
        raise UsageError(messages.AT_MOST.format(what=what, maximum=maximum, value=value))
    return value


def non_negative_int(text: str, what: str, maximum: int) -> int:
    value = whole_number(text, what)
    if not 0 <= value <= maximum:
        raise UsageError(messages.BETWEEN_ZERO_AND.format(what=what, maximum=maximum, value=value))
    return value


def case_timeout(text: str) -> float | None:
    """Seconds, or ``auto`` (None): scaled to each case's expected work."""
    if text.strip().lower() == "auto":
        return None
    try:
        value = float(text)
    except ValueError:
        raise UsageError(messages.CASE_TIMEOUT_NOT_A_NUMBER.format(text=text)) from None
    if not 0 < value <= 7 * 24 * 3600:      # also refuses nan and inf
        raise UsageError(messages.CASE_TIMEOUT_RANGE.format(text=text))
    return int(value) if value == int(value) else value


def results_file(text: str) -> str:
    path = os.path.abspath(text)
    if not os.path.exists(path):
        raise UsageError(messages.RESUME_NO_FILE.format(text=text))
    if os.path.isdir(path):
        raise UsageError(messages.RESUME_A_FOLDER.format(text=text))
    return path


def worker_counts(text: str) -> list[int]:
    return sorted(set(positive_int(t, "--workers", MAX_WORKERS) for t in split_list(text)))


def chunk_sizes(text: str) -> list[str]:
    return ["auto" if t == "auto" else str(positive_int(t, "--chunk-sizes")) for t in split_list(text)]


def writable_dir(path: str, what: str, create: bool = True) -> str:
    """Make sure ``path`` is a folder we can write to (created if asked)."""
    path = os.path.abspath(path)
    if os.path.exists(path) and not os.path.isdir(path):
        raise UsageError(messages.NOT_A_FOLDER.format(what=what, path=path))
    if create:
        try:
            os.makedirs(path, exist_ok=True)
        except OSError as exc:
            raise UsageError(messages.CANNOT_CREATE.format(what=what, path=path, why=exc.strerror)) from None
    elif not os.path.isdir(path):
        raise UsageError(messages.DOES_NOT_EXIST.format(what=what, path=path))
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".bench-probe-"):
            pass
    except OSError as exc:
        raise UsageError(messages.NOT_WRITABLE.format(what=what, path=path, why=exc.strerror)) from None
    return path


def duration(text: str) -> float:
    from bench.plan.budget import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise UsageError(messages.BAD_BUDGET.format(why=exc)) from None
