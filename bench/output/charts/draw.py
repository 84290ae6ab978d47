"""``bench plot``: charts for design reviews, PNG (screens) and SVG (slides).

Every chart has a title, axis labels with units, the machine and date in a subtitle,
one panel per workload and image set, and one legend for the whole figure. Colours
are the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies), and every strategy also has its own marker, every start method its
own line style, so nothing depends on colour alone. Sizes are chosen for a slide: a
chart is about 2,000 px wide at 150 dpi and its smallest text is 12 pt.

Charts whose data a file does not hold (memory, time decomposition) are skipped with
the reason, never drawn empty.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")          # files only: no display, no GUI toolkit needed
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from bench.analysis.load import Analysis  # noqa: E402
from bench.analysis.rows import Group, line_label  # noqa: E402
from bench.output.units import format_bytes  # noqa: E402
from bench.output.messages import FOLDER_PER_TASK  # noqa: E402
from bench.analysis.recommend import memory_check  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design"
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7"}
# Every strategy has its own colour-and-marker pair. Seven colours are not enough for
# eleven parallel strategies, so a Dask strategy shares the colour of its local
# counterpart (dask-chunked and processes-chunked are both blue), and is told apart by
# its marker and its dash-dot-dot line: pairs that answer the same question look alike.
STRATEGY_STYLE = {       # colour, marker
    "serial": ("black", "o"),
    "threads": ("orange", "s"),
    "threads-chunked": ("vermillion", "D"),
    "processes": ("sky", "^"),
    "processes-chunked": ("blue", "v"),
    "processes-map": ("green", "P"),
    "processes-shm": ("purple", "X"),
    "processes-inherit": ("yellow", "*"),
    "processes-model-per-image": ("vermillion", "d"),
    "dask": ("sky", "h"),
    "dask-chunked": ("blue", "p"),
    "dask-scatter": ("purple", "8"),       # sent once, like shared memory
    "dask-local": ("yellow", "<"),         # already there, like inherited pixels
}
SPARE = (("green", "H"), ("orange", ">"), ("sky", "1"), ("blue", "2"), ("purple", "3"),
         ("vermillion", "4"), ("yellow", "+"))
DASK_LINE = (0, (6, 2, 1.5, 2, 1.5, 2))   # dash-dot-dot
METHOD_STYLE = {"none": "-", "fork": "-", "forkserver": "-.", "spawn": "--"}
FILE_COLOURS = ("blue", "orange", "green", "vermillion", "purple", "sky", "black", "yellow")

RC = {
    "font.size": 13, "axes.titlesize": 14, "axes.labelsize": 13, "xtick.labelsize": 12,
    "ytick.labelsize": 12, "legend.fontsize": 12, "axes.spines.top": False,
    "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "svg.hashsalt": "bench",      # stable SVG ids: same data, same file
    "svg.fonttype": "none",       # SVG text stays text: editable on a slide, searchable
}
DPI = 150
PANEL_W, PANEL_H = 7.0, 4.6      # inches per panel
MAX_COLS = 2


@dataclass
class Charts:
    files: dict = field(default_factory=dict)      # chart name -> [png, svg]
    skipped: dict = field(default_factory=dict)    # chart name -> why not drawn
    titles: dict = field(default_factory=dict)     # chart name -> title

    def pngs(self) -> list[str]:
        return [paths[0] for paths in self.files.values()]

    def all_paths(self) -> list[str]:
        return [p for paths in self.files.values() for p in paths]


def colour(name: str) -> str:
    return OKABE_ITO[name]


def strategy_style(strategy: str) -> tuple[str, str]:
    """Colour and marker: fixed for known strategies, stable for new ones (by name)."""
    if strategy in STRATEGY_STYLE:
        c, m = STRATEGY_STYLE[strategy]
    else:
        c, m = SPARE[sum(map(ord, strategy)) % len(SPARE)]
    return colour(c), m


def _grid(n: int):
    cols = min(MAX_COLS, max(1, n))
    rows = max(1, math.ceil(n / cols))
    return rows, cols


def _legend_columns(labels, width: float) -> int:
    """As many legend columns as fit the figure's width with its longest label."""
    longest = max((len(t) for t in labels), default=10)
    col_w = 0.105 * longest + 1.0           # inches at 12 pt, with the handle
    return max(1, min(len(labels) or 1, int((width - 0.5) // col_w)))


def _figure(n_panels: int, title: str, subtitle: str, legend: list = (),
            panel_w: float = PANEL_W, panel_h: float = PANEL_H, twin: bool = False,
            note: str = "", labels_w: float = 0.0):
    """Figure with a header (title + subtitle), panels, and room for a legend below.

    Sizes are fixed in inches, not fractions, so headers and legends never overlap the
    panels whatever the number of panels.
    """
    rows, cols = _grid(n_panels)
    if cols == 1:
        panel_w = max(panel_w, 10.5)    # one panel: wide enough for the shared legend
    legend = list(dict.fromkeys(legend))
    head = 1.75 if note else 1.4
    # labels_w: room for long tick labels left of each panel (bar charts)
    gap_w, gap_h = (2.2 if twin else 1.1) + labels_w, 1.0
    left, right = 1.0 + labels_w, (1.0 if twin else 0.35)
    width = left + right + cols * panel_w + (cols - 1) * gap_w
    ncol = _legend_columns(legend, width)
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
    return fig, flat[:n_panels], ncol


def _legend(fig, handles: dict, ncol: int):
    if handles:
        # anchored a fixed 0.1 inch above the bottom edge: a fraction of the height would
        # lift the legend into the last row's axis label on tall (many-panel) figures
        fig.legend(list(handles.values()), list(handles.keys()), loc="lower center",
                   bbox_to_anchor=(0.5, 0.1 / fig.get_figheight()), ncol=min(ncol, len(handles)),
                   frameon=False)


def _save(fig, out_dir: str, name: str) -> list[str]:
    paths = []
    for ext in ("png", "svg"):
        path = os.path.join(out_dir, f"{name}.{ext}")
        fig.savefig(path, dpi=DPI if ext == "png" else None, metadata={"Date": None}
                    if ext == "svg" else {"Software": "bench (matplotlib)"})
        paths.append(path)
    plt.close(fig)
    return paths


def _workers_axis(ax, workers):
    ws = sorted(set(workers))
    ax.set_xscale("log", base=2)
    ax.set_xticks(ws)
    ax.set_xticklabels([str(w) for w in ws])
    ax.minorticks_off()
    if len(ws) == 1:
        ax.set_xlim(ws[0] / 1.5, ws[0] * 1.5)
    else:
        ax.set_xlim(ws[0] / 1.25, ws[-1] * 1.25)
    ax.set_xlabel("workers")


def _rate_formatter():
    return FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 10 or v == 0 else f"{v:.1f}")


def _line_style(line) -> dict:
    """Colour and marker by strategy, line style by start method; a variant of a
    configuration (OpenCV threads set, a fixed chunk size, a folder per task) keeps both
    but draws hollow markers (and, start method aside, a dotted line), so it never looks
    like the configuration it varies."""
    strategy, chunk, method = line
    c, m = strategy_style(strategy)
    variant = "cv=" in method or FOLDER_PER_TASK in method or chunk not in ("none", "auto")
    style = DASK_LINE if strategy.startswith("dask") else METHOD_STYLE.get(method, ":")
    out = dict(color=c, marker=m, linestyle=style, linewidth=2.2, markersize=8)
    if variant:
        out.update(markerfacecolor="white", markeredgewidth=2)
    elif c == OKABE_ITO["yellow"]:
        # the palette's yellow is light on white: a dark edge keeps the marker visible
        out.update(markeredgecolor="#555555", markeredgewidth=0.8)
    return out


def _bar_label(text: str) -> str:
    """'processes-chunked w=2 chunk=1000 fork' on two lines: strategy, then settings."""
    head, _, rest = text.partition(" ")
    return f"{head}\n{rest}" if rest else head


def _labels_width(labels) -> float:
    """Inches needed left of a panel for these (two-line) tick labels at 12 pt."""
    longest = max((len(part) for t in labels for part in _bar_label(t).split("\n")), default=6)
    return max(0.0, 0.105 * longest - 0.6)


def _value_range(row) -> tuple[float, float]:
    """Throughput range of a case's values (fastest and slowest pass)."""
    values = row.bench.get_values()
    return 1 / max(values), 1 / min(values)


# -- chart 1: throughput ----------------------------------------------------------

SERIAL_REF = "serial loop (reference; band: its fastest to slowest pass)"
IDEAL_REF = "ideal: serial x workers, capped at capacity {cap:.2f}"
MODEL_REF = "fitted scaling model (band under the line it models)"


def _line_labels(groups) -> list[str]:
    return [line_label(ln) for g in groups for ln in g.lines()]


def throughput_chart(analysis: Analysis, groups: list[Group], out_dir: str, name: str,
                     fits: dict | None = None):
    m = analysis.machine
    fig, axes, ncol = _figure(
        len(groups), "Throughput against workers (higher is better)", m.subtitle(),
        legend=_line_labels(groups) + [SERIAL_REF, IDEAL_REF.format(cap=m.capacity or 0)]
        + ([MODEL_REF] if fits else []),
        note="warm passes (pool already started): median; bars span the fastest and slowest pass")
    handles = {}
    for ax, g in zip(axes, groups):
        workers = [r.workers for r in g.rows]
        top = 0.0
        for line, rows in g.lines().items():
            xs = [r.workers for r in rows]
            ys = [r.throughput for r in rows]
            lo = [y - _value_range(r)[0] for r, y in zip(rows, ys)]
            hi = [_value_range(r)[1] - y for r, y in zip(rows, ys)]
            style = _line_style(line)
            ax.errorbar(xs, ys, yerr=[lo, hi], capsize=3, elinewidth=1, **style)
            handles.setdefault(line_label(line), Line2D([], [], **style))
            top = max(top, max(_value_range(r)[1] for r in rows))
        serial = g.serial
        if serial is not None:
            ws = sorted(set(workers) | {1})
            ax.axhline(serial.throughput, color=colour("black"), linestyle="--", linewidth=1.6)
            lo, hi = _value_range(serial)
            ax.axhspan(lo, hi, color=colour("black"), alpha=0.07, linewidth=0)   # its passes
            handles.setdefault(SERIAL_REF,
                               Line2D([], [], color=colour("black"), linestyle="--", linewidth=1.6))
            cap = m.capacity or max(ws)
            ideal = [serial.throughput * min(w, cap) for w in ws]
            ax.plot(ws, ideal, color="#777777", linestyle=":", linewidth=2)
            handles.setdefault(IDEAL_REF.format(cap=cap),
                               Line2D([], [], color="#777777", linestyle=":", linewidth=2))
            top = max(top, serial.throughput, max(ideal), hi)
        f = (fits or {}).get(g.key)
        if f is not None:
            # a wide translucent band under the line it models: never mistaken for data
            model, line = f
            xs = _dense(model.workers)
            c = strategy_style(line[0])[0]
            ax.plot(xs, model.predict(xs), color=c, linewidth=9, alpha=0.22, solid_capstyle="round")
            handles.setdefault(MODEL_REF,
                               Line2D([], [], color="#555555", linewidth=9, alpha=0.22))
        _workers_axis(ax, workers)
        ax.set_ylim(0, top * 1.12 if top else 1)
        ax.yaxis.set_major_formatter(_rate_formatter())
        ax.set_ylabel("images per second")
        ax.set_title(g.title)
    _legend(fig, handles, ncol)
    return _save(fig, out_dir, name)


def _dense(workers):
    import numpy as np

    return np.geomspace(min(workers), max(workers), 60)


# -- chart 2: speedup and efficiency -------------------------------------------------

def speedup_chart(analysis: Analysis, groups: list[Group], out_dir: str, name: str):
    m = analysis.machine
    cap = m.capacity
    paired = any(r.get("paired_speedup") for g in groups for r in g.rows)
    title = ("Speedup over the serial loop (timed in the same case), and efficiency" if paired
             else "Speedup over the serial loop, and efficiency")
    fig, axes, ncol = _figure(len(groups), title,
                              m.subtitle(), twin=True,
                              legend=_line_labels(groups) + ["serial loop = 1x", "ideal: min(workers, capacity)",
                                                             f"measured parallel capacity ({cap or 0:.2f}x = 100% efficiency)"])
    handles = {}
    for ax, g in zip(axes, groups):
        serial = g.serial
        workers = [r.workers for r in g.rows]
        ax.set_title(g.title)
        _workers_axis(ax, workers)
        ax.set_ylabel("speedup (x the serial loop)")
        top = 1.0
        for line, rows in g.lines().items():
            style = _line_style(line)
            ys = [r.speedup_over(serial) for r in rows]
            ax.plot([r.workers for r in rows], ys, **style)
            handles.setdefault(line_label(line), Line2D([], [], **style))
            top = max(top, max(ys))
        ws = sorted(set(workers) | {1})
        ax.axhline(1.0, color=colour("black"), linestyle="--", linewidth=1.6)
        handles.setdefault("serial loop = 1x",
                           Line2D([], [], color=colour("black"), linestyle="--", linewidth=1.6))
        if cap:
            ax.plot(ws, [min(w, cap) for w in ws], color="#777777", linestyle=":", linewidth=2)
            handles.setdefault("ideal: min(workers, capacity)",
                               Line2D([], [], color="#777777", linestyle=":", linewidth=2))
            ax.axhline(cap, color=colour("purple"), linewidth=1.2, alpha=0.8)
            handles.setdefault(f"measured parallel capacity ({cap:.2f}x = 100% efficiency)",
                               Line2D([], [], color=colour("purple"), linewidth=1.2))
            top = max(top, cap, min(max(ws), cap))
        ax.set_ylim(0, top * 1.12)
        if cap:
            # efficiency is speedup / capacity: a second scale on the same line
            right = ax.secondary_yaxis("right", functions=(lambda s, c=cap: 100 * s / c,
                                                           lambda e, c=cap: e * c / 100))
            right.set_ylabel("efficiency (% of measured capacity)")
            right.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
    _legend(fig, handles, ncol)
    return _save(fig, out_dir, name)


# -- chart 3: where the time goes ------------------------------------------------------

DECOMP_PARTS = (("decomp_startup_s", "pool start-up + shutdown", "vermillion", "//"),
                ("decomp_transfer_s", "transfer: pickling, IPC (first no-op pass, fresh pool)", "sky", ".."),
                ("decomp_work_ideal_s", "work, if it scaled perfectly (serial / parallelism)", "green", ""),
                ("decomp_contention_s", "work lost to contention (disk, memory, GIL)", "yellow", "xx"))
# not measured: the cold total against one warm pass (start-up and transfer not split)
FALLBACK_PARTS = (("overhead", "start-up + shutdown, not split (cold - warm pass)", "purple", "xx"),
                  ("work", "work", "green", ""))


def _decomposition(row):
    """{part: seconds for the whole set} from measured parts, else cold vs warm."""
    parts = {key: row.get(key) for key, *_ in DECOMP_PARTS}
    if parts["decomp_work_ideal_s"] is None and row.get("decomp_work_s") is not None:
        parts["decomp_work_ideal_s"] = row.get("decomp_work_s")   # no serial case to split by
    if any(v is not None for v in parts.values()):
        return {k: v or 0.0 for k, v in parts.items()}, True
    cold = row.get("cold_total_s")
    if cold is None:
        return None, False
    warm = row.median_s * row.image_count
    return {"overhead": max(0.0, cold - warm), "work": min(cold, warm)}, False


COLD_MARK = "measured cold total"


def decomposition_chart(analysis: Analysis, groups: list[Group], out_dir: str, name: str):
    """Stacked horizontal bars, one per configuration at its best cold worker count."""
    m = analysis.machine
    measured_any, all_measured = False, True
    panels = []
    for g in groups:
        bars = []
        candidates = ([g.serial] if g.serial else []) + [
            min(rows, key=lambda r: r.get("cold_total_s") or math.inf) for rows in g.lines().values()]
        for r in candidates:
            parts, measured = _decomposition(r)
            if parts is not None:
                bars.append((r, parts, measured))
                measured_any |= measured
                all_measured &= measured
        if bars:
            panels.append((g, bars))
    if not panels:
        return None, "no cold timings in this file"
    most = max(len(b) for _, b in panels)
    in_rounds = any(r.get("decomp_rounds") for _, bars in panels for r, *_ in bars)
    how = ("start-up, transfer and work measured on a fresh pool after each cold pass (medians)"
           if in_rounds else "start-up and transfer probed, work = warm pass - transfer")
    note = (how + "; the black diamond is the measured cold total" if measured_any else
            "start-up/transfer/work not measured in this file: the cold total split into "
            "(cold - warm pass) and one warm pass")
    labels_w = _labels_width(r.describe() for _, bars in panels for r, *_ in bars)
    fig, axes, ncol = _figure(len(panels), "Where the time goes: one cold run of the whole image set",
                              m.subtitle(), panel_h=max(3.0, 0.7 * most + 1.2),
                              legend=[p[1] for p in DECOMP_PARTS if measured_any]
                              + [p[1] for p in FALLBACK_PARTS if not all_measured]
                              + ([COLD_MARK] if measured_any else []),
                                note=note + "; each configuration at its fastest cold worker count",
                                labels_w=labels_w)
    handles = {}
    for ax, (g, bars) in zip(axes, panels):
        labels = [r.describe() for r, *_ in bars]
        ys = list(range(len(bars)))[::-1]
        total_max = max(max(sum(p.values()), r.get("cold_total_s") or 0) for r, p, _ in bars)
        unit, scale = ("ms", 1e3) if total_max < 1 else ("s", 1.0)
        for (r, parts, measured), y in zip(bars, ys):
            spec = DECOMP_PARTS if measured else FALLBACK_PARTS
            left = 0.0
            for key, label, c, hatch in spec:
                v = parts.get(key, 0.0) * scale
                ax.barh(y, v, left=left, color=colour(c), hatch=hatch, edgecolor="white", height=0.62)
                handles.setdefault(label, Patch(facecolor=colour(c), hatch=hatch, edgecolor="white"))
                left += v
            cold = r.get("cold_total_s")
            end = left
            if measured and cold:
                # the model against the measurement: a sum is an estimate, not the total
                ax.plot(cold * scale, y, marker="D", color="black", markersize=7, zorder=5)
                handles.setdefault(COLD_MARK, Line2D(
                    [], [], marker="D", color="black", linestyle="none", markersize=7))
                end = max(left, cold * scale)
            text = f"{left:,.1f}" if left >= 10 else f"{left:,.2f}"
            if measured and cold:
                text += f" of {cold * scale:,.1f}" if cold * scale >= 10 else f" of {cold * scale:,.2f}"
            ax.text(end, y, f"  {text} {unit}", va="center", fontsize=11)
        ax.set_yticks(ys)
        ax.set_yticklabels([_bar_label(t) for t in labels])
        ax.set_ylim(-0.6, len(bars) - 0.4)
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, total_max * scale * 1.35)
        ax.set_xlabel(f"{unit} for {g.first.image_count} images (pool start + work + shutdown)")
        ax.set_title(g.title)
    _legend(fig, handles, ncol)
    return _save(fig, out_dir, name), None


# -- chart 4: memory per worker ---------------------------------------------------------

MEMORY_PARTS = (("mem_worker_uss_peak", "USS (private to the worker)", "blue", ""),
                ("mem_worker_pss_peak", "PSS (shared pages split fairly)", "green", "//"),
                ("mem_worker_rss_peak", "RSS (shared pages counted in full)", "orange", ".."))


def memory_chart(analysis: Analysis, groups: list[Group], out_dir: str, name: str):
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
        return None, "no per-worker memory (USS/PSS/RSS) in this file"
    most = max(len(e) for _, e in panels)
    fig, axes, ncol = _figure(len(panels), "Memory per worker (peak, largest over worker counts)",
                              m.subtitle(), panel_h=max(3.0, 1.0 * most + 1.2),
                              legend=[p[1] for p in MEMORY_PARTS],
                                labels_w=_labels_width(e[0] for _, es in panels for e in es))
    handles = {}
    height = 0.26
    for ax, (g, entries) in zip(axes, panels):
        ys = list(range(len(entries)))[::-1]
        top = 0.0
        for (label, values, row), y in zip(entries, ys):
            for i, (key, text, c, hatch) in enumerate(MEMORY_PARTS):
                v = values[key] / 2**20
                if v <= 0:
                    continue
                ax.barh(y + (1 - i) * height, v, height=height, color=colour(c), hatch=hatch,
                        edgecolor="white")
                handles.setdefault(text, Patch(facecolor=colour(c), hatch=hatch, edgecolor="white"))
                top = max(top, v)
            mem = memory_check(row, g, m.mem_available)
            if mem.ceiling is not None:
                ax.text(max(values.values()) / 2**20, y, f"  {mem.ceiling} workers fit in\n"
                        f"  {format_bytes(mem.available)} ({mem.kind})", fontsize=11,
                        color="#222222", va="center")
        ax.set_yticks(ys)
        ax.set_yticklabels([_bar_label(e[0]) for e in entries])
        ax.set_ylim(-0.6, len(entries) - 0.4)
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, top * 1.45)
        ax.set_xlabel("MiB per worker")
        ax.set_title(g.title)
    _legend(fig, handles, ncol)
    return _save(fig, out_dir, name), None


