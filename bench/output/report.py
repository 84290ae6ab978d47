"""``bench report``: the page a reviewer opens, as self-contained HTML (its frame in
:mod:`bench.output.page`), as Markdown linking the PNGs, and (``--csv``) the flat table.
Given several files: the comparison first, then each run on its own, folded
(docs/charts-and-report.md).
"""
from __future__ import annotations

import os
from datetime import datetime, timezone

from bench.analysis import flat
from bench.analysis.load import Analysis
from bench.output import comparison as cmp
from bench.output import page
from bench.output import recommendation as rec
from bench.output.charts import Charts
from bench.output.charts.driver import files_name
from bench.output.table import Table, escape_markdown
from bench.texts import messages
from bench.texts.units import MISSING, format_bytes, format_rate, format_speedup

# flat-table columns shown in the page (the CSV has them all); None-only ones are dropped
PAGE_COLUMNS = (
    ("strategy", "strategy"), ("workers", "workers"), ("chunk_size", "chunk"),
    ("start_method", "start"), ("out_layout", "output"), ("values", "n"), ("img_per_s", "img/s"), ("spread_pct", "±%"),
    ("speedup", "speedup"), ("efficiency_pct", "eff. %"), ("cold_img_per_s", "cold img/s"),
    ("first_result_s", "1st result s"), ("mem_worker_uss_peak", "USS/worker"),
    ("mem_worker_pss_peak", "PSS/worker"), ("mem_worker_rss_peak", "RSS/worker"),
    ("mem_parent_rss_peak", "parent RSS"), ("mem_parent_growth", "parent growth"),
    ("decomp_startup_s", "start-up s"), ("decomp_transfer_s", "transfer s"),
    ("decomp_work_s", "work s"), ("model_load_s", "model load s"), ("verified", "verified"))
TEXT_COLUMNS = {"strategy", "start_method", "out_layout", "verified"}
BYTE_COLUMNS = ("mem_worker_uss_peak", "mem_worker_pss_peak", "mem_worker_rss_peak", "mem_parent_rss_peak",
                "mem_parent_growth")
FORMATS = {**dict.fromkeys(BYTE_COLUMNS, format_bytes),
           "img_per_s": format_rate, "cold_img_per_s": format_rate, "speedup": format_speedup,
           "spread_pct": "{:.0f}".format, "efficiency_pct": "{:.0f}".format}


def _fmt(key: str, value) -> str:
    if value is None:
        return MISSING
    if key in FORMATS:
        return FORMATS[key](value)
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _cases_table(a: Analysis) -> tuple[Table, list[tuple[str, str]]]:
    """Every case of the file, in the columns it measured; and those columns."""
    rows = flat.table(a)
    cols = [(k, h) for k, h in PAGE_COLUMNS if any(r.get(k) not in (None, "none") for r in rows)]
    cases = Table(["case"] + [h for _, h in cols],
                  [[r["name"]] + [_fmt(k, r[k]) for k, _ in cols] for r in rows],
                  left=[0] + [i + 1 for i, (k, _) in enumerate(cols) if k in TEXT_COLUMNS])
    return cases, cols


def _failed_table(a: Analysis) -> Table:
    return Table(["case", "reason"], [[f["name"], f["reason"]] for f in a.results.failed])


def _machine_facts(a: Analysis) -> list[tuple[str, str]]:
    m, raw = a.machine, a.machine.raw
    run = a.results.run
    return [("host", m.hostname), ("CPU", m.cpu_model),
             ("CPUs available", str(m.cpus or "?")),
             ("logical / physical cores", f"{raw.get('bench_logical_cpus', '?')} / "
                                          f"{raw.get('bench_physical_cores', '?')}"),
             ("parallel capacity", messages.CAPACITY_FACT.format(capacity=m.capacity)
              if m.capacity else messages.NOT_MEASURED),
             ("RAM", messages.RAM_FACT.format(available=format_bytes(m.mem_available),
                                              total=format_bytes(m.mem_total))),
             ("OS", str(raw.get("bench_os", raw.get("platform", "?")))),
             ("Python", str(raw.get("bench_python", raw.get("python_version", "?")))),
             ("default start method", str(m.default_start_method or "?")),
             ("OpenCV threads", str(raw.get("bench_cv2_threads", "?"))),
             ("packages", ", ".join(f"{k[len('bench_version_'):]} {v}" for k, v in sorted(raw.items())
                                    if k.startswith("bench_version_")) or "?"),
             ("run", messages.RUN_FACT.format(date=m.date, duration=run.get("duration_s", "?"),
                                              cases=len(a.rows), failed=len(a.results.failed))),
             ("command", str(run.get("command", "?"))),
             ("results file", a.path)]


# -- HTML ------------------------------------------------------------------------------

_h = page.escape


def _title(items) -> str:
    if len(items) > 1:
        return messages.REPORT_TITLE_RUNS.format(count=len(items))
    machine = items[0][0].machine
    return messages.REPORT_TITLE.format(host=machine.hostname, date=machine.date)


