"""The statistics of a race: who is out after a round, and when the survivors tie.

A configuration's sample is its paired speedups, one per visit (the serial pass timed
next to its pool pass, before and after it in turn, over that pool pass). The tests run on their logarithms,
so "5% slower" means the same at 1.2x and at 3x, and use scipy's Welch t-test:

* out: its mean log speedup is significantly below the leader's by more than a small
  margin (one-sided, H1: mean < leader + log(1 - OUT_MARGIN), at ALPHA);
* tie: every survivor's confidence interval of the difference to the leader lies
  inside +-TIE_MARGIN (two one-sided tests, the usual test of equivalence).

Two visits are the least a configuration needs before it can be put out (its spread
is unknown before); a tie needs TIE_MIN_VISITS each.
"""
from __future__ import annotations

import contextlib
import math
import warnings
from dataclasses import dataclass

OUT_MARGIN = 0.02       # "significantly slower by more than 2%"
ALPHA = 0.01            # per test, one-sided: a race tests many pairs, many rounds
TIE_MARGIN = 0.05       # survivors within 5% of each other are a tie; the pick's ties too
                        # (bench.analysis.recommend: within 5% of the best by its median)
TIE_ALPHA = 0.05
TIE_MIN_VISITS = 3
MIN_VISITS = 2


@contextlib.contextmanager
def _quiet():
    """scipy warns of precision loss on nearly equal samples; its p is then the answer."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _logs(values) -> list[float]:
    return [math.log(v) for v in values if v and v > 0 and math.isfinite(v)]


def _median(values: list[float]) -> float:
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def leader(samples: dict[str, list[float]]) -> str | None:
    """The configuration with the highest median speedup (ties: the first given)."""
    best, best_value = None, -math.inf
    for name, values in samples.items():
        logs = _logs(values)
        if logs and _median(logs) > best_value:
            best, best_value = name, _median(logs)
    return best


@dataclass(frozen=True)
class Verdict:
    name: str
    out: bool
    p_value: float | None
    ratio: float | None       # median speedup / the leader's


def _welch_less(a: list[float], b: list[float]) -> float | None:
    """p of H1 mean(a) < mean(b) (Welch); None when it cannot be computed."""
    from scipy.stats import ttest_ind

    if len(a) < MIN_VISITS or len(b) < MIN_VISITS:
        return None
    if _constant(a) and _constant(b):
        return 0.0 if a[0] < b[0] else 1.0
    with _quiet():
        res = ttest_ind(a, b, equal_var=False, alternative="less")
    return None if res.pvalue != res.pvalue else float(res.pvalue)


def _constant(values) -> bool:
    return all(v == values[0] for v in values)


def eliminate(samples: dict[str, list[float]]) -> list[Verdict]:
    """For every configuration but the leader: is it out?"""
    best = leader(samples)
    if best is None:
        return []
    lead = _logs(samples[best])
    shifted = [v + math.log(1 - OUT_MARGIN) for v in lead]
    out = []
    for name, values in samples.items():
        if name == best:
            continue
        logs = _logs(values)
        if not logs:
            out.append(Verdict(name, False, None, None))
            continue
        p = _welch_less(logs, shifted)
        ratio = math.exp(_median(logs) - _median(lead))
        out.append(Verdict(name, p is not None and p < ALPHA, p, ratio))
    return out


def equivalent(a: list[float], b: list[float], margin: float = TIE_MARGIN) -> bool:
    """Two one-sided Welch tests: is |mean log a - mean log b| < log(1 + margin)?"""
    from scipy.stats import ttest_ind

    la, lb = _logs(a), _logs(b)
    if len(la) < TIE_MIN_VISITS or len(lb) < TIE_MIN_VISITS:
        return False
    bound = math.log(1 + margin)
    if _constant(la) and _constant(lb):
        return abs(la[0] - lb[0]) < bound
    with _quiet():
        upper = ttest_ind(la, [v + bound for v in lb], equal_var=False, alternative="less").pvalue
        lower = ttest_ind(la, [v - bound for v in lb], equal_var=False, alternative="greater").pvalue
    return bool(upper < TIE_ALPHA and lower < TIE_ALPHA)


def all_tied(samples: dict[str, list[float]]) -> bool:
    """Every survivor equivalent to the leader (a single survivor is no tie)."""
    best = leader(samples)
    if best is None or len(samples) < 2:
        return False
    return all(equivalent(values, samples[best]) for name, values in samples.items() if name != best)
