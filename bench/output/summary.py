"""The end-of-run summary: per group, the serial loop, the best case, and what the run
measured on the way (how pixels reach the workers, where the files go, pool overheads).
Efficiency is the speedup over the measured parallel capacity (not a core count).
"""
from __future__ import annotations

import json
import statistics
from collections import Counter

from bench.analysis.load import analyse
from bench.analysis.racing import TIE_MARGIN
from bench.analysis.rows import CaseRow, Group, is_overhead_workload
from bench.measure.capacity import LOW_SHARE, capacity_is_low
from bench.output import libraries
from bench.output.table import Table
from bench.texts import messages
from bench.texts.units import format_ms, format_percent, format_rate_whole, format_speedup, format_us
from workloads.registry import REGISTRY, file_workloads

# The four ways a pixel can reach a worker, in the order of what they cost.
PIXEL_ROUTES = (
    ("processes", "pickled per image"),
    ("processes-chunked", "pickled per chunk"),
    ("processes-shm", "shared memory"),
    ("processes-inherit", "inherited (fork)"),
)
# Files: the same pools are sent paths and read the files themselves; the parent decodes
# them only under the processes-decoded* strategies.
FILE_ROUTES = (
    ("processes", "paths per image, read in the worker"),
    ("processes-chunked", "paths per chunk, read in the worker"),
    ("processes-decoded", "decoded in the parent, pickled per image"),
    ("processes-decoded-chunked", "decoded in the parent, pickled per slice"),
    ("processes-decoded-shm", "decoded in the parent into shared memory"),
)


def header(run: dict) -> str:
    m = run.get("machine", {})
    cap = run.get("capacity", {}).get("capacity")
    return messages.SUMMARY_HEADER.format(
        host=m.get("hostname", "?"), cpu=m.get("bench_cpu_model", "?"),
        cpus=m.get("bench_available_cpus", "?"),
        capacity=f"{cap:.2f}" if isinstance(cap, (int, float)) else "not measured",
        started=run.get("started", "?"))


def throughput_section(groups: list[Group], capacity, cases: list[CaseRow]) -> list[str]:
    """The best case of every group against the serial loop; ``cases``: the throughput
    cases in file order, for the notes on images a case could not process."""
    cols = ("group", "serial img/s", "best measured", "img/s", "speedup", "efficiency", "cold img/s")
    rows, notes = [], []
    for g in groups:
        best, serial = g.best, g.serial
        speedup = best.speedup_over(serial) or None
        rows.append((g.key, format_rate_whole(_paired_serial_rate(best, serial)),
                     best.describe(), format_rate_whole(best.throughput), format_speedup(speedup),
                     format_percent(speedup / capacity) if speedup and capacity else "-",
                     format_rate_whole(best.cold_throughput)))
        if serial is None:
            notes.append(f"{g.key}: {messages.SUMMARY_NO_SERIAL}")
        if disagree := figures_disagree(g, best, speedup, capacity):
            notes.append(disagree)
    # per-image failures (pose): the case still counted
    notes += [messages.SUMMARY_FAILED_IMAGES.format(case=r.name, count=n,
                                                    first=r.meta.get("first_failed_image"))
              for r in cases if isinstance(n := r.meta.get("failed_images"), int) and n > 0]
    return ([Table(cols, rows, left=(0, 2)).to_text(), "", messages.SUMMARY_RATE_NOTE,
             messages.SUMMARY_BEST_NOTE, messages.SPEEDUP_NOTE] + notes)


# another configuration's img/s this many times the leader's contradicts its lead
DISAGREE_TIMES = 2.0


def figures_disagree(g: Group, best: CaseRow, speedup: float | None, capacity) -> str | None:
    """A leader by paired speedup that another configuration outruns several times in
    img/s: both figures are right, taken at moments the storage ran at different speeds;
    the table says so instead of printing two figures that seem to contradict."""
    if not g.paired or not speedup:
        return None
    other = max((r for r in g.rows if r is not best and r.family != "serial"),
                key=lambda r: r.throughput, default=None)
    if other is None or other.throughput < DISAGREE_TIMES * best.throughput:
        return None
    from bench.analysis.recommend import ABOVE_CAPACITY

    # the serial passes timed next to each (none where none took a measurable time)
    best_rates, other_rates = best.paired_serial_rates, other.paired_serial_rates
    if not best_rates or not other_rates:
        return None
    best_serial, other_serial = statistics.median(best_rates), statistics.median(other_rates)
    above = ""
    if capacity and speedup > ABOVE_CAPACITY * capacity:
        above = messages.FIGURES_DISAGREE_ABOVE.format(speedup=format_speedup(speedup), capacity=capacity)
    return messages.FIGURES_DISAGREE.format(
        group=g.key, best=best.describe(), speedup=format_speedup(speedup), other=other.describe(),
        times=other.throughput / best.throughput,
        best_serial=format_rate_whole(best_serial), other_serial=format_rate_whole(other_serial),
        above=above)


