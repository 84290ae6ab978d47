"""``bench compare A.json B.json [...]``: machines (or runs) side by side, per case.

Cases are matched by their full name (workload, image set, parameters, strategy,
workers, chunk size, start method), so only like is compared with like. For each case:
the throughput in every file, the speed ratio to the first file (its median over
this one's: 1.25x = 25% faster than the first), and whether the difference is
significant (pyperf's t-test, :mod:`bench.analysis.significance`). Also: the best configuration
of every workload on each machine, the geometric mean of the ratios (as pyperf's
``compare_to`` prints), and the cases present in some files only.
"""
from __future__ import annotations

import math
import string
from dataclasses import dataclass

from bench.analysis.rows import Analysis, CaseRow, is_overhead_workload
from bench.analysis.significance import Verdict, compare_benchmarks
from bench.output.table import Table, escape_markdown
from bench.output.units import format_ms, format_rate

SHOW_ONLY = 12          # cases listed per file in text output when files do not match


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


# -- rendering --------------------------------------------------------------------

def value_text(row: CaseRow, overhead: bool) -> str:
    if overhead:     # not per image: show the time itself
        return format_ms(row.median_s, decimals=3) + " ms"
    return format_rate(row.throughput)


def ratio_text(cell: Cell) -> str:
    if cell.ratio is None:
        return "-"
    if abs(cell.ratio - 1) < 0.005:
        return "same"
    # as pyperf words it: "2.00x slower", never "0.50x"
    return f"{cell.ratio:.2f}x faster" if cell.ratio > 1 else f"{1 / cell.ratio:.2f}x slower"


def sig_text(cell: Cell) -> str:
    return cell.verdict.words() if cell.verdict else "-"


def file_legend(c: Comparison) -> list[tuple[str, str]]:
    return [(label, f"{a.machine.summary()}, {a.machine.date} - {a.path}")
            for label, a in zip(c.labels, c.analyses)]


def best_table(c: Comparison) -> Table:
    """Each file's fastest configuration per workload."""
    head = ["workload"] + [f"{lab} best" for lab in c.labels] + [f"{lab} img/s" for lab in c.labels]
    rows = [[title] + [b.describe() if b else "-" for b in bests]
            + [format_rate(b.throughput) if b else "-" for b in bests]
            for title, bests in c.best_per_group()]
    return Table(head, rows, left=range(1 + len(c.labels)))


def case_table(c: Comparison, lines: list) -> Table:
    """One group's cases in every file: value, ratio to the reference, significance."""
    overhead = lines[0].is_overhead
    unit = "time" if overhead else "img/s"
    head = ["case"] + [f"{lab} {unit}" for lab in c.labels]
    for lab in c.labels[1:]:
        head += [f"{lab} vs {c.labels[0]}", "significance"]
    rows = []
    for ln in lines:
        cells = [ln.config] + [value_text(cell.row, overhead) for cell in ln.cells]
        for cell in ln.cells[1:]:
            cells += [ratio_text(cell), sig_text(cell)]
        rows.append(cells)
    # the values align right; the words (ratios, verdicts) left
    return Table(head, rows, left=[0] + list(range(1 + len(c.labels), len(head))))


def summary_lines(c: Comparison) -> list[str]:
    out = []
    for i, lab in enumerate(c.labels[1:], start=1):
        g = c.geometric_mean(i)
        if g is not None:
            n = sum(1 for ln in c.lines if not ln.is_overhead)
            out.append(f"{lab} vs {c.labels[0]}: {g:.2f}x (geometric mean of the speed ratios "
                       f"over {n} common cases; >1 means {lab} is faster)")
    if not c.lines:
        out.append("No case in common: were the runs made with the same options? (--quick and "
                   "--n-images change the image counts, which are part of every case's name)")
    return out


def render_text(c: Comparison) -> str:
    out = [f"Comparing {len(c.analyses)} results files ({c.labels[0]} is the reference):"]
    out += [f"  {lab}: {text}" for lab, text in file_legend(c)]
    out.append("")
    out.append("Fastest configuration per workload:")
    out.append(best_table(c).to_text(indent="  "))
    out.append("")
    for title, lines in c.sections().items():
        out.append(title)
        out.append(case_table(c, lines).to_text(indent="  "))
        out.append("")
    out += summary_lines(c)
    for lab, names in c.only.items():
        out.append(f"Only in {lab} (or missing from another file): {len(names)} case(s)")
        out += [f"  {n}" for n in names[:SHOW_ONLY]]
        if len(names) > SHOW_ONLY:
            out.append(f"  ... and {len(names) - SHOW_ONLY} more (--format json lists them all)")
    out.append("Significance: pyperf's t-test (95%) on the timings of each pair; "
               "'x faster' compares medians.")
    return "\n".join(out)


def render_markdown(c: Comparison, chart: str | None = None) -> str:
    out = [f"## Comparison of {len(c.analyses)} runs", ""]
    out += [f"- **{lab}**: {escape_markdown(text)}" for lab, text in file_legend(c)]
    out.append("")
    if chart:
        out += [f"![machine comparison]({chart})", ""]
    out += ["### Fastest configuration per workload", ""]
    out.append(best_table(c).to_markdown())
    out.append("")
    for title, lines in c.sections().items():
        out += [f"### {title}", ""]
        out.append(case_table(c, lines).to_markdown())
        out.append("")
    out += [f"- {s}" for s in summary_lines(c)]
    for lab, names in c.only.items():
        out.append(f"- Only in {lab} (or missing from another file): "
                   + ", ".join(f"`{n}`" for n in names))
    out.append("")
    out.append("Significance: pyperf's t-test (95%) on the timings of each pair; "
               "'x faster' compares medians.")
    return "\n".join(out) + "\n"


def to_json(c: Comparison, chart: list | None = None) -> dict:
    return {
        "files": [{"label": lab, "path": a.path, "hostname": a.machine.hostname,
                   "cpu_model": a.machine.cpu_model, "cpus": a.machine.cpus,
                   "parallel_capacity": a.machine.capacity, "started": a.machine.started}
                  for lab, a in zip(c.labels, c.analyses)],
        "cases": [{
            "name": ln.name, "group": ln.group,
            "median_s": [cell.row.median_s for cell in ln.cells],
            "img_per_s": None if ln.is_overhead else [cell.row.throughput for cell in ln.cells],
            "ratio_to_first": [cell.ratio for cell in ln.cells],
            "significant": [None] + [cell.verdict.significant for cell in ln.cells[1:]],
            "t_score": [None] + [cell.verdict.t_score for cell in ln.cells[1:]],
            "test": [None] + [cell.verdict.test for cell in ln.cells[1:]],
        } for ln in c.lines],
        "geometric_mean": [None] + [c.geometric_mean(i) for i in range(1, len(c.analyses))],
        "only_in": c.only,
        "charts": chart or [],
    }
