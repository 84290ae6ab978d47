"""Are two cases' timings really different? pyperf's own test, with its gaps filled.

pyperf's two-sample t-test at 95% (``pyperf._utils.is_significant``, as ``compare_to``)
for samples of one size; Welch's (scipy) for different sizes, where pyperf's wrapper
would answer "significant" whenever it cannot test; fewer than 2 values a side: unknown.
"""
from __future__ import annotations

import contextlib
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
        if constant(a) and constant(b):
            # pyperf divides by the pooled variance: identical constants would be 0/0
            return Verdict(a[0] != b[0], None, "pyperf t-test")
        significant, t = is_significant(a, b)
        return Verdict(bool(significant), float(t), "pyperf t-test")
    from scipy.stats import ttest_ind

    with quiet():
        res = ttest_ind(a, b, equal_var=False)
    if res.pvalue != res.pvalue:       # NaN: both samples constant
        return Verdict(sum(a) / len(a) != sum(b) / len(b), None, "Welch t-test")
    return Verdict(bool(res.pvalue < 0.05), float(res.statistic), "Welch t-test")


@contextlib.contextmanager
def quiet():
    """scipy warns of precision loss on nearly equal samples; its p is then the answer."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def constant(values) -> bool:
    return all(v == values[0] for v in values)