def _paired_serial_rate(best: CaseRow, serial: CaseRow | None) -> float | None:
    """The serial loop's img/s from the passes timed next to ``best``'s own (the group's
    serial case where it has none): the row's speedup is img/s over this."""
    passes = best.get("paired_serial_s")
    if passes and best.image_count:
        return best.image_count / passes
    return serial.throughput if serial is not None else None


def race_section(run: dict, groups: list[Group]) -> list[str]:
    """Per raced group: rounds, how many were raced and put out, how it ended, who is left."""
    race = run.get("race") or {}
    rows = []
    for g in groups:
        state = race.get(g.key)
        if not state:
            continue
        ended = Counter(s.get("status") for s in state.get("out", {}).values())
        left = [r for r in g.rows if r.family != "serial" and r.meta.get("race_status") == "racing"]
        lead = max(left, key=g.rate, default=None)
        rows.append((g.key, str(state.get("rounds", 0)), str(len(state.get("entrants", []))),
                     str(ended["out"]), str(ended["failed"]), str(len(left)),
                     lead.describe() if lead else "-",
                     messages.RACE_OUTCOMES.get(state.get("outcome", ""), state.get("outcome", "-"))))
    if not rows:
        return []
    return ["", messages.RACE_HEADING,
            Table(("group", "rounds", "raced", "out", "failed", "left", "leading", "ended by"),
                  rows, left=(0, 6, 7)).to_text(), messages.RACE_NOTE.format(margin=TIE_MARGIN)]


def pixel_routes_section(groups: list[Group], cpus) -> list[str]:
    """Per group, at workers = CPUs: what moving the pixels cost under each route."""
    rows = []
    for g in groups:
        routes = FILE_ROUTES if g.first.workload in file_workloads() else PIXEL_ROUTES
        for strategy, route in routes:
            matches = [r for r in g.rows if r.strategy == strategy and r.workers == cpus
                       and r.cv_threads is None and not r.folder_per_task]
            if not matches:
                continue
            r = max(matches, key=lambda x: x.throughput)
            # every pass pays the warm figure; the first pass of a fresh pool pays more
            transfer = r.meta.get("decomp_transfer_warm_s", r.meta.get("decomp_transfer_s"))
            per_image = transfer / (r.image_count or 1) if isinstance(transfer, float) else None
            rows.append((g.key, route, format_us(per_image), format_rate_whole(r.throughput)))
    if not rows:
        return []
    return ["", messages.PIXEL_ROUTES_HEADING.format(cpus=cpus),
            Table(("group", "route", "transfer us/img", "img/s"), rows, left=(0, 1)).to_text()]


def _speedup_text(row: CaseRow) -> str:
    """Paired speedup and img/s, e.g. '1.96x (1,638 img/s)'; img/s alone when unpaired."""
    sp = row.get("paired_speedup")
    rate = f"{format_rate_whole(row.throughput)} img/s"
    return f"{format_speedup(sp)} ({rate})" if sp is not None else rate


def layout_section(groups: list[Group]) -> list[str]:
    """Per imwrite group measured both ways: the best pool writing into one folder against
    the best with a folder per task."""
    rows = []
    for g in groups:
        per_task = [r for r in g.rows if r.folder_per_task]
        flat = [r for r in g.rows if not r.folder_per_task and r.family != "serial"]
        if not per_task or not flat:
            continue
        a, b = max(flat, key=g.rate), max(per_task, key=g.rate)
        rows.append((g.key, a.describe(), _speedup_text(a), b.describe(), _speedup_text(b),
                     f"{g.rate(b) / g.rate(a):.2f}x"))
    if not rows:
        return []
    fs = sorted({r.meta.get("out_fs") for g in groups for r in g.rows if r.folder_per_task}
                - {None, "none", "unknown"})
    return ["", messages.LAYOUT_HEADING,
            Table(("group", "best pool in one folder", "speedup", "best with a folder per task",
                   "speedup", "ratio"), rows, left=(0, 1, 3)).to_text(),
            messages.LAYOUT_WHY.format(fs=messages.LAYOUT_FS.format(fs=", ".join(fs)) if fs else "")]


FAILED_ITEMS_LISTED = 10


