"""A machine not measured (``recommend --cpus N``), and how far the prediction can be trusted
(``recommend --holdout``): each predicts only what the measured points support
(docs/recommendation.md, "Predictions: how far they can be trusted").
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from bench.analysis.records import AsJson
from bench.analysis.load import Analysis
from bench.analysis.recommend import Answer
from bench.analysis.rows import CaseRow, grouped, line_label
from bench.analysis.scaling import MIN_POINTS, Fit, fit, usl

MAX_FACTOR = 2          # no prediction past twice the largest worker count fitted
RESAMPLES = 200
LEVEL = 0.95            # the band's coverage

# why there is no prediction
NO_MODEL = "one worker count"        # fewer than two worker counts within the CPUs
NO_SPARE = "no spare point"          # past the counts fitted, with no error to go by
TOO_FAR = "too far"                  # past MAX_FACTOR x the largest count fitted


def two_point_amdahl(workers, rates) -> Fit:
    """Amdahl through two points (``N / X(N) = (1 - σ)/λ + (σ/λ) N`` is a straight line
    in N); superlinear drawn linear, falling flat: the bounds the least-squares fit keeps."""
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


def spare_points(f: Fit) -> int:
    """Worker counts fitted beyond the model's parameters: its degrees of freedom."""
    return len(f.workers) - f.n_params


def model_error(f: Fit) -> float | None:
    """The model's relative error at a point it was not fitted to, at ``LEVEL``: the
    t-quantile of its spare points times its residual standard error, never less than its
    worst miss. None with no spare point (the curve passes through every point)."""
    dof = spare_points(f)
    if dof < 1:
        return None
    residual = math.sqrt(sum(e * e for e in f.errors) / dof)
    return max(f.worst_error, float(stats.t.ppf((1 + LEVEL) / 2, dof)) * residual)


@dataclass(frozen=True)
class Cores:
    """The measured machine: its usable CPUs and parallel capacity (None: not recorded)."""
    cpus: int | None
    capacity: float | None = None

    @property
    def share(self) -> float:
        """CPU-equivalents per CPU (1 when not measured; never more than 1)."""
        if self.cpus and self.capacity and self.capacity > 0:
            return min(1.0, self.capacity / self.cpus)
        return 1.0


def throughput_at(f: Fit, n: int, cores: Cores, on_cpus: int | None = None) -> float:
    """The throughput of ``n`` workers on ``on_cpus`` CPUs (default: the measured machine's)
    of the measured machine's make: workers past the CPUs add nothing, and past the counts
    fitted no more than λ times the CPU-equivalents the workers can use."""
    on_cpus = on_cpus or cores.cpus
    used = min(n, on_cpus) if on_cpus else n
    x = float(f.predict(used))
    if n > max(f.workers):
        x = min(x, f.lam * used * cores.share)
    return x


def reach(f: Fit, furthest: int) -> str:
    """Why this fit may not be evaluated at ``furthest`` workers ("" when it may)."""
    largest = max(f.workers)
    if furthest <= largest:
        return ""
    if spare_points(f) < 1:
        return NO_SPARE
    return TOO_FAR if furthest > MAX_FACTOR * largest else ""


def best_workers(f: Fit, cpus: int, cores: Cores) -> tuple[int, float]:
    """The worker count up to ``cpus`` with the highest predicted throughput on ``cpus``
    CPUs (the fewest of equals), and that throughput."""
    ns = range(1, max(1, int(cpus)) + 1)
    xs = [throughput_at(f, n, cores, cpus) for n in ns]
    i = int(np.argmax(xs))
    return i + 1, float(xs[i])


def pass_rates(rows: list[CaseRow]) -> list:
    return [1.0 / np.asarray(r.bench.get_values(), dtype=float) for r in rows]


def _rate(passes) -> float:
    """The img/s of passes as the file's median has it: over the seconds per image."""
    return 1.0 / float(np.median(1.0 / np.asarray(passes, dtype=float)))


