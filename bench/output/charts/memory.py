"""Chart: memory per worker (peak USS, PSS and RSS, the largest over worker counts), and
how many such workers fit in the RAM that was available."""
from __future__ import annotations

from matplotlib.patches import Patch

from bench.analysis.load import Analysis
from bench.analysis.recommend import memory_check
from bench.analysis.rows import Group, line_label
from bench.output.charts import layout, style
from bench.texts import messages
from bench.texts.units import format_bytes

MEMORY_PARTS = (("mem_worker_uss_peak", "USS (private to the worker)", "blue", ""),
                ("mem_worker_pss_peak", "PSS (shared pages split fairly)", "green", "//"),
                ("mem_worker_rss_peak", "RSS (shared pages counted in full)", "orange", ".."))


def memory_chart(analysis: Analysis, groups: list[Group], out_dir: str,
                 name: str) -> tuple[list[str] | None, str | None]:
    m = analysis.machine
    panels = []
    for g in groups:
        entries = []
        for line, rows in g.lines().items():
            values = {key: max((r.get(key) or 0) for r in rows) for key, *_ in MEMORY_PARTS}
            if any(values.values()):
                heaviest = max(rows, key=lambda r: (r.worker_memory() or ("", 0))[1])
                entries.append((line_label(line), values, heaviest))
        if entries:
            panels.append((g, entries))
    if not panels:
        return None, messages.NO_WORKER_MEMORY
    most = max(len(e) for _, e in panels)
    fig, axes, ncol = layout.new_figure(
        len(panels), messages.MEMORY_TITLE, m.subtitle(), panel_h=max(3.0, 1.0 * most + 1.2),
        legend=[p[1] for p in MEMORY_PARTS],
        labels_w=layout.labels_width(e[0] for _, es in panels for e in es))
    handles = {}
    height = 0.26
    for ax, (g, entries) in zip(axes, panels):
        ys = layout.bar_axis(ax, [e[0] for e in entries])
        top = 0.0
        for (label, values, row), y in zip(entries, ys):
            for i, (key, text, c, hatch) in enumerate(MEMORY_PARTS):
                v = values[key] / 2**20
                if v <= 0:
                    continue
                ax.barh(y + (1 - i) * height, v, height=height, color=style.colour(c), hatch=hatch,
                        edgecolor="white")
                handles.setdefault(text, Patch(facecolor=style.colour(c), hatch=hatch, edgecolor="white"))
                top = max(top, v)
            mem = memory_check(row, g, m.mem_available)
            if mem.ceiling is not None:
                ax.text(max(values.values()) / 2**20, y, messages.WORKERS_FIT.format(
                    ceiling=mem.ceiling, available=format_bytes(mem.available), kind=mem.kind),
                    fontsize=11, color="#222222", va="center")
        ax.set_xlim(0, top * 1.45)
        ax.set_xlabel("MiB per worker")
        ax.set_title(g.title)
    layout.add_legend(fig, handles, ncol)
    return layout.save(fig, out_dir, name), None
