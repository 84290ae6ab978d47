"""Cases: one workload x image set x strategy x workers x chunk size x start method.

:func:`plan_cases` turns the CLI's choices into the ordered list of cases a run
measures. Serial comes first in every group so a summary can be read top-down.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field

from bench.strategies import START_METHODS, STRATEGIES, auto_chunk_size, default_start_method
from workloads.registry import workload_class
from workloads.images import ImageSetSpec, ImageSize

# The default matrix: seed 002's case (random 50x50 grey, 10,000 images) and the sizes
# users actually save, with photo-like content. Counts give a serial pass of roughly
# half a second here; they are fixed (not adapted to the machine) so that results
# files from two machines contain the same cases and can be compared.
DEFAULT_GROUPS = (
    # workload, size, content, count, quick count
    ("imwrite", "50x50x1", "noise", 10000, 1000),
    ("imencode", "50x50x1", "noise", 10000, None),
    ("imwrite", "256x256x3", "smooth", 500, 64),
    ("imwrite", "640x480x3", "smooth", 120, None),
    ("imwrite", "1920x1080x3", "smooth", 24, None),
)

# Local strategies; Dask ones run in their own, smaller matrix (plan_dask).
DEFAULT_STRATEGIES = tuple(n for n, cls in STRATEGIES.items() if cls.family != "dask")
DASK_STRATEGIES = tuple(n for n, cls in STRATEGIES.items() if cls.family == "dask")


def _matrix_count(workload: str, size: ImageSize, content: str, quick: bool) -> int | None:
    """The default matrix's count for this set, so `--sizes 256x256x3` measures the same
    cases (same names, comparable files) as a full run does."""
    for w, s, c, count, quick_count in DEFAULT_GROUPS:
        if (w, ImageSize.parse(s), c) == (workload, size, content):
            return (quick_count or count // 5) if quick else count
    return None


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
class Case:
    workload: str
    images: ImageSetSpec
    params: dict          # the workload's parameters (codec settings, model options)
    strategy: str
    workers: int = 1
    chunk_size: int | None = None
    start_method: str | None = None
    cv_threads: int | None = None   # cv2.setNumThreads in every worker; None = OpenCV's default
    chunk_rule: str | None = None   # "auto" (follows images/workers) or None (a fixed size)
    out_layout: str | None = None   # "per-task": a folder per task (imwrite); None = one folder

    @property
    def family(self) -> str:
        return STRATEGIES[self.strategy].family

    @property
    def group(self) -> str:
        """The workload and inputs: cases of one group are comparable with each other."""
        if getattr(workload_class(self.workload), "fixed_group", False):
            return f"{self.workload}/{self.label}"
        return f"{self.workload}/{self.images.label}-n{self.images.count}/{self.label}"

    @property
    def label(self) -> str:
        return workload_class(self.workload).from_params(self.params).label

    @property
    def name(self) -> str:
        parts = [self.group, self.strategy, f"w{self.workers}"]
        if self.chunk_size is not None:
            parts.append(f"c{self.chunk_size}")
        if self.start_method is not None:
            parts.append(self.start_method)
        if self.cv_threads is not None:
            parts.append(f"cv{self.cv_threads}")
        if self.out_layout is not None:
            parts.append(f"{self.out_layout}-dirs")
        return "/".join(parts)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["images"] = self.images.as_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Case":
        d = dict(d)
        d["images"] = ImageSetSpec.from_dict(d["images"])
        return cls(**d)


@dataclass(frozen=True)
class Group:
    workload: str
    images: ImageSetSpec


@dataclass
class PlanOptions:
    quick: bool = False
    workloads: list[str] | None = None
    sizes: list[ImageSize] | None = None
    contents: list[str] | None = None
    n_images: int | None = None
    strategies: list[str] = field(default_factory=lambda: list(DEFAULT_STRATEGIES))
    explicit_strategies: tuple = ()   # named by the user: refuse rather than skip
    workers: list[int] | None = None
    chunk_sizes: list[str] = field(default_factory=lambda: ["auto"])
    start_methods: list[str] | None = None
    params: dict = field(default_factory=dict)   # workload parameters, e.g. codec
    seed: int = 0
    cv_threads_variant: bool = False   # also measure cv2.setNumThreads(1) for one size
    layouts: list[str] | None = None   # imwrite output layouts; None: see _layouts_for


def plan_groups(opts: PlanOptions) -> list[Group]:
    groups = []
    if opts.sizes is None and opts.contents is None:
        for workload, size, content, count, quick_count in DEFAULT_GROUPS:
            if opts.workloads is not None and workload not in opts.workloads:
                continue
            if opts.quick:
                if quick_count is None:
                    continue
                count = quick_count
            if opts.n_images is not None:
                count = opts.n_images
            groups.append(Group(workload, ImageSetSpec(ImageSize.parse(size), count, content, opts.seed)))
        return groups
    sizes = opts.sizes or [ImageSize.parse(g[1]) for g in DEFAULT_GROUPS]
    sizes = list(dict.fromkeys(sizes))
    for workload in opts.workloads or ["imwrite"]:
        for size in sizes:
            # grey like seed 002 gets its random noise; colour gets photo-like content
            contents = opts.contents or ["noise" if size.channels == 1 else "smooth"]
            for content in contents:
                count = opts.n_images or _matrix_count(workload, size, content, opts.quick) \
                    or default_count(size, opts.quick)
                groups.append(Group(workload, ImageSetSpec(size, count, content, opts.seed)))
    return groups


def plan_cases(opts: PlanOptions) -> list[Case]:
    workers = opts.workers or worker_sweep()
    start_methods = opts.start_methods or [default_start_method()]
    cases: list[Case] = []
    for group in plan_groups(opts):
        ordered = sorted(opts.strategies, key=lambda s: s != "serial")
        has_model = getattr(workload_class(group.workload), "has_model", False)
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
    return _unique(cases)


# Strategies whose tasks are contiguous slices, measured again with a folder per task
# (imwrite) by default: the fastest of each family, so the layout's effect is shown
# where it decides the answer without doubling the matrix. Layouts the user asks for
# (--layouts) apply to every strategy whose tasks are slices.
LAYOUT_STRATEGIES = ("threads-chunked", "processes-shm", "processes-inherit")


def _layouts_for(cls, workload: str, opts: PlanOptions) -> list[str | None]:
    """Output layouts of one strategy's cases: None is the one-folder layout."""
    if workload != "imwrite":
        return [None]
    asked = opts.layouts or ["flat", "per-task"]
    out = [None] if "flat" in asked or cls.family == "serial" else []
    if "per-task" in asked and cls.sliced and (
            opts.layouts is not None or cls.name in LAYOUT_STRATEGIES):
        out.append("per-task")
    return out