def resampled_passes(workers: list, rates: list, evaluate, resamples: int | None = None) -> list:
    """``evaluate(fit)`` on the model refitted to resampled passes (``rates``: the img/s of
    each pass of each worker count), ``resamples`` times (default ``RESAMPLES``), seeded."""
    resamples = RESAMPLES if resamples is None else resamples
    rng = np.random.default_rng(0)
    rates = [np.asarray(v, dtype=float) for v in rates]
    fits = (model(workers, [_rate(rng.choice(v, size=len(v), replace=True)) for v in rates])
            for _ in range(resamples))
    return [evaluate(f) for f in fits if f is not None]


def band(predictions: list[float], f: Fit, centre: float) -> tuple[float, float] | None:
    """The bootstrap's percentile interval around ``centre``, each side combined in
    quadrature with the model's error (:func:`model_error`); None when the fit has no
    spare point to estimate that error from."""
    error = model_error(f)
    if error is None:
        return None
    low = high = centre
    if predictions:
        tail = (1 - LEVEL) / 2 * 100
        low, high = np.percentile(predictions, [tail, 100 - tail])
    below = max(0.0, centre - float(low)) / centre
    above = max(0.0, float(high) - centre) / centre
    return (centre * max(0.0, 1 - math.hypot(below, error)),
            centre * (1 + math.hypot(above, error)))


def within_cores(rows: list[CaseRow], machine_cpus: int | None) -> list[CaseRow]:
    """The rows a model is fitted to: the worker counts up to the measured machine's CPUs
    (all when not recorded). Past its CPUs a curve bends at this machine's core count, not
    the work's (in results/reference/, fitted to 1-2 and drawn on to 4 it missed by 29-61%)."""
    return [r for r in rows if not machine_cpus or r.workers <= machine_cpus]


def modelled_line(answer: Answer, machine_cpus: int | None = None) -> list[CaseRow] | None:
    """The rows of the configuration to model: the first of the pick's, the stand-in's and
    the fastest configurations' measured at two worker counts or more within the CPUs."""
    group = answer.group
    lines = group.lines()
    candidates = [answer.choice, answer.anchor]
    candidates += sorted((r for r in group.rows if r.family != "serial"), key=group.rate, reverse=True)
    for row in candidates:
        if row is None or row.family == "serial":
            continue
        rows = lines.get(row.line, [])
        if len({r.workers for r in within_cores(rows, machine_cpus)}) >= 2:
            return rows
    return None


@dataclass
class Prediction(AsJson):
    title: str
    line: str                        # the configuration modelled
    is_pick: bool                    # it is the recommended configuration's own
    cpus: int                        # the machine predicted for
    machine_cpus: int | None         # the machine measured
    measured: list                   # worker counts the model is fitted to
    fit: Fit | None = None
    workers: int | None = None       # predicted best worker count
    throughput: float | None = None  # img/s there
    low: float | None = None         # the band (None: no spare point, no band)
    high: float | None = None
    workers_range: tuple | None = None
    refused: str = ""                # why there is no prediction ("": there is one)
    resamples: int = 0
    capacity: float | None = None    # the measured machine's parallel capacity
    capped: bool = False             # the capacity cap set the throughput

    JSON = {"group": "title", "configuration": "line", "is_pick": "is_pick", "cpus": "cpus",
            "measured_on_cpus": "machine_cpus", "measured_capacity": "capacity",
            "measured_workers": "measured", "model": lambda p: p.fit.as_dict() if p.fit else None,
            "spare_points": "spare", "best_workers": "workers", "img_per_s": "throughput",
            "band": lambda p: [p.low, p.high] if p.low is not None else None,
            "best_workers_range": lambda p: list(p.workers_range) if p.workers_range else None,
            "band_level": lambda p: LEVEL, "resamples": "resamples",
            "extrapolated": "extrapolated", "capped_by_capacity": "capped",
            "refused": lambda p: p.refused or None}

    @property
    def extrapolated(self) -> bool:
        return bool(self.measured) and max(self.cpus, self.workers or 0) > max(self.measured)

    @property
    def spare(self) -> int | None:
        return spare_points(self.fit) if self.fit else None


