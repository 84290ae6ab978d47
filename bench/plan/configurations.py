"""A group's candidate configurations: the cartesian product of the image sets,
strategies, worker counts, chunk sizes, start methods and output layouts asked for.

:func:`plan_cases` turns the planner's choices into the ordered list of cases, the
serial loop first in every group; the planner (bench.plan.planner) tiers them and fits
them to the budget.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from bench.model.case import Case, unique_cases
from bench.strategies import STRATEGIES, auto_chunk_size, default_start_method
from workloads import registry
from workloads.registry import workload_class
from workloads.images import ImageSetSpec, ImageSize


# Local strategies; Dask ones only where a workload adds them (its dask_strategies, in a
# full run) or bench dask asks; those that read files (bench.strategies.decoded, a task
# per sub-folder) only in groups of files.
def default_strategies() -> tuple[str, ...]:
    """The local strategies that need no files, read off the registry at each call."""
    return tuple(n for n, cls in STRATEGIES.items()
                 if cls.family != "dask" and not getattr(cls, "files_only", False))


def default_count(size: ImageSize, quick: bool = False) -> int:
    """Images per set for sizes outside the default matrix: about 0.5 s of JPEG work."""
    seconds_per_image = 40e-6 + 5e-9 * size.nbytes
    count = int(round(0.5 / seconds_per_image))
    if quick:
        count //= 5
    return max(16, min(10000, count))


def worker_sweep(logical_cpus: int | None = None) -> list[int]:
    """1, 2, 4, ... up to twice the logical CPUs, so over-subscription is visible."""
    n = logical_cpus or os.cpu_count() or 1
    top = 2 * n
    sweep, w = [], 1
    while w < top:
        sweep.append(w)
        w *= 2
    sweep.append(top)
    return sweep


@dataclass(frozen=True)
class PlannedGroup:
    workload: str
    images: ImageSetSpec


@dataclass
class PlanOptions:
    quick: bool = False
    workloads: list[str] | None = None
    sizes: list[ImageSize] | None = None
    contents: list[str] | None = None
    n_images: int | None = None
    strategies: list[str] = field(default_factory=lambda: list(default_strategies()))
    explicit_strategies: tuple = ()   # named by the user: refuse rather than skip
    workers: list[int] | None = None
    chunk_sizes: list[str] = field(default_factory=lambda: ["auto"])
    start_methods: list[str] | None = None
    params: dict = field(default_factory=dict)   # workload parameters, e.g. codec
    seed: int = 0
    cv_threads_variant: bool = False   # also measure cv2.setNumThreads(1) for one size
    layouts: list[str] | None = None   # imwrite output layouts; None: see _layouts_for


def plan_groups(opts: PlanOptions) -> list[PlannedGroup]:
    """The image sets asked for: each workload on each size and content (grey sizes get
    the classic saving-images-in-a-loop noise, colour photo-like content)."""
    sizes = list(dict.fromkeys(opts.sizes or []))
    groups = []
    for workload in opts.workloads or [registry.first("codec")]:
        for size in sizes:
            for content in opts.contents or ["noise" if size.channels == 1 else "smooth"]:
                count = opts.n_images or default_count(size, opts.quick)
                groups.append(PlannedGroup(workload, ImageSetSpec(size, count, content, opts.seed)))
    return groups


def plan_cases(opts: PlanOptions) -> list[Case]:
    workers = opts.workers or worker_sweep()
    start_methods = opts.start_methods or [default_start_method()]
    cases: list[Case] = []
    for group in plan_groups(opts):
        ordered = sorted(opts.strategies, key=lambda s: s != "serial")
        has_model = workload_class(group.workload).has_model
        for name in ordered:
            cls = STRATEGIES[name]
            if cls.needs_model and not has_model:
                continue          # e.g. a new model per image means nothing for imwrite
            if cls.family == "serial":
                cases.append(Case(group.workload, group.images, opts.params, name))
                continue
            methods_for_cls = start_methods if cls.family == "processes" else [None]
            if cls.fork_only:
                methods_for_cls = [m for m in start_methods if m == "fork"]
                if not methods_for_cls:
                    if name in opts.explicit_strategies:
                        raise ValueError(f"{name} needs the fork start method (only forked children "
                                         f"inherit the parent's memory); asked for: {', '.join(start_methods)}")
                    continue
            for layout in _layouts_for(cls, group.workload, opts):
                for w in workers:
                    for chunk, rule in _chunks_for(cls, opts.chunk_sizes, group.images.count, w):
                        for method in methods_for_cls:
                            cases.append(Case(group.workload, group.images, opts.params,
                                              name, w, chunk, method, chunk_rule=rule,
                                              out_layout=layout))
    if opts.cv_threads_variant:
        cases.extend(_cv_threads_variant(cases))
    return unique_cases(cases)


# Strategies whose tasks are contiguous slices, measured again with a folder per task
# (imwrite) by default: the fastest of each family (their class's ``layout_default``), so
# the layout's effect is shown where it decides the answer without doubling the matrix.
# Layouts the user asks for (--layouts) apply to every strategy whose tasks are slices.


def _layouts_for(cls, workload: str, opts: PlanOptions) -> list[str | None]:
    """Output layouts of one strategy's cases: None is the one-folder layout."""
    if not registry.has_layouts(workload):
        return [None]
    asked = opts.layouts or ["flat", "per-task"]
    out = [None] if "flat" in asked or cls.family == "serial" else []
    if "per-task" in asked and cls.sliced and (
            opts.layouts is not None or cls.layout_default):
        out.append("per-task")
    return out


# One size is also measured with cv2.setNumThreads(1) in every worker, so the effect
# of OpenCV's own threads next to a pool's workers is visible (not for every size:
# JPEG encoding barely uses them, and the matrix is long enough).
CV_THREADS_GROUP_SIZE = "640x480x3"
CV_THREADS_STRATEGIES = ("threads-chunked", "processes-chunked", "processes-shm")


def _cv_threads_variant(cases: list[Case]) -> list[Case]:
    return [replace(c, cv_threads=1) for c in cases
            if c.images.size.label == CV_THREADS_GROUP_SIZE and workload_class(c.workload).opencv_threads
            and c.strategy in CV_THREADS_STRATEGIES]


def _chunks_for(cls, chunk_sizes: list[str], count: int, workers: int) -> list[tuple]:
    """(chunk size, rule) pairs; the rule ("auto" or None for a fixed size) keeps the
    cases of one chunk policy on one line across worker counts in the analysis."""
    if not cls.chunked:
        return [(None, None)]
    out = {}
    for c in chunk_sizes:
        if c == "auto":
            out.setdefault(auto_chunk_size(cls.name, count, workers), "auto")
        else:
            out.setdefault(min(int(c), count), None)
    return list(out.items())
