"""``bench compare --by case``, worded: the paired cases (:mod:`bench.analysis.compare_cases`)
as text, Markdown and JSON; every output says how they were paired."""
from __future__ import annotations

from bench.analysis.compare_cases import CaseComparison
from bench.analysis.rows import CaseRow
from bench.output.comparison import file_legend, opencv_json, opencv_note, ratio_text
from bench.output.table import Table, escape_markdown
from bench.texts import messages
from bench.texts.units import MISSING, format_ms, format_rate

SHOW_UNPAIRED = 12      # cases listed per file in text output


def value_text(row: CaseRow, overhead: bool) -> str:
    if overhead:     # not per image: show the time itself
        return format_ms(row.median_s, decimals=3) + " ms"
    return format_rate(row.throughput)


def case_table(c: CaseComparison, lines: list) -> Table:
    """One answer's paired cases in every file: value, ratio to the reference, significance."""
    overhead = lines[0].is_overhead
    unit = "time" if overhead else "img/s"
    head = ["configuration"] + [f"{lab} images" for lab in c.labels] + [f"{lab} {unit}" for lab in c.labels]
    for lab in c.labels[1:]:
        head += [f"{lab} vs {c.labels[0]}", "significance"]
    rows = []
    for ln in lines:
        cells = [ln.config] + [f"{cell.row.image_count:,}" for cell in ln.cells]
        cells += [value_text(cell.row, overhead) for cell in ln.cells]
        for cell in ln.cells[1:]:
            cells += [ratio_text(cell.ratio), cell.verdict.words() if cell.verdict else MISSING]
        rows.append(cells)
    # the values align right; the words (ratios, verdicts) left
    return Table(head, rows, left=[0] + list(range(1 + 2 * len(c.labels), len(head))))


def summary_lines(c: CaseComparison) -> list[str]:
    n = sum(not ln.is_overhead for ln in c.lines)
    out = [messages.GEOMETRIC_MEAN.format(label=lab, reference=c.labels[0], mean=g, count=n)
           for i, lab in enumerate(c.labels[1:], start=1) if (g := c.geometric_mean(i)) is not None]
    if not c.lines:
        out.append(messages.NO_CASE_PAIRED)
    return out


def render_text(c: CaseComparison) -> str:
    out = [messages.COMPARING_CASES.format(count=len(c.analyses), reference=c.labels[0])]
    out += [f"  {lab}: {text}" for lab, text in file_legend(c)]
    build = opencv_note(c)
    out += ["", build] if build else []
    out += ["", messages.CASE_PAIRING, ""]
    for title, lines in c.sections().items():
        out += [title, case_table(c, lines).to_text(indent="  "), ""]
    out += summary_lines(c)
    for lab, names in c.unpaired.items():
        out.append(messages.UNPAIRED_IN.format(label=lab, count=len(names)))
        out += [f"  {n}" for n in names[:SHOW_UNPAIRED]]
        if len(names) > SHOW_UNPAIRED:
            out.append("  " + messages.ONLY_IN_MORE.format(count=len(names) - SHOW_UNPAIRED))
    out.append(messages.SIGNIFICANCE_NOTE)
    return "\n".join(out)


def render_markdown(c: CaseComparison) -> str:
    out = ["## " + messages.CASES_TITLE.format(count=len(c.analyses)), ""]
    out += [f"- **{lab}**: {escape_markdown(text)}" for lab, text in file_legend(c)]
    build = opencv_note(c)
    out += ["", escape_markdown(build)] if build else []
    out += ["", messages.CASE_PAIRING, ""]
    for title, lines in c.sections().items():
        out += [f"### {title}", "", case_table(c, lines).to_markdown(), ""]
    out += [f"- {s}" for s in summary_lines(c)]
    for lab, names in c.unpaired.items():
        out.append(f"- {messages.UNPAIRED_IN.format(label=lab, count=len(names))} "
                   + ", ".join(f"`{escape_markdown(n)}`" for n in names))
    out += ["", messages.SIGNIFICANCE_NOTE]
    return "\n".join(out) + "\n"


def to_json(c: CaseComparison) -> dict:
    return {
        "by": "case",
        "pairing": messages.CASE_PAIRING,
        "files": [{"label": lab, "path": a.path, "hostname": a.machine.hostname,
                   "cpus": a.machine.cpus, "parallel_capacity": a.machine.capacity}
                  for lab, a in zip(c.labels, c.analyses)],
        "cases": [{
            "answer": ln.title, "configuration": ln.config,
            "names": [cell.row.name for cell in ln.cells],
            "images": [cell.row.image_count for cell in ln.cells],
            "median_s": [cell.row.median_s for cell in ln.cells],
            "img_per_s": None if ln.is_overhead else [cell.row.throughput for cell in ln.cells],
            "ratio_to_first": [cell.ratio for cell in ln.cells],
            "significant": [None] + [cell.verdict.significant for cell in ln.cells[1:]],
            "t_score": [None] + [cell.verdict.t_score for cell in ln.cells[1:]],
            "test": [None] + [cell.verdict.test for cell in ln.cells[1:]],
        } for ln in c.lines],
        "opencv": opencv_json(c),
        "geometric_mean": [None] + [c.geometric_mean(i) for i in range(1, len(c.analyses))],
        "unpaired": c.unpaired,
    }
