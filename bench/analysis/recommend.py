"""The recommendation's decision: for each workload and image set, what to use: the memory
ceiling, the best, ties to the simpler, the worker count and its plateau, a scaling model
(docs/recommendation.md, "How recommend chooses"). Worded by :mod:`bench.output.recommendation`.
"""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from bench.analysis.records import AsJson
from bench.analysis.load import Analysis
from bench.analysis import racing
from bench.analysis.racing import TIE_MARGIN   # one margin: the race's ties are the pick's
from bench.analysis.rows import CaseRow, Group, grouped, line_label, simplicity
from bench.analysis.scaling import Fit, fit
from bench.analysis.significance import Verdict, compare_values
from bench.texts import messages
from bench.texts.units import format_bytes, format_rate

NOISY = 0.10           # relative std dev above which we suggest more --values


@dataclass
class Memory(AsJson):
    """Does a configuration fit in RAM?"""
    kind: str | None = None          # USS / PSS / RSS of one worker
    per_worker: int | None = None    # bytes
    parent: int | None = None        # bytes, the parent's own peak
    available: int | None = None     # bytes, RAM available for workers
    ceiling: int | None = None       # workers that fit
    fits: bool | None = None         # None: not measured / not applicable
    note: str = ""

    JSON = {"kind": "kind", "per_worker_bytes": "per_worker", "parent_bytes": "parent",
            "available_bytes": "available", "max_workers": "ceiling", "fits": "fits",
            "note": "note"}


