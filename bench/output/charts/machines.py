"""Chart: machines (or runs) compared, one chart per workload, one panel per image set.

Every machine on one axis of throughput against workers:

* a line through its best measured throughput at each worker count (any
  configuration: the serial loop at 1 worker included), in the machine's colour and
  marker (markers differ too, so nothing relies on colour alone);
* the scaling model of its pick's configuration, as a wide translucent band over the
  worker counts it was fitted to (:mod:`bench.analysis.scaling`), where one was fitted;
* its pick, a large star with the configuration written beside it.

The answers, matched by workload, image size, content and parameters, are
:mod:`bench.analysis.compare`'s; a chart has at most a handful of panels (one per image
set of its workload), so it reads on one slide.
"""
from __future__ import annotations

from matplotlib.lines import Line2D

from bench.analysis.compare import AnswerLine, Comparison
from bench.output.charts import layout, style
from bench.texts import messages

MACHINE_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h")
PANEL_W, PANEL_H = 6.4, 4.4         # inches: 2 x 2 panels make a 16:10 slide


def machine_look(i: int) -> dict:
    c = style.colour(style.FILE_COLOURS[i % len(style.FILE_COLOURS)])
    return dict(color=c, marker=MACHINE_MARKERS[i % len(MACHINE_MARKERS)], linewidth=2.4,
                markersize=8, markeredgecolor="#333333" if c == style.colour("yellow") else c)


def machine_label(label: str, a) -> str:
    m = a.machine
    cpus = f", {m.cpus} CPUs" if m.cpus else ""
    cap = f", capacity {m.capacity:.2f}" if m.capacity else ""
    return f"{label}: {m.hostname}{cpus}{cap}, {m.date}"


def best_at_each(group) -> tuple[list[int], list[float]]:
    """Worker count -> the best throughput any configuration measured there."""
    best: dict[int, float] = {}
    for r in group.rows:
        best[r.workers] = max(best.get(r.workers, 0.0), r.throughput)
    ws = sorted(best)
    return ws, [best[w] for w in ws]


def short_pick(row) -> str:
    """The pick in a panel's few words: strategy, workers, start method, variants (the
    tables give the chunk size)."""
    parts = [row.strategy]
    if row.family != "serial":
        parts.append(f"w={row.workers}")
    if row.chunk_policy not in ("auto", "none"):
        parts.append(f"chunk={row.chunk_size}")
    parts += [v for v in (row.start_method,) if v]
    if row.cv_threads is not None:
        parts.append(f"cv={row.cv_threads}")
    if row.folder_per_task:
        parts.append(messages.FOLDER_PER_TASK)
    return " ".join(parts)


def _panel(ax, c: Comparison, line: AnswerLine) -> None:
    top = 0.0
    workers = {w for p in line.picks if p is not None for w in best_at_each(p.group)[0]}
    picked, labels = [], []
    for i, (lab, p) in enumerate(zip(c.labels, line.picks)):
        if p is None:
            continue
        look = machine_look(i)
        ws, xs = best_at_each(p.group)
        ax.plot(ws, xs, **look)
        top = max(top, max(xs))
        f = p.answer.fit
        if f is not None:
            dense = layout.dense(f.workers)
            ax.plot(dense, f.predict(dense), color=look["color"], linewidth=10, alpha=0.2,
                    solid_capstyle="round")
            top = max(top, float(max(f.predict(dense))))
        row = p.row
        star = ax.plot([row.workers], [row.throughput], marker="*", markersize=22, color=look["color"],
                       markeredgecolor="black", markeredgewidth=1.2, linestyle="none", zorder=5)[0]
        picked.append(star)
        labels.append(f"{lab}: {short_pick(row)}")
    # the picks in words, where matplotlib finds the fewest lines ("best")
    ax.legend(picked, labels, loc="best", fontsize=11, framealpha=0.9, markerscale=0.7,
              handletextpad=0.3, borderpad=0.4)
    layout.workers_axis(ax, sorted(workers))
    # room above the curves for the picks' legend
    ax.set_ylim(0, top * 1.3 if top else 1)
    ax.yaxis.set_major_formatter(style.rate_formatter())
    ax.set_ylabel("images per second")
    ax.set_title(line.title)


def _handles(c: Comparison, lines: list) -> dict:
    """The legend: every machine drawn in this chart, then the model and the pick."""
    out = {}
    for i, (lab, a) in enumerate(zip(c.labels, c.analyses)):
        if any(ln.picks[i] is not None for ln in lines):
            out[machine_label(lab, a)] = Line2D([], [], **machine_look(i))
    if any(p is not None and p.answer.fit is not None for ln in lines for p in ln.picks):
        out[messages.COMPARE_MODEL_REF] = Line2D([], [], color="#555555", linewidth=10, alpha=0.2)
    out[messages.COMPARE_PICK_REF] = Line2D([], [], marker="*", markersize=16, color="#777777",
                                            markeredgecolor="black", linestyle="none")
    return out


def workload_chart(c: Comparison, workload: str, lines: list, out_dir: str, name: str) -> list[str]:
    """One workload's answers on every machine: [png, svg]."""
    handles = _handles(c, lines)
    subtitle = "  vs  ".join(f"{lab}: {a.machine.hostname} {a.machine.date}"
                             for i, (lab, a) in enumerate(zip(c.labels, c.analyses))
                             if any(ln.picks[i] is not None for ln in lines))
    fig, axes, ncol = layout.new_figure(
        len(lines), messages.COMPARE_CHART_TITLE.format(workload=workload), subtitle,
        legend=list(handles), panel_w=PANEL_W, panel_h=PANEL_H, note=messages.COMPARE_CHART_NOTE,
        labels_w=0.35)          # room for tick labels as wide as "120,000"
    for ax, line in zip(axes, lines):
        _panel(ax, c, line)
    layout.add_legend(fig, handles, ncol)
    return layout.save(fig, out_dir, name)


def compare_charts(c: Comparison, out_dir: str, stem: str) -> dict[str, list[str]]:
    """Every workload's chart: {workload: [png, svg]}."""
    return {workload: workload_chart(c, workload, lines, out_dir, f"{stem}-{workload}")
            for workload, lines in c.workloads().items()}
