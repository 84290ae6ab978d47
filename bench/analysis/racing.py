"""The statistics of a race: who is out after a round, and when the survivors tie
(docs/race.md, "Out"; the recommendation's ties, :func:`within_margin`).

A configuration's sample is its paired speedups, one per visit; the tests run on their
logarithms, so "5% slower" means the same at 1.2x and at 3x. Out: significantly slower
than another by more than OUT_MARGIN (Yuen's trimmed Welch test, every ordered pair,
Holm over the pairs at the round's share of ALPHA). Tie: every survivor equivalent to
the leader within TIE_MARGIN (two one-sided Welch tests); it ends the race.
"""
from __future__ import annotations

import contextlib
import math
import statistics
from dataclasses import dataclass

from bench.analysis.significance import constant, quiet
from bench.plan.budget import VISITS_TO_JUDGE

OUT_MARGIN = 0.02       # "significantly slower by more than 2%"
ALPHA = 0.05            # the whole race of one group: the chance that any of its rounds
                        # puts out a configuration as fast as the best (see eliminate)
ROUNDS_PLANNED = 30     # a race's rounds when the caller does not say (a full run's most)
TRIM = 0.2              # Yuen's test trims this share of each tail (a stall: see _summary)
TIE_MARGIN = 0.05       # survivors within it of each other are a tie; the pick's ties too
                        # (bench.analysis.recommend: shown within it of the best, within_margin)
TIE_ALPHA = 0.05
TIE_SCREEN = 0.5        # within_margin: only p-values up to this enter Holm's family
TIE_MIN_VISITS = VISITS_TO_JUDGE     # the planner sizes its rounds by it too
MIN_VISITS = 2


@contextlib.contextmanager
def _no_full_collection():
    """statsmodels' Holm correction runs a full garbage collection on every call (tens of
    ms in a process holding a race's results, seconds over a race); it needs none."""
    import gc

    real = gc.collect
    gc.collect = lambda *_args: 0
    try:
        yield
    finally:
        gc.collect = real


def _logs(values) -> list[float]:
    return [math.log(v) for v in values if v and v > 0 and math.isfinite(v)]


def leader(samples: dict[str, list[float]]) -> str | None:
    """The configuration with the highest median speedup (ties: the first given)."""
    return _best({name: _logs(values) for name, values in samples.items()})


def _best(logs: dict[str, list[float]]) -> str | None:
    return max((name for name, values in logs.items() if values),
               key=lambda name: statistics.median(logs[name]), default=None)


@dataclass(frozen=True)
class Verdict:
    name: str
    out: bool
    p_value: float | None     # adjusted for the race's pairs and rounds: out when <= ALPHA
    ratio: float | None       # median speedup / the leader's


def round_alpha(round_no: int, rounds_planned: int) -> float:
    """The share of ALPHA the tests after round `round_no` of `rounds_planned` may spend:
    rounds MIN_VISITS..R share it equally (Bonferroni over the rounds, a bound whatever
    their correlation). Spending more early gained no round in the simulation: a test on
    2 to 4 visits has too few degrees of freedom to use it."""
    if round_no < MIN_VISITS or round_no > rounds_planned:
        return 0.0
    return ALPHA / max(rounds_planned - MIN_VISITS + 1, 1)


def _summary(logs: list[float]) -> tuple[float, float, int]:
    """(centre, spread, count) for scipy's Welch test from summary statistics, Yuen's way
    (what ttest_ind(trim=TRIM) computes; from these figures all pairs are one call): trim
    int(TRIM * n) visits from each tail, the winsorized spread. A stall (a pass 3x as long)
    in a plain mean widens the spread so that its pairs are never significant again."""
    a = sorted(logs)
    n = len(a)
    g = int(n * TRIM)
    h = n - 2 * g
    kept = a[g:n - g]
    centre = sum(kept) / h
    wins = [a[g]] * g + kept + [a[n - g - 1]] * g
    wmean = sum(wins) / n
    ss = sum((v - wmean) ** 2 for v in wins)
    return centre, math.sqrt(ss / (h - 1)), h


def _p_slower(summaries: list[tuple[float, float, int]], shift: float):
    """p[i][j]: of H1 centre_i < centre_j + shift, every ordered pair (the diagonal: 1)."""
    import numpy as np
    from scipy.stats import ttest_ind_from_stats

    m, s, h = (np.array(col, dtype=float) for col in zip(*summaries))
    with quiet(), np.errstate(divide="ignore", invalid="ignore"):
        res = ttest_ind_from_stats(m[:, None], s[:, None], h[:, None],
                                   m[None, :] + shift, s[None, :], h[None, :],
                                   equal_var=False, alternative="less")
    p = np.asarray(res.pvalue, dtype=float)
    # two samples without any spread: the difference is exact
    exact = (s[:, None] == 0) & (s[None, :] == 0)
    p = np.where(exact, np.where(m[:, None] < m[None, :] + shift, 0.0, 1.0), p)
    p = np.where(np.isnan(p), 1.0, p)
    np.fill_diagonal(p, 1.0)
    return p


