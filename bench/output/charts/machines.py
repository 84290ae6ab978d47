"""Chart: machines (or runs) side by side, the best throughput of every configuration
in each file."""
from __future__ import annotations

from matplotlib.patches import Patch

from bench.analysis.load import Analysis
from bench.analysis.rows import line_label
from bench.output import messages
from bench.output.charts import layout, style


def compare_chart(analyses: list[Analysis], labels: list[str], out_dir: str, name: str) -> list[str]:
    """Best throughput of every configuration (over worker counts), one bar per file."""
    keys, titles = [], {}
    for a in analyses:
        for g in a.groups():
            if g.key not in titles:
                keys.append(g.key)
                titles[g.key] = g.title
    panels = []
    for key in keys:
        configs = []
        for a in analyses:
            for g in a.groups():
                if g.key == key:
                    if g.serial and "serial" not in configs:
                        configs.append("serial")
                    configs += [line_label(ln) for ln in g.lines() if line_label(ln) not in configs]
        panels.append((key, configs))
    most = max((len(c) for _, c in panels), default=1)
    n = len(analyses)
    subtitle = "  vs  ".join(f"{lab}: {a.machine.hostname} {a.machine.date}" for lab, a in zip(labels, analyses))
    fig, axes, ncol = layout.new_figure(
        len(panels), messages.MACHINES_TITLE, subtitle,
        legend=[f"{lab}: {a.machine.summary()}" for lab, a in zip(labels, analyses)],
        panel_h=max(3.4, (0.28 * n + 0.25) * most + 1.4),
        labels_w=layout.labels_width(c for _, cs in panels for c in cs))
    height = 0.8 / n
    for ax, (key, configs) in zip(axes, panels):
        ys = list(range(len(configs)))[::-1]
        top = 0.0
        for i, (lab, a) in enumerate(zip(labels, analyses)):
            group = next((g for g in a.groups() if g.key == key), None)
            for config, y in zip(configs, ys):
                rows = [] if group is None else (
                    [group.serial] if config == "serial" and group.serial else
                    next((rs for ln, rs in group.lines().items() if line_label(ln) == config), []))
                if not rows:
                    continue
                best = max(rows, key=lambda r: r.throughput)
                yy = y + (n - 1) / 2 * height - i * height
                ax.barh(yy, best.throughput, height=height * 0.92,
                        color=style.colour(style.FILE_COLOURS[i % len(style.FILE_COLOURS)]))
                ax.text(best.throughput, yy, f" {best.throughput:,.0f}"
                        + (f" (w={best.workers})" if best.family != "serial" else ""),
                        va="center", fontsize=11)
                top = max(top, best.throughput)
        ax.set_yticks(ys)
        ax.set_yticklabels([layout.bar_label(c) for c in configs])
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, top * 1.3 if top else 1)
        ax.xaxis.set_major_formatter(style.rate_formatter())
        ax.set_xlabel("images per second (best over worker counts)")
        ax.set_title(titles[key])
    handles = {f"{lab}: {a.machine.summary()}": Patch(color=style.colour(style.FILE_COLOURS[i % len(style.FILE_COLOURS)]))
               for i, (lab, a) in enumerate(zip(labels, analyses))}
    layout.add_legend(fig, handles, ncol)
    return layout.save(fig, out_dir, name)
