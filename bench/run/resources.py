"""Before a run: will it fit on the disk and in memory? (docs/failures.md, "Not enough
room"). The estimates are generous upper bounds: they guard against swapping and a full
disk, not against a few percent of error. Workloads may refine them
(``bytes_written_per_image(size, params)``, ``memory_per_worker``).
"""
from __future__ import annotations

import math
import shutil
import tempfile
from dataclasses import dataclass

from bench.measure.machine import memory_available
from bench.texts import messages
from bench.texts.units import format_bytes_rough
from workloads.registry import workload_class

MiB = 1024 ** 2
GiB = 1024 ** 3
BLOCK = 4096

CASE_PROCESS_BASE = 150 * MiB      # interpreter + numpy + OpenCV in the case process
WORKER_BASE = 80 * MiB             # the same in each process-pool worker
THREAD_BASE = 2 * MiB
MEMORY_HEADROOM = 0.9              # use at most this share of the memory available
RESULTS_BYTES_PER_CASE = 16 * 1024
DISK_MARGIN = 64 * MiB


class NotEnoughResources(Exception):
    """The run cannot fit on this machine: one line for the user."""


def _hook(case, name):
    try:
        cls = workload_class(case.workload)
    except ValueError:
        return None
    return getattr(cls, name)      # every hook is declared on workloads.base.Workload


def bytes_written(case) -> int:
    """Most bytes a case has on disk at once (0 for workloads that write nothing): two
    passes of files (the last timed one, kept for verification, and the serial
    reference), each at the encoder's worst case (noise) in whole 4 KiB blocks."""
    hook = _hook(case, "bytes_written_per_image")
    size = case.images.size
    if hook is not None:
        per_image = int(hook(size, case.params))
    elif case.workload == "imwrite":
        if case.params.get("name") == "png":
            per_image = size.nbytes * 1.05 + 1024
        else:   # JPEG of noise: up to 2x the raw grey bytes at q100; colour is subsampled
            per_image = size.nbytes * (2.1 if size.channels == 1 else 1.0) + 1024
    else:
        return 0
    per_file = math.ceil(per_image / BLOCK) * BLOCK
    return 2 * case.images.count * per_file


def memory_needed(case) -> int:
    """The case process holds the image set about three times over (the set, tasks
    waiting to be pickled, results); each process worker its interpreter plus a task."""
    images = case.images
    need = CASE_PROCESS_BASE + 3 * images.nbytes
    if case.family == "processes":
        per_worker = _hook(case, "memory_per_worker") or WORKER_BASE
        per_task = images.size.nbytes * (case.chunk_size or 1)
        need += case.workers * (int(per_worker) + 2 * min(per_task, images.nbytes))
    elif case.family == "threads":
        need += case.workers * THREAD_BASE
    return int(need)


def disk_free(path: str) -> int:
    return shutil.disk_usage(path).free


@dataclass
class Skipped:
    name: str
    reason: str


def check_disk(cases, out_dir: str | None, results_dir: str) -> None:
    free = disk_free(results_dir)
    need = RESULTS_BYTES_PER_CASE * (len(cases) + 10)
    if free < need:
        raise NotEnoughResources(
            messages.NO_DISK_FOR_RESULTS.format(where=results_dir, free=format_bytes_rough(free),
                                                need=format_bytes_rough(need)))
    largest, case = max(((bytes_written(c), c) for c in cases), key=lambda t: t[0], default=(0, None))
    if not largest:
        return
    where = out_dir or tempfile.gettempdir()
    free = disk_free(where)
    if largest + DISK_MARGIN > free:
        raise NotEnoughResources(
            messages.NO_DISK_FOR_IMAGES.format(where=where, case=case.name,
                                               largest=format_bytes_rough(largest),
                                               free=format_bytes_rough(free)))


def check_memory(cases, available: int | None = None):
    """Return (cases that fit, [Skipped]); raise if none fits."""
    available = memory_available() if available is None else available
    budget = available * MEMORY_HEADROOM
    needs = [(memory_needed(c), c) for c in cases]
    fit = [c for need, c in needs if need <= budget]
    skipped = [(need, c) for need, c in needs if need > budget]
    if skipped and not fit:
        need, case = max(skipped, key=lambda t: t[0])
        raise NotEnoughResources(
            messages.NO_MEMORY.format(available=format_bytes_rough(available), case=case.name,
                                      need=format_bytes_rough(need)))
    return fit, [Skipped(c.name, messages.NEEDS_MEMORY.format(need=format_bytes_rough(n),
                                                             available=format_bytes_rough(available)))
                 for n, c in skipped]


def check(cases, out_dir: str | None, results_dir: str, echo=print):
    """Run both checks before a run; returns (cases to run, [Skipped])."""
    cases, skipped = check_memory(cases)
    if skipped:
        worst = skipped[-1]
        echo(messages.SKIPPING_FOR_MEMORY.format(skipped=len(skipped), planned=len(cases) + len(skipped),
                                                 example=worst.name, why=worst.reason))
    check_disk(cases, out_dir, results_dir)
    return cases, skipped
