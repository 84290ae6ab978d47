"""``bench compare --by case``: the same configurations on every machine, case by case,
paired by answer, configuration (the chunk *policy*: "auto" pairs with "auto") and exact
worker count, since case names hold image, worker and chunk counts that follow the
machine (docs/compare.md, "Case by case").
"""
from __future__ import annotations

from dataclasses import dataclass

from bench.analysis.answers_by_group import answer_key
from bench.analysis.compare import geometric_mean, labels_for
from bench.analysis.load import Analysis
from bench.analysis.rows import CaseRow, grouped, is_overhead_workload, line_label
from bench.analysis.significance import Verdict, compare_values


@dataclass(frozen=True)
class OverheadKey:
    """An overhead probe (pool start-up, round trip, pickling): its name holds no image
    count, so it pairs by its group."""
    group: str

    @property
    def title(self) -> str:
        return self.group


@dataclass
class Cell:
    row: CaseRow | None
    ratio: float | None = None          # reference median / this median (>1: faster)
    verdict: Verdict | None = None


@dataclass
class Line:
    key: tuple                          # (AnswerKey, configuration line, workers)
    title: str                          # the answer in plain words
    config: str                         # the configuration and its worker count
    cells: list                         # one Cell per file

    @property
    def is_overhead(self) -> bool:
        return isinstance(self.key[0], OverheadKey)


def describe(row: CaseRow) -> str:
    label = line_label(row.line)
    return label if row.family == "serial" else f"{label} w={row.workers}"


def _keyed(analysis: Analysis) -> dict:
    """(answer key, line, workers) -> row; of two groups with one answer key, the
    larger image set's row. Overhead probes: (their group, line, workers)."""
    out: dict = {}
    for r in analysis.rows:
        if is_overhead_workload(r.workload):
            out.setdefault((OverheadKey(r.group), r.line, r.workers), r)
    for g in analysis.groups():
        key = answer_key(g)
        for r in g.rows:
            k = (key, r.line, r.workers)
            if k not in out or r.image_count > out[k].image_count:
                out[k] = r
    return out


@dataclass
class CaseComparison:
    analyses: list
    labels: list
    lines: list                         # pairs present in every file
    unpaired: dict                      # label -> descriptions of its cases with no partner

    def geometric_mean(self, index: int) -> float | None:
        """Of the throughput cases' ratios (overhead probes are times, not rates)."""
        return geometric_mean([ln.cells[index].ratio for ln in self.lines
                               if ln.cells[index].ratio and not ln.is_overhead])

    def sections(self) -> dict[str, list]:
        """Answer title -> its lines, in the reference file's order."""
        return grouped(self.lines, lambda ln: ln.title)


def compare_cases(analyses: list[Analysis]) -> CaseComparison:
    labels = labels_for(len(analyses))
    keyed = [_keyed(a) for a in analyses]
    lines = []
    for k, base in keyed[0].items():
        if not all(k in other for other in keyed[1:]):
            continue
        cells = [Cell(base, 1.0, None)]
        for other in keyed[1:]:
            row = other[k]
            cells.append(Cell(row, base.median_s / row.median_s,
                              compare_values(base.bench.get_values(), row.bench.get_values())))
        lines.append(Line(k, k[0].title, describe(base), cells))
    unpaired = {}
    for label, mine in zip(labels, keyed):
        alone = [f"{k[0].title}: {describe(r)}" for k, r in mine.items()
                 if not all(k in other for other in keyed)]
        if alone:
            unpaired[label] = alone
    return CaseComparison(analyses, labels, lines, unpaired)
