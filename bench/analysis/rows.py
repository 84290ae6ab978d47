"""Results files as rows: one :class:`CaseRow` per measured case, grouped for answers.

Everything that turns results into answers (recommend, compare, plot, report) reads
cases through this module, so the rules live in one place:

* throughput is images per second from pyperf's median of the warm values
  (seconds per image): ``1 / Benchmark.median()``;
* the spread is pyperf's standard deviation relative to the mean (needs 2 values);
* a *group* (workload / image set / parameters) holds the cases that may be compared;
  overhead workloads (pool-start, roundtrip, pickle) measure pool mechanics, not image throughput, so they are
  kept in the flat table but never grouped for recommendations or throughput charts;
* a *line* is one way of running the work (strategy, chunk policy, start method)
  measured at several worker counts: what a scaling model is fitted to.

Metadata written by other parts of bench (memory, time decomposition, model loading)
is optional: a missing key is ``None`` and every consumer says "not measured".
"""
from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from bench.output.messages import FOLDER_PER_TASK
from bench.output.units import format_bytes
from bench.results import ResultsError, ResultsFile, newest_results
from bench.strategies import STRATEGIES, auto_chunk_size

from workloads.registry import OVERHEADS   # workloads that measure pool mechanics


def is_overhead_workload(name: str) -> bool:
    return name in OVERHEADS

# Optional per-case metadata, in bytes (memory) or seconds (the rest).
MEMORY_KEYS = ("mem_worker_uss_peak", "mem_worker_pss_peak", "mem_worker_rss_peak",
               "mem_parent_rss_peak", "mem_parent_uss_peak", "mem_idle_worker_uss",
               "mem_idle_worker_pss", "mem_idle_worker_rss", "mem_parent_growth")
DECOMP_KEYS = ("decomp_startup_s", "decomp_transfer_s", "decomp_work_s", "decomp_work_ideal_s",
               "decomp_contention_s")
SECONDS_KEYS = ("cold_total_s", "cold_per_image_s", "first_result_s", "model_load_s") + DECOMP_KEYS

# Memory of one worker for "how many fit": USS is what a worker alone holds (pages
# shared after fork are not counted); PSS splits shared pages fairly; RSS counts them
# in every worker, so a ceiling from RSS is conservative.
WORKER_MEMORY_ORDER = (("USS", "mem_worker_uss_peak"), ("PSS", "mem_worker_pss_peak"),
                       ("RSS", "mem_worker_rss_peak"))

# Simpler first: fewer moving parts, less to go wrong in a user's script.
FAMILY_RANK = {"serial": 0, "threads": 1, "processes": 2, "dask": 3}


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@dataclass(eq=False)          # rows are compared by identity
class CaseRow:
    """One measured case, with the figures answers need."""
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
        if self.nvalues < 2:
            return None
        return self.bench.stdev() / self.bench.mean()

    def get(self, key):
        """An optional numeric metadata value, or None when this file lacks it."""
        return _number(self.meta.get(key))

    @property
    def cold_throughput(self) -> float | None:
        cold = self.get("cold_per_image_s")
        return 1.0 / cold if cold and cold > 0 else None

    @property
    def paired_ratios(self) -> list[float]:
        """Per timed pass, the serial pass timed right before it over the pass itself
        (empty when the case has no paired serial passes, or they do not match up)."""
        text = self.meta.get("paired_serial_passes_s")
        if not isinstance(text, str):
            return []
        try:
            serial = [float(x) for x in text.split()]
        except ValueError:
            return []
        count = self.image_count or 1
        values = self.bench.get_values()          # seconds per image, pass by pass
        if len(serial) != len(values) or not all(v > 0 for v in values):
            return []
        return [s / (v * count) for s, v in zip(serial, values)]

    def speedup_over(self, serial: "CaseRow | None") -> float | None:
        """Speedup over the serial loop: from the serial passes timed alternately with
        this case's own (``paired_speedup``) when it has them, else from the group's
        serial case, measured at another time."""
        if self.family == "serial":
            return 1.0
        paired = self.get("paired_speedup")
        if paired:
            return paired
        return self.throughput / serial.throughput if serial is not None else None

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
        # files written before the workload registry called it "codec"
        return str(self.meta.get("workload_params", self.meta.get("codec", "")))

    @property
    def chunk_policy(self) -> str:
        """"auto" when the chunk size follows the worker count, else the number."""
        if self.chunk_size is None:
            return "none"
        rule = self.meta.get("chunk_rule")
        if rule is not None:                       # recorded by the planner
            return "auto" if rule == "auto" else str(self.chunk_size)
        # files from before the rule was recorded: infer it
        if self.chunk_size == auto_chunk_size(self.strategy, self.image_count, self.workers):
            return "auto"
        return str(self.chunk_size)

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
        method = self.start_method or "none"
        variant = []                        # a different configuration: never mixed in
        if self.cv_threads is not None:
            variant.append(f"cv={self.cv_threads}")
        if self.folder_per_task:
            variant.append(FOLDER_PER_TASK)
        if variant:
            method = " ".join(([self.start_method] if self.start_method else []) + variant)
        return (self.strategy, self.chunk_policy, method)

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
        r = self.first
        parts = [f"{r.workload} {r.meta.get('image_size', '?')} {r.meta.get('image_content', '')}".strip(),
                 f"{r.image_count} images"]
        if r.params:
            parts.append(r.params)
        return ", ".join(parts)

    @property
    def short_title(self) -> str:
        r = self.first
        return f"{r.workload} {r.meta.get('image_size', '?')} {r.meta.get('image_content', '')}".strip()

    @property
    def serial(self) -> CaseRow | None:
        rows = [r for r in self.rows if r.family == "serial"]
        return max(rows, key=lambda r: r.throughput) if rows else None

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

    def samples(self, row: CaseRow) -> list[float]:
        """The per-pass figures behind ``rate``, for significance tests."""
        if not self.paired:
            return row.bench.get_values()
        return row.paired_ratios if row.family != "serial" else [1.0] * max(2, row.nvalues)

    def lines(self) -> "OrderedDict[tuple, list]":
        """Non-serial configurations, each with its rows sorted by worker count."""
        out: OrderedDict[tuple, list] = OrderedDict()
        for r in sorted(self.rows, key=lambda r: (simplicity(r), r.workers)):
            if r.family != "serial":
                out.setdefault(r.line, []).append(r)
        for rows in out.values():
            rows.sort(key=lambda r: r.workers)
        return out


