"""The end-of-run summary: per group, serial throughput and the best case.

Throughput is images per second from the median of a case's values (pyperf's
median); speedup is serial median over best median; efficiency is that speedup
divided by the measured parallel capacity (not by a core count).
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from bench.output import messages
from bench.measure.capacity import LOW_SHARE, capacity_is_low
from bench.output.table import Table
from bench.output.units import format_ms, format_us
from workloads.registry import OVERHEADS


@dataclass
class GroupSummary:
    group: str
    serial: object | None          # pyperf.Benchmark
    best: object | None
    cases: list

    @property
    def speedup(self) -> float | None:
        """The best case's speedup: from its paired serial passes when it has them."""
        if self.best is None:
            return None
        paired = paired_speedup(self.best)
        if paired is not None:
            return paired
        if self.serial is None:
            return None
        return self.serial.median() / self.best.median()


def meta(bench, key, default=None):
    return bench.get_metadata().get(key, default)


def group_benchmarks(benchmarks) -> "OrderedDict[str, list]":
    groups: OrderedDict[str, list] = OrderedDict()
    for b in benchmarks:
        groups.setdefault(meta(b, "group", "?"), []).append(b)
    return groups


def paired_speedup(bench) -> float | None:
    """A case's speedup over serial passes timed next to its own; 1 for the serial loop."""
    if meta(bench, "strategy") == "serial":
        return 1.0
    value = meta(bench, "paired_speedup")
    return value if isinstance(value, (int, float)) else None


def ranking(cases):
    """Sort key for "best": paired speedup when every case has one (what a drifting disk
    cannot reorder, see bench/timing.py), else the median img/s."""
    if all(paired_speedup(b) is not None for b in cases):
        return paired_speedup
    return lambda b: 1.0 / b.median()


def summarize(benchmarks) -> list[GroupSummary]:
    out = []
    for group, cases in group_benchmarks(benchmarks).items():
        serial = next((b for b in cases if meta(b, "strategy") == "serial"), None)
        best = max(cases, key=ranking(cases))
        out.append(GroupSummary(group, serial, best, cases))
    return out


def describe_case(bench) -> str:
    m = bench.get_metadata()
    parts = [m.get("strategy", "?")]
    if m.get("strategy") != "serial":
        parts.append(f"w={m.get('workers')}")
    if m.get("chunk_size", "none") != "none":
        parts.append(f"chunk={m.get('chunk_size')}")
    if m.get("start_method", "none") != "none":
        parts.append(m.get("start_method"))
    if m.get("cv_threads_setting", "none") != "none":
        parts.append(f"cv2.setNumThreads({m.get('cv_threads_setting')})")
    if m.get("out_layout") == "per-task":
        parts.append(messages.FOLDER_PER_TASK)
    return " ".join(str(p) for p in parts)


def header(run: dict) -> str:
    m = run.get("machine", {})
    cap = run.get("capacity", {}).get("capacity")
    cap_text = f"{cap:.2f}" if isinstance(cap, (int, float)) else "not measured"
    return (f"bench on {m.get('hostname', '?')} - {m.get('bench_cpu_model', '?')}, "
            f"{m.get('bench_available_cpus', '?')} CPUs available, parallel capacity {cap_text} - "
            f"{run.get('started', '?')}")


def is_overhead(bench) -> bool:
    return meta(bench, "workload") in OVERHEADS


def throughput_section(benchmarks, capacity) -> list[str]:
    cols = ("group", "serial img/s", "best measured", "img/s", "speedup", "efficiency", "cold img/s")
    rows, notes = [], []
    for s in summarize(benchmarks):
        best = s.best
        cold = meta(best, "cold_per_image_s")
        speedup = s.speedup
        eff = f"{speedup / capacity:.0%}" if speedup and capacity else "-"
        rows.append((s.group, f"{1 / s.serial.median():,.0f}" if s.serial else "-",
                     describe_case(best), f"{1 / best.median():,.0f}",
                     f"{speedup:.2f}x" if speedup else "-", eff,
                     f"{1 / cold:,.0f}" if isinstance(cold, (int, float)) and cold > 0 else "-"))
        if s.serial is None:
            notes.append(f"{s.group}: {messages.SUMMARY_NO_SERIAL}")
    for b in benchmarks:          # per-image failures (pose): the case still counted
        failed_images = meta(b, "failed_images")
        if isinstance(failed_images, int) and failed_images > 0:
            notes.append(f"{b.get_name()}: {failed_images} image(s) could not be processed "
                         f"(first: {meta(b, 'first_failed_image')})")
    lines = [Table(cols, rows, left=(0, 2)).to_text()]
    lines += ["", "img/s: images per second, median of the warm passes (pool already started); "
                  "cold: pool start + work + shutdown.",
              "best: by paired speedup where every case has one, else by median img/s; the "
              "recommendation below also weighs noise, worker count and memory.",
              messages.SPEEDUP_NOTE]
    return lines + notes


# The four ways a pixel can reach a worker, in the order of what they cost.
PIXEL_ROUTES = (
    ("processes", "pickled per image"),
    ("processes-chunked", "pickled per chunk"),
    ("processes-shm", "shared memory"),
    ("processes-inherit", "inherited (fork)"),
)


