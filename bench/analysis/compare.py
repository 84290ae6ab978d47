"""``bench compare A.json B.json [...]``: machines (or runs) side by side, answer by answer
(matched by :mod:`bench.analysis.answers_by_group`): each file's pick, its throughput
and speedup over the first file's with their significance, and whether the picks are
the same configuration (docs/compare.md). Worded by :mod:`bench.output.comparison`.
"""
from __future__ import annotations

import math
import string
from dataclasses import dataclass

from bench.analysis.answers_by_group import AnswerKey, capacity_readings, picks
from bench.analysis.load import Analysis
from bench.analysis.rows import grouped
from bench.analysis.significance import Verdict, compare_values


def labels_for(n: int) -> list[str]:
    return [string.ascii_uppercase[i] if i < 26 else f"F{i + 1}" for i in range(n)]


def geometric_mean(ratios: list[float]) -> float | None:
    return math.exp(sum(math.log(r) for r in ratios) / len(ratios)) if ratios else None


@dataclass
class Ratio:
    """One figure of a machine over the reference's, and whether it differs beyond noise."""
    value: float | None
    verdict: Verdict | None


def _ratio(mine: float | None, reference: float | None, a, b) -> Ratio:
    if not mine or not reference:
        return Ratio(None, None)
    verdict = compare_values(a, b) if a is not None and b is not None else Verdict(None, None, "no samples")
    return Ratio(mine / reference, verdict)


@dataclass
class AnswerLine:
    """One workload and image set on every machine."""
    key: AnswerKey
    picks: list                    # Pick or None, one per file
    throughput: list               # Ratio or None (the reference itself, a missing file)
    speedup: list
    same_pick: list                # bool or None

    @property
    def title(self) -> str:
        return self.key.title


def _line(key: AnswerKey, found: list) -> AnswerLine:
    ref = found[0]
    throughput, speedups, same = [None], [None], [None]
    for p in found[1:]:
        if p is None or ref is None:
            throughput.append(None), speedups.append(None), same.append(None)
            continue
        # seconds per image: the reference's over this one's is the speed ratio
        throughput.append(_ratio(p.throughput, ref.throughput, ref.throughput_samples(),
                                 p.throughput_samples()))
        speedups.append(_ratio(p.speedup, ref.speedup, ref.speedup_samples(), p.speedup_samples()))
        same.append(p.row.line == ref.row.line)
    return AnswerLine(key, found, throughput, speedups, same)


@dataclass
class Comparison:
    analyses: list
    labels: list                    # "A", "B", ...
    lines: list                     # AnswerLine: answers present in two files or more
    only: dict                      # label -> titles of answers no other file has
    capacity: list                  # Ratio or None per file, against the reference

    def geometric_mean(self, index: int) -> float | None:
        """Of the pick throughput ratios of one file against the reference."""
        ratios = [ln.throughput[index].value for ln in self.lines if ln.throughput[index] is not None]
        return geometric_mean([r for r in ratios if r])

    def common(self, index: int) -> int:
        return sum(1 for ln in self.lines if ln.throughput[index] is not None
                   and ln.throughput[index].value)

    def workloads(self) -> "dict[str, list[AnswerLine]]":
        """Workload -> its answers (one chart each), in the reference's order."""
        return grouped(self.lines, lambda ln: ln.key.workload)


def compare(analyses: list[Analysis]) -> Comparison:
    labels = labels_for(len(analyses))
    by_file = [picks(a) for a in analyses]
    lines, only = [], {}
    for key in dict.fromkeys(k for found in by_file for k in found):
        found = [f.get(key) for f in by_file]
        present = [i for i, p in enumerate(found) if p is not None]
        if len(present) < 2:
            only.setdefault(labels[present[0]], []).append(key.title)
            continue
        lines.append(_line(key, found))
    ref = analyses[0]
    capacity = [None] + [_ratio(a.machine.capacity, ref.machine.capacity,
                                capacity_readings(ref), capacity_readings(a)) for a in analyses[1:]]
    return Comparison(analyses, labels, lines, only, capacity)