def simplicity(row: CaseRow, default_method: str | None = None) -> tuple:
    """Sort key: fewer workers, then the simpler family, strategy, start method; one
    output folder before a folder per task (it keeps the user's layout)."""
    names = list(STRATEGIES)
    strategy_rank = names.index(row.strategy) if row.strategy in names else len(names)
    method = row.start_method or ""
    method_rank = 0 if method in ("", default_method) else 1
    return (row.workers, FAMILY_RANK.get(row.family, 9), strategy_rank, row.folder_per_task,
            method_rank, method, row.chunk_size or 0)


@dataclass
class Machine:
    """Who measured: the facts every answer and chart names."""
    hostname: str
    cpu_model: str
    cpus: int | None
    capacity: float | None
    mem_available: int | None
    mem_total: int | None
    started: str
    default_start_method: str | None
    raw: dict = field(default_factory=dict)

    @classmethod
    def from_results(cls, results: ResultsFile) -> "Machine":
        m = dict(results.run.get("machine", {}))
        if results.benchmarks:          # files where run metadata was lost: per-case copy
            for k, v in results.benchmarks[0].get_metadata().items():
                if k.startswith("bench_") or k in ("hostname", "cpu_model_name"):
                    m.setdefault(k, v)
        cap = results.run.get("capacity", {}).get("capacity", m.get("bench_parallel_capacity"))
        return cls(hostname=str(m.get("hostname", "?")),
                   cpu_model=str(m.get("bench_cpu_model", m.get("cpu_model_name", "?"))),
                   cpus=_number(m.get("bench_available_cpus")),
                   capacity=_number(cap),
                   mem_available=_number(m.get("bench_mem_available")),
                   mem_total=_number(m.get("bench_mem_total")),
                   started=str(results.run.get("started", "")),
                   default_start_method=m.get("bench_default_start_method"),
                   raw=m)

    @property
    def date(self) -> str:
        """'2026-11-22 02:47 UTC' from the ISO start time (as written when unparsable)."""
        try:
            when = datetime.fromisoformat(self.started)
        except ValueError:
            return self.started or "date unknown"
        zone = " UTC" if when.utcoffset() is not None and not when.utcoffset() else ""
        return when.strftime("%Y-%m-%d %H:%M") + zone

    def subtitle(self) -> str:
        """One line under every chart title: which machine, when."""
        parts = [self.hostname, self.cpu_model]
        if self.cpus:
            parts.append(f"{self.cpus} CPUs")
        if self.capacity:
            parts.append(f"parallel capacity {self.capacity:.2f}")
        parts.append(self.date)
        return " - ".join(parts)

    def summary(self) -> str:
        parts = [self.cpu_model]
        if self.cpus:
            parts.append(f"{self.cpus} CPUs")
        parts.append(f"parallel capacity {self.capacity:.2f}" if self.capacity
                     else "parallel capacity not measured")
        if self.mem_available:
            parts.append(f"{format_bytes(self.mem_available)} RAM available")
        return f"{self.hostname} ({', '.join(parts)})"