def failed_items_section(groups) -> list[str]:
    """Per group, the items a task could not process (path and error), from the serial
    loop's ``failed_items`` (every configuration is verified to fail on the same ones)."""
    lines = []
    for g in groups:
        row = g.serial or g.rows[0]         # Analysis.groups makes no group without rows
        raw = row.meta.get("failed_items")
        try:
            items = json.loads(raw) if isinstance(raw, str) else None
        except ValueError:
            items = None
        if not items:
            continue
        count = row.meta.get("items_failed")
        count = count if isinstance(count, int) else len(items)
        lines += ["", messages.FAILED_ITEMS_HEADING.format(group=g.key, count=count)]
        lines += [f"  {item}" for item in items[:FAILED_ITEMS_LISTED]]
        if count > FAILED_ITEMS_LISTED:
            lines.append(messages.FAILED_ITEMS_MORE.format(count=count - FAILED_ITEMS_LISTED))
    return lines


def overhead_section(rows: list[CaseRow]) -> list[str]:
    lines = []
    if starts := [r for r in rows if r.workload == "pool-start"]:
        cells = [(r.describe(), format_ms(r.median_s), format_ms(r.meta.get("all_workers_ready_s")),
                  format_ms(r.meta.get("shutdown_s"))) for r in starts]
        lines += ["", messages.POOL_START_HEADING,
                  Table(("pool", "first result ms", "all workers ms", "shutdown ms"), cells).to_text()]
    if trips := [r for r in rows if r.workload == "roundtrip"]:
        cells = [(r.meta.get("image_size"), r.describe(), format_us(r.median_s)) for r in trips]
        lines += ["", messages.ROUNDTRIP_HEADING,
                  Table(("payload", "pool", "us/task"), cells, left=(0, 1)).to_text()]
    if pickles := [r for r in rows if r.workload == "pickle"]:
        cells = [(r.meta.get("image_size"), f"{r.meta.get('pickled_bytes', 0):,}", format_us(r.median_s))
                 for r in pickles]
        lines += ["", messages.PICKLE_HEADING.format(protocol=pickles[0].meta.get("pickle_protocol", "?")),
                  Table(("image", "pickled bytes", "us/image"), cells).to_text()]
    return lines


def oversubscription_warnings(groups: list[Group], cpus) -> list[str]:
    out = []
    for g in groups:
        b = g.best
        if getattr(REGISTRY.get(b.workload), "kind", "") != "codec":
            continue       # OpenCV's threads only matter where OpenCV does the work
        cv = b.meta.get("cv_threads_worker")
        if b.family == "processes" and isinstance(cv, int) and b.workers * cv > cpus:
            out.append(f"{g.key}: " + messages.SUMMARY_OVERSUBSCRIBED.format(
                workers=b.workers, cv_threads=cv, total=b.workers * cv, cpus=cpus))
    return out


def low_capacity_warning(capacity: dict) -> str:
    return messages.LOW_CAPACITY.format(capacity=capacity["capacity"], share=LOW_SHARE,
                                        processes=capacity["processes"])


def render(results) -> str:
    """The summary of a results file (a ``ResultsFile``), as printed at the end of a run."""
    run = results.run
    capacity = run.get("capacity", {}).get("capacity")
    cpus = run.get("machine", {}).get("bench_available_cpus") or 1
    analysis = analyse(results)
    groups = analysis.groups()
    work = [r for r in analysis.rows if not is_overhead_workload(r.workload)]
    lines = [header(run), ""]
    if groups:
        lines += throughput_section(groups, capacity, work)
        lines += race_section(run, groups)
        lines += pixel_routes_section(groups, cpus)
        lines += layout_section(groups)
        lines += failed_items_section(groups)     # a task's items that failed, path and error
        lines += libraries.summary_section(analysis)
    lines += overhead_section(analysis.rows)
    warnings = oversubscription_warnings(groups, cpus)
    if capacity_is_low(run.get("capacity", {})):
        warnings.append(low_capacity_warning(run["capacity"]))
    if warnings:
        lines += [""] + warnings
    if results.failed:
        lines += ["", messages.SUMMARY_FAILED.format(count=len(results.failed))]
        lines += _failure_lines(results.failed)
    return "\n".join(lines)


def _failure_lines(failed: list[dict]) -> list[str]:
    """One line per failed case; a group whose configurations all failed for one reason
    (its serial loop failed, so none of it was raced) in one line, not one per case."""
    by_reason: dict[tuple, list] = {}
    for f in failed:
        name, strategy = f["name"], (f.get("case") or {}).get("strategy")
        cut = name.find(f"/{strategy}/") if strategy else -1
        group = name[:cut] if cut > 0 else name       # a case's name is its group's, then its own
        by_reason.setdefault((group, f["reason"]), []).append(f["name"])
    return ["  " + messages.SUMMARY_FAILED_GROUP.format(group=group, count=len(names), reason=reason)
            if len(names) > 1 else f"  {names[0]}: {reason}"
            for (group, reason), names in by_reason.items()]
