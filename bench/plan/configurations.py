"""A group's candidate configurations: the cartesian product of the image sets,
strategies, worker counts, chunk sizes, start methods and output layouts asked for."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from bench.model.case import Case, unique_cases
from bench.strategies import STRATEGIES, auto_chunk_size, default_start_method, mp_pool
from workloads import registry
from workloads.registry import workload_class
from workloads.images import ImageSetSpec, ImageSize


def default_strategies() -> tuple[str, ...]:
    """The local strategies that need no files, read off the registry at each call (Dask's
    where a workload or bench dask adds them)."""
    return tuple(n for n, cls in STRATEGIES.items()
                 if cls.family != "dask" and not cls.files_only)


def default_count(size: ImageSize, quick: bool = False) -> int:
    """Images per set for sizes outside the default matrix: about 0.5 s of JPEG work."""
    seconds_per_image = 40e-6 + 5e-9 * size.nbytes
    count = int(round(0.5 / seconds_per_image))
    if quick:
        count //= 5
    return max(16, min(10000, count))


def worker_sweep(logical_cpus: int | None = None) -> list[int]:
    """1, 2, 4, ... up to twice the logical CPUs, so over-subscription is visible."""
    top = 2 * (logical_cpus or os.cpu_count() or 1)
    return [2 ** k for k in range((top - 1).bit_length())] + [top]


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


def codec_sets(workloads: list | None, sizes: list, contents: list | None) -> list[tuple]:
    """(workload, size, content): each codec workload on each size and content asked for
    (grey sizes get the classic saving-images-in-a-loop noise, colour photo-like content)."""
    return [(workload, size, content) for workload in workloads or [registry.first("codec")]
            for size in dict.fromkeys(sizes)
            for content in contents or ["noise" if size.channels == 1 else "smooth"]]


def _image_sets(opts: PlanOptions) -> list[tuple[str, ImageSetSpec]]:
    return [(workload, ImageSetSpec(size, opts.n_images or default_count(size, opts.quick), content,
                                    opts.seed))
            for workload, size, content in codec_sets(opts.workloads, opts.sizes or [], opts.contents)]


def plan_cases(opts: PlanOptions, image_sets: list | None = None,
               on_files: bool = False) -> list[Case]:
    """Every configuration asked for, the serial loop first in every image set
    (``image_sets``: [(workload, set)], those of ``opts`` by default; ``on_files``: a
    group of files, see :func:`chunks_for`)."""
    workers = opts.workers or worker_sweep()
    start_methods = opts.start_methods or [default_start_method()]
    ordered = sorted(opts.strategies, key=lambda s: s != "serial")
    cases: list[Case] = []
    for workload, images in image_sets or _image_sets(opts):
        has_model = workload_class(workload).has_model
        for name in ordered:
            cls = STRATEGIES[name]
            if cls.needs_model and not has_model:
                continue          # e.g. a new model per image means nothing for imwrite
            if cls.family == "serial":
                cases.append(Case(workload, images, opts.params, name))
                continue
            methods_for_cls = start_methods if cls.family == "processes" else [None]
            if cls.fork_only:
                methods_for_cls = [m for m in start_methods if m == "fork"]
                if not methods_for_cls:
                    if name in opts.explicit_strategies:
                        raise ValueError(f"{name} needs the fork start method (only forked children "
                                         f"inherit the parent's memory); asked for: {', '.join(start_methods)}")
                    continue
            for layout in _layouts_for(cls, workload, opts):
                for w in workers:
                    for chunk, rule in chunks_for(cls, opts.chunk_sizes, images.count, w, on_files):
                        for method in methods_for_cls:
                            cases.append(Case(workload, images, opts.params, name, w, chunk, method,
                                              chunk_rule=rule, out_layout=layout))
    if opts.cv_threads_variant:
        cases.extend(_cv_threads_variant(cases))
    return unique_cases(cases)


def _layouts_for(cls, workload: str, opts: PlanOptions) -> list[str | None]:
    """Output layouts of one strategy's cases: None is the one-folder layout. A folder
    per task by default only for the fastest of each family (``layout_default``), for
    every strategy whose tasks are slices when --layouts asks."""
    if not registry.has_layouts(workload):
        return [None]
    asked = opts.layouts or ["flat", "per-task"]
    out = [None] if "flat" in asked or cls.family == "serial" else []
    if "per-task" in asked and cls.sliced and (
            opts.layouts is not None or cls.layout_default):
        out.append("per-task")
    return out


# one size is also measured with cv2.setNumThreads(1) in every worker: OpenCV's own
# threads next to a pool's workers (JPEG encoding barely uses them elsewhere)
CV_THREADS_GROUP_SIZE = "640x480x3"
CV_THREADS_STRATEGIES = ("threads-chunked", "processes-chunked", "processes-shm")


def _cv_threads_variant(cases: list[Case]) -> list[Case]:
    return [replace(c, cv_threads=1) for c in cases
            if c.images.size.label == CV_THREADS_GROUP_SIZE and workload_class(c.workload).opencv_threads
            and c.strategy in CV_THREADS_STRATEGIES]


def chunks_for(cls, chunk_sizes: list[str], count: int, workers: int,
               on_files: bool = False) -> list[tuple]:
    """(chunk size, rule) pairs; the rule ("auto" or None for a fixed size) keeps the
    cases of one chunk policy on one line across worker counts in the analysis. In a
    group of files a strategy without an ``auto`` rule (the Pool API) takes Pool.map's."""
    if not cls.chunked:
        return [(None, None)]
    out = {}
    for c in chunk_sizes:
        if c == "auto":
            size = auto_chunk_size(cls.name, count, workers)
            if size is None and on_files:
                size = mp_pool.pool_chunksize(count, workers)
            out.setdefault(size, "auto")
        else:
            out.setdefault(min(int(c), count), None)
    return list(out.items())
