"""Figure helpers every chart shares: layout in inches, legend, workers axis, bar labels,
saving PNG and SVG. Sized for a slide: about 2,000 px wide at 150 dpi, text 12 pt or more.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import matplotlib
import numpy as np

matplotlib.use("Agg")          # files only: no display, no GUI toolkit needed
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from bench.analysis.rows import line_label  # noqa: E402
from bench.output.charts import style  # noqa: E402

PANEL_W, PANEL_H = 7.0, 4.6      # inches per panel
MAX_COLS = 2
RATE, SPEEDUP = "img/s", "speedup"     # what a workers panel shows (as ``Plateau.by`` names it)


@dataclass
class Figure:
    """A figure being drawn: its panels, and the legend's entries as they are drawn."""
    fig: plt.Figure
    axes: list
    ncol: int                                       # legend columns that fit the width
    handles: dict = field(default_factory=dict)     # label -> handle, in legend order

    def save(self, out_dir: str, name: str) -> list[str]:
        """One legend for the whole figure, in the room ``new_figure`` left under the panels;
        then PNG (screens) and SVG (slides) with fixed metadata: same data, same bytes."""
        if self.handles:
            # anchored a fixed 0.1 inch above the bottom edge: a fraction of the height would
            # lift the legend into the last row's axis label on tall (many-panel) figures
            self.fig.legend(list(self.handles.values()), list(self.handles.keys()),
                            loc="lower center", ncol=min(self.ncol, len(self.handles)),
                            bbox_to_anchor=(0.5, 0.1 / self.fig.get_figheight()), frameon=False)
        paths = [os.path.join(out_dir, f"{name}.{ext}") for ext in ("png", "svg")]
        self.fig.savefig(paths[0], dpi=style.DPI, metadata={"Software": "bench (matplotlib)"})
        self.fig.savefig(paths[1], metadata={"Date": None})
        plt.close(self.fig)
        return paths


