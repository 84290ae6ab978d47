"""Are two cases' timings really different? pyperf's own test, with its gaps filled.

pyperf's ``compare_to`` uses a two-sample, two-tailed Student t-test at 95%
(``pyperf._utils.is_significant``). We call it directly rather than through
``pyperf._compare.is_significant_benchs``, because that wrapper answers "significant"
whenever the test cannot run (one value each, or samples of different sizes, where
pyperf's ``tscore`` raises): saying "different" when we do not know would make a
recommendation look surer than the data allow. So:

* same number of values (2 or more each): pyperf's t-test;
* different numbers of values (two machines run with different ``--values``):
  Welch's t-test from scipy (``equal_var=False``) at the same 95% level;
* fewer than 2 values on either side: unknown (``None``).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

from pyperf._utils import is_significant


@dataclass(frozen=True)
class Verdict:
    significant: bool | None     # None: cannot tell
    t_score: float | None
    test: str                    # "pyperf t-test", "Welch t-test", "too few values"

    def words(self) -> str:
        if self.significant is None:
            return "unknown (too few values)"
        return "significant" if self.significant else "not significant"


def compare_values(a, b) -> Verdict:
    a, b = list(a), list(b)
    if len(a) < 2 or len(b) < 2:
        return Verdict(None, None, "too few values")
    if len(a) == len(b):
        if _constant(a) and _constant(b):
            # pyperf divides by the pooled variance: identical constants would be 0/0
            return Verdict(a[0] != b[0], None, "pyperf t-test")
        significant, t = is_significant(a, b)
        return Verdict(bool(significant), float(t), "pyperf t-test")
    from scipy.stats import ttest_ind

    with warnings.catch_warnings():
        # nearly equal samples: scipy warns of precision loss, and its p says "no difference"
        warnings.simplefilter("ignore", RuntimeWarning)
        res = ttest_ind(a, b, equal_var=False)
    if res.pvalue != res.pvalue:       # NaN: both samples constant
        return Verdict(_mean(a) != _mean(b), None, "Welch t-test")
    return Verdict(bool(res.pvalue < 0.05), float(res.statistic), "Welch t-test")


def compare_benchmarks(a, b) -> Verdict:
    """Two pyperf benchmarks (values: seconds per image)."""
    return compare_values(a.get_values(), b.get_values())


def _constant(values) -> bool:
    return all(v == values[0] for v in values)


def _mean(values) -> float:
    return sum(values) / len(values)