def pixel_routes_section(benchmarks, cpus) -> list[str]:
    """Per group, at workers = CPUs: what moving the pixels cost under each route."""
    rows = []
    for group, cases in group_benchmarks(benchmarks).items():
        for strategy, route in PIXEL_ROUTES:
            matches = [b for b in cases if meta(b, "strategy") == strategy and meta(b, "workers") == cpus
                       and meta(b, "cv_threads_setting", "none") in ("none", None)
                       and meta(b, "out_layout") != "per-task"]
            if not matches:
                continue
            b = min(matches, key=lambda x: x.median())
            count = meta(b, "image_count", 1)
            # every pass pays the warm figure; the first pass of a fresh pool pays more
            transfer = meta(b, "decomp_transfer_warm_s", meta(b, "decomp_transfer_s"))
            rows.append((group, route, format_us(transfer / count) if isinstance(transfer, float) else "-",
                         f"{1 / b.median():,.0f}"))
    if not rows:
        return []
    return (["", f"How pixels reach {cpus} workers (transfer = a no-op pass of the same strategy, warm pool):"]
            + [Table(("group", "route", "transfer us/img", "img/s"), rows, left=(0, 1)).to_text()])


def layout_section(benchmarks) -> list[str]:
    """Per imwrite group measured both ways: the best pool writing into one folder
    against the best with a folder per task (the serial loop writes one file at a time:
    the layout does not change it)."""
    rows = []
    for group, cases in group_benchmarks(benchmarks).items():
        per_task = [b for b in cases if meta(b, "out_layout") == "per-task"]
        flat = [b for b in cases if meta(b, "out_layout") != "per-task" and meta(b, "family") != "serial"]
        if not per_task or not flat:
            continue
        key = ranking(flat + per_task)
        a, b = max(flat, key=key), max(per_task, key=key)
        rows.append((group, describe_case(a), _speedup_text(a), describe_case(b), _speedup_text(b),
                     f"{key(b) / key(a):.2f}x"))
    if not rows:
        return []
    return (["", messages.LAYOUT_HEADING]
            + [Table(("group", "best pool in one folder", "speedup", "best with a folder per task",
                      "speedup", "ratio"), rows, left=(0, 1, 3)).to_text()]
            + [messages.LAYOUT_WHY])


def _speedup_text(bench) -> str:
    """Paired speedup and img/s, e.g. '1.96x (1,638 img/s)'."""
    sp = paired_speedup(bench)
    rate = f"{1 / bench.median():,.0f} img/s"
    return f"{sp:.2f}x ({rate})" if sp is not None else rate


def overhead_section(benchmarks) -> list[str]:
    lines = []
    starts = [b for b in benchmarks if meta(b, "workload") == "pool-start"]
    if starts:
        rows = [(describe_case(b), format_ms(b.median()), format_ms(meta(b, "all_workers_ready_s")),
                 format_ms(meta(b, "shutdown_s"))) for b in starts]
        lines += ["", "Pool start-up (fresh pool, no-op tasks):"]
        lines.append(Table(("pool", "first result ms", "all workers ms", "shutdown ms"), rows).to_text())
    trips = [b for b in benchmarks if meta(b, "workload") == "roundtrip"]
    if trips:
        rows = [(meta(b, "image_size"), describe_case(b), format_us(b.median())) for b in trips]
        lines += ["", "Round trip of a no-op task carrying one image (all tasks in flight, warm pool):"]
        lines.append(Table(("payload", "pool", "us/task"), rows, left=(0, 1)).to_text())
    pickles = [b for b in benchmarks if meta(b, "workload") == "pickle"]
    if pickles:
        rows = [(meta(b, "image_size"), f"{meta(b, 'pickled_bytes', 0):,}",
                 format_us(b.median())) for b in pickles]
        lines += ["", "pickle.dumps + loads of one image (protocol "
                  f"{meta(pickles[0], 'pickle_protocol', '?')}):"]
        lines.append(Table(("image", "pickled bytes", "us/image"), rows).to_text())
    return lines


def oversubscription_warnings(benchmarks, cpus) -> list[str]:
    out = []
    for s in summarize(benchmarks):
        b = s.best
        if meta(b, "workload") not in ("imwrite", "imencode"):
            continue       # OpenCV's threads only matter where OpenCV does the work
        workers, cv = meta(b, "workers", 1), meta(b, "cv_threads_worker")
        if meta(b, "family") == "processes" and isinstance(cv, int) and workers * cv > cpus:
            out.append(f"{s.group}: " + messages.SUMMARY_OVERSUBSCRIBED.format(
                workers=workers, cv_threads=cv, total=workers * cv, cpus=cpus))
    return out


def low_capacity_warning(capacity: dict) -> str:
    return messages.LOW_CAPACITY.format(capacity=capacity["capacity"], share=LOW_SHARE,
                                        processes=capacity["processes"])


def render(results) -> str:
    run = results.run
    capacity = run.get("capacity", {}).get("capacity")
    cpus = run.get("machine", {}).get("bench_available_cpus") or 1
    work = [b for b in results.benchmarks if not is_overhead(b)]
    lines = [header(run), ""]
    if work:
        lines += throughput_section(work, capacity)
        lines += pixel_routes_section(work, cpus)
        lines += layout_section(work)
    lines += overhead_section(results.benchmarks)
    warnings = oversubscription_warnings(work, cpus)
    if capacity_is_low(run.get("capacity", {})):
        warnings.append(low_capacity_warning(run["capacity"]))
    if warnings:
        lines += [""] + warnings
    if results.failed:
        lines.append("")
        lines.append(f"{len(results.failed)} case(s) failed:")
        lines.extend(f"  {f['name']}: {f['reason']}" for f in results.failed)
    return "\n".join(lines)
