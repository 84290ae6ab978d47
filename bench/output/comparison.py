"""``bench compare``, worded: a comparison of results files as text, Markdown and JSON.

The cases are matched, and the ratios and significance computed, in
:mod:`bench.analysis.compare`; the report reuses the tables and lines made here.
"""
from __future__ import annotations

from bench.analysis.compare import Cell, Comparison
from bench.analysis.rows import CaseRow
from bench.output import messages
from bench.output.table import Table, escape_markdown
from bench.output.units import format_ms, format_rate

SHOW_ONLY = 12          # cases listed per file in text output when files do not match


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
    """(label, which machine, when, which file) for every file compared."""
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
    """The geometric mean of every file against the reference, or why there is none."""
    out = []
    for i, lab in enumerate(c.labels[1:], start=1):
        g = c.geometric_mean(i)
        if g is not None:
            n = sum(1 for ln in c.lines if not ln.is_overhead)
            out.append(messages.GEOMETRIC_MEAN.format(label=lab, reference=c.labels[0], mean=g, count=n))
    if not c.lines:
        out.append(messages.NOTHING_IN_COMMON)
    return out


def render_text(c: Comparison) -> str:
    out = [messages.COMPARING.format(count=len(c.analyses), reference=c.labels[0])]
    out += [f"  {lab}: {text}" for lab, text in file_legend(c)]
    out.append("")
    out.append(messages.FASTEST_PER_WORKLOAD + ":")
    out.append(best_table(c).to_text(indent="  "))
    out.append("")
    for title, lines in c.sections().items():
        out.append(title)
        out.append(case_table(c, lines).to_text(indent="  "))
        out.append("")
    out += summary_lines(c)
    for lab, names in c.only.items():
        out.append(messages.ONLY_IN.format(label=lab) + f": {len(names)} case(s)")
        out += [f"  {n}" for n in names[:SHOW_ONLY]]
        if len(names) > SHOW_ONLY:
            out.append("  " + messages.ONLY_IN_MORE.format(count=len(names) - SHOW_ONLY))
    out.append(messages.SIGNIFICANCE_NOTE)
    return "\n".join(out)


def render_markdown(c: Comparison, chart: str | None = None) -> str:
    out = ["## " + messages.COMPARISON_TITLE.format(count=len(c.analyses)), ""]
    out += [f"- **{lab}**: {escape_markdown(text)}" for lab, text in file_legend(c)]
    out.append("")
    if chart:
        out += [f"![machine comparison]({chart})", ""]
    out += ["### " + messages.FASTEST_PER_WORKLOAD, ""]
    out.append(best_table(c).to_markdown())
    out.append("")
    for title, lines in c.sections().items():
        out += [f"### {title}", ""]
        out.append(case_table(c, lines).to_markdown())
        out.append("")
    out += [f"- {s}" for s in summary_lines(c)]
    for lab, names in c.only.items():
        out.append(f"- {messages.ONLY_IN.format(label=lab)}: " + ", ".join(f"`{n}`" for n in names))
    out.append("")
    out.append(messages.SIGNIFICANCE_NOTE)
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