def eliminate(samples: dict[str, list[float]], *, round_no: int | None = None,
              rounds_planned: int | None = None) -> list[Verdict]:
    """For every configuration but the leader: is it out after round `round_no`?

    Every ordered pair (i, j) of configurations with MIN_VISITS visits is tested: is i
    slower than j by more than OUT_MARGIN? i is out when any of its pairs is significant
    after Holm's correction over all the pairs at this round's share of ALPHA. All pairs,
    not each against the leader: the leader is the best of the same data.

    round_no defaults to the most visits any configuration has; rounds_planned to
    ROUNDS_PLANNED."""
    import numpy as np
    from statsmodels.stats.multitest import multipletests

    logs = {name: _logs(values) for name, values in samples.items()}
    best = _best(logs)
    if best is None:
        return []
    if round_no is None:
        round_no = max(len(v) for v in logs.values())
    alpha = round_alpha(round_no, rounds_planned or ROUNDS_PLANNED)
    judged = [name for name, v in logs.items() if len(v) >= MIN_VISITS]
    adjusted = {}
    if len(judged) >= 2 and alpha > 0:
        p = _p_slower([_summary(logs[n]) for n in judged], math.log(1 - OUT_MARGIN))
        off = ~np.eye(len(judged), dtype=bool)
        full = np.ones_like(p)
        with _no_full_collection():
            full[off] = multipletests(p[off], alpha=alpha, method="holm")[1]
        # Holm rejects where its adjusted p <= alpha; scaled to the race's ALPHA, the p a
        # verdict gives reads against the 5% of the whole race
        adjusted = {n: min(1.0, float(full[i].min()) * ALPHA / alpha) for i, n in enumerate(judged)}
    lead = statistics.median(logs[best])
    out = []
    for name, v in logs.items():
        if name != best:
            q = adjusted.get(name)          # None: too few visits to judge
            ratio = math.exp(statistics.median(v) - lead) if v else None
            out.append(Verdict(name, q is not None and q <= ALPHA, q, ratio))
    return out


def equivalent(a: list[float], b: list[float]) -> bool:
    """Two one-sided Welch tests: is |mean log a - mean log b| < log(1 + TIE_MARGIN)?"""
    from scipy.stats import ttest_ind

    la, lb = _logs(a), _logs(b)
    if len(la) < TIE_MIN_VISITS or len(lb) < TIE_MIN_VISITS:
        return False
    bound = math.log(1 + TIE_MARGIN)
    if constant(la) and constant(lb):
        return abs(la[0] - lb[0]) < bound
    with quiet():
        upper = ttest_ind(la, [v + bound for v in lb], equal_var=False, alternative="less").pvalue
        lower = ttest_ind(la, [v - bound for v in lb], equal_var=False, alternative="greater").pvalue
    return bool(upper < TIE_ALPHA and lower < TIE_ALPHA)


def within_margin(candidates: dict[str, list[float]], best: list[float]) -> set[str]:
    """The candidates shown to be at most TIE_MARGIN slower than ``best`` (speeds, higher
    is faster): the recommendation's ties (docs/recommendation.md, point 3).

    One one-sided test of non-inferiority per candidate (Yuen's trimmed Welch test on
    logs, as for eliminations), Holm's correction over the candidates at TIE_ALPHA: one
    truly more than TIE_MARGIN slower is shown within it with a chance of at most TIE_ALPHA."""
    import numpy as np
    from statsmodels.stats.multitest import multipletests

    lead = _logs(best)
    logs = {name: _logs(v) for name, v in candidates.items()}
    judged = [name for name, v in logs.items() if len(v) >= MIN_VISITS]
    if len(lead) < MIN_VISITS or not judged:
        return set()
    shift = -math.log(1 - TIE_MARGIN)
    p = _p_slower([_summary(lead)] + [_summary(logs[n]) for n in judged], shift)[0, 1:]
    # the far slower (the serial loop...) would only cost Holm power: conditional p-values
    # (Zhao, Small & Su 2019, JASA), those up to TIE_SCREEN divided by it; their bound
    # assumes independent tests, so it is checked by simulation (test_racing_error.py)
    kept = np.flatnonzero(p <= TIE_SCREEN)
    if not kept.size:
        return set()
    with _no_full_collection():
        shown = multipletests(p[kept] / TIE_SCREEN, alpha=TIE_ALPHA, method="holm")[0]
    return {judged[i] for i, ok in zip(kept, shown) if ok}


def all_tied(samples: dict[str, list[float]]) -> bool:
    """Every survivor equivalent to the leader (a single survivor is no tie)."""
    best = leader(samples)
    if best is None or len(samples) < 2:
        return False
    return all(equivalent(values, samples[best]) for name, values in samples.items() if name != best)
