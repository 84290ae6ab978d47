"""A machine not measured (``recommend --cpus N``), and how far the prediction can be trusted
(``recommend --holdout``).

**The model.** The scaling model of :mod:`bench.analysis.scaling` (Amdahl or the USL)
of one configuration's throughput against workers: the pick's configuration, or, when
it was measured at one worker count only, the recommendation's stand-in (the fastest
configuration measured at several). It is fitted to the worker counts up to the
measured machine's CPUs (:func:`within_cores`): past them the curve bends at that
machine's core count, which says nothing of a machine with more. With two worker
counts, Amdahl is drawn through both (two points, two parameters: none left to test it).

**The prediction for N CPUs.** The worker count ``n <= N`` with the highest predicted
throughput, and that throughput. Workers past N are not considered: a model fitted on
another machine cannot say whether this work would gain from more workers than CPUs.

**The band.** A percentile bootstrap: the passes of every worker count are resampled
(with replacement, seeded, so the same file gives the same band), the model refitted
and the prediction made again, ``RESAMPLES`` times; the band is the 2.5th to 97.5th
percentile, widened by the model's worst relative error at the measured points (a
model that misses a measured point by 8% is not trusted closer than that elsewhere).
The resampling also gives the range of the best worker count.

**Honesty.** Every prediction past the largest worker count fitted is flagged as an
extrapolation, and one more caveat is raised when the fit had to include worker counts
past the measured machine's CPUs. Past twice the largest worker count measured there is
no prediction at all (``MAX_FACTOR``). ``holdout`` checks the model on the file itself:
fitted on every worker count of a configuration but the largest, what does it predict
for the largest, against what was measured? (And, when that count is past the
machine's CPUs, what does "no gain past the cores" predict?)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bench.analysis.load import Analysis
from bench.analysis.recommend import Answer
from bench.analysis.rows import CaseRow, line_label
from bench.analysis.scaling import MIN_POINTS, Fit, fit, usl

MAX_FACTOR = 2          # no prediction past twice the largest worker count measured
RESAMPLES = 200
LEVEL = 0.95            # the band's coverage


def two_point_amdahl(workers, rates) -> Fit:
    """Amdahl through two points: ``N / X(N) = (1 - σ)/λ + (σ/λ) N`` is a straight line
    in N, so two points fix λ and σ. Superlinear (σ < 0) is drawn linear, falling
    (σ > 1) flat: the bounds the least-squares fit keeps."""
    (n1, x1), (n2, x2) = sorted(zip(map(float, workers), map(float, rates)))
    y1, y2 = n1 / x1, n2 / x2
    b = (y2 - y1) / (n2 - n1)
    a = y1 - b * n1
    if b <= 0 or a + b <= 0:             # superlinear: linear through the mean rate per worker
        lam, sigma = (x1 / n1 + x2 / n2) / 2, 0.0
    elif a < 0:                          # throughput falls: flat at the mean
        lam, sigma = (x1 + x2) / 2, 1.0
    else:
        lam, sigma = 1.0 / (a + b), b / (a + b)
    ns = [int(n1), int(n2)]
    return Fit("Amdahl", lam, sigma, 0.0, workers=ns, measured=[x1, x2],
               predicted=[float(v) for v in usl(ns, lam, sigma)],
               reason="Amdahl through the two worker counts measured")


def model(workers, rates) -> Fit | None:
    """The scaling model of these points; two points: Amdahl through both; fewer: None."""
    if len(set(workers)) >= MIN_POINTS:
        return fit(workers, rates)
    if len(set(workers)) == 2:
        return two_point_amdahl(workers, rates)
    return None


def best_workers(f: Fit, cpus: int) -> tuple[int, float]:
    """The worker count up to ``cpus`` with the highest predicted throughput (the fewest
    of equals), and that throughput."""
    ns = np.arange(1, max(1, int(cpus)) + 1)
    xs = f.predict(ns)
    i = int(np.argmax(xs))
    return int(ns[i]), float(xs[i])


def resampled(rows: list[CaseRow], evaluate, resamples: int | None = None, seed: int = 0) -> list:
    """``evaluate(fit)`` on the model refitted to resampled passes, ``resamples`` times
    (default ``RESAMPLES``)."""
    resamples = RESAMPLES if resamples is None else resamples
    rng = np.random.default_rng(seed)
    values = [np.asarray(r.bench.get_values(), dtype=float) for r in rows]
    workers = [r.workers for r in rows]
    out = []
    for _ in range(resamples):
        rates = [1.0 / float(np.median(rng.choice(v, size=len(v), replace=True))) for v in values]
        f = model(workers, rates)
        if f is not None:
            out.append(evaluate(f))
    return out


def band(predictions: list[float], f: Fit, centre: float) -> tuple[float, float]:
    """The bootstrap's percentile interval, widened by the model's worst miss."""
    if predictions:
        tail = (1 - LEVEL) / 2 * 100
        low, high = np.percentile(predictions, [tail, 100 - tail])
    else:
        low = high = centre
    worst = f.worst_error if f.measured else 0.0
    return float(min(low, centre) * (1 - worst)), float(max(high, centre) * (1 + worst))


def modelled_line(answer: Answer) -> list[CaseRow] | None:
    """The rows of the configuration to model: the pick's when it was measured at two
    worker counts or more, else the recommendation's stand-in, else the fastest
    configuration measured at two or more."""
    group = answer.group
    lines = group.lines()
    candidates = [answer.choice, answer.anchor]
    candidates += sorted((r for r in group.rows if r.family != "serial"), key=group.rate, reverse=True)
    for row in candidates:
        if row is None or row.family == "serial":
            continue
        rows = lines.get(row.line, [])
        if len({r.workers for r in rows}) >= 2:
            return rows
    return None


@dataclass
class Prediction:
    title: str
    line: str                        # the configuration modelled
    is_pick: bool                    # it is the recommended configuration's own
    cpus: int                        # the machine predicted for
    machine_cpus: int | None         # the machine measured
    measured: list                   # worker counts the model is fitted to
    fit: Fit | None = None
    workers: int | None = None       # predicted best worker count
    throughput: float | None = None  # img/s there
    low: float | None = None
    high: float | None = None
    workers_range: tuple | None = None
    refused: str = ""                # why there is no prediction ("": there is one)
    resamples: int = 0

    @property
    def extrapolated(self) -> bool:
        return bool(self.measured) and max(self.cpus, self.workers or 0) > max(self.measured)

    @property
    def past_cores(self) -> bool:
        """The fit holds worker counts past the measured machine's CPUs."""
        return bool(self.machine_cpus and self.measured and max(self.measured) > self.machine_cpus)

    def as_dict(self) -> dict:
        return {"group": self.title, "configuration": self.line, "is_pick": self.is_pick,
                "cpus": self.cpus, "measured_on_cpus": self.machine_cpus,
                "measured_workers": self.measured, "model": self.fit.as_dict() if self.fit else None,
                "best_workers": self.workers, "img_per_s": self.throughput,
                "band": [self.low, self.high] if self.low is not None else None,
                "best_workers_range": list(self.workers_range) if self.workers_range else None,
                "band_level": LEVEL, "resamples": self.resamples,
                "extrapolated": self.extrapolated, "fit_past_measured_cpus": self.past_cores,
                "refused": self.refused or None}


