"""Chart: throughput against workers (higher is better), per workload and image set."""
from __future__ import annotations

from matplotlib.lines import Line2D

from bench.analysis.load import Analysis
from bench.analysis.rows import Group, line_label
from bench.output.charts import layout, style
from bench.texts import messages


def throughput_chart(analysis: Analysis, groups: list[Group], out_dir: str, name: str,
                     fits: dict | None = None) -> list[str]:
    """Images per second against workers, one line per configuration, the serial loop and
    the ideal as references; ``fits``: group key -> (Fit, line) of a model to overlay."""
    m = analysis.machine
    f = layout.new_figure(
        len(groups), messages.THROUGHPUT_TITLE, m.subtitle(),
        legend=layout.line_labels(groups)
        + [messages.SERIAL_REF, messages.IDEAL_REF.format(cap=m.capacity or 0)]
        + ([messages.MODEL_REF] if fits else []),
        note=messages.THROUGHPUT_NOTE)
    for ax, g in zip(f.axes, groups):
        workers = [r.workers for r in g.rows]
        top = 0.0
        for line, rows in g.lines().items():
            xs = [r.workers for r in rows]
            ys = [r.throughput for r in rows]
            lo = [y - layout.value_range(r)[0] for r, y in zip(rows, ys)]
            hi = [layout.value_range(r)[1] - y for r, y in zip(rows, ys)]
            look = style.line_style(line)
            ax.errorbar(xs, ys, yerr=[lo, hi], capsize=3, elinewidth=1, **look)
            f.handles.setdefault(line_label(line), Line2D([], [], **look))
            top = max(top, max(layout.value_range(r)[1] for r in rows))
        serial = g.serial
        if serial is not None:
            ws = sorted(set(workers) | {1})
            layout.legend_line(f.handles, messages.SERIAL_REF, ax.axhline, serial.throughput,
                               **style.SERIAL_LOOK)
            lo, hi = layout.value_range(serial)
            ax.axhspan(lo, hi, color=style.OKABE_ITO["black"], alpha=0.07, linewidth=0)   # its passes
            cap = m.capacity or max(ws)
            ideal = [serial.throughput * min(w, cap) for w in ws]
            layout.legend_line(f.handles, messages.IDEAL_REF.format(cap=cap), ax.plot, ws, ideal,
                               **style.IDEAL_LOOK)
            top = max(top, serial.throughput, max(ideal), hi)
        fit = (fits or {}).get(g.key)
        if fit is not None:
            # a wide translucent band under the line it models: never mistaken for data
            model, line = fit
            xs = layout.dense(model.workers)
            c = style.strategy_style(line[0])[0]
            ax.plot(xs, model.predict(xs), color=c, linewidth=9, alpha=0.22, solid_capstyle="round")
            f.handles.setdefault(messages.MODEL_REF,
                                 Line2D([], [], color="#555555", linewidth=9, alpha=0.22))
        layout.workers_panel(ax, layout.RATE, workers, top, g.title, headroom=1.12)
    return f.save(out_dir, name)
