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
    f = layout.new_figure(
        len(groups), title, m.subtitle(), twin=True,
        legend=layout.line_labels(groups) + [messages.SERIAL_IS_ONE, messages.IDEAL_SPEEDUP,
                                             messages.CAPACITY_REF.format(cap=cap or 0)])
    for ax, g in zip(f.axes, groups):
        workers = [r.workers for r in g.rows]
        top = 1.0
        for line, rows in g.lines().items():
            ys = [r.speedup_over(g.serial) for r in rows]
            layout.legend_line(f.handles, line_label(line), ax.plot, [r.workers for r in rows], ys,
                               **style.line_style(line))
            top = max(top, max(ys))
        ws = sorted(set(workers) | {1})
        layout.legend_line(f.handles, messages.SERIAL_IS_ONE, ax.axhline, 1.0, **style.SERIAL_LOOK)
        if cap:
            layout.legend_line(f.handles, messages.IDEAL_SPEEDUP, ax.plot,
                               ws, [min(w, cap) for w in ws], **style.IDEAL_LOOK)
            ax.axhline(cap, color=style.OKABE_ITO["purple"], linewidth=1.2, alpha=0.8)
            f.handles.setdefault(messages.CAPACITY_REF.format(cap=cap),
                                 Line2D([], [], color=style.OKABE_ITO["purple"], linewidth=1.2))
            top = max(top, cap, min(max(ws), cap))
        layout.workers_panel(ax, layout.SPEEDUP, workers, top, g.title, headroom=1.12)
        if cap:
            # efficiency is speedup / capacity: a second scale on the same line
            right = ax.secondary_yaxis("right", functions=(lambda s, c=cap: 100 * s / c,
                                                           lambda e, c=cap: e * c / 100))
            right.set_ylabel("efficiency (% of measured capacity)")
            right.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
    return f.save(out_dir, name)
