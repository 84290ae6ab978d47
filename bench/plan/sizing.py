"""What the machine allows a plan: worker counts from the usable CPUs and the memory,
image counts from the worker counts, the time a pass should take and the memory there is."""
from __future__ import annotations

import math
from dataclasses import dataclass

from workloads.images import MAX_SET_BYTES
from workloads.registry import workload_class

# every worker gets at least this many images at the largest worker count: fewer, and
# most of a pass is idle workers waiting for the last task
MIN_IMAGES_PER_WORKER = 8
# ... unless memory caps the set (big images on many CPUs): with 8 a 256-CPU machine's
# 1920x1080 set fed at most 128 workers, and its best count could not be searched past W/2
MIN_IMAGES_PER_WORKER_CAPPED = 4
# an image set may take this share of the memory available (held SET_COPIES times: the
# set, a shared-memory copy, slices waiting to be pickled)
SET_MEMORY_SHARE = 0.15
SET_COPIES = 3
# a pass should last this long on the parallel side (quick, full), and the paired
# serial pass at most this long (a longer set is paired over a prefix)
PASS_S = {"quick": 0.06, "full": 0.12}
SERIAL_MAX_S = {"quick": 0.3, "full": 0.5}
# pool workers may take this share of the memory available, all of them together
WORKER_MEMORY_SHARE = 0.5
WORKER_BYTES = 80 * 1024 ** 2      # an interpreter with numpy and OpenCV


def worker_ladder(usable: int, top: int | None = None) -> list[int]:
    """1, 2, 4, ... up to 2 x usable, plus the usable count itself when it is not a power
    of two (6 CPUs: 1, 2, 4, 6, 8, 12); ``top`` caps it (memory, fewest images)."""
    usable = max(1, int(usable))
    limit = 2 * usable
    ladder = sorted({2 ** k for k in range(limit.bit_length())} | {usable, limit})
    if top is not None:
        ladder = [w for w in ladder if w <= top] or [1]
    return ladder


def worker_cap(workload: str, memory_available: int) -> int:
    per_worker = workload_class(workload).memory_per_worker or WORKER_BYTES
    return max(1, int(memory_available * WORKER_MEMORY_SHARE // per_worker))


def neighbours(ladder: list[int], w: int) -> list[int]:
    """The worker counts next to ``w`` on the ladder (below and above)."""
    if w not in ladder:
        return []
    i = ladder.index(w)
    return [ladder[j] for j in (i - 1, i + 1) if 0 <= j < len(ladder)]


@dataclass(frozen=True)
class SetSize:
    """How many images a group's set holds and how many workers it can feed."""
    count: int
    max_workers: int          # the largest worker count the set feeds with 8 images each (4 if capped)
    serial_slice: int         # images the paired serial pass covers (the whole set, or a sample)
    capped_by: str = ""       # "memory" when the set was made smaller than asked


def size_set(seconds_per_image: float, image_bytes: int, usable: int, max_workers: int,
             memory_available: int, pass_s: float, serial_max_s: float,
             fixed_count: int | None = None, max_count: int | None = None,
             files: int | None = None) -> SetSize:
    """Images for one group: at least MIN_IMAGES_PER_WORKER per worker at ``max_workers``,
    and enough for a pass on ``min(max_workers, usable)`` workers to last ``pass_s``, but
    within the memory and ``max_count`` (the naive per-image process pool passes a few
    thousand tasks a second whatever the cores). ``files``: a folder's file count, never
    passed (81 files feed 4 workers with 80). The paired serial pass covers the set, or
    a sample lasting ``serial_max_s``."""
    t = max(seconds_per_image, 1e-7)
    parallel = max(1, min(max_workers, usable))
    wanted = math.ceil(pass_s * parallel / t)
    if max_count is not None:
        wanted = min(wanted, max_count)
    wanted = max(MIN_IMAGES_PER_WORKER * max_workers, wanted)
    if fixed_count is not None:
        wanted = fixed_count
    cap = max(1, int(memory_available * SET_MEMORY_SHARE // max(1, SET_COPIES * image_bytes)))
    # and never past the largest set an image set may be (a larger one is refused)
    cap = max(1, min(cap, MAX_SET_BYTES // max(1, image_bytes)))
    limit = cap if files is None else min(cap, max(1, files))
    # a count the user gave is theirs: an image set too large is refused when it is made
    count = wanted if fixed_count is not None else min(wanted, limit)
    capped_by = "memory" if fixed_count is None and cap < wanted else ""
    per_worker = MIN_IMAGES_PER_WORKER_CAPPED if capped_by else MIN_IMAGES_PER_WORKER
    workers = max(1, min(max_workers, count // per_worker)) if fixed_count is None \
        else max_workers
    if fixed_count is None and workers > 1:
        # round up to a multiple of the worker count: every worker the same share
        up = math.ceil(count / workers) * workers
        count = up if up <= limit else (count // workers) * workers
    serial = max(1, min(count, math.ceil(serial_max_s / t)))
    return SetSize(count, workers, serial, capped_by)
