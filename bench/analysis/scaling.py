"""A scaling model of throughput against workers, fitted by least squares on relative
residuals: Amdahl, ``X(N) = λN / (1 + σ(N-1))``, or the Universal Scalability Law,
``X(N) = λN / (1 + σ(N-1) + κN(N-1))``, which peaks and falls (a negative σ: superlinear).
Amdahl, one parameter fewer, is kept whenever it fits every point within GOOD_ENOUGH;
the bounds, starts and choice: docs/recommendation.md, "The scaling models".
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.optimize import least_squares

from bench.analysis.records import AsJson

GOOD_ENOUGH = 0.05      # worst relative error at which the simpler model is kept
USL_SIGMA_MIN = -1.0    # σ < 0: superlinear (Gunther, Puglia, Tomasette 2015)
SUPERLINEAR_MARGIN = 0.05   # per-worker throughput must rise by more than this to say so
MIN_POINTS = 3          # fewer worker counts than this: no model is fitted


def usl(n, lam, sigma, kappa=0.0):
    n = np.asarray(n, dtype=float)
    return lam * n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0))


@dataclass
class Fit(AsJson):
    model: str                      # "USL" or "Amdahl"
    lam: float
    sigma: float
    kappa: float
    workers: list                   # measured worker counts
    measured: list                  # img/s
    predicted: list                 # img/s
    reason: str = ""
    other: dict = field(default_factory=dict)   # the model not chosen: name, worst error

    JSON = {"model": "model", "lambda": "lam", "sigma": "sigma", "kappa": "kappa",
            "points": lambda f: [{"workers": w, "measured": m, "predicted": p, "error": e}
                                 for w, m, p, e in zip(f.workers, f.measured, f.predicted,
                                                       f.errors)],
            "worst_error": "worst_error", "mean_error": "mean_error", "exact": "exact",
            "peak_workers": "peak_workers", "peak_extrapolated": "extrapolated", "limit": "limit",
            "reason": "reason", "other": "other"}

    @property
    def n_params(self) -> int:
        return 3 if self.model == "USL" else 2

    @property
    def errors(self) -> list[float]:
        """Relative error of the model at each measured point (+ = model too high)."""
        return [(p - m) / m for p, m in zip(self.predicted, self.measured)]

    @property
    def worst_error(self) -> float:
        return max(abs(e) for e in self.errors)

    @property
    def mean_error(self) -> float:
        return sum(abs(e) for e in self.errors) / len(self.errors)

    @property
    def exact(self) -> bool:
        """As many parameters as points: the curve can pass through every one."""
        return len(self.workers) <= self.n_params

    def predict(self, n) -> np.ndarray:
        return usl(n, self.lam, self.sigma, self.kappa)

    @property
    def peak_workers(self) -> int | None:
        """Worker count with the highest predicted throughput; None if it never peaks."""
        if self.kappa <= 0:
            return None
        star = math.sqrt(max(0.0, 1.0 - self.sigma) / self.kappa)
        candidates = {max(1, math.floor(star)), max(1, math.ceil(star))}
        return max(candidates, key=lambda n: float(self.predict(n)))

    @property
    def limit(self) -> float | None:
        """Amdahl's ceiling λ/σ (img/s) when the model never peaks."""
        return self.lam / self.sigma if self.kappa <= 0 and self.sigma > 0 else None

    @property
    def extrapolated(self) -> bool:
        peak = self.peak_workers
        return peak is not None and not (min(self.workers) <= peak <= max(self.workers))

    def params_text(self) -> str:
        text = f"λ={self.lam:,.0f} img/s, σ={self.sigma:.3f}"
        if self.model == "USL":
            text += f", κ={self.kappa:.4f}"
        return text


def relative_residuals(p, n: np.ndarray, x: np.ndarray) -> np.ndarray:
    """(model - measured) / measured at each point; ``p`` = (λ, σ) or (λ, σ, κ)."""
    return usl(n, *p) / x - 1.0


def relative_jacobian(p, n: np.ndarray, x: np.ndarray) -> np.ndarray:
    """d residuals / d p, analytic: exact, and several times faster than finite differences."""
    lam, sigma = p[0], p[1]
    kappa = p[2] if len(p) > 2 else 0.0
    d = 1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0)
    cols = [n / d / x, -lam * n * (n - 1.0) / d**2 / x]
    if len(p) > 2:
        cols.append(-lam * n * n * (n - 1.0) / d**2 / x)
    return np.column_stack(cols)


def defined_everywhere(sigma: float, kappa: float) -> bool:
    """Is the USL's denominator positive for every N ≥ 1 (no pole)? With m = N-1 it is
    ``κm² + (σ+κ)m + 1``: so when σ+κ ≥ 0, or the quadratic has no real root."""
    b = sigma + kappa
    return b >= 0 or b * b < 4 * kappa


def _linear_start(n: np.ndarray, x: np.ndarray, with_kappa: bool, sigma_min: float = 0.0) -> list:
    """A starting point from the USL's linear form: with λ fixed at the smallest worker
    count's throughput per worker, ``λN/X(N) - 1 = σ(N-1) + κN(N-1)`` is linear in σ, κ."""
    lam0 = float(x[np.argmin(n)] / n.min())
    y = n * lam0 / x - 1.0
    a = np.column_stack([n - 1.0] + ([n * (n - 1.0)] if with_kappa else []))
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    return [lam0, float(np.clip(coef[0], sigma_min, 1.0))] + ([float(max(coef[1], 0.0))] if with_kappa else [])