def new_figure(n_panels: int, title: str, subtitle: str, legend: list = (),
               panel_w: float = PANEL_W, panel_h: float = PANEL_H, twin: bool = False,
               note: str = "", labels_w: float = 0.0) -> Figure:
    """Figure with a header (title + subtitle), panels, and room for a legend below; sizes
    in inches, not fractions, so headers and legends never overlap the panels."""
    cols = min(MAX_COLS, max(1, n_panels))
    rows = max(1, math.ceil(n_panels / cols))
    if cols == 1:
        panel_w = max(panel_w, 10.5)    # one panel: wide enough for the shared legend
    legend = list(dict.fromkeys(legend))
    head = 1.75 if note else 1.4
    # labels_w: room for long tick labels left of each panel (bar charts)
    gap_w, gap_h = (2.2 if twin else 1.1) + labels_w, 1.0
    left, right = 1.0 + labels_w, (1.0 if twin else 0.35)
    width = left + right + cols * panel_w + (cols - 1) * gap_w
    # as many legend columns as fit the width with the longest label (12 pt, with the handle)
    col_w = 0.105 * max((len(t) for t in legend), default=10) + 1.0
    ncol = max(1, min(len(legend) or 1, int((width - 0.5) // col_w)))
    foot = 0.3 + 0.3 * math.ceil(len(legend) / ncol)
    height = head + foot + rows * panel_h + (rows - 1) * gap_h + 0.65
    fig, axes = plt.subplots(rows, cols, figsize=(width, height), squeeze=False)
    fig.subplots_adjust(left=left / width, right=1 - right / width,
                        top=1 - head / height, bottom=(foot + 0.65) / height,
                        wspace=gap_w / panel_w, hspace=gap_h / panel_h)
    fig.text(0.5, 1 - 0.3 / height, title, ha="center", va="top", fontsize=18, weight="bold")
    fig.text(0.5, 1 - 0.78 / height, subtitle, ha="center", va="top", fontsize=12.5, color="#333333")
    if note:
        fig.text(0.5, 1 - 1.1 / height, note, ha="center", va="top", fontsize=11,
                 color="#555555", style="italic")
    flat = list(axes.flat)
    for ax in flat[n_panels:]:
        ax.set_visible(False)
    return Figure(fig, flat[:n_panels], ncol)


def legend_line(handles: dict, label: str, draw, *args, **look) -> None:
    """A line drawn (``draw``: ``ax.plot``, ``ax.axhline``...) and its legend entry."""
    draw(*args, **look)
    handles.setdefault(label, Line2D([], [], **look))


def bar_panels(panels: list, title: str, subtitle: str, bar_h: float, legend: list,
               note: str = "") -> tuple[Figure, list]:
    """Horizontal bar panels, one per (group, bars), each bar a tuple with its label first,
    first bar on top: the figure, and per panel (axes, group, bars, the bars' y positions)."""
    most = max(len(bars) for _, bars in panels)
    # room left of each panel for the longest line of a (two-line) tick label at 12 pt
    longest = max(len(part) for _, bars in panels for b in bars
                  for part in bar_label(b[0]).split("\n"))
    f = new_figure(len(panels), title, subtitle, legend=legend, note=note,
                   panel_h=max(3.0, bar_h * most + 1.2), labels_w=max(0.0, 0.105 * longest - 0.6))
    drawn = []
    for ax, (g, bars) in zip(f.axes, panels):
        ys = list(range(len(bars)))[::-1]
        ax.set_yticks(ys)
        ax.set_yticklabels([bar_label(b[0]) for b in bars])
        ax.set_ylim(-0.6, len(bars) - 0.4)
        ax.grid(axis="y", visible=False)
        ax.set_title(g.title)
        drawn.append((ax, g, bars, ys))
    return f, drawn


def bar(ax, handles: dict, part: tuple, y: float, width: float, **kw) -> None:
    """A bar (or a stacked bar's part) of ``part`` (key, label, colour, hatch), and its
    legend entry."""
    _, label, c, hatch = part
    ax.barh(y, width, color=style.OKABE_ITO[c], hatch=hatch, edgecolor="white", **kw)
    handles.setdefault(label, Patch(facecolor=style.OKABE_ITO[c], hatch=hatch, edgecolor="white"))


def workers_panel(ax, what: str, workers, top: float, title: str, headroom: float = 1.15) -> None:
    """The axes of a panel of ``what`` (``RATE``, ``SPEEDUP``) against workers."""
    ws = sorted(set(workers))
    ax.set_xscale("log", base=2)
    ax.set_xticks(ws)
    ax.set_xticklabels([str(w) for w in ws])
    ax.minorticks_off()
    pad = 1.5 if len(ws) == 1 else 1.25
    ax.set_xlim(ws[0] / pad, ws[-1] * pad)
    ax.set_xlabel("workers")
    ax.set_ylim(0, top * headroom if top else 1)
    if what == RATE:
        ax.yaxis.set_major_formatter(FuncFormatter(      # '1,500', '12', '2.5'
            lambda v, _: f"{v:,.0f}" if v >= 10 or v == 0 else f"{v:.1f}"))
        ax.set_ylabel("images per second")
    else:
        ax.set_ylabel("speedup (x the serial loop)")
    ax.set_title(title)


def bar_label(text: str) -> str:
    """'processes-chunked w=2 chunk=1000 fork' on two lines: strategy, then settings."""
    head, _, rest = text.partition(" ")
    return f"{head}\n{rest}" if rest else head


def value_range(row) -> tuple[float, float]:
    """Throughput range of a case's values (fastest and slowest pass)."""
    values = row.bench.get_values()
    return 1 / max(values), 1 / min(values)


def line_labels(groups) -> list[str]:
    """Every line (configuration across worker counts) of these groups, by label."""
    return [line_label(ln) for g in groups for ln in g.lines()]


def dense(workers):
    """Worker counts between the fewest and the most, for drawing a model as a curve."""
    return np.geomspace(min(workers), max(workers), 60)