@dataclass
class Analysis:
    """One results file, as rows and groups."""
    results: ResultsFile
    machine: Machine
    rows: list

    @property
    def path(self) -> str:
        return self.results.path

    @property
    def stem(self) -> str:
        return os.path.splitext(os.path.basename(self.path))[0]

    def groups(self) -> list[Group]:
        """Throughput groups (overhead workloads (pool-start, roundtrip, pickle) excluded), in file order."""
        out: OrderedDict[str, list] = OrderedDict()
        for r in self.rows:
            if not is_overhead_workload(r.workload):
                out.setdefault(r.group, []).append(r)
        return [Group(k, v) for k, v in out.items()]


def analyse(results: ResultsFile) -> Analysis:
    rows = [CaseRow.from_benchmark(b, results.path) for b in results.benchmarks]
    return Analysis(results, Machine.from_results(results), rows)


def resolve_paths(paths: list[str] | None, results_dir: str = "results") -> list[str]:
    """The files given, or the newest one in ``results_dir``."""
    if paths:
        return list(paths)
    newest = newest_results(results_dir)
    if newest is None:
        raise ResultsError(f"no results file in {results_dir}/; run `python -m bench all` first "
                           "or name a results file")
    return [newest]


def load(paths: list[str] | None, results_dir: str = "results") -> list[Analysis]:
    """Load and analyse; any unusable file raises ResultsError (one line)."""
    out = []
    for path in resolve_paths(paths, results_dir):
        results = ResultsFile.load(path)
        if not results.benchmarks:
            raise ResultsError(f"{path}: no measured cases in this results file"
                               + (f" ({len(results.failed)} failed)" if results.failed else ""))
        out.append(analyse(results))
    return out


# -- the flat table (CSV, report) ---------------------------------------------

TABLE_COLUMNS = (
    "name", "workload", "image_size", "image_content", "image_count", "params", "strategy",
    "family", "workers", "chunk_size", "start_method", "out_layout", "values", "median_s_per_image",
    "stdev_s_per_image", "img_per_s", "spread_pct", "speedup", "efficiency_pct",
    "cold_img_per_s", "first_result_s") + MEMORY_KEYS + DECOMP_KEYS + (
    "model_load_s", "verified", "hostname", "file")


def table(analysis: Analysis) -> list[dict]:
    """Every case as one flat dict (columns: TABLE_COLUMNS); None where not measured."""
    serial = {g.key: g.serial for g in analysis.groups()}
    capacity = analysis.machine.capacity
    out = []
    for r in analysis.rows:
        speedup = r.speedup_over(serial.get(r.group))
        spread = r.spread
        row = {
            "name": r.name, "workload": r.workload, "image_size": r.meta.get("image_size"),
            "image_content": r.meta.get("image_content"), "image_count": r.image_count,
            "params": r.params, "strategy": r.strategy, "family": r.family, "workers": r.workers,
            "chunk_size": r.chunk_size, "start_method": r.start_method,
            "out_layout": r.meta.get("out_layout") if r.workload == "imwrite" else None,
            "values": r.nvalues,
            "median_s_per_image": r.median_s,
            "stdev_s_per_image": r.bench.stdev() if r.nvalues >= 2 else None,
            "img_per_s": r.throughput,
            "spread_pct": 100 * spread if spread is not None else None,
            "speedup": speedup,
            "efficiency_pct": 100 * speedup / capacity if speedup and capacity else None,
            "cold_img_per_s": r.cold_throughput, "first_result_s": r.get("first_result_s"),
            "verified": r.meta.get("verified"), "hostname": r.meta.get("hostname"),
            "file": os.path.basename(r.file),
        }
        for key in MEMORY_KEYS + DECOMP_KEYS + ("model_load_s",):
            row[key] = r.get(key)
        if is_overhead_workload(r.workload):
            # values are not seconds per image: no throughput or speedup to speak of
            row.update(img_per_s=None, speedup=None, efficiency_pct=None)
        out.append(row)
    return out