# -- chart 5: machines side by side ------------------------------------------------------

def compare_chart(analyses: list[Analysis], labels: list[str], out_dir: str, name: str):
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
    fig, axes, ncol = _figure(len(panels), "Machines compared: best throughput per configuration",
                              subtitle, legend=[f"{lab}: {a.machine.summary()}" for lab, a in zip(labels, analyses)],
                                panel_h=max(3.4, (0.28 * n + 0.25) * most + 1.4),
                                labels_w=_labels_width(c for _, cs in panels for c in cs))
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
                        color=colour(FILE_COLOURS[i % len(FILE_COLOURS)]))
                ax.text(best.throughput, yy, f" {best.throughput:,.0f}"
                        + (f" (w={best.workers})" if best.family != "serial" else ""),
                        va="center", fontsize=11)
                top = max(top, best.throughput)
        ax.set_yticks(ys)
        ax.set_yticklabels([_bar_label(c) for c in configs])
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, top * 1.3 if top else 1)
        ax.xaxis.set_major_formatter(_rate_formatter())
        ax.set_xlabel("images per second (best over worker counts)")
        ax.set_title(titles[key])
    handles = {f"{lab}: {a.machine.summary()}": Patch(color=colour(FILE_COLOURS[i % len(FILE_COLOURS)]))
               for i, (lab, a) in enumerate(zip(labels, analyses))}
    _legend(fig, handles, ncol)
    return _save(fig, out_dir, name)


