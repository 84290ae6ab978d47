"""Chart: memory per worker (peak USS, PSS and RSS, the largest over worker counts), and
how many such workers fit in the RAM that was available."""
from __future__ import annotations

from bench.analysis.load import Analysis
from bench.analysis.recommend import memory_check
from bench.analysis.rows import Group, line_label
from bench.output.charts import layout
from bench.texts import messages
from bench.texts.units import format_bytes

MEMORY_PARTS = (("mem_worker_uss_peak", "USS (private to the worker)", "blue", ""),
                ("mem_worker_pss_peak", "PSS (shared pages split fairly)", "green", "//"),
                ("mem_worker_rss_peak", "RSS (shared pages counted in full)", "orange", ".."))


def _bars(g: Group) -> list:
    """(label, peak per part, the row of the heaviest worker) of each line that measured any."""
    bars = []
    for line, rows in g.lines().items():
        values = {key: max((r.get(key) or 0) for r in rows) for key, *_ in MEMORY_PARTS}
        if any(values.values()):
            heaviest = max(rows, key=lambda r: (r.worker_memory() or ("", 0))[1])
            bars.append((line_label(line), values, heaviest))
    return bars


def memory_chart(analysis: Analysis, groups: list[Group], out_dir: str,
                 name: str) -> tuple[list[str] | None, str | None]:
    panels = [(g, bars) for g in groups if (bars := _bars(g))]
    if not panels:
        return None, messages.NO_WORKER_MEMORY
    m = analysis.machine
    f, drawn = layout.bar_panels(panels, messages.MEMORY_TITLE, m.subtitle(), 1.0,
                                 [p[1] for p in MEMORY_PARTS])
    height = 0.26
    for ax, g, bars, ys in drawn:
        top = 0.0
        for (_, values, row), y in zip(bars, ys):
            for i, part in enumerate(MEMORY_PARTS):
                v = values[part[0]] / 2**20
                if v > 0:
                    layout.bar(ax, f.handles, part, y + (1 - i) * height, v, height=height)
                    top = max(top, v)
            mem = memory_check(row, g, m.mem_available)
            if mem.ceiling is not None:
                ax.text(max(values.values()) / 2**20, y, messages.WORKERS_FIT.format(
                    ceiling=mem.ceiling, available=format_bytes(mem.available), kind=mem.kind),
                    fontsize=11, color="#222222", va="center")
        ax.set_xlim(0, top * 1.45)
        ax.set_xlabel("MiB per worker")
    return f.save(out_dir, name), None
