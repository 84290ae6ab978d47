"""The statistics of a race: who is out after a round, and when the survivors tie.

A configuration's sample is its paired speedups, one per visit (the serial pass timed
next to its pool pass, before and after it in turn, over that pool pass). The tests run on their logarithms,
so "5% slower" means the same at 1.2x and at 3x:

* out: it is significantly slower than another configuration by more than a small margin
  (one-sided, H1: centre < other's centre + log(1 - OUT_MARGIN); Yuen's trimmed Welch
  test, so that a rare stalled pass does not hide a slower configuration). Every ordered
  pair is tested after every round, with Holm's correction over the pairs
  (statsmodels' multipletests) at the round's share of ALPHA (ALPHA / the rounds that
  judge): the chance that a race ever puts out a configuration as fast as the best is at
  most ALPHA, 5%, for any number of configurations and rounds. Simulated (5% noise per
  visit, a 3x stall in 1 pass of 100), equal configurations lose one in about 0.1-0.4%
  of races, and one 15% slower than the rest is out within 9 (2 configurations) to 12
  rounds (10) in 90% of them: tests/analysis/test_racing_error.py;
* tie: every survivor's confidence interval of the difference to the leader lies
  inside +-TIE_MARGIN (two one-sided Welch tests, the usual test of equivalence); a tie
  ends the race and puts nobody out.

Two visits are the least a configuration needs before it can be put out (its spread
is unknown before); a tie needs TIE_MIN_VISITS each.
"""
from __future__ import annotations

import contextlib
import math
import warnings
from dataclasses import dataclass

from bench.plan.budget import VISITS_TO_JUDGE

OUT_MARGIN = 0.02       # "significantly slower by more than 2%"
ALPHA = 0.05            # the whole race of one group: the chance that any of its rounds
                        # puts out a configuration as fast as the best (see eliminate)
ROUNDS_PLANNED = 30     # a race's rounds when the caller does not say (a full run's most)
TRIM = 0.2              # Yuen's test trims this share of each tail (a stall: see _summary)
TIE_MARGIN = 0.05       # survivors within 5% of each other are a tie; the pick's ties too
                        # (bench.analysis.recommend: shown within 5% of the best, within_margin)
TIE_ALPHA = 0.05
TIE_SCREEN = 0.5        # within_margin: only p-values up to this enter Holm's family
TIE_MIN_VISITS = VISITS_TO_JUDGE     # the planner sizes its rounds by it too
MIN_VISITS = 2


@contextlib.contextmanager
def _no_full_collection():
    """statsmodels' Holm correction runs a full garbage collection on every call (it
    imports gc inside the function: tens of ms in a process holding a race's results,
    seconds over a race); the correction itself needs none."""
    import gc

    real = gc.collect
    gc.collect = lambda *_args: 0
    try:
        yield
    finally:
        gc.collect = real


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
    return _best({name: _logs(values) for name, values in samples.items()})


def _best(logs: dict[str, list[float]]) -> str | None:
    best, best_value = None, -math.inf
    for name, values in logs.items():
        if values and _median(values) > best_value:
            best, best_value = name, _median(values)
    return best


@dataclass(frozen=True)
class Verdict:
    name: str
    out: bool
    p_value: float | None     # adjusted for the race's pairs and rounds: out when <= ALPHA
    ratio: float | None       # median speedup / the leader's


def round_alpha(round_no: int, rounds_planned: int) -> float:
    """The share of ALPHA the tests after round `round_no` of `rounds_planned` may spend.

    A configuration is first judged after its MIN_VISITS-th visit, so rounds MIN_VISITS..R
    share ALPHA equally, and the shares spent add up to at most ALPHA however the race ends
    (Bonferroni over the rounds: a bound whatever the correlation of rounds that reuse the
    same visits; simulated, it is loose, see tests/analysis/test_racing_error.py). Shares
    spent early rather than late (alpha spending of the power family) gained no round in
    the simulation: a test on 2 to 4 visits has too few degrees of freedom to use it."""
    looks = max(rounds_planned - MIN_VISITS + 1, 1)
    if round_no < MIN_VISITS or round_no > rounds_planned:
        return 0.0
    return ALPHA / looks


def _summary(logs: list[float]) -> tuple[float, float, int]:
    """(centre, spread, count) for scipy's Welch test from summary statistics, Yuen's way.

    A stall (a pass 3x as long as its neighbours) is 1.1 in log, 20 times a visit's usual
    spread; in a plain mean it widens the spread so much that the configuration's pairs are
    never significant again: simulated with a stall in 1 pass of 100, Welch's test left a
    configuration 15% slower in for the whole race in 11-17% of races (trimmed: 0-4%, at
    the cost of about one round more for half of them). Yuen's trimmed test
    (what scipy's ttest_ind(trim=TRIM) computes; ttest_ind_from_stats takes these figures
    so that all pairs are one call) trims int(TRIM * n) visits from each tail and uses the
    winsorized spread; below 5 visits it is Welch's test. A rank test (Mann-Whitney) cannot
    reach a round's share of ALPHA before 6 (2 configurations, 12 rounds) to 10 visits each
    (10 configurations, 30 rounds)."""
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
    with _quiet(), np.errstate(divide="ignore", invalid="ignore"):
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


