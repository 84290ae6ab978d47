"""The end-of-run summary: per group, serial throughput and the best case.

Throughput is images per second from the median of a case's values (pyperf's
median); speedup is serial median over best median; efficiency is that speedup
divided by the measured parallel capacity (not by a core count).
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from bench import messages


@dataclass
class GroupSummary:
    group: str
    serial: object | None          # pyperf.Benchmark
    best: object | None
    cases: list

    @property
    def speedup(self) -> float | None:
        if self.serial is None or self.best is None:
            return None
        return self.serial.median() / self.best.median()


def meta(bench, key, default=None):
    return bench.get_metadata().get(key, default)


def group_benchmarks(benchmarks) -> "OrderedDict[str, list]":
    groups: OrderedDict[str, list] = OrderedDict()
    for b in benchmarks:
        groups.setdefault(meta(b, "group", "?"), []).append(b)
    return groups


def summarize(benchmarks) -> list[GroupSummary]:
    out = []
    for group, cases in group_benchmarks(benchmarks).items():
        serial = next((b for b in cases if meta(b, "strategy") == "serial"), None)
        best = min(cases, key=lambda b: b.median())
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
    return " ".join(str(p) for p in parts)


def header(run: dict) -> str:
    m = run.get("machine", {})
    cap = run.get("capacity", {}).get("capacity")
    cap_text = f"{cap:.2f}" if isinstance(cap, (int, float)) else "not measured"
    return (f"bench on {m.get('hostname', '?')} - {m.get('bench_cpu_model', '?')}, "
            f"{m.get('bench_available_cpus', '?')} CPUs available, parallel capacity {cap_text} - "
            f"{run.get('started', '?')}")


def render(results) -> str:
    run = results.run
    capacity = run.get("capacity", {}).get("capacity")
    lines = [header(run), ""]
    cols = ("group", "serial img/s", "best case", "img/s", "speedup", "efficiency", "cold img/s")
    rows = []
    notes = []
    for s in summarize(results.benchmarks):
        serial_rate = f"{1 / s.serial.median():,.0f}" if s.serial else "-"
        best = s.best
        cold = meta(best, "cold_per_image_s")
        speedup = s.speedup
        eff = f"{speedup / capacity:.0%}" if speedup and capacity else "-"
        rows.append((s.group, serial_rate, describe_case(best), f"{1 / best.median():,.0f}",
                     f"{speedup:.2f}x" if speedup else "-", eff,
                     f"{1 / cold:,.0f}" if isinstance(cold, (int, float)) and cold > 0 else "-"))
        if s.serial is None:
            notes.append(f"{s.group}: {messages.SUMMARY_NO_SERIAL}")
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(cols)]
    fmt = "  ".join("{:<%d}" % w if i in (0, 2) else "{:>%d}" % w for i, w in enumerate(widths))
    lines.append(fmt.format(*cols))
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(fmt.format(*r) for r in rows)
    lines.append("")
    lines.append("img/s: images per second, median of the warm passes (pool already started); "
                 "cold: pool start + work + shutdown.")
    lines.append("speedup: over the serial loop; efficiency: speedup / measured parallel capacity.")
    lines.extend(notes)
    if results.failed:
        lines.append("")
        lines.append(f"{len(results.failed)} case(s) failed:")
        lines.extend(f"  {f['name']}: {f['reason']}" for f in results.failed)
    return "\n".join(lines)