def memory_check(row: CaseRow, group: Group, mem_available: int | None) -> Memory:
    if row.family == "serial":
        return Memory(note=messages.MEMORY_SERIAL)
    if row.family == "threads":
        growth = row.get("mem_parent_growth")
        note = messages.MEMORY_THREADS
        if growth:
            note += messages.MEMORY_THREADS_GREW.format(growth=format_bytes(growth))
        return Memory(note=note)
    measured = row.worker_memory()
    if measured is None:
        # measured at another worker count of the same configuration: use the largest
        same = [r.worker_memory() for r in group.rows
                if r.line == row.line and r.worker_memory() is not None]
        measured = max(same, key=lambda m: m[1]) if same else None
    if measured is None:
        return Memory(note=messages.MEMORY_NOT_MEASURED)
    kind, per_worker = measured
    available = mem_available or row.get("bench_mem_available")
    if not available:
        return Memory(kind, per_worker, note=messages.MEMORY_NO_AVAILABLE)
    parent = row.get("mem_parent_uss_peak") or row.get("mem_parent_rss_peak") or 0
    usable = max(0, available - parent)
    ceiling = int(usable // per_worker)
    fits = row.workers <= ceiling
    note = messages.MEMORY_CEILING.format(kind=kind, per_worker=format_bytes(per_worker),
                                          usable=format_bytes(usable), ceiling=ceiling)
    if kind == "RSS":
        note += messages.MEMORY_RSS_CONSERVATIVE
    return Memory(kind, per_worker, parent or None, usable, ceiling, fits, note)


# a line measured at fewer worker counts than this had its best count guessed, not searched
SEARCHED = 3
# on_the_curve: from this many counts (a spare point beyond the model's three parameters),
# where the model draws every count within this much (a few visits' median is off by that)
CURVE_POINTS = 4
CURVE_FIT_WITHIN = 0.10
# the lines a workers chart draws: the pick's and the next fastest
LEADING = 4


def paired_figure(row: CaseRow) -> float | None:
    """The case's paired speedup (the median of its per-pass ratios), or None."""
    ratios = row.paired_ratios
    return row.get("paired_speedup") or (statistics.median(ratios) if ratios else None)


@dataclass
class Plateau(AsJson):
    """One line: its best count, and the fewest workers within TIE_MARGIN of it."""
    line: tuple
    label: str
    by: str                     # "speedup" (paired, every case of the line) or "img/s"
    points: list                # (workers, figure): the median figure at each count that fits
    best_workers: int
    best: float
    plateau_workers: int
    plateau: float
    own: bool = True            # the pick's own line (False: the serial loop won)
    too_big: list = field(default_factory=list)   # counts measured that do not fit in RAM

    JSON = {"configuration": "label", "by": "by", "best_workers": "best_workers", "best": "best",
            "plateau_workers": "plateau_workers", "plateau": "plateau",
            "margin": lambda p: TIE_MARGIN, "searched": "searched", "measured_workers": "counts",
            "pick_line": "own", "not_fitting_in_ram": "too_big",
            "points": lambda p: [{"workers": w, "figure": v} for w, v in p.points]}

    @property
    def counts(self) -> list[int]:
        return [w for w, _ in self.points]

    @property
    def searched(self) -> bool:
        return len(self.points) >= SEARCHED


def judged(rows: list[CaseRow], samples) -> list[CaseRow]:
    """What a best may be chosen from: the serial loop and the rows read in at least
    racing.MIN_VISITS rounds (:func:`readings`), or all of them when no pool was."""
    twice = [r for r in rows if r.family != "serial" and readings(r, samples) >= racing.MIN_VISITS]
    return [r for r in rows if r.family == "serial" or r in twice] if twice else rows


def readings(row: CaseRow, samples) -> int:
    """In how many of the race's rounds ``row`` was read; its values where the file has no
    rounds. Two visits in one round (bench.plan.search.near_the_line) are one reading: else
    in a race of one round they alone would be "measured twice", and picked for it."""
    rounds = {run.get_metadata().get("race_round") for run in row.bench.get_runs()}
    rounds.discard(None)
    return len(rounds) if rounds else len(samples(row))


def plateau(rows: list[CaseRow], memory: dict | None = None, own: bool = True,
            best_workers: int | None = None) -> Plateau | None:
    """Best and plateau of one line's rows (``memory``: row name -> Memory; counts that
    do not fit are left out, unless none fits; counts read once, as for the pick).
    ``best_workers``: the best count the answer chose on this line; None, or a count not
    among the points: the fastest measured."""
    rows = [r for r in rows if r.family != "serial"]
    if not rows:
        return None
    fitting = [r for r in rows if memory is None or memory[r.name].fits is not False] or rows
    too_big = sorted({r.workers for r in rows} - {r.workers for r in fitting})
    fitting = judged(fitting, lambda r: r.paired_ratios or r.bench.get_values())
    paired = all(paired_figure(r) for r in fitting)
    figure = paired_figure if paired else (lambda r: r.throughput)
    at = grouped(fitting, lambda r: r.workers)
    # a count measured twice (two runs merged) counts once, at its median
    points = [(w, statistics.median(map(figure, v))) for w, v in sorted(at.items())]
    best_workers, best = next((p for p in points if p[0] == best_workers), None) or \
        max(points, key=lambda p: p[1])                     # equal figures: fewer workers
    low_workers, low = next(p for p in points if p[1] >= (1 - TIE_MARGIN) * best)
    r = rows[0]
    return Plateau(r.line, line_label(r.line), "speedup" if paired else "img/s", points,
                   best_workers, best, low_workers, low, own, too_big)


def on_the_curve(best: CaseRow, rows: list[CaseRow], samples, rate) -> tuple[CaseRow, Fit | None]:
    """The best count of ``best``'s line where its curve settles a close call: the measured
    count the line's fitted scaling model puts highest, when that count is not
    significantly slower than ``best`` (``rows``: the judged rows; ``samples(row)``: its
    figures; ``rate(row)``: its median). Returns the row to call best, and the fit when it
    moved the pick (else None). Why, and how often it helps: docs/recommendation.md, point 2.

    Only where the curve is evidence: CURVE_POINTS or more counts, a model that peaks
    inside the counts measured (one that only rises says "more workers" on no evidence),
    and every count within CURVE_FIT_WITHIN of it."""
    line: dict[int, CaseRow] = {}
    for r in rows:
        if r.line == best.line and r.family != "serial":
            line.setdefault(r.workers, r)
    line[best.workers] = best          # a count measured twice (files merged): the best's row
    if len(line) < CURVE_POINTS:       # a model of three parameters passes through three points
        return best, None
    counts = sorted(line)
    curve = fit(counts, [rate(line[w]) for w in counts])
    if curve is None or curve.exact or curve.worst_error > CURVE_FIT_WITHIN:
        return best, None
    peak = curve.peak_workers
    if peak is None or not curve.workers[0] < peak < curve.workers[-1]:
        return best, None
    predicted = dict(zip(curve.workers, curve.predicted))
    top = line[max(curve.workers, key=lambda w: (predicted[w], -w))]
    if top.workers == best.workers or compare_values(samples(top), samples(best)).significant is not False:
        return best, None
    return top, curve


def leading_lines(answer: "Answer", count: int = LEADING) -> list[tuple]:
    """The pick's line first, then the fastest other lines by their best figure (the
    group's ranking: paired speedup or img/s), ``count`` in all."""
    g = answer.group
    lines = g.lines()
    first = answer.plateau.line if answer.plateau is not None else None
    best_of = {line: max(g.rate(r) for r in rows) for line, rows in lines.items()}
    others = sorted((ln for ln in lines if ln != first), key=lambda ln: -best_of[ln])
    head = [first] if first in lines else []
    return head + others[:max(0, count - len(head))]


@dataclass
class Answer:
    group: Group
    fastest: CaseRow                 # fastest measured, memory or not
    best: CaseRow                    # fastest that fits in memory
    choice: CaseRow                  # what we recommend
    ties: list                       # not significantly different from best (incl. best)
    unknown: list                    # significance unknown (too few values)
    within: CaseRow                  # fewest workers within TIE_MARGIN of the best
    memory: dict                     # row name -> Memory
    fit: Fit | None
    fit_line: str
    fits: dict = field(default_factory=dict)     # line label -> Fit
    anchor: CaseRow | None = None                # a case on the fitted line
    warnings: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    unresolved: list = field(default_factory=list)   # not significantly different, yet more than TIE_MARGIN slower
    cpus: int | None = None                          # usable CPUs of the machine that measured
    left_out: list = field(default_factory=list)     # libraries' defaults the run's budget left out
    plateau: Plateau | None = None                   # the pick's line: best count and plateau

    @property
    def choice_memory(self) -> Memory:
        return self.memory[self.choice.name]

    @property
    def best_workers(self) -> int | None:
        return self.plateau.best_workers if self.plateau is not None else None

    @property
    def plateau_workers(self) -> int | None:
        return self.plateau.plateau_workers if self.plateau is not None else None


# a speedup this far past the measured capacity is not the CPUs' doing
ABOVE_CAPACITY = 1.15
# serial passes this much faster at one moment than at another: the storage had slow
# minutes, and a pick on this few visits may be one of them
SLOW_STORAGE_SWING = 2.0
THIN_VISITS = 2


def answer_group(group: Group, analysis: Analysis) -> Answer:
    machine = analysis.machine
    memory = {r.name: memory_check(r, group, machine.mem_available) for r in group.rows}
    warnings, notes = [], []
    fitting, best, fastest = _best(group, memory, warnings, notes)
    ties, unresolved, unknown = _ties(group, fitting, best)
    key = lambda r: simplicity(r, machine.default_start_method)  # noqa: E731
    choice = min(ties, key=key)
    floor = (1 - TIE_MARGIN) * group.rate(best)      # the margin of a tie, as everywhere
    within = min((r for r in fitting if group.rate(r) >= floor), key=key)
    notes += _evidence_notes(group, analysis, best, choice, unknown, len(fitting))
    fits, anchor, fit_line, chosen_fit, line_plateau = _model(group, memory, choice, best,
                                                              warnings, notes)
    if choice.meta.get("verified", "yes") not in ("yes", "skipped"):
        warnings.append(messages.NOT_VERIFIED.format(config=choice.describe()))
    if group.serial is None:
        notes.append(messages.NO_SERIAL)
    not_raced = analysis.results.run.get("race", {}).get(group.key, {}).get("not_raced") or {}
    left_out = [name for name, why in not_raced.items() if why == "budget"]
    whys = Counter(not_raced.values())
    if whys["pilot"]:
        notes.append(messages.NOT_RACED_PILOT.format(count=whys["pilot"]))
    if whys["search"]:
        notes.append(messages.NOT_RACED_SEARCH.format(count=whys["search"], w=machine.cpus))
    return Answer(group, fastest, best, choice, ties, unknown, within, memory, chosen_fit,
                  fit_line, fits, anchor, warnings, notes, unresolved, machine.cpus, left_out,
                  line_plateau)


def _best(group: Group, memory: dict, warnings: list, notes: list) -> tuple[list, CaseRow, CaseRow]:
    """The rows that fit in memory (all, if none does), the best of them, and the fastest
    row of all."""
    rate = group.rate
    fastest = group.best
    fitting = [r for r in group.rows if memory[r.name].fits is not False]
    if not fitting:
        fitting = group.rows
        warnings.append(messages.NOTHING_FITS)
    # a configuration visited once is the best only when nothing was read twice: the
    # highest of many single readings is the luckiest one (docs/recommendation.md, point 2)
    fitting_fastest = max(fitting, key=rate)
    candidates = judged(fitting, group.samples)
    read_fastest = max(candidates, key=rate)
    if read_fastest is not fitting_fastest:
        notes.append(messages.ONE_VISIT_NOT_PICKED.format(
            config=fitting_fastest.describe(), best=read_fastest.describe(), visits=racing.MIN_VISITS))
    best, curve = on_the_curve(read_fastest, candidates, group.samples, rate)
    if best is not read_fastest:
        notes.append(messages.CURVE_SETTLES.format(
            fastest=read_fastest.describe(), best=best.describe(), model=curve.model,
            counts=len(curve.workers), workers=best.workers))
    if fitting_fastest is not fastest:
        m = memory[fastest.name]
        warnings.append(messages.FASTEST_TOO_BIG.format(
            config=fastest.describe(), rate=format_rate(fastest.throughput), workers=fastest.workers,
            kind=m.kind, per_worker=format_bytes(m.per_worker),
            total=format_bytes(fastest.workers * m.per_worker), available=format_bytes(m.available),
            ceiling=m.ceiling))
    return fitting, best, fastest


def _ties(group: Group, fitting: list, best: CaseRow) -> tuple[list, list, list]:
    """(ties, unresolved, unknown) of ``best`` among the ``fitting`` rows (``best`` first
    among its ties)."""
    rate = group.rate
    verdicts: dict[str, Verdict] = {r.name: compare_values(group.samples(r), group.samples(best))
                                    for r in fitting if r is not best}
    # a tie needs both: the t-test cannot tell them apart, and its visits show it within
    # TIE_MARGIN of the best (racing.within_margin): on few noisy visits everything is "not
    # different", and the pick would go to the fewest workers on noise
    def speeds(r: CaseRow) -> list[float]:          # a plain file's values are seconds per image
        return group.samples(r) if group.paired else [1 / v for v in group.samples(r) if v > 0]

    shown = racing.within_margin({r.name: speeds(r) for r in fitting if r is not best}, speeds(best))
    not_different = [r for r in fitting if r is not best and verdicts[r.name].significant is False]
    ties = [best] + [r for r in not_different if r.name in shown]
    # a count read faster than the best the curve chose is the curve's note's, not "n.s."
    # (whose words are "too noisy to call, the faster is kept")
    unresolved = [r for r in not_different if r.name not in shown and rate(r) <= rate(best)]
    unknown = [r for r in fitting if r is not best and verdicts[r.name].significant is None]
    return ties, unresolved, unknown


def _evidence_notes(group: Group, analysis: Analysis, best: CaseRow, choice: CaseRow,
                    unknown: list, fitting: int) -> list[str]:
    """Where the pick's evidence is thin: single readings, noise, slow storage, a speedup
    past the capacity."""
    notes = []
    if unknown and len(unknown) == fitting - 1:
        raced = bool(analysis.results.run.get("race"))
        notes.append(messages.ONE_VISIT_PER_CONFIGURATION if raced else messages.ONE_VALUE_PER_CASE)
    # what the ranking rests on: the paired speedups in a paired group (img/s of a case
    # spread with the disk's drift, its speedups far less)
    spread = _relative_spread(group.samples(best)) if group.paired else best.spread
    if spread is not None and spread > NOISY:
        notes.append(messages.NOISY_BEST.format(spread=spread))
    swing = group.serial_swing() if group.paired else None
    visits = len(group.samples(choice)) if choice.family != "serial" else len(group.samples(best))
    if swing is not None and swing >= SLOW_STORAGE_SWING and visits <= THIN_VISITS:
        notes.append(messages.THIN_PICK_ON_SLOW_STORAGE.format(visits=visits, swing=swing))
    pick_speedup = best.speedup_over(group.serial)
    capacity = analysis.machine.capacity
    if capacity and pick_speedup and pick_speedup > ABOVE_CAPACITY * capacity:
        notes.append(messages.ABOVE_CAPACITY.format(
            speedup=pick_speedup, capacity=capacity, fs=best.meta.get("out_fs") or "a disk"))
    return notes


def _model(group: Group, memory: dict, choice: CaseRow, best: CaseRow, warnings: list,
           notes: list) -> tuple:
    """(fits, anchor, fit_line, fit, plateau): every line's scaling model, and the answer's
    line and model (a stand-in's when the pick's line has too few worker counts)."""
    rows, rate, lines = group.rows, group.rate, group.lines()
    fits = {line_label(line): f for line, line_rows in lines.items()
            if (f := fit([r.workers for r in line_rows], [r.throughput for r in line_rows]))}
    anchor = choice if choice.family != "serial" else max(
        (r for r in rows if r.family != "serial"), key=rate, default=None)
    fit_line = line_label(anchor.line) if anchor is not None else ""
    # before a stand-in replaces the anchor: the plateau is the pick's own line's
    line_plateau = plateau(lines[anchor.line], memory, own=anchor is choice,
                           best_workers=best.workers if anchor.line == best.line else None) \
        if anchor else None
    chosen_fit = fits.get(fit_line)
    if chosen_fit is None and anchor is not None:
        # the recommended line was measured at too few worker counts (pose sweeps some
        # strategies at one count only): model the fastest line that has enough
        n = len({r.workers for r in lines.get(anchor.line, [])})
        note = messages.NO_SCALING_MODEL.format(line=fit_line, count=n)
        stand_in = max((r for r in rows if r.family != "serial" and line_label(r.line) in fits),
                       key=rate, default=None)
        if stand_in is not None:
            anchor, fit_line = stand_in, line_label(stand_in.line)
            chosen_fit = fits[fit_line]
            note += messages.MODEL_STAND_IN.format(line=fit_line)
        notes.append(note)
    if chosen_fit is not None:
        peak, mem = chosen_fit.peak_workers, memory[anchor.name]
        if peak is not None and mem.ceiling is not None and peak > mem.ceiling:
            warnings.append(messages.MODEL_PEAK_TOO_BIG.format(peak=peak, ceiling=mem.ceiling,
                                                               line=fit_line))
    return fits, anchor, fit_line, chosen_fit, line_plateau


def recommend(analysis: Analysis) -> list[Answer]:
    return [answer_group(g, analysis) for g in analysis.groups()]


def model_overlays(answers: list[Answer]) -> dict:
    """group key -> (Fit, line) of each recommended configuration, for the charts."""
    return {a.group.key: (a.fit, a.anchor.line) for a in answers if a.fit is not None}


def _relative_spread(values: list[float]) -> float | None:
    if len(values) < 2 or not statistics.fmean(values):
        return None
    return statistics.stdev(values) / statistics.fmean(values)