def _constant(values) -> bool:
    return all(v == values[0] for v in values)


def eliminate(samples: dict[str, list[float]], *, round_no: int | None = None,
              rounds_planned: int | None = None) -> list[Verdict]:
    """For every configuration but the leader: is it out after round `round_no`?

    Every ordered pair (i, j) of configurations with MIN_VISITS visits is tested: is i
    slower than j by more than OUT_MARGIN? i is out when any of its pairs is significant
    after Holm's correction over all the pairs at this round's share of ALPHA
    (round_alpha). One as fast as the best is out only if one of its pairs, a true null,
    is rejected: Holm bounds that by the round's share in any round, the shares add up to
    ALPHA, so a race puts out one as fast as the best with a chance of at most ALPHA.
    Testing only each against the leader would ignore that the leader is the best of the
    same data: simulated with equal configurations (12 rounds), that put one out in 1.1%
    of races with 2, 2.6% with 10 and 5.7% with 40, against 0.3%, 0.4% and 0% for all
    pairs, which cost about one round more to put out one 15% slower.

    round_no defaults to the most visits any configuration has (its round in a race that
    visits every configuration each round); rounds_planned to ROUNDS_PLANNED."""
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
    lead = logs[best]
    out = []
    for name, v in logs.items():
        if name == best:
            continue
        if not v:
            out.append(Verdict(name, False, None, None))
            continue
        q = adjusted.get(name)
        out.append(Verdict(name, q is not None and q <= ALPHA, q, math.exp(_median(v) - _median(lead))))
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


def within_margin(candidates: dict[str, list[float]], best: list[float],
                  margin: float = TIE_MARGIN) -> set[str]:
    """The candidates shown to be at most ``margin`` slower than ``best`` (speeds, higher
    is faster): the recommendation's ties.

    One one-sided test of non-inferiority per candidate (H1: centre > best's centre +
    log(1 - margin); Yuen's trimmed Welch test on logs, as for eliminations), Holm's
    correction over the candidates at TIE_ALPHA. A candidate truly more than ``margin``
    slower than the best is shown within it with a chance of at most TIE_ALPHA, however
    many candidates there are; the best being the fastest of the same data only makes the
    bound safer. Not being significantly different is no evidence of being as good: with
    few, noisy visits everything is "not different", and the pick would go to the fewest
    workers on noise (simulated on machines whose peak is flat, 16-21% of picks were
    truly 5-8% below the best). Proven on planted figures in
    tests/analysis/test_racing_error.py."""
    import numpy as np
    from statsmodels.stats.multitest import multipletests

    lead = _logs(best)
    logs = {name: _logs(v) for name, v in candidates.items()}
    judged = [name for name, v in logs.items() if len(v) >= MIN_VISITS]
    if len(lead) < MIN_VISITS or not judged:
        return set()
    shift = -math.log(1 - margin)
    p = _p_slower([_summary(lead)] + [_summary(logs[n]) for n in judged], shift)[0, 1:]
    # a group holds many configurations far slower than the best (the serial loop, one
    # worker...), whose p-values sit near 1; counted in Holm's family they would only cost
    # power. Conditional p-values (Zhao, Small & Su 2019, JASA 114(527)): keep those at
    # most TIE_SCREEN, divided by it, and run Holm over them. Their bound assumes
    # independent p-values; here every test shares the best's sample (chosen from the
    # same data), so the bound is checked by simulation instead: 0-0.45% against 5%, and
    # 0.25% where leaving Holm out gives 11% (tests/analysis/test_racing_error.py).
    kept = [i for i, v in enumerate(p) if v <= TIE_SCREEN]
    if not kept:
        return set()
    with _no_full_collection():
        shown = multipletests(np.asarray([p[i] / TIE_SCREEN for i in kept], dtype=float),
                              alpha=TIE_ALPHA, method="holm")[0]
    return {judged[i] for i, ok in zip(kept, shown) if ok}


def all_tied(samples: dict[str, list[float]]) -> bool:
    """Every survivor equivalent to the leader (a single survivor is no tie)."""
    best = leader(samples)
    if best is None or len(samples) < 2:
        return False
    return all(equivalent(values, samples[best]) for name, values in samples.items() if name != best)