def _fit_one(n: np.ndarray, x: np.ndarray, with_kappa: bool, sigma_min: float = 0.0) -> np.ndarray:
    """Best (λ, σ, κ) from two deterministic starting points: the linear form's solution
    and a heavily contended guess (on 130 measured lines never worse than a 3x3 grid)."""
    return np.array(_fit_points(n.astype(float).tobytes(), x.astype(float).tobytes(), with_kappa,
                                sigma_min))


# the same points are fitted again and again: a bootstrap draws the same passes more than
# once, and recommend, --cpus and --holdout refit the lines of one file (the fit is
# deterministic: the points decide it)
@lru_cache(maxsize=4096)
def _fit_points(n_bytes: bytes, x_bytes: bytes, with_kappa: bool, sigma_min: float) -> tuple:
    n, x = np.frombuffer(n_bytes), np.frombuffer(x_bytes)
    linear = _linear_start(n, x, with_kappa, sigma_min)
    starts = [linear, [linear[0], 0.8] + ([0.3] if with_kappa else [])]
    lower = [1e-12, sigma_min] + ([0.0] if with_kappa else [])
    upper = [np.inf, 1.0] + ([np.inf] if with_kappa else [])
    best = min((least_squares(relative_residuals, p0, jac=relative_jacobian,
                              bounds=(lower, upper), args=(n, x)) for p0 in starts),
               key=lambda res: res.cost)
    return tuple(best.x) + (() if with_kappa else (0.0,))


def fit(workers, throughput) -> Fit | None:
    """Fit and choose a model; None with fewer than MIN_POINTS worker counts."""
    points = {}
    for w, x in zip(workers, throughput):
        if x and x > 0 and math.isfinite(x):
            points[int(w)] = max(points.get(int(w), 0.0), float(x))
    if len(points) < MIN_POINTS:
        return None
    n = np.array(sorted(points), dtype=float)
    x = np.array([points[int(w)] for w in n])

    fits = {}
    for name, with_kappa in (("Amdahl", False), ("USL", True)):
        params = _fit_one(n, x, with_kappa, USL_SIGMA_MIN if with_kappa else 0.0)
        if with_kappa and not defined_everywhere(*params[1:]):
            params = _fit_one(n, x, with_kappa)      # a pole: back to σ ≥ 0
        fits[name] = Fit(name, *map(float, params), workers=[int(w) for w in n],
                         measured=list(map(float, x)),
                         predicted=list(map(float, usl(n, *params))))
    amdahl, full = fits["Amdahl"], fits["USL"]
    falls = bool(np.any(np.diff(x) < 0))
    if amdahl.worst_error <= GOOD_ENOUGH or full.worst_error >= amdahl.worst_error - 1e-9 \
            or full.kappa <= 1e-9:
        chosen, other = amdahl, full
        chosen.reason = (f"Amdahl: fits every point within {amdahl.worst_error:.1%}, and with one "
                         "parameter fewer than the USL it is the simpler explanation"
                         if amdahl.worst_error <= GOOD_ENOUGH else
                         "Amdahl: the USL's extra coherency term does not fit any better")
    else:
        chosen, other = full, amdahl
        why = ("throughput falls as workers are added, which Amdahl cannot draw" if falls
               else "throughput flattens faster than Amdahl allows")
        if full.sigma < -1e-9:
            # say "superlinear" only when the measurements are, beyond noise: σ < 0 also
            # buys the bend of a line that is near-linear up to the cores and then flat
            per_worker = x / n
            superlinear = bool(np.any(np.diff(per_worker) > SUPERLINEAR_MARGIN * per_worker[:-1]))
            bends = bool(np.any(np.diff(per_worker) < 0))
            then = " and then falls" if falls else " and then flattens" if bends else ""
            why = (f"throughput rises faster than the worker count (superlinear, σ < 0: e.g. "
                   f"one worker's waits filled by another's work){then}, which Amdahl cannot "
                   "draw" if superlinear else
                   f"throughput rises almost linearly{then or ' and then bends'} more abruptly "
                   "than the USL can draw with σ ≥ 0; a negative σ buys that bend")
        chosen.reason = (f"USL: {why} (Amdahl misses a point by {amdahl.worst_error:.1%}, "
                         f"the USL by {full.worst_error:.1%})")
    chosen.other = {"model": other.model, "worst_error": other.worst_error,
                    "params": other.params_text()}
    return chosen


def describe(f: Fit, label: str = "") -> str:
    """One sentence for people: the model, its parameters, best worker count, error."""
    span = f"{min(f.workers)}-{max(f.workers)} workers, {len(f.workers)} points"
    head = f"{f.model} fit{' of ' + label if label else ''} ({span}): {f.params_text()}"
    if f.peak_workers is not None:
        peak = f"predicted best: {f.peak_workers} worker{'s' if f.peak_workers != 1 else ''}"
        if f.extrapolated:
            peak += " (outside the measured range: extrapolated)"
    elif f.limit is not None:
        peak = f"no peak: throughput approaches {f.limit:,.0f} img/s as workers are added"
    else:
        peak = "no peak: throughput grows linearly with workers"
    err = f"worst error {f.worst_error:.1%}, mean {f.mean_error:.1%}"
    if f.exact:
        err += (f" ({len(f.workers)} points for {f.n_params} parameters: no spare point, so this "
                "error is no test of the model, only a description)")
    return f"{head}; {peak}; {err}."