def within_cores(rows: list[CaseRow], machine_cpus: int | None) -> list[CaseRow]:
    """The rows the model is fitted to: the worker counts up to the measured machine's
    CPUs when there are two or more of them (past its CPUs a curve bends at this
    machine's core count, not the work's: in the 2-CPU runs of results/reference/,
    Amdahl fitted to 1-2 workers missed the 4-worker throughput by 29-61% (median),
    "no gain past the cores" by 7-12%); otherwise all of them, flagged."""
    if machine_cpus:
        mine = [r for r in rows if r.workers <= machine_cpus]
        if len({r.workers for r in mine}) >= 2:
            return mine
    return rows


def predict(answer: Answer, machine_cpus: int | None, cpus: int,
            resamples: int | None = None) -> Prediction:
    rows = modelled_line(answer)
    title = answer.group.title
    if rows is None:
        return Prediction(title, "", False, cpus, machine_cpus, [], refused="one worker count")
    out = Prediction(title, line_label(rows[0].line), rows[0].line == answer.choice.line, cpus,
                     machine_cpus, [r.workers for r in rows],
                     resamples=RESAMPLES if resamples is None else resamples)
    if cpus > MAX_FACTOR * max(out.measured):
        out.refused = "too far"
        return out
    rows = within_cores(rows, machine_cpus)
    out.measured = [r.workers for r in rows]
    f = model(out.measured, [r.throughput for r in rows])
    out.fit = f
    out.workers, out.throughput = best_workers(f, cpus)
    draws = resampled(rows, lambda g: best_workers(g, cpus), resamples)
    out.low, out.high = band([x for _, x in draws], f, out.throughput)
    if draws:
        ns = [n for n, _ in draws]
        out.workers_range = (int(np.percentile(ns, 2.5)), int(np.ceil(np.percentile(ns, 97.5))))
    return out