# One size is also measured with cv2.setNumThreads(1) in every worker, so the effect
# of OpenCV's own threads next to a pool's workers is visible (not for every size:
# JPEG encoding barely uses them, and the matrix is long enough).
CV_THREADS_GROUP_SIZE = "640x480x3"
CV_THREADS_STRATEGIES = ("threads-chunked", "processes-chunked", "processes-shm")


def _cv_threads_variant(cases: list[Case]) -> list[Case]:
    from dataclasses import replace

    return [replace(c, cv_threads=1) for c in cases
            if c.images.size.label == CV_THREADS_GROUP_SIZE and c.workload == "imwrite"
            and c.strategy in CV_THREADS_STRATEGIES]


# -- overhead probes ----------------------------------------------------------------
# payload size, images per pass (full), images per pass (quick or None to skip)
OVERHEAD_PAYLOADS = (
    ("1x1x1", 2000, 1000),          # as good as no payload: a 1-pixel array
    ("50x50x1", 2000, 1000),
    ("256x256x3", 500, 200),
    ("640x480x3", 200, None),
    ("1920x1080x3", 40, None),
)


def overhead_payloads(opts: PlanOptions, limit: int | None = None) -> list[tuple[ImageSize, int]]:
    """(payload size, tasks per pass) for round trips and pickling: the default sizes, or
    the user's sizes after the 1-pixel no-payload probe."""
    if opts.sizes:
        pairs = [(ImageSize(1, 1, 1), 1000)] + [(s, default_count(s, opts.quick)) for s in opts.sizes]
    else:
        pairs = [(ImageSize.parse(size), quick if opts.quick else full)
                 for size, full, quick in OVERHEAD_PAYLOADS if not (opts.quick and quick is None)]
    return [(size, opts.n_images or (min(count, limit) if limit else count)) for size, count in pairs]


