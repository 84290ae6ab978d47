"""``bench report``: the page a reviewer opens, as self-contained HTML and as Markdown.

Contents: the machine, the recommendation, every chart, the full table of cases (and,
given several files, the comparison). The HTML embeds the charts as base64 PNG and its
CSS inline: one file that opens anywhere, offline, and can be mailed. The Markdown
version links the PNGs next to it in ``plots/``. ``--csv`` writes the flat table.
"""
from __future__ import annotations

import base64
import html
import os
from datetime import datetime, timezone

from bench.analysis import flat
from bench.analysis.load import Analysis
from bench.output import comparison as cmp
from bench.output import messages
from bench.output import recommendation as rec
from bench.output.charts import Charts
from bench.output.table import Table, escape_markdown
from bench.output.units import format_bytes, format_rate, format_speedup

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
BYTES = {"mem_worker_uss_peak", "mem_worker_pss_peak", "mem_worker_rss_peak",
         "mem_parent_rss_peak", "mem_parent_growth"}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
 max-width:1320px;padding:0 1.5rem;color:#1a1a1a;line-height:1.45}
h1{font-size:1.9rem;margin-bottom:.2rem} h2{margin-top:2.4rem;border-bottom:2px solid #ddd;
 padding-bottom:.2rem} h3{margin-top:1.6rem}