def largest_measured(analyses: list[Analysis]) -> int:
    """The largest worker count of any throughput case in these files."""
    return max((r.workers for a in analyses for g in a.groups() for r in g.rows
                if r.family != "serial"), default=1)


# -- held-out points -----------------------------------------------------------------------

@dataclass
class HeldOut:
    """One configuration: fitted on all its worker counts but the largest, which it predicts."""
    title: str
    line: str
    fitted_on: list
    held_out: int
    measured: float
    predicted: float
    low: float
    high: float
    model: str
    past_cores: bool                 # the held-out count is past the machine's CPUs
    capped: float | None = None      # the model at min(workers, CPUs): no gain past the cores

    @property
    def error(self) -> float:
        """Relative error of the prediction (+: the model was too high)."""
        return (self.predicted - self.measured) / self.measured

    @property
    def capped_error(self) -> float | None:
        return None if self.capped is None else (self.capped - self.measured) / self.measured

    @property
    def covered(self) -> bool:
        return self.low <= self.measured <= self.high

    def as_dict(self) -> dict:
        return {"group": self.title, "configuration": self.line, "fitted_on": self.fitted_on,
                "held_out": self.held_out, "measured": self.measured, "predicted": self.predicted,
                "error": self.error, "band": [self.low, self.high], "covered": self.covered,
                "model": self.model, "past_measured_cpus": self.past_cores,
                "capped_at_cpus": self.capped, "capped_error": self.capped_error}


def hold_out(title: str, rows: list[CaseRow], machine_cpus: int | None,
             resamples: int | None = None) -> HeldOut | None:
    """Fit the rows of one configuration without its largest worker count; predict it."""
    rows = sorted(rows, key=lambda r: r.workers)
    if len({r.workers for r in rows}) < 3:
        return None
    *kept, last = rows
    f = model([r.workers for r in kept], [r.throughput for r in kept])
    if f is None:
        return None
    n = last.workers
    predicted = float(f.predict(n))
    low, high = band(resampled(kept, lambda g: float(g.predict(n)), resamples), f, predicted)
    past = bool(machine_cpus and n > machine_cpus)
    # the other rule a reader may hold: past the cores, no more throughput (nor less)
    capped = float(f.predict(machine_cpus)) if past else None
    return HeldOut(title, line_label(last.line), [r.workers for r in kept], n, last.throughput,
                   predicted, low, high, f.model, past, capped)


def holdout(analysis: Analysis, resamples: int | None = None) -> list[HeldOut]:
    """Every configuration of the file measured at three worker counts or more."""
    out = []
    for g in analysis.groups():
        for rows in g.lines().values():
            h = hold_out(g.title, rows, analysis.machine.cpus, resamples)
            if h is not None:
                out.append(h)
    return out


@dataclass
class HoldoutSummary:
    count: int
    median_error: float | None       # of |error|
    worst_error: float | None
    covered: int
    past_cores: int
    median_signed: float | None = None          # +: the model tends to predict too high
    capped_median_error: float | None = None    # of |error| of the capped rule, where it applies
    by_model: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"configurations": self.count, "median_abs_error": self.median_error,
                "median_error": self.median_signed, "worst_abs_error": self.worst_error,
                "within_band": self.covered, "held_out_past_measured_cpus": self.past_cores,
                "capped_median_abs_error": self.capped_median_error, "by_model": self.by_model}


def _median(values) -> float | None:
    return float(np.median(values)) if values else None


def summarise(held: list[HeldOut]) -> HoldoutSummary:
    errors = [abs(h.error) for h in held]
    by_model: dict = {}
    for h in held:
        by_model.setdefault(h.model, []).append(abs(h.error))
    capped = [abs(h.capped_error) for h in held if h.capped_error is not None]
    return HoldoutSummary(len(held), _median(errors), max(errors) if errors else None,
                          sum(h.covered for h in held), sum(h.past_cores for h in held),
                          _median([h.error for h in held]), _median(capped),
                          {k: _median(v) for k, v in by_model.items()})
