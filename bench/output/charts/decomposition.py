"""Chart: where the time goes in one cold run of the whole image set (pool start-up,
transfer, work, contention), one stacked bar per configuration."""
from __future__ import annotations

import math

from matplotlib.lines import Line2D

from bench.analysis.load import Analysis
from bench.analysis.rows import Group
from bench.output.charts import layout
from bench.texts import messages

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


def _amount(value: float) -> str:
    """A bar's figure in the unit chosen for its panel: '12.3', '0.45'."""
    return f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"


def _bars(g: Group) -> list:
    """(label, row, parts, measured): the serial loop and each line at its best cold count,
    where the parts are known."""
    candidates = ([g.serial] if g.serial else []) + [
        min(rows, key=lambda r: r.get("cold_total_s") or math.inf) for rows in g.lines().values()]
    bars = [(r.describe(), r, *_decomposition(r)) for r in candidates]
    return [b for b in bars if b[2] is not None]


def decomposition_chart(analysis: Analysis, groups: list[Group], out_dir: str,
                        name: str) -> tuple[list[str] | None, str | None]:
    """Stacked horizontal bars, one per configuration at its best cold worker count."""
    panels = [(g, bars) for g in groups if (bars := _bars(g))]
    if not panels:
        return None, messages.NO_COLD_TIMINGS
    measured = [b[3] for _, bars in panels for b in bars]
    measured_any, all_measured = any(measured), all(measured)
    in_rounds = any(b[1].get("decomp_rounds") for _, bars in panels for b in bars)
    how = messages.DECOMPOSITION_IN_ROUNDS if in_rounds else messages.DECOMPOSITION_PROBED
    note = how + messages.DECOMPOSITION_COLD_MARK if measured_any else messages.DECOMPOSITION_NOT_MEASURED
    f, drawn = layout.bar_panels(
        panels, messages.DECOMPOSITION_TITLE, analysis.machine.subtitle(), 0.7,
        [p[1] for p in DECOMP_PARTS if measured_any]
        + [p[1] for p in FALLBACK_PARTS if not all_measured]
        + ([messages.COLD_MARK] if measured_any else []),
        note=note + messages.DECOMPOSITION_AT)
    for ax, g, bars, ys in drawn:
        total_max = max(max(sum(p.values()), r.get("cold_total_s") or 0) for _, r, p, _ in bars)
        unit, scale = ("ms", 1e3) if total_max < 1 else ("s", 1.0)
        for (_, r, parts, measured), y in zip(bars, ys):
            left = 0.0
            for part in DECOMP_PARTS if measured else FALLBACK_PARTS:
                v = parts.get(part[0], 0.0) * scale
                layout.bar(ax, f.handles, part, y, v, left=left, height=0.62)
                left += v
            cold = r.get("cold_total_s")
            end, text = left, _amount(left)
            if measured and cold:
                # the model against the measurement: a sum is an estimate, not the total
                ax.plot(cold * scale, y, marker="D", color="black", markersize=7, zorder=5)
                f.handles.setdefault(messages.COLD_MARK, Line2D(
                    [], [], marker="D", color="black", linestyle="none", markersize=7))
                end = max(left, cold * scale)
                text += f" of {_amount(cold * scale)}"
            ax.text(end, y, f"  {text} {unit}", va="center", fontsize=11)
        ax.set_xlim(0, total_max * scale * 1.35)
        ax.set_xlabel(f"{unit} for {g.first.image_count} images (pool start + work + shutdown)")
    return f.save(out_dir, name), None