.sub{color:#555;margin-top:0} .use{font-size:1.15rem;font-weight:600;margin:.4rem 0}
.warn{color:#9a3b00;font-weight:600} .note{color:#555}
table{border-collapse:collapse;font-size:.9rem;margin:.6rem 0}
th,td{border:1px solid #d6d6d6;padding:.25rem .5rem;text-align:right;white-space:nowrap}
th{background:#f2f2f2} td:first-child,th:first-child,td.t,th.t{text-align:left}
tr.pick td{background:#e8f1fb;font-weight:600}
.scroll{overflow-x:auto;max-width:100%} figure{margin:1.2rem 0}
figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555;font-size:.95rem} dl{display:grid;grid-template-columns:max-content 1fr;
 gap:.15rem 1rem} dt{font-weight:600} dd{margin:0}
"""


def _fmt(key: str, value) -> str:
    if value is None:
        return "-"
    if key in BYTES:
        return format_bytes(value)
    if key in ("img_per_s", "cold_img_per_s"):
        return format_rate(value)
    if key == "speedup":
        return format_speedup(value)
    if key in ("spread_pct", "efficiency_pct"):
        return f"{value:.0f}"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _columns(rows: list[dict]) -> list[tuple[str, str]]:
    return [(k, h) for k, h in PAGE_COLUMNS if any(r.get(k) not in (None, "none") for r in rows)]


def _cases_table(a: Analysis) -> tuple[Table, list[tuple[str, str]]]:
    """Every case of the file, in the columns it measured; and those columns."""
    rows = flat.table(a)
    cols = _columns(rows)
    cases = Table(["case"] + [h for _, h in cols],
                  [[r["name"]] + [_fmt(k, r[k]) for k, _ in cols] for r in rows],
                  left=[0] + [i + 1 for i, (k, _) in enumerate(cols) if k in TEXT_COLUMNS])
    return cases, cols


def _failed_table(a: Analysis) -> Table:
    return Table(["case", "reason"], [[f["name"], f["reason"]] for f in a.results.failed])


def _machine_facts(a: Analysis) -> list[tuple[str, str]]:
    m, raw = a.machine, a.machine.raw
    run = a.results.run
    facts = [("host", m.hostname), ("CPU", m.cpu_model),
             ("CPUs available", str(m.cpus or "?")),
             ("logical / physical cores", f"{raw.get('bench_logical_cpus', '?')} / "
                                          f"{raw.get('bench_physical_cores', '?')}"),
             ("parallel capacity", f"{m.capacity:.2f} (measured: N processes of pure CPU work vs one)"
              if m.capacity else "not measured"),
             ("RAM", f"{format_bytes(m.mem_available)} available of {format_bytes(m.mem_total)}"),
             ("OS", str(raw.get("bench_os", raw.get("platform", "?")))),
             ("Python", str(raw.get("bench_python", raw.get("python_version", "?")))),
             ("default start method", str(m.default_start_method or "?")),
             ("OpenCV threads", str(raw.get("bench_cv2_threads", "?"))),
             ("packages", ", ".join(f"{k[len('bench_version_'):]} {v}" for k, v in sorted(raw.items())
                                    if k.startswith("bench_version_")) or "?"),
             ("run", f"started {m.date}, {run.get('duration_s', '?')} s, "
                     f"{len(a.rows)} cases measured, {len(a.results.failed)} failed"),
             ("command", str(run.get("command", "?"))),
             ("results file", a.path)]
    return facts


# -- HTML ------------------------------------------------------------------------------

def _h(text) -> str:
    return html.escape(str(text))


def _img_tag(path: str, alt: str) -> str:
    with open(path, "rb") as fh:
        data = base64.b64encode(fh.read()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{_h(alt)}">'


def _html_answer(a) -> str:
    lines = rec.answer_lines(a)
    out = [f"<h3>{_h(a.group.title)}</h3>", f'<p class="use">{_h(lines[0])}</p>', "<ul>"]
    for line in lines[1:]:
        text = line.strip()
        cls = ' class="warn"' if text.startswith("WARNING") else ' class="note"' if text.startswith("Note") else ""
        out.append(f"<li{cls}>{_h(text)}</li>")
    out.append("</ul>")
    out.append(rec.answer_table(a).to_html())
    return "\n".join(out)


def _html_file_section(a, answers, charts: Charts, multi: bool) -> str:
    out = []
    if multi:
        out.append(f"<h2>{_h(a.machine.summary())} - {_h(a.machine.date)}</h2>")
    out.append("<h2>Machine</h2>" if not multi else "<h3>Machine</h3>")
    out.append("<dl>" + "".join(f"<dt>{_h(k)}</dt><dd>{_h(v)}</dd>" for k, v in _machine_facts(a)) + "</dl>")
    out.append("<h2>Recommendation</h2>" if not multi else "<h3>Recommendation</h3>")
    out.extend(_html_answer(x) for x in answers)
    if not answers:
        out.append("<p>No throughput groups in this file.</p>")
    out.append(f'<p class="note">{_h(rec.TABLE_NOTE)}</p>')
    out.append("<h2>Charts</h2>" if not multi else "<h3>Charts</h3>")
    for name, paths in charts.files.items():
        out.append(f"<figure>{_img_tag(paths[0], charts.titles.get(name, name))}"
                   f"<figcaption>{_h(charts.titles.get(name, name))} "
                   f"(SVG for slides: {_h(os.path.basename(paths[1]))})</figcaption></figure>")
    for name, why in charts.skipped.items():
        out.append(f'<p class="note">{_h(charts.titles.get(name, name))}: not drawn, {_h(why)}.</p>')
    cases, cols = _cases_table(a)
    out.append("<h2>All cases</h2>" if not multi else "<h3>All cases</h3>")
    out.append(cases.to_html())
    missing = [h for k, h in PAGE_COLUMNS if (k, h) not in cols]
    if missing:
        out.append(f'<p class="note">Not measured in this file: {_h(", ".join(missing))}.</p>')
    if a.results.failed:
        out.append("<h3>Failed cases</h3>")
        out.append(_failed_table(a).to_html())
    return "\n".join(out)


def render_html(items, comparison=None, compare_png=None) -> str:
    """items: [(Analysis, answers, Charts)]."""
    multi = len(items) > 1
    first = items[0][0]
    title = (f"bench report - {first.machine.hostname}, {first.machine.date}" if not multi
             else f"bench report - {len(items)} runs compared")
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_h(title)}</title><style>{CSS}</style></head><body>",
           f"<h1>{_h(title)}</h1>",
           f'<p class="sub">{_h(first.machine.subtitle()) if not multi else ""} '
           f"- report made {made} by <code>python -m bench report</code></p>"]
    if comparison is not None:
        out.append("<h2>Comparison</h2>")
        out.append("<ul>" + "".join(f"<li><b>{_h(lab)}</b>: {_h(t)}</li>"
                                    for lab, t in cmp.file_legend(comparison)) + "</ul>")
        if compare_png:
            out.append(f"<figure>{_img_tag(compare_png, 'machine comparison')}"
                       f"<figcaption>{_h(messages.COMPARE_CHART_CAPTION)}</figcaption></figure>")
        out.append("<ul>" + "".join(f"<li>{_h(s)}</li>" for s in cmp.summary_lines(comparison)) + "</ul>")
        for title_, lines in comparison.sections().items():
            out.append(f"<h3>{_h(title_)}</h3>")
            out.append(cmp.case_table(comparison, lines).to_html())
    for a, answers, charts in items:
        out.append(_html_file_section(a, answers, charts, multi))
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# -- Markdown --------------------------------------------------------------------------

def _md_file_section(a, answers, charts: Charts, out_dir: str, multi: bool) -> list[str]:
    h = "###" if multi else "##"
    out = []
    if multi:
        out += [f"## {a.machine.summary()} - {a.machine.date}", ""]
    out += [f"{h} Machine", ""]
    out += [f"- **{k}**: {escape_markdown(v)}" for k, v in _machine_facts(a)]
    out += ["", f"{h} Recommendation", ""]
    rec_md = rec.render_markdown(a, answers)
    out.append(rec_md.replace("\n### ", "\n#### ") if multi else rec_md)
    out += [f"{h} Charts", ""]
    for name, paths in charts.files.items():
        rel = os.path.relpath(paths[0], out_dir)
        out += [f"![{charts.titles.get(name, name)}]({rel})", "",
                f"*{charts.titles.get(name, name)}* (SVG: `{os.path.relpath(paths[1], out_dir)}`)", ""]
    for name, why in charts.skipped.items():
        out += [f"- {charts.titles.get(name, name)}: not drawn, {why}."]
    out += ["", f"{h} All cases", ""]
    out.append(_cases_table(a)[0].to_markdown())
    if a.results.failed:
        out += ["", f"{h} Failed cases", ""]
        out.append(_failed_table(a).to_markdown())
    out.append("")
    return out


def render_markdown(items, out_dir: str, comparison=None, compare_png=None) -> str:
    multi = len(items) > 1
    first = items[0][0]
    title = (f"bench report - {first.machine.hostname}, {first.machine.date}" if not multi
             else f"bench report - {len(items)} runs compared")
    out = [f"# {title}", ""]
    if not multi:
        out += [first.machine.subtitle(), ""]
    if comparison is not None:
        rel = os.path.relpath(compare_png, out_dir) if compare_png else None
        out.append(cmp.render_markdown(comparison, rel))
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
    stems = [a.stem for a in analyses]
    if len(stems) == 1:
        return f"{stems[0]}-report"
    return "report-" + "-vs-".join(stems[:2]) + (f"-and-{len(stems) - 2}-more" if len(stems) > 2 else "")