def predict(answer: Answer, machine_cpus: int | None, cpus: int,
            resamples: int | None = None, capacity: float | None = None) -> Prediction:
    cores = Cores(machine_cpus, capacity)
    rows = modelled_line(answer, machine_cpus)
    title = answer.group.title
    if rows is None:
        return Prediction(title, "", False, cpus, machine_cpus, [], refused=NO_MODEL, capacity=capacity)
    rows = within_cores(rows, machine_cpus)
    out = Prediction(title, line_label(rows[0].line), rows[0].line == answer.choice.line, cpus,
                     machine_cpus, [r.workers for r in rows], capacity=capacity,
                     resamples=RESAMPLES if resamples is None else resamples)
    f = model(out.measured, [r.throughput for r in rows])
    out.fit = f
    out.refused = reach(f, cpus)
    if out.refused:
        return out
    out.workers, out.throughput = best_workers(f, cpus, cores)
    out.capped = out.throughput < float(f.predict(out.workers)) * (1 - 1e-9)
    if spare_points(f) < 1:          # no error to go by: the model's figure, no band
        out.resamples = 0
        return out
    draws = resampled_passes(out.measured, pass_rates(rows), lambda g: best_workers(g, cpus, cores),
                             resamples)
    out.low, out.high = band([x for _, x in draws], f, out.throughput)
    if draws:
        ns = [n for n, _ in draws]
        out.workers_range = (int(np.percentile(ns, 2.5)), int(np.ceil(np.percentile(ns, 97.5))))
    return out


def largest_fitted(analyses: list[Analysis]) -> int:
    """The largest worker count a model can be fitted to in these files: of any
    throughput case, within its machine's CPUs."""
    return max((r.workers for a in analyses for g in a.groups() for r in g.rows
                if r.family != "serial" and (not a.machine.cpus or r.workers <= a.machine.cpus)),
               default=1)


# -- held-out points -----------------------------------------------------------------------

@dataclass
class HeldOut(AsJson):
    """One configuration: fitted on its worker counts within the CPUs but the largest
    count measured, which it predicts (or says why it cannot)."""
    title: str
    line: str
    fitted_on: list
    held_out: int
    measured: float
    predicted: float | None          # None: refused
    low: float | None                # None: no band
    high: float | None
    model: str
    past_cores: bool                 # the held-out count is past the machine's CPUs
    curve: float | None = None       # the model's own curve at the held-out count, uncapped
    refused: str = ""
    spare: int = 0                   # the fit's spare points
    n_params: int = 0

    JSON = {"group": "title", "configuration": "line", "fitted_on": "fitted_on",
            "held_out": "held_out", "measured": "measured", "predicted": "predicted",
            "error": "error", "band": lambda h: [h.low, h.high] if h.banded else None,
            "covered": "covered", "model": "model", "spare_points": "spare",
            "past_measured_cpus": "past_cores", "refused": lambda h: h.refused or None,
            "model_curve": "curve", "model_curve_error": "curve_error"}

    @property
    def error(self) -> float | None:
        """Relative error of the prediction (+: the model was too high)."""
        return None if self.predicted is None else (self.predicted - self.measured) / self.measured

    @property
    def curve_error(self) -> float | None:
        return None if self.curve is None else (self.curve - self.measured) / self.measured

    @property
    def banded(self) -> bool:
        return self.low is not None

    @property
    def covered(self) -> bool | None:
        return self.low <= self.measured <= self.high if self.banded else None


