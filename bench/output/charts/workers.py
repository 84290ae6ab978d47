"""Chart: how many workers, one figure per workload and image set: img/s (left) and
speedup (right) against workers for the leading configurations only (every line at once
hides the answer), the pick's plateau marked (docs/charts-and-report.md); the
machines-compared chart marks its machines' plateaus the same way.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from matplotlib.lines import Line2D

from bench.analysis.load import Analysis
from bench.analysis.racing import TIE_MARGIN
from bench.analysis.recommend import Answer, Plateau, leading_lines
from bench.analysis.rows import Group, line_label
from bench.output.charts import layout, style
from bench.output.charts.layout import RATE, SPEEDUP
from bench.texts import messages

PICK_WIDTH = 3.6               # the pick's line, thicker than the others' (2.2)


@dataclass
class Curve:
    """One configuration across worker counts, as drawn: a median figure per count."""
    label: str
    line: tuple
    workers: list
    img_per_s: list
    speedup: list                  # None where no speedup can be had (no serial loop)
    pick: bool = False

    def at(self, workers: int, what: str) -> float | None:
        return self.values(what)[self.workers.index(workers)] if workers in self.workers else None

    def values(self, what: str) -> list:
        return self.img_per_s if what == RATE else self.speedup

    def points(self, what: str) -> tuple[list, list]:
        """Workers and values where there is a value (no speedup without a serial loop)."""
        kept = [(w, v) for w, v in zip(self.workers, self.values(what)) if v is not None]
        return [w for w, _ in kept], [v for _, v in kept]

    @property
    def legend_label(self) -> str:
        return self.label + (" (pick)" if self.pick else "")


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def line_curve(group: Group, rows: list, pick: bool = False) -> Curve:
    """A line's rows as a curve: the median img/s and speedup (paired where the case has
    it) at each worker count."""
    at: dict[int, list] = {}
    for r in rows:
        at.setdefault(r.workers, []).append(r)
    ws = sorted(at)
    return Curve(line_label(rows[0].line), rows[0].line, ws,
                 [_median(r.throughput for r in at[w]) for w in ws],
                 [_median(r.speedup_over(group.serial) for r in at[w]) for w in ws], pick)


def curves(answer: Answer) -> list[Curve]:
    lines = answer.group.lines()
    first = answer.plateau.line if answer.plateau is not None else None
    return [line_curve(answer.group, lines[ln], pick=ln == first) for ln in leading_lines(answer)]


def group_slug(text: str) -> str:
    """A group's key as part of a file name: 'imwrite-64x64x3-smooth-n100-jpg-q95'."""
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")


# -- marks shared with the machines-compared chart ------------------------------------------

def plateau_handles() -> dict:
    grey = "#555555"
    return {messages.PLATEAU_REF.format(margin=TIE_MARGIN): Line2D(
                [], [], marker="o", markersize=14, markerfacecolor="none", markeredgecolor=grey,
                markeredgewidth=2.2, color=grey, linestyle=":", linewidth=1.4),
            messages.PLATEAU_BEST_REF: Line2D([], [], marker="s", markersize=12, markerfacecolor="none",
                                              markeredgecolor=grey, markeredgewidth=2, linestyle="none"),
            messages.PLATEAU_MARGIN_REF.format(margin=TIE_MARGIN): Line2D(
                [], [], color=grey, linestyle=(0, (1, 3)), linewidth=1.6)}


def mark_plateau(ax, what: str, curve: Curve, plateau: Plateau, colour: str, text: str,
                 row: int = 0) -> None:
    """The plateau on one panel: a ring and a dotted line at its count, a square at the
    best count, and on the panel of the figure it was found by, the margin's level
    (``row``: the label's line under the ring, one per machine on a shared panel)."""
    low, best = curve.at(plateau.plateau_workers, what), curve.at(plateau.best_workers, what)
    ax.axvline(plateau.plateau_workers, color=colour, linestyle=":", linewidth=1.4, alpha=0.9)
    if low is not None:
        ax.plot([plateau.plateau_workers], [low], marker="o", markersize=18, markerfacecolor="none",
                markeredgecolor=colour, markeredgewidth=2.4, linestyle="none", zorder=6)
        ax.annotate(text, (plateau.plateau_workers, low), xytext=(0, -24 - 17 * row),
                    textcoords="offset points", ha="center", va="top", fontsize=11, color=colour,
                    weight="bold", bbox=dict(facecolor="white", edgecolor="none", alpha=0.8, pad=1))
    if best is not None:
        ax.plot([plateau.best_workers], [best], marker="s", markersize=15, markerfacecolor="none",
                markeredgecolor=colour, markeredgewidth=2, linestyle="none", zorder=6)
    if plateau.by == what:
        # the level a count must reach to be on the plateau: every point above it is
        ax.axhline((1 - TIE_MARGIN) * plateau.best, color=colour, linestyle=(0, (1, 3)), linewidth=1.6)


def _top(values) -> float:
    return max((v for v in values if v is not None), default=0.0)


# -- the chart ---------------------------------------------------------------------------------

def workers_chart(analysis: Analysis, answer: Answer, out_dir: str, name: str) -> list[str]:
    g, p = answer.group, answer.plateau
    drawn = curves(answer)
    by = messages.PLATEAU_BY.get(p.by, p.by) if p is not None else ""
    f = layout.new_figure(
        2, messages.WORKERS_CHART_TITLE.format(title=g.title), analysis.machine.subtitle(),
        legend=[c.legend_label for c in drawn] + ([messages.SERIAL_IS_ONE] if g.serial is not None else [])
        + (list(plateau_handles()) if p is not None else []),
        note=messages.WORKERS_CHART_NOTE.format(others=len(drawn) - 1, margin=TIE_MARGIN, by=by))
    ax_rate, ax_sp = f.axes
    workers = sorted({w for c in drawn for w in c.workers})
    for c in drawn:
        look = style.line_style(c.line)
        if c.pick:
            look.update(linewidth=PICK_WIDTH, markersize=10, zorder=4)
        ax_rate.plot(c.workers, c.img_per_s, **look)
        ax_sp.plot(*c.points(SPEEDUP), **look)
        f.handles[c.legend_label] = Line2D([], [], **look)
    if g.serial is not None:
        layout.legend_line(f.handles, messages.SERIAL_IS_ONE, ax_sp.axhline, 1.0, **style.ONE_LOOK)
    pick = next((c for c in drawn if c.pick), None)
    if p is not None and pick is not None:
        colour = style.line_style(pick.line)["color"]
        text = messages.PLATEAU_MARK.format(workers=p.plateau_workers)
        mark_plateau(ax_rate, RATE, pick, p, colour, text)
        mark_plateau(ax_sp, SPEEDUP, pick, p, colour, text)
        f.handles.update(plateau_handles())
    speedups = [v for c in drawn for v in c.speedup]
    layout.workers_panel(ax_rate, RATE, workers, _top(v for c in drawn for v in c.img_per_s),
                         messages.WORKERS_RATE_PANEL)
    layout.workers_panel(ax_sp, SPEEDUP, workers, max(_top(speedups), 1.0),
                         messages.WORKERS_SPEEDUP_PANEL)
    if not any(v is not None for v in speedups):
        ax_sp.text(0.5, 0.5, messages.WORKERS_NO_SPEEDUP, transform=ax_sp.transAxes, ha="center",
                   va="center", fontsize=13, color="#555555")
    return f.save(out_dir, name)