def _not_drawn(charts: Charts, name: str, why: str) -> str:
    return messages.CHART_NOT_DRAWN.format(chart=charts.titles.get(name, name), why=why)


def _html_file_section(a, answers, charts: Charts, multi: bool) -> str:
    h2, h3 = ("h3", "h4") if multi else ("h2", "h3")
    facts = "".join(f"<dt>{_h(k)}</dt><dd>{_h(v)}</dd>" for k, v in _machine_facts(a))
    out = [f"<{h2}>Machine</{h2}>", f"<dl>{facts}</dl>",
           f"<{h2}>Recommendation</{h2}>"]
    out.extend(rec.answer_html(x) for x in answers)
    if not answers:
        out.append(f"<p>{_h(messages.NO_GROUPS_IN_FILE)}</p>")
    out += [page.note(rec.TABLE_NOTE), f"<{h2}>Charts</{h2}>"]
    for name, paths in charts.files.items():
        title = charts.titles.get(name, name)
        out.append(page.figure(paths, title, title))
    out += [page.note(_not_drawn(charts, name, why) + ".") for name, why in charts.skipped.items()]
    cases, cols = _cases_table(a)
    out += [f"<{h2}>All cases</{h2}>", cases.to_html()]
    missing = [h for k, h in PAGE_COLUMNS if (k, h) not in cols]
    if missing:
        out.append(page.note(messages.COLUMNS_NOT_MEASURED.format(columns=", ".join(missing))))
    if a.results.failed:
        out += [f"<{h3}>Failed cases</{h3}>", _failed_table(a).to_html()]
    if not multi:
        return "\n".join(out)
    # one run of several: folded, so the comparison above stays the page's subject
    label = f"{a.machine.summary()} - {a.machine.date} - {a.path}"
    return (f'<details class="run"><summary>{_h(label)}</summary>\n' + "\n".join(out)
            + "\n</details>")


def render_html(items, comparison=None, compare_charts: dict | None = None) -> str:
    """items: [(Analysis, answers, Charts)]; compare_charts: workload -> [png, svg]."""
    multi = len(items) > 1
    first = items[0][0]
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    made = messages.REPORT_MADE.format(made=made, command="<code>python -m bench report</code>")
    subtitle = made if multi else f"{_h(first.machine.subtitle())} - {made}"
    out = []
    if comparison is not None:
        out += cmp.render_html(comparison, compare_charts)
    if multi:
        out.append(f"<h2>{_h(messages.REPORT_EACH_RUN)}</h2>")
    for a, answers, charts in items:
        out.append(_html_file_section(a, answers, charts, multi))
    return page.document(_title(items), subtitle, out)


# -- Markdown --------------------------------------------------------------------------

def _md_file_section(a, answers, charts: Charts, out_dir: str, multi: bool) -> list[str]:
    h = "####" if multi else "##"
    out = []
    if multi:
        out += [f"### {escape_markdown(a.machine.summary())} - {a.machine.date} - `{a.path}`", ""]
    out += [f"{h} Machine", ""]
    out += [f"- **{k}**: {escape_markdown(v)}" for k, v in _machine_facts(a)]
    out += ["", f"{h} Recommendation", ""]
    out.append(rec.render_markdown(a, answers, heading="#####" if multi else "###"))
    out += [f"{h} Charts", ""]
    for name, paths in charts.files.items():
        title = charts.titles.get(name, name)
        svg = messages.SVG_BESIDE.format(path=os.path.relpath(paths[1], out_dir))
        out += [f"![{title}]({os.path.relpath(paths[0], out_dir)})", "", f"*{title}* {svg}", ""]
    out += [f"- {_not_drawn(charts, name, why)}." for name, why in charts.skipped.items()]
    out += ["", f"{h} All cases", "", _cases_table(a)[0].to_markdown()]
    if a.results.failed:
        out += ["", f"{h} Failed cases", "", _failed_table(a).to_markdown()]
    return out + [""]


def render_markdown(items, out_dir: str, comparison=None, compare_charts: dict | None = None) -> str:
    multi = len(items) > 1
    first = items[0][0]
    out = [f"# {_title(items)}", ""]
    if not multi:
        out += [first.machine.subtitle(), ""]
    if comparison is not None:
        rel = {w: os.path.relpath(paths[0], out_dir) for w, paths in (compare_charts or {}).items()}
        out.append(cmp.render_markdown(comparison, rel))
    if multi:
        out += [f"## {messages.REPORT_EACH_RUN}", ""]
    for a, answers, charts in items:
        out += _md_file_section(a, answers, charts, out_dir, multi)
    return "\n".join(out) + "\n"


# -- CSV -------------------------------------------------------------------------------

def write_csv(analyses, path: str) -> str:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    rows = [[row[k] for k in flat.TABLE_COLUMNS] for a in analyses for row in flat.table(a)]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        Table(flat.TABLE_COLUMNS, rows).to_csv(fh)
    return path


def report_name(analyses) -> str:
    return f"{analyses[0].stem}-report" if len(analyses) == 1 else files_name("report-", analyses)