def hold_out_passes(workers: list, rates: list, held: int, cores: Cores,
                    resamples: int | None = None) -> tuple:
    """Fit the passes (img/s, one list per worker count) and predict ``held`` workers on
    the measured machine: (fit, predicted or None, band or None, why not)."""
    f = model(workers, [_rate(v) for v in rates])
    if f is None:
        return None, None, None, NO_MODEL
    used = min(held, cores.cpus) if cores.cpus else held
    # a fit with no spare point predicts nothing past its counts, not even "flat past the
    # CPUs": what happens past the cores is nothing its points can show (as with --cpus)
    why = reach(f, held if spare_points(f) < 1 else used)
    if why:
        return f, None, None, why
    predicted = throughput_at(f, held, cores)
    if spare_points(f) < 1:
        return f, predicted, None, ""
    draws = resampled_passes(workers, rates, lambda g: throughput_at(g, held, cores), resamples)
    return f, predicted, band(draws, f, predicted), ""


def hold_out(title: str, rows: list[CaseRow], machine_cpus: int | None,
             resamples: int | None = None, capacity: float | None = None) -> HeldOut | None:
    """Fit one configuration's rows within the CPUs but its largest count; predict that."""
    rows = sorted(rows, key=lambda r: r.workers)
    if len({r.workers for r in rows}) < 3:
        return None
    *kept, last = rows
    kept = within_cores(kept, machine_cpus)
    cores = Cores(machine_cpus, capacity)
    n = last.workers
    workers = [r.workers for r in kept]
    f, predicted, limits, why = hold_out_passes(workers, pass_rates(kept), n, cores, resamples)
    low, high = limits if limits else (None, None)
    return HeldOut(title, line_label(last.line), sorted(set(workers)), n, last.throughput, predicted,
                   low, high, f.model if f else "", bool(machine_cpus and n > machine_cpus),
                   float(f.predict(n)) if f else None, why,
                   spare_points(f) if f else 0, f.n_params if f else 0)


def holdout(analysis: Analysis, resamples: int | None = None) -> list[HeldOut]:
    """Every configuration of the file measured at three worker counts or more."""
    m = analysis.machine
    held = (hold_out(g.title, rows, m.cpus, resamples, m.capacity)
            for g in analysis.groups() for rows in g.lines().values())
    return [h for h in held if h is not None]


@dataclass
class HoldoutSummary(AsJson):
    count: int
    median_error: float | None       # of |error|, where predicted
    worst_error: float | None
    covered: int                     # the measured value inside the band
    past_cores: int
    median_signed: float | None = None          # +: the model tends to predict too high
    curve_median_error: float | None = None     # of |error| of the uncapped curve, past the cores
    by_model: dict = field(default_factory=dict)
    predicted: int = 0
    banded: int = 0
    refused: dict = field(default_factory=dict)  # why not: how many

    JSON = {"configurations": "count", "predicted": "predicted",
            "median_abs_error": "median_error", "median_error": "median_signed",
            "worst_abs_error": "worst_error", "with_band": "banded", "within_band": "covered",
            "held_out_past_measured_cpus": "past_cores",
            "model_curve_median_abs_error": "curve_median_error", "not_predicted": "refused",
            "by_model": "by_model"}


def _median(values) -> float | None:
    return float(np.median(values)) if values else None


def summarise(held: list[HeldOut]) -> HoldoutSummary:
    done = [h for h in held if h.predicted is not None]
    errors = [abs(h.error) for h in done]
    by_model = grouped(done, lambda h: h.model)
    refused = dict(Counter(h.refused for h in held if h.refused))
    curve = [abs(h.curve_error) for h in done if h.past_cores and h.curve_error is not None]
    return HoldoutSummary(len(held), _median(errors), max(errors) if errors else None,
                          sum(bool(h.covered) for h in done), sum(h.past_cores for h in held),
                          _median([h.error for h in done]), _median(curve),
                          {k: _median([abs(h.error) for h in v]) for k, v in by_model.items()},
                          len(done), sum(h.banded for h in done), refused)
