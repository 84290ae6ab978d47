"""``bench recommend``: for each workload and image set, what to use and why.

For every throughput group of a results file:

1. **Memory ceiling.** For process workers, how many fit in the RAM that was available
   when the run started, less the parent's own peak: ``floor(available / per-worker)``
   with the worker's peak USS (PSS, then RSS, when USS was not measured; RSS counts
   shared pages in every worker, so its ceiling is conservative). Seed 003: "choose
   num_workers from cores *and memory*". Cases that would not fit are set aside.
2. **Best.** The highest throughput (pyperf median) among the cases that fit; in a
   group where every pool case timed serial passes next to its own (bench/timing.py),
   the highest of those paired speedups, tested pass by pass, since img/s of cases
   measured minutes apart are reordered by a drifting disk or CPU.
3. **Ties go to the simpler.** Every case whose timings are not significantly
   different from the best (pyperf's t-test, see :mod:`bench.analysis.significance`) and whose
   median is within 5% of it is as good as the best as far as the data can tell; of
   those we recommend the one with the fewest workers, then the simplest family
   (serial < threads < processes < dask). Not significantly different but further
   away by the median is "not separated" (n.s.): too noisy to call, the faster is kept.
4. **Fewest workers within 5%** of the best, whatever the significance test says.
5. **A scaling model** (:mod:`bench.analysis.scaling`) of the recommended configuration's
   throughput against workers (or the best parallel one's, when serial wins; or the
   fastest line measured at 3+ worker counts, when the recommended one was not).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from bench.output import messages
from bench.analysis.rows import Analysis, CaseRow, Group, line_label, simplicity
from bench.analysis.scaling import Fit, describe, fit
from bench.analysis.significance import Verdict, compare_values
from bench.output.table import Table
from bench.output.units import format_bytes, format_percent, format_rate, format_speedup

WITHIN = 0.05          # "within 5% of the best"
TIE_MARGIN = 0.05      # a tie is also within 5% of the best by its median
TABLE_NOTE = ("img/s: images per second, pyperf median of the warm passes; ±: pyperf std dev / mean; "
              "of best: by speedup where cases timed paired serial passes, else by img/s; "
              "≈ best: not significantly different from the best (t-test, 95%) and within 5% of it; "
              "n.s.: not significantly different, but more than 5% slower.")
NOISY = 0.10           # relative std dev above which we suggest more --values


@dataclass
class Memory:
    """Does a configuration fit in RAM?"""
    kind: str | None = None          # USS / PSS / RSS of one worker
    per_worker: int | None = None    # bytes
    parent: int | None = None        # bytes, the parent's own peak
    available: int | None = None     # bytes, RAM available for workers
    ceiling: int | None = None       # workers that fit
    fits: bool | None = None         # None: not measured / not applicable
    note: str = ""

    def as_dict(self) -> dict:
        return {"kind": self.kind, "per_worker_bytes": self.per_worker,
                "parent_bytes": self.parent, "available_bytes": self.available,
                "max_workers": self.ceiling, "fits": self.fits, "note": self.note}


def memory_check(row: CaseRow, group: Group, mem_available: int | None) -> Memory:
    if row.family == "serial":
        return Memory(note="one process: no workers to add")
    if row.family == "threads":
        growth = row.get("mem_parent_growth")
        note = "threads share the parent process's memory"
        if growth:
            note += f" (it grew by {format_bytes(growth)} during the run)"
        return Memory(note=note)
    measured = row.worker_memory()
    if measured is None:
        # measured at another worker count of the same configuration: use the largest
        same = [r.worker_memory() for r in group.rows
                if r.line == row.line and r.worker_memory() is not None]
        measured = max(same, key=lambda m: m[1]) if same else None
    if measured is None:
        return Memory(note="memory per worker not measured in this file")
    kind, per_worker = measured
    available = mem_available or row.get("bench_mem_available")
    if not available:
        return Memory(kind, per_worker, note="available RAM not recorded in this file")
    parent = row.get("mem_parent_uss_peak") or row.get("mem_parent_rss_peak") or 0
    usable = max(0, available - parent)
    ceiling = int(usable // per_worker)
    fits = row.workers <= ceiling
    note = (f"{kind} {format_bytes(per_worker)} per worker; {format_bytes(usable)} available "
            f"-> at most {ceiling} workers fit")
    if kind == "RSS":
        note += " (RSS counts shared pages in every worker: conservative)"
    return Memory(kind, per_worker, parent or None, usable, ceiling, fits, note)


@dataclass
class Answer:
    group: Group
    fastest: CaseRow                 # fastest measured, memory or not
    best: CaseRow                    # fastest that fits in memory
    choice: CaseRow                  # what we recommend
    ties: list                       # not significantly different from best (incl. best)
    unknown: list                    # significance unknown (too few values)
    within: CaseRow                  # fewest workers within 5% of best
    memory: dict                     # row name -> Memory
    fit: Fit | None
    fit_line: str
    fits: dict = field(default_factory=dict)     # line label -> Fit
    anchor: CaseRow | None = None                # a case on the fitted line
    warnings: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    unresolved: list = field(default_factory=list)   # not significantly different, yet > 5% slower

    @property
    def choice_memory(self) -> Memory:
        return self.memory[self.choice.name]


def speedup(row: CaseRow, group: Group) -> float | None:
    return row.speedup_over(group.serial)


def answer_group(group: Group, analysis: Analysis) -> Answer:
    machine = analysis.machine
    rows = group.rows
    memory = {r.name: memory_check(r, group, machine.mem_available) for r in rows}
    key = lambda r: simplicity(r, machine.default_start_method)  # noqa: E731
    rate = group.rate
    fastest = max(rows, key=rate)
    fitting = [r for r in rows if memory[r.name].fits is not False]
    warnings, notes = [], []
    if not fitting:
        fitting = rows
        warnings.append("no measured configuration fits in the available RAM; "
                        "the fastest is shown anyway")
    best = max(fitting, key=rate)
    if best is not fastest:
        m = memory[fastest.name]
        warnings.append(
            f"the fastest measured configuration, {fastest.describe()} ({format_rate(fastest.throughput)} "
            f"img/s), needs {fastest.workers} x {m.kind} {format_bytes(m.per_worker)} = "
            f"{format_bytes(fastest.workers * m.per_worker)}, more than the "
            f"{format_bytes(m.available)} available: only {m.ceiling} such workers fit")

    verdicts: dict[str, Verdict] = {r.name: compare_values(group.samples(r), group.samples(best))
                                    for r in fitting if r is not best}
    # a tie needs both: the t-test cannot tell them apart, and the medians are within
    # TIE_MARGIN (an equivalence margin, like pyperf compare_to's --min-speed). A noisy
    # best is "not significantly different" from configurations far slower by their
    # medians; calling those ties made the pick flip between runs with the noise.
    close = lambda r: rate(r) >= (1 - TIE_MARGIN) * rate(best)  # noqa: E731
    not_different = [r for r in fitting if r is not best and verdicts[r.name].significant is False]
    ties = [best] + [r for r in not_different if close(r)]
    unresolved = [r for r in not_different if not close(r)]
    unknown = [r for r in fitting if r is not best and verdicts[r.name].significant is None]
    choice = min(ties, key=key)
    within = min((r for r in fitting if rate(r) >= (1 - WITHIN) * rate(best)), key=key)

    if unknown and len(unknown) == len(fitting) - 1:
        notes.append("one value per case: the spread is unknown, so the fastest is taken as is "
                     "(run with --values 3 or more to test significance)")
    spread = best.spread
    if spread is not None and spread > NOISY:
        notes.append(f"the best case's timings vary by ±{spread:.0%}: run again with more "
                     "--values (or on a quieter machine) for a firmer answer")

    fits = {}
    for line, line_rows in group.lines().items():
        f = fit([r.workers for r in line_rows], [r.throughput for r in line_rows])
        if f is not None:
            fits[line_label(line)] = f
    anchor = choice if choice.family != "serial" else max(
        (r for r in rows if r.family != "serial"), key=rate, default=None)
    fit_line = line_label(anchor.line) if anchor is not None else ""
    chosen_fit = fits.get(fit_line)
    if chosen_fit is None and anchor is not None:
        # the recommended line was measured at too few worker counts (pose sweeps some
        # strategies at one count only): model the fastest line that has enough
        n = len({r.workers for r in group.lines().get(anchor.line, [])})
        note = f"no scaling model for {fit_line}: measured at {n} worker count(s), a fit needs 3 or more"
        stand_in = max((r for r in rows if r.family != "serial" and line_label(r.line) in fits),
                       key=rate, default=None)
        if stand_in is not None:
            anchor, fit_line = stand_in, line_label(stand_in.line)
            chosen_fit = fits[fit_line]
            note += (f"; the model shown is of {fit_line}, the fastest strategy measured at "
                     "3 or more worker counts")
        notes.append(note)
    if chosen_fit is not None:
        peak, mem = chosen_fit.peak_workers, memory[anchor.name]
        if peak is not None and mem.ceiling is not None and peak > mem.ceiling:
            warnings.append(f"the model's best worker count ({peak}) would not fit in RAM "
                            f"(at most {mem.ceiling} workers of {fit_line})")
    if choice.meta.get("verified", "yes") not in ("yes", "skipped"):
        warnings.append(f"{choice.describe()} did not verify its output against serial")
    if group.serial is None:
        notes.append("no serial case in this group: speedups cannot be computed")
    return Answer(group, fastest, best, choice, ties, unknown, within, memory, chosen_fit,
                  fit_line, fits, anchor, warnings, notes, unresolved)


def recommend(analysis: Analysis) -> list[Answer]:
    return [answer_group(g, analysis) for g in analysis.groups()]


def model_overlays(answers: list[Answer]) -> dict:
    """group key -> (Fit, line) of each recommended configuration, for the charts."""
    return {a.group.key: (a.fit, a.anchor.line) for a in answers if a.fit is not None}


# -- words -----------------------------------------------------------------------

def rate_with_spread(row: CaseRow) -> str:
    spread = row.spread
    text = f"{format_rate(row.throughput)} img/s"
    if spread is None:
        return text + " (one value: spread unknown)"
    return text + f" ±{spread:.0%} (pyperf std dev of {row.nvalues} values)"


def workers_words(row: CaseRow) -> str:
    if row.family == "serial":
        return "a plain loop, no workers"
    return f"{row.workers} worker{'s' if row.workers != 1 else ''}"


def layout_words(row: CaseRow, group: Group) -> str:
    """Why a folder per task was recommended: what the best pool did in one folder."""
    flat = [r for r in group.rows if not r.folder_per_task and r.family != "serial"]
    text = messages.LAYOUT_CHOSEN
    if flat:
        best_flat = max(flat, key=group.rate)
        if group.paired:
            text += messages.LAYOUT_CHOSEN_VS_PAIRED.format(
                best=best_flat.describe(), speedup=group.rate(best_flat), mine=group.rate(row))
        else:
            text += messages.LAYOUT_CHOSEN_VS.format(
                best=best_flat.describe(), rate=format_rate(best_flat.throughput),
                ratio=row.throughput / best_flat.throughput)
    return text


def answer_lines(a: Answer) -> list[str]:
    c, best = a.choice, a.best
    out = [f"Use {c.describe()} ({workers_words(c)}): {rate_with_spread(c)}."]
    cold = c.cold_throughput
    sp = speedup(c, a.group)
    extra = []
    if sp is not None and c.family != "serial":
        extra.append(f"{sp:.2f}x the serial loop")
    if cold is not None:
        extra.append(f"cold (pool start + work + shutdown, what a script sees): {format_rate(cold)} img/s")
    if extra:
        out.append("  " + "; ".join(extra) + ".")
    if c.folder_per_task:
        out.append("  " + layout_words(c, a.group))
    if a.group.paired:
        out.append("  " + messages.RANKED_BY_PAIRED)
    others = len(a.ties) - 1
    if c is not best:
        out.append(f"  Fastest measured: {best.describe()} at {rate_with_spread(best)}. "
                   f"{others} configuration(s) are not significantly different from it (pyperf "
                   f"t-test, 95%); of those, {c.describe()} has the fewest workers and the "
                   "simplest strategy, so it is recommended.")
    elif others:
        out.append(f"  {others} other configuration(s) are not significantly different from it "
                   "(pyperf t-test, 95%), but none has fewer workers or is simpler.")
    if a.unresolved:
        out.append(f"  {len(a.unresolved)} configuration(s) more than 5% slower by their medians are "
                   "not significantly different from the best either (n.s. in the table): the "
                   "timings are too noisy to call them ties, so the faster is kept; more --values "
                   "would separate them.")
    w = a.within
    pct = a.group.rate(w) / a.group.rate(best)
    if w is c:
        out.append(f"  Fewest workers within 5% of the best: this one ({pct:.0%} of the best).")
    else:
        out.append(f"  Fewest workers within 5% of the best: {w.describe()} "
                   f"({workers_words(w)}, {format_rate(w.throughput)} img/s, {pct:.0%} of the best).")
    mem = a.choice_memory
    if mem.note:
        verdict = ""
        if mem.fits is True:
            verdict = f"; the recommended {c.workers} fit"
        elif mem.fits is False:
            verdict = f"; the recommended {c.workers} do NOT fit"
        out.append(f"  Memory: {mem.note}{verdict}.")
    if a.fit is not None:
        out.append("  Scaling: " + describe(a.fit, a.fit_line))
        out.append(f"    why this model: {a.fit.reason}.")
    out.extend(f"  WARNING: {w}." for w in a.warnings)
    out.extend(f"  Note: {n}." for n in a.notes)
    return out


def table_rows(a: Answer) -> list[dict]:
    """Per configuration (strategy, chunk policy, start method), its best worker count."""
    g = a.group
    picks = []
    if g.serial is not None:
        picks.append(a.choice if a.choice.family == "serial" else g.serial)
    for rows in g.lines().values():
        # the recommended worker count on its own line, else the line's fastest
        picks.append(a.choice if a.choice in rows else max(rows, key=g.rate))
    if a.fastest not in picks:          # set aside for memory: still shown, marked
        picks.append(a.fastest)
    tie_names = {r.name for r in a.ties}
    unknown = {r.name for r in a.unknown}
    unresolved = {r.name for r in a.unresolved}
    out = []
    for r in picks:
        mem = a.memory[r.name]
        if r is a.best:
            vs = "best"
        elif r.name in tie_names:
            vs = "≈ best"
        elif r.name in unresolved:
            vs = "n.s."
        elif r.name in unknown:
            vs = "?"
        elif mem.fits is False:
            vs = "too big"
        else:
            vs = "slower"
        sp = speedup(r, g)
        out.append({
            "configuration": r.describe(workers=False), "workers": r.workers,
            "img_per_s": r.throughput, "spread": r.spread, "speedup": sp,
            "of_best": g.rate(r) / g.rate(a.best), "vs_best": vs,
            "memory_per_worker": f"{mem.kind} {format_bytes(mem.per_worker)}" if mem.kind else "-",
            "max_workers_in_ram": mem.ceiling, "recommended": r is a.choice,
        })
    return out


TABLE_HEAD = ("configuration", "workers", "img/s", "±", "speedup", "of best", "vs best",
              "mem/worker", "fit in RAM")


def table_cells(row: dict) -> tuple:
    return (row["configuration"], str(row["workers"]),
            format_rate(row["img_per_s"]),
            format_percent(row["spread"]), format_speedup(row["speedup"]),
            format_percent(row["of_best"]), row["vs_best"], row["memory_per_worker"],
            str(row["max_workers_in_ram"]) if row["max_workers_in_ram"] is not None else "-")


def answer_table(a: Answer) -> Table:
    """The configurations of one answer, the recommended one highlighted."""
    rows = table_rows(a)
    return Table(TABLE_HEAD, [table_cells(r) for r in rows], left=(0, 6, 7),
                 highlight=[r["recommended"] for r in rows])


def render_text(analysis: Analysis, answers: list[Answer]) -> str:
    m = analysis.machine
    lines = [f"Recommendation for {m.summary()}", f"from {analysis.path}, run started {m.date}", ""]
    if not answers:
        lines.append("No throughput groups in this file (only overhead measurements).")
    for a in answers:
        lines.append(a.group.title)
        lines.extend(answer_lines(a))
        lines.append("")
        lines.append(answer_table(a).to_text(indent="  "))
        lines.append("")
    lines.append(TABLE_NOTE)
    if analysis.results.failed:
        lines.append(f"{len(analysis.results.failed)} case(s) failed and are not considered: "
                     + ", ".join(f["name"] for f in analysis.results.failed[:5])
                     + (" ..." if len(analysis.results.failed) > 5 else ""))
    return "\n".join(lines)


def render_markdown(analysis: Analysis, answers: list[Answer]) -> str:
    """The same answer for a review document."""
    out = []
    for a in answers:
        out.append(f"### {a.group.title}")
        out.append("")
        out.extend(line.strip() if not line.startswith("  ") else "- " + line.strip()
                   for line in answer_lines(a))
        out.append("")
        out.append(answer_table(a).to_markdown())
        out.append("")
    return "\n".join(out)


def config_dict(row: CaseRow) -> dict:
    return {"name": row.name, "strategy": row.strategy, "family": row.family,
            "workers": row.workers, "chunk_size": row.chunk_size,
            "start_method": row.start_method, "folder_per_task": row.folder_per_task,
            "img_per_s": row.throughput,
            "spread": row.spread, "values": row.nvalues, "cold_img_per_s": row.cold_throughput}


def to_json(analysis: Analysis, answers: list[Answer]) -> dict:
    m = analysis.machine
    return {
        "file": analysis.path,
        "machine": {"hostname": m.hostname, "cpu_model": m.cpu_model, "cpus": m.cpus,
                    "parallel_capacity": m.capacity, "mem_available_bytes": m.mem_available,
                    "started": m.started},
        "groups": [{
            "group": a.group.key, "title": a.group.title,
            "recommended": config_dict(a.choice),
            "fastest": config_dict(a.fastest),
            "fastest_that_fits": config_dict(a.best),
            "not_significantly_different": [r.name for r in a.ties if r is not a.best],
            "not_separated": [r.name for r in a.unresolved],
            "significance_unknown": [r.name for r in a.unknown],
            "fewest_workers_within_5pct": config_dict(a.within),
            "memory": a.choice_memory.as_dict(),
            "scaling": dict(a.fit.as_dict(), configuration=a.fit_line) if a.fit else None,
            "scaling_all": {k: f.as_dict() for k, f in a.fits.items()},
            "table": [{k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                       for k, v in r.items()} for r in table_rows(a)],
            "warnings": a.warnings, "notes": a.notes,
        } for a in answers],
        "failed": [f["name"] for f in analysis.results.failed],
    }