# -- all charts of one file -------------------------------------------------------------

CHART_TITLES = {"throughput": "Throughput against workers", "speedup": "Speedup and efficiency",
                "decomposition": "Where the time goes", "memory": "Memory per worker"}

_jobs: list = []   # the charts to draw, read by forked children (inherited, never pickled)


def _draw_job(index: int):
    fn, args = _jobs[index]
    with plt.rc_context(RC):
        out = fn(*args)
    return out if isinstance(out, tuple) else (out, "")


def _draw_all(jobs: list) -> list:
    """Draw every chart, in parallel forked processes where the OS allows it.

    Rendering a large figure is pure CPU in one thread, and a full run has four of
    them: drawing them side by side roughly halves ``plot`` and ``report`` on two
    cores. The children inherit the analysis at fork (nothing is pickled) and write
    the files; only the paths come back. Elsewhere (no fork, one CPU): one by one.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _jobs
    _jobs = jobs
    try:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        if len(jobs) < 2 or cpus < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return [_draw_job(i) for i in range(len(jobs))]
        with ProcessPoolExecutor(min(len(jobs), cpus), mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_draw_job, range(len(jobs))))
    finally:
        _jobs = []


def draw(analysis: Analysis, out_dir: str, fits: dict | None = None) -> Charts:
    """Every chart this file's data allows; ``fits``: group key -> (Fit, label) to overlay."""
    os.makedirs(out_dir, exist_ok=True)
    charts = Charts()
    groups = analysis.groups()
    stem = analysis.stem
    if not groups:
        charts.skipped["throughput"] = "no throughput cases in this file"
        return charts
    with_serial = [g for g in groups if g.serial is not None]
    jobs = {"throughput": (throughput_chart, (analysis, groups, out_dir, f"{stem}-throughput", fits))}
    if with_serial:
        jobs["speedup"] = (speedup_chart, (analysis, with_serial, out_dir, f"{stem}-speedup"))
    else:
        charts.skipped["speedup"] = "no serial case: speedup cannot be computed"
    for key, fn in (("decomposition", decomposition_chart), ("memory", memory_chart)):
        jobs[key] = (fn, (analysis, groups, out_dir, f"{stem}-{key}"))
    charts.titles.update(CHART_TITLES)
    for key, (paths, why) in zip(jobs, _draw_all(list(jobs.values()))):
        if paths:
            charts.files[key] = paths
        else:
            charts.skipped[key] = why
    # a fixed order, whichever chart finished first
    charts.files = {k: charts.files[k] for k in CHART_TITLES if k in charts.files}
    return charts


def draw_compare(analyses: list[Analysis], labels: list[str], out_dir: str) -> list[str]:
    os.makedirs(out_dir, exist_ok=True)
    stems = [a.stem for a in analyses]
    name = "compare-" + "-vs-".join(stems[:2]) + (f"-and-{len(stems) - 2}-more" if len(stems) > 2 else "")
    with plt.rc_context(RC):
        return compare_chart(analyses, labels, out_dir, name)
