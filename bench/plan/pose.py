"""The pose matrix: which cases ``python -m bench pose`` measures.

Pose inference costs ~31.5 ms per image on one core here, ~1000x an imwrite of 50x50,
so the full cartesian matrix (every strategy x worker count x start method x image set)
would take an hour. The default plan is curated instead: the whole sweep on one image
set, and on the others only what answers a question of its own.

Full run (``bench pose``), W = usable CPUs capped by memory (300 MiB per worker):

* ``512x512x3-person`` (32 images): serial; every pose strategy but the anti-pattern at
  1, 2, 4 ... 2xCPUs workers under the default start method; the OpenPose script's
  ``processes-model-per-image`` at W; ``processes`` and the cheapest pixel path at W
  under the other start methods (model load and pool start per start method).
* ``256x256x3-person`` (32), ``1280x720x3-person`` (16 letterboxed frames) and
  ``256x256x3-noise`` (32, no person: the detector-only path): serial, threads,
  processes, processes-chunked and the no-pickle strategies at W.

Quick run (``bench pose --quick``, under a minute): ``256x256x3-person`` with 8 images:
serial, threads, processes (pixels pickled), the cheapest pixel path (``processes-shm``
when present, else ``processes-chunked``) and ``processes-model-per-image`` at W;
``256x256x3-noise`` with 8 images: serial and the cheapest path at W.

Any of ``--sizes``, ``--content``, ``--strategies``, ``--workers``, ``--start-method`` or
``--chunk-sizes`` switches to the plain cartesian plan over what was given (pose
defaults for the rest).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from bench.model.case import Case, unique_cases
from bench.plan.matrix import PlanOptions, plan_cases, worker_sweep
from bench.strategies import START_METHODS, STRATEGIES, default_start_method, named
from workloads.images import ImageSize
from workloads.registry import workload_class


def pose_groups() -> tuple:
    """Pose's image groups (its class's ``groups``): size, content, count, quick count
    (None: not in --quick); the first is the main set. Last: in the budgeted race
    (bench.plan.race), which sizes its sets to its budget - True in its --quick run too,
    False in a full run only, None not raced."""
    return tuple((g.size, g.content, g.count, g.quick_count, g.race)
                 for g in workload_class("pose").groups)

NO_PICKLE = ("processes-shm", "processes-inherit")
ANTI_PATTERN = "processes-model-per-image"
WORKER_BYTES = 300 * 1024**2      # MediaPipe worker with a loaded model: 250-300 MB, as the MediaPipe keypoints script measured
POSE_CONTENTS = ("person", "noise")


def pose_strategies() -> list[str]:
    """The pools of this machine that suit a task with a model (each class's
    ``suits_stateful``); the race adds the libraries'."""
    return [n for n in named(suits_stateful=True) if not STRATEGIES[n].library]


def pose_count(size: ImageSize, quick: bool = False) -> int:
    """Images per set for sizes given on the command line: ~1 s (quick ~0.25 s) serial."""
    if quick:
        return 8
    return 32 if size.width * size.height <= 512 * 512 else 16


