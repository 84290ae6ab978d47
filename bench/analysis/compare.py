"""``bench compare A.json B.json [...]``: the data of machines (or runs) side by side, per case.

Cases are matched by their full name (workload, image set, parameters, strategy,
workers, chunk size, start method), so only like is compared with like. For each case:
the throughput in every file, the speed ratio to the first file (its median over
this one's: 1.25x = 25% faster than the first), and whether the difference is
significant (pyperf's t-test, :mod:`bench.analysis.significance`). Also: the best configuration
of every workload on each machine, the geometric mean of the ratios (as pyperf's
``compare_to`` prints), and the cases present in some files only.

How a comparison reads (text, Markdown, JSON) is :mod:`bench.output.comparison`.
"""
from __future__ import annotations

import math
import string
from dataclasses import dataclass

from bench.analysis.load import Analysis
from bench.analysis.rows import CaseRow, is_overhead_workload
from bench.analysis.significance import Verdict, compare_benchmarks


@dataclass
class Cell:
    row: CaseRow | None
    ratio: float | None = None          # reference median / this median (>1: faster)
    verdict: Verdict | None = None


@dataclass
class Line:
    name: str
    group: str
    title: str                          # the group in plain words
    config: str                         # the case within its group
    cells: list                         # one Cell per file

    @property
    def is_overhead(self) -> bool:
        row = next(c.row for c in self.cells if c.row is not None)
        return is_overhead_workload(row.workload)


@dataclass
class Comparison:
    analyses: list
    labels: list                        # "A", "B", ...
    lines: list                         # cases present in every file
    only: dict                          # label -> names present in that file only / missing elsewhere

    def geometric_mean(self, index: int) -> float | None:
        ratios = [ln.cells[index].ratio for ln in self.lines if not ln.is_overhead]
        ratios = [r for r in ratios if r]
        if not ratios:
            return None
        return math.exp(sum(math.log(r) for r in ratios) / len(ratios))

    def sections(self) -> dict[str, list]:
        """Group title -> its lines, in the reference file's order."""
        out: dict[str, list] = {}
        for ln in self.lines:
            out.setdefault(ln.title, []).append(ln)
        return out

    def best_per_group(self) -> list[tuple[str, list]]:
        """For each group: each file's fastest case in it (or None)."""
        out = []
        keys = []
        for a in self.analyses:
            for g in a.groups():
                if g.key not in keys:
                    keys.append(g.key)
        for key in keys:
            bests = []
            for a in self.analyses:
                rows = [r for r in a.rows if r.group == key]
                bests.append(max(rows, key=lambda r: r.throughput) if rows else None)
            title = next(g.title for a in self.analyses for g in a.groups() if g.key == key)
            out.append((title, bests))
        return out


def labels_for(n: int) -> list[str]:
    return [string.ascii_uppercase[i] if i < 26 else f"F{i + 1}" for i in range(n)]


def compare(analyses: list[Analysis]) -> Comparison:
    labels = labels_for(len(analyses))
    by_name = [{r.name: r for r in a.rows} for a in analyses]
    ref = analyses[0]
    titles = {}
    for a in analyses:
        for g in a.groups():
            titles.setdefault(g.key, g.title)
    common = [r.name for r in ref.rows if all(r.name in names for names in by_name[1:])]
    lines = []
    for name in common:
        base = by_name[0][name]
        cells = [Cell(base, 1.0, None)]
        for names in by_name[1:]:
            row = names[name]
            cells.append(Cell(row, base.median_s / row.median_s,
                              compare_benchmarks(base.bench, row.bench)))
        lines.append(Line(name, base.group, titles.get(base.group, base.group),
                          base.describe(), cells))
    only = {}
    for label, names in zip(labels, by_name):
        missing = [n for n in names if not all(n in other for other in by_name)]
        if missing:
            only[label] = missing
    return Comparison(analyses, labels, lines, only)
