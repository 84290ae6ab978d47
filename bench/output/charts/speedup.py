"""Chart: speedup over the serial loop against workers, and efficiency on a second scale
(speedup / the measured parallel capacity)."""
from __future__ import annotations

from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from bench.analysis.load import Analysis
from bench.analysis.rows import Group, line_label
from bench.output.charts import layout, style
from bench.texts import messages


def speedup_chart(analysis: Analysis, groups: list[Group], out_dir: str, name: str) -> list[str]:
    m = analysis.machine
    cap = m.capacity
    paired = any(r.get("paired_speedup") for g in groups for r in g.rows)
    title = messages.SPEEDUP_TITLE_PAIRED if paired else messages.SPEEDUP_TITLE
    fig, axes, ncol = layout.new_figure(
        len(groups), title, m.subtitle(), twin=True,
        legend=layout.line_labels(groups) + [messages.SERIAL_IS_ONE, messages.IDEAL_SPEEDUP,
                                             messages.CAPACITY_REF.format(cap=cap or 0)])
    handles = {}
    for ax, g in zip(axes, groups):
        serial = g.serial
        workers = [r.workers for r in g.rows]
        ax.set_title(g.title)
        layout.workers_axis(ax, workers)
        ax.set_ylabel("speedup (x the serial loop)")
        top = 1.0
        for line, rows in g.lines().items():
            look = style.line_style(line)
            ys = [r.speedup_over(serial) for r in rows]
            ax.plot([r.workers for r in rows], ys, **look)
            handles.setdefault(line_label(line), Line2D([], [], **look))
            top = max(top, max(ys))
        ws = sorted(set(workers) | {1})
        layout.reference(handles, messages.SERIAL_IS_ONE, ax.axhline, 1.0,
                         color=style.colour("black"), linestyle="--", linewidth=1.6)
        if cap:
            layout.reference(handles, messages.IDEAL_SPEEDUP, ax.plot, ws,
                             [min(w, cap) for w in ws], color="#777777", linestyle=":", linewidth=2)
            ax.axhline(cap, color=style.colour("purple"), linewidth=1.2, alpha=0.8)
            handles.setdefault(messages.CAPACITY_REF.format(cap=cap),
                               Line2D([], [], color=style.colour("purple"), linewidth=1.2))
            top = max(top, cap, min(max(ws), cap))
        ax.set_ylim(0, top * 1.12)
        if cap:
            # efficiency is speedup / capacity: a second scale on the same line
            right = ax.secondary_yaxis("right", functions=(lambda s, c=cap: 100 * s / c,
                                                           lambda e, c=cap: e * c / 100))
            right.set_ylabel("efficiency (% of measured capacity)")
            right.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
    layout.add_legend(fig, handles, ncol)
    return layout.save(fig, out_dir, name)