def memory_cap(available_bytes: int | None = None) -> int:
    if available_bytes is None:
        import psutil

        available_bytes = psutil.virtual_memory().available
    return max(1, int(available_bytes // WORKER_BYTES))


@dataclass
class PoseOptions:
    quick: bool = False
    sizes: list[ImageSize] | None = None
    contents: list[str] | None = None
    n_images: int | None = None
    strategies: list[str] | None = None
    workers: list[int] | None = None
    chunk_sizes: list[str] = field(default_factory=lambda: ["auto"])
    start_methods: list[str] | None = None
    params: dict = field(default_factory=lambda: {"model_complexity": 1, "backend": "solutions"})
    seed: int = 0
    cpus: int | None = None             # default: usable CPUs (affinity, cgroup quota)
    available_bytes: int | None = None  # default: available RAM now

    @property
    def custom(self) -> bool:
        return (any(x is not None for x in (self.sizes, self.contents, self.strategies,
                                            self.workers, self.start_methods))
                or self.chunk_sizes != ["auto"])


def parallel_workers(opts: PoseOptions) -> int:
    """W: one worker per usable CPU, as many as memory holds."""
    if opts.cpus is None:
        from bench.measure.machine import available_cpus

        opts.cpus = available_cpus()
    return max(1, min(opts.cpus, memory_cap(opts.available_bytes)))


def worker_counts(opts: PoseOptions) -> list[int]:
    """1, 2, 4 ... up to twice the CPUs (over-subscription shows), within memory."""
    parallel_workers(opts)
    cap = memory_cap(opts.available_bytes)
    return [w for w in worker_sweep(opts.cpus) if w <= cap] or [1]


def check_sizes(sizes) -> None:
    for size in sizes:
        if size.channels != 3:
            raise ValueError(f"pose needs colour images (WIDTHxHEIGHTx3), got {size.label}")


def _cases(opts: PoseOptions, size: str | ImageSize, content: str, count: int,
           strategies, workers, methods) -> list[Case]:
    strategies = [s for s in strategies if s in STRATEGIES]
    if not strategies:
        return []
    size = size if isinstance(size, ImageSize) else ImageSize.parse(size)
    return plan_cases(PlanOptions(
        workloads=["pose"], sizes=[size], contents=[content],
        n_images=opts.n_images or count, strategies=strategies, workers=list(workers),
        chunk_sizes=opts.chunk_sizes, start_methods=list(methods), params=opts.params,
        seed=opts.seed))


def plan_pose_cases(opts: PoseOptions) -> list[Case]:
    """The ordered pose cases: groups in order, serial first in every group."""
    if opts.sizes is not None:
        check_sizes(opts.sizes)
    if opts.custom:
        return _custom(opts)
    w = parallel_workers(opts)
    default = default_start_method()
    others = [m for m in ("fork", "forkserver", "spawn") if m in START_METHODS and m != default]
    cheapest = [s for s in NO_PICKLE if s in STRATEGIES][:1] or ["processes-chunked"]
    everyday = ["serial", "threads", "processes", "processes-chunked", *NO_PICKLE]
    cases: list[Case] = []
    for k, (size, content, count, quick_count, _) in enumerate(pose_groups()):
        if opts.quick:
            if quick_count is None:
                continue
            if content == "person":
                cases += _cases(opts, size, content, quick_count,
                                ["serial", "threads", "processes", *cheapest, ANTI_PATTERN],
                                [w], [default])
            else:
                cases += _cases(opts, size, content, quick_count, ["serial", *cheapest], [w], [default])
            continue
        if k == 0:
            sweep = [s for s in pose_strategies() if s != ANTI_PATTERN]
            cases += _cases(opts, size, content, count, sweep, worker_counts(opts), [default])
            cases += _cases(opts, size, content, count, [ANTI_PATTERN], [w], [default])
            cases += _cases(opts, size, content, count, ["processes", *cheapest], [w], others)
        else:
            cases += _cases(opts, size, content, count, everyday, [w], [default])
    return unique_cases(cases, group_together=True)


def _custom(opts: PoseOptions) -> list[Case]:
    strategies = opts.strategies or pose_strategies()
    workers = opts.workers or worker_counts(opts)
    methods = opts.start_methods or [default_start_method()]
    if opts.sizes is None:
        groups = [(ImageSize.parse(s), c, q if opts.quick else n)
                  for s, c, n, q, _ in pose_groups() if not opts.quick or q is not None]
        if opts.contents is not None:
            sizes = list(dict.fromkeys(g[0] for g in groups))
            groups = [(s, c, pose_count(s, opts.quick)) for s in sizes for c in opts.contents]
    else:
        contents = opts.contents or list(POSE_CONTENTS)
        groups = [(s, c, pose_count(s, opts.quick)) for s in dict.fromkeys(opts.sizes) for c in contents]
    cases: list[Case] = []
    for size, content, count in groups:
        cases += _cases(opts, size, content, count, strategies, workers, methods)
    return unique_cases(cases, group_together=True)


# Pose through Dask next to the best local pool (bench dask, and the Dask part of all):
# per-image work of ~30 ms is where a cluster's ms-per-task overhead can pay off.
POSE_DASK_GROUP = ("256x256x3", "person", 32, 8)
POSE_DASK_STRATEGIES = ("serial", "processes-chunked", "processes-shm", "dask-chunked", "dask-local")


def plan_pose_dask(opts: PoseOptions, workers: int | None = None) -> list[Case]:
    size, content, count, quick_count = POSE_DASK_GROUP
    w = workers or parallel_workers(opts)
    methods = opts.start_methods or [default_start_method()]
    return _cases(opts, size, content, quick_count if opts.quick else count,
                  POSE_DASK_STRATEGIES, [w], methods)
