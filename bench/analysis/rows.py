"""The row model: one :class:`CaseRow` per measured case, grouped for answers.

Everything that turns results into answers (recommend, compare, plot, report) reads
cases as these rows, so the rules live in one place. A *group* (workload / image set /
parameters) holds the cases that may be compared (overhead workloads are never grouped);
a *line* is one configuration measured at several worker counts. Metadata written by
other parts of bench is optional: a missing key is ``None`` ("not measured").
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from bench.strategies import STRATEGIES
from bench.texts.messages import FOLDER_PER_TASK

from workloads.registry import overheads


def is_overhead_workload(name: str) -> bool:
    """A workload that measures pool mechanics (its class's kind), not work users do."""
    return name in overheads()

# Optional per-case metadata, in bytes (memory) or seconds (the rest).
MEMORY_KEYS = ("mem_worker_uss_peak", "mem_worker_pss_peak", "mem_worker_rss_peak",
               "mem_parent_rss_peak", "mem_parent_uss_peak", "mem_idle_worker_uss",
               "mem_idle_worker_pss", "mem_idle_worker_rss", "mem_parent_growth")
DECOMP_KEYS = ("decomp_startup_s", "decomp_transfer_s", "decomp_work_s", "decomp_work_ideal_s",
               "decomp_contention_s")

# Memory of one worker for "how many fit": USS is what a worker alone holds (pages
# shared after fork are not counted); PSS splits shared pages fairly; RSS counts them
# in every worker, so a ceiling from RSS is conservative.
WORKER_MEMORY_ORDER = (("USS", "mem_worker_uss_peak"), ("PSS", "mem_worker_pss_peak"),
                       ("RSS", "mem_worker_rss_peak"))

# Simpler first: fewer moving parts, less to go wrong in a user's script.
FAMILY_RANK = {"serial": 0, "threads": 1, "processes": 2, "dask": 3}


def numeric(value):
    """A number from metadata, or None (a bool is not a number here)."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def grouped(items, key) -> dict:
    """``key(item)`` -> the items with that key, both in the order first met."""
    out: dict = {}
    for item in items:
        out.setdefault(key(item), []).append(item)
    return out


@dataclass(eq=False)          # rows are compared by identity
class CaseRow:
    name: str
    file: str
    bench: object            # pyperf.Benchmark (values: seconds per image)
    meta: dict
    workload: str
    group: str
    strategy: str
    family: str
    workers: int
    chunk_size: int | None
    start_method: str | None

    @classmethod
    def from_benchmark(cls, bench, file: str = "") -> "CaseRow":
        m = bench.get_metadata()
        chunk = m.get("chunk_size", "none")
        method = m.get("start_method", "none")
        return cls(
            name=bench.get_name() or m.get("name", "?"), file=file, bench=bench, meta=m,
            workload=str(m.get("workload", "?")), group=str(m.get("group", "?")),
            strategy=str(m.get("strategy", "?")), family=str(m.get("family", "?")),
            workers=int(m.get("workers", 1) or 1),
            chunk_size=None if chunk in (None, "none") else int(chunk),
            start_method=None if method in (None, "none") else str(method))

    # -- figures ---------------------------------------------------------------
    @property
    def median_s(self) -> float:
        return self.bench.median()

    @property
    def throughput(self) -> float:
        """Images per second (warm, median)."""
        return 1.0 / self.bench.median()

    @property
    def nvalues(self) -> int:
        return self.bench.get_nvalue()

    @property
    def spread(self) -> float | None:
        """pyperf's std dev relative to the mean; None with fewer than 2 values."""
        return self.bench.stdev() / self.bench.mean() if self.nvalues >= 2 else None

    def get(self, key):
        return numeric(self.meta.get(key))

    @property
    def cold_throughput(self) -> float | None:
        cold = self.get("cold_per_image_s")
        return 1.0 / cold if cold and cold > 0 else None

    @property
    def paired_ratios(self) -> list[float]:
        """Per timed pass, the serial pass timed next to it over the pass itself
        (empty when the case has no paired serial passes, or they do not match up)."""
        serial = self._paired_serial_passes()
        count = self.image_count or 1
        values = self.bench.get_values()          # seconds per image, pass by pass
        if len(serial) != len(values) or not all(v > 0 for v in values):
            return []
        return [s / (v * count) for s, v in zip(serial, values)]

    @property
    def paired_serial_rates(self) -> list[float]:
        """The serial loop's img/s in each pass timed next to this case's own (empty
        without paired passes): what the storage and CPUs gave at those moments."""
        count = self.image_count or 1
        return [count / s for s in self._paired_serial_passes() if s > 0]

    def _paired_serial_passes(self) -> list[float]:
        """Seconds of each serial pass timed next to this case's (empty: none, unreadable)."""
        text = self.meta.get("paired_serial_passes_s")
        if not isinstance(text, str):
            return []
        try:
            return [float(x) for x in text.split()]
        except ValueError:
            return []

    def speedup_over(self, serial: "CaseRow | None") -> float | None:
        """Speedup over the serial loop: ``paired_speedup`` when it has one, else over the
        group's serial case, measured at another time."""
        if self.family == "serial":
            return 1.0
        return self.get("paired_speedup") or (
            self.throughput / serial.throughput if serial is not None else None)

    def worker_memory(self) -> tuple[str, int] | None:
        """(kind, bytes) of one worker's peak memory, best measure available."""
        for kind, key in WORKER_MEMORY_ORDER:
            value = self.get(key)
            if value and value > 0:
                return kind, int(value)
        return None

    # -- identity --------------------------------------------------------------
    @property
    def image_count(self) -> int:
        return int(self.meta.get("image_count", 0) or 0)

    @property
    def params(self) -> str:
        return str(self.meta.get("workload_params", ""))

    @property
    def chunk_policy(self) -> str:
        """"auto" when the chunk size follows the worker count (the rule the planner
        recorded), else the number."""
        if self.chunk_size is None:
            return "none"
        return "auto" if self.meta.get("chunk_rule") == "auto" else str(self.chunk_size)

    @property
    def cv_threads(self) -> int | None:
        """cv2.setNumThreads(N) applied in the workers, or None for OpenCV's default."""
        value = self.meta.get("cv_threads_setting", "none")
        return None if value in (None, "none") else int(value)

    @property
    def folder_per_task(self) -> bool:
        """imwrite's per-task output layout: every task wrote into its own folder."""
        return self.meta.get("out_layout") == "per-task"

    @property
    def line(self) -> tuple[str, str, str]:
        """The configuration measured across worker counts."""
        variant = []                        # a different configuration: never mixed in
        if self.cv_threads is not None:
            variant.append(f"cv={self.cv_threads}")
        if self.folder_per_task:
            variant.append(FOLDER_PER_TASK)
        method = " ".join(filter(None, [self.start_method, *variant]))
        return (self.strategy, self.chunk_policy, method or "none")

    def describe(self, workers: bool = True) -> str:
        parts = [self.strategy]
        if workers and self.family != "serial":
            parts.append(f"w={self.workers}")
        if self.chunk_size is not None:
            parts.append(f"chunk={self.chunk_size}")
        if self.start_method:
            parts.append(self.start_method)
        if self.cv_threads is not None:
            parts.append(f"cv2.setNumThreads({self.cv_threads})")
        if self.folder_per_task:
            parts.append(FOLDER_PER_TASK)
        return " ".join(parts)


def line_label(line: tuple[str, str, str]) -> str:
    strategy, chunk, method = line
    parts = [strategy]
    if chunk not in ("none", "auto"):
        parts.append(f"chunk={chunk}")
    if method != "none":
        parts.append(method)
    return " ".join(parts)


@dataclass
class Group:
    key: str
    rows: list

    @property
    def first(self) -> CaseRow:
        return self.rows[0]

    @property
    def title(self) -> str:
        """Plain words: 'imwrite 50x50x1 noise, 2000 images, jpg-q95'."""
        parts = [self.short_title, f"{self.first.image_count} images"]
        if self.first.params:
            parts.append(self.first.params)
        return ", ".join(parts)

    @property
    def short_title(self) -> str:
        r = self.first
        return f"{r.workload} {r.meta.get('image_size', '?')} {r.meta.get('image_content', '')}".strip()

    @property
    def serial(self) -> CaseRow | None:
        return max((r for r in self.rows if r.family == "serial"), key=lambda r: r.throughput,
                   default=None)

    @property
    def paired(self) -> bool:
        """Every pool case timed the serial loop next to its own passes: the group is
        ranked by those speedups, which a drifting disk or CPU cannot bias."""
        pools = [r for r in self.rows if r.family != "serial"]
        return bool(pools) and self.serial is not None and all(r.paired_ratios for r in pools)

    def rate(self, row: CaseRow) -> float:
        """What configurations are ranked by: paired speedup in a paired group, else
        img/s (the serial loop is 1x by definition)."""
        return row.speedup_over(self.serial) if self.paired else row.throughput

    @property
    def best(self) -> CaseRow:
        """The case ranked first by ``rate`` (the first of equals, in file order)."""
        return max(self.rows, key=self.rate)

    def serial_swing(self) -> float | None:
        """Fastest over slowest of the serial passes timed next to the pools' visits: how
        much the same work's speed changed during the race (a disk's slow minutes)."""
        rates = [x for r in self.rows if r.family != "serial" for x in r.paired_serial_rates]
        return max(rates) / min(rates) if len(rates) >= 2 else None

    def samples(self, row: CaseRow) -> list[float]:
        """The per-pass figures behind ``rate``, for significance tests."""
        if not self.paired:
            return row.bench.get_values()
        return row.paired_ratios if row.family != "serial" else [1.0] * max(2, row.nvalues)

    def lines(self) -> dict[tuple, list]:
        """Non-serial configurations, each with its rows sorted by worker count (the first
        key of simplicity)."""
        return grouped((r for r in sorted(self.rows, key=simplicity) if r.family != "serial"),
                       lambda r: r.line)


def simplicity(row: CaseRow, default_method: str | None = None) -> tuple:
    """Sort key: fewer workers, then the simpler family, strategy (the rank its class
    declares; one no class declares, from another version, last), one output folder
    before a folder per task (it keeps the user's layout), start method; the name last."""
    cls = STRATEGIES.get(row.strategy)
    strategy_rank = cls.simplicity if cls is not None else math.inf
    method = row.start_method or ""
    method_rank = 0 if method in ("", default_method) else 1
    return (row.workers, FAMILY_RANK.get(row.family, 9), strategy_rank, row.folder_per_task,
            method_rank, method, row.chunk_size or 0, row.strategy)