def plan_overhead(opts: PlanOptions) -> list[Case]:
    from bench.measure.machine import available_cpus

    cpus = available_cpus()
    workers = opts.workers or ([cpus] if opts.quick else worker_sweep())
    methods = opts.start_methods or [m for m in ("fork", "spawn", "forkserver") if m in START_METHODS]
    one_pixel = ImageSetSpec(ImageSize(1, 1, 1), 1, "noise", opts.seed)
    cases = []
    for w in workers:
        cases.append(Case("pool-start", one_pixel, {}, "threads", w))
        cases.extend(Case("pool-start", one_pixel, {}, "processes", w, None, m) for m in methods)
    payloads = overhead_payloads(opts)
    for size, count in payloads:
        spec = ImageSetSpec(size, count, "noise", opts.seed)
        cases.append(Case("roundtrip", spec, {}, "threads", cpus))
        cases.append(Case("roundtrip", spec, {}, "processes", cpus, None, default_start_method()))
    for size, count in payloads:
        if size.nbytes > 1:
            cases.append(Case("pickle", ImageSetSpec(size, count, "noise", opts.seed), {}, "serial"))
    return cases


# The cluster path next to the best local ones, on one size (a cluster pays off per
# task only when the work per task is large; 256x256 shows it without a long run).
DASK_GROUP = ("imwrite", "256x256x3", "smooth", 500, 100)
DASK_LOCAL_PEERS = ("serial", "processes-chunked", "processes-shm")


def plan_dask(opts: PlanOptions, cluster_workers: int | None = None) -> list[Case]:
    """Dask cases: cluster start-up and round trips, then one image set through the
    cluster and through the best local strategies at the same worker count."""
    from bench.measure.machine import available_cpus

    workers = [cluster_workers] if cluster_workers else (opts.workers or [available_cpus()])
    one_pixel = ImageSetSpec(ImageSize(1, 1, 1), 1, "noise", opts.seed)
    cases = [Case("pool-start", one_pixel, {}, "dask", w) for w in workers]
    # a Dask task costs ~1-3 ms: a few hundred round trips measure it well enough
    payloads = overhead_payloads(opts, limit=300)
    for size, count in (payloads if opts.sizes else payloads[:3]):
        for w in workers:
            cases.append(Case("roundtrip", ImageSetSpec(size, count, "noise", opts.seed), {}, "dask", w))
    strategies = list(DASK_LOCAL_PEERS + DASK_STRATEGIES)
    if opts.explicit_strategies:
        strategies = [s for s in strategies if s in opts.explicit_strategies]
    if opts.sizes or opts.workloads:     # the image sets the user asked for
        from dataclasses import replace

        return cases + plan_cases(replace(opts, workers=workers, strategies=strategies,
                                          layouts=opts.layouts or ["flat"],
                                          explicit_strategies=(), cv_threads_variant=False))
    workload, size, content, count, quick_count = DASK_GROUP
    count = opts.n_images or (quick_count if opts.quick else count)
    local = PlanOptions(sizes=[ImageSize.parse(size)], contents=[content], n_images=count,
                        workloads=[workload], workers=workers, seed=opts.seed, params=opts.params,
                        layouts=["flat"],
                        start_methods=opts.start_methods, strategies=strategies)
    return cases + plan_cases(local)


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


def unique_cases(cases: list[Case]) -> list[Case]:
    """Drop repeated cases (same name), keeping the first."""
    return _unique(cases)


def _unique(cases: list[Case]) -> list[Case]:
    seen, out = set(), []
    for c in cases:
        if c.name not in seen:
            seen.add(c.name)
            out.append(c)
    return out
