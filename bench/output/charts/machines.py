"""Chart: machines (or runs) compared, one chart per workload, one row per image set:
img/s (left) and speedup over each machine's own serial loop (right) against workers,
every machine's pick's line, plateau, scaling model (a band) and pick (a star) on the
same two axes (docs/charts-and-report.md); what is drawn is :func:`machine_curves`.
"""
from __future__ import annotations

from dataclasses import dataclass

from matplotlib.lines import Line2D

from bench.analysis.compare import AnswerLine, Comparison
from bench.analysis.racing import TIE_MARGIN
from bench.analysis.recommend import Plateau
from bench.analysis.rows import CaseRow
from bench.analysis.scaling import Fit
from bench.output.charts import layout, style
from bench.output.comparison import pick_text
from bench.output.charts.layout import RATE, SPEEDUP
from bench.output.charts.workers import Curve, line_curve, mark_plateau, plateau_handles
from bench.texts import messages

MACHINE_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h")
PANEL_W, PANEL_H = 6.2, 4.4         # inches: an image set's two panels make a 16:9 slide


def machine_look(i: int) -> dict:
    c = style.OKABE_ITO[style.FILE_COLOURS[i % len(style.FILE_COLOURS)]]
    return dict(color=c, marker=MACHINE_MARKERS[i % len(MACHINE_MARKERS)], linewidth=2.4,
                markersize=8, markeredgecolor="#333333" if c == style.OKABE_ITO["yellow"] else c)


def machine_label(label: str, a) -> str:
    m = a.machine
    cpus = f", {m.cpus} CPUs" if m.cpus else ""
    cap = f", capacity {m.capacity:.2f}" if m.capacity else ""
    return f"{label}: {m.hostname}{cpus}{cap}, {m.date}"


@dataclass
class MachineCurve:
    index: int                  # the file's place: its colour and marker
    label: str                  # the legend's words: machine, CPUs, capacity, date
    curve: Curve | None         # the plateau's line (None: only the serial loop measured)
    plateau: Plateau | None
    pick: CaseRow
    pick_speedup: float | None
    fit: Fit | None             # the scaling model of the line drawn, where one was fitted


def machine_curves(c: Comparison, line: AnswerLine) -> list[MachineCurve]:
    """Every machine that has this answer: its pick's line, plateau and pick."""
    out = []
    for i, (lab, p) in enumerate(zip(c.labels, line.picks)):
        if p is None:
            continue
        a, g = p.answer, p.group
        plateau = a.plateau
        curve = line_curve(g, g.lines()[plateau.line], pick=plateau.own) if plateau is not None else None
        fit = a.fits.get(plateau.label) if plateau is not None else None
        out.append(MachineCurve(i, machine_label(lab, p.analysis), curve, plateau, p.row,
                                p.row.speedup_over(g.serial), fit))
    return out


def _panels(ax_rate, ax_sp, c: Comparison, line: AnswerLine) -> None:
    tops = {RATE: 0.0, SPEEDUP: 1.0}
    workers, picked, labels = set(), [], []
    drawn = machine_curves(c, line)
    for row, m in enumerate(drawn):
        look = machine_look(m.index)
        colour = look["color"]
        lab = c.labels[m.index]
        for ax, what in ((ax_rate, RATE), (ax_sp, SPEEDUP)):
            if m.curve is not None:
                xs, ys = m.curve.points(what)
                ax.plot(xs, ys, **look)
                workers.update(xs)
                tops[what] = max([tops[what]] + ys)
            if m.plateau is not None and m.curve is not None:
                text = messages.PLATEAU_MARK_MACHINE.format(label=lab, workers=m.plateau.plateau_workers)
                mark_plateau(ax, what, m.curve, m.plateau, colour, text, row)
            y = m.pick.throughput if what == RATE else m.pick_speedup
            if y is not None:
                star = ax.plot([m.pick.workers], [y], marker="*", markersize=22, color=colour,
                               markeredgecolor="black", markeredgewidth=1.2, linestyle="none", zorder=7)[0]
                workers.add(m.pick.workers)
                tops[what] = max(tops[what], y)
                if what == RATE:
                    picked.append(star)
                    labels.append(f"{lab}: {pick_text(m.pick, short=True)}")
        if m.fit is not None:
            dense = layout.dense(m.fit.workers)
            ax_rate.plot(dense, m.fit.predict(dense), color=colour, linewidth=10, alpha=0.2,
                         solid_capstyle="round")
            tops[RATE] = max(tops[RATE], float(max(m.fit.predict(dense))))
    ax_sp.axhline(1.0, **style.ONE_LOOK)
    # the picks in words, where matplotlib finds the fewest lines ("best")
    ax_rate.legend(picked, labels, loc="best", fontsize=11, framealpha=0.9, markerscale=0.7,
                   handletextpad=0.3, borderpad=0.4)
    layout.workers_panel(ax_rate, RATE, sorted(workers), tops[RATE] * 1.15, line.title)
    layout.workers_panel(ax_sp, SPEEDUP, sorted(workers), tops[SPEEDUP] * 1.15,
                         messages.COMPARE_SPEEDUP_PANEL.format(title=line.title))


def _present(c: Comparison, lines: list) -> list:
    """(index, label, analysis) of each machine with a pick in these lines."""
    return [(i, lab, a) for i, (lab, a) in enumerate(zip(c.labels, c.analyses))
            if any(ln.picks[i] is not None for ln in lines)]


def _handles(c: Comparison, lines: list) -> dict:
    out = {machine_label(lab, a): Line2D([], [], **machine_look(i))
           for i, lab, a in _present(c, lines)}
    found = [m for ln in lines for m in machine_curves(c, ln)]
    if any(m.fit is not None for m in found):
        out[messages.COMPARE_MODEL_REF] = Line2D([], [], color="#555555", linewidth=10, alpha=0.2)
    out[messages.COMPARE_PICK_REF] = Line2D([], [], marker="*", markersize=16, color="#777777",
                                            markeredgecolor="black", linestyle="none")
    out[messages.SERIAL_IS_ONE] = Line2D([], [], **style.ONE_LOOK)
    if any(m.plateau is not None for m in found):
        out.update(plateau_handles())
    return out


def workload_chart(c: Comparison, workload: str, lines: list, out_dir: str, name: str) -> list[str]:
    handles = _handles(c, lines)
    subtitle = "  vs  ".join(f"{lab}: {a.machine.hostname}, {a.machine.cpus or '?'} CPUs, {a.machine.date}"
                             for _, lab, a in _present(c, lines))
    f = layout.new_figure(
        2 * len(lines), messages.COMPARE_CHART_TITLE.format(workload=workload), subtitle,
        legend=list(handles), panel_w=PANEL_W, panel_h=PANEL_H,
        note=messages.COMPARE_CHART_NOTE.format(margin=TIE_MARGIN),
        labels_w=0.35)          # room for tick labels as wide as "120,000"
    f.handles = handles
    for i, line in enumerate(lines):
        _panels(f.axes[2 * i], f.axes[2 * i + 1], c, line)
    return f.save(out_dir, name)


def compare_charts(c: Comparison, out_dir: str, stem: str) -> dict[str, list[str]]:
    return {workload: workload_chart(c, workload, lines, out_dir, f"{stem}-{workload}")
            for workload, lines in c.workloads().items()}
