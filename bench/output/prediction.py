"""``recommend --cpus N`` and ``recommend --holdout``, worded: the predictions for a machine
not measured and the held-out check of the model (:mod:`bench.analysis.extrapolate`'s)."""
from __future__ import annotations

from bench.analysis.extrapolate import (LEVEL, NO_MODEL, NO_SPARE, Cores, HeldOut, HoldoutSummary,
                                        Prediction, model_error)
from bench.analysis.load import Analysis
from bench.output.table import Table
from bench.texts import messages
from bench.texts.units import format_percent, format_rate


def _span(workers: list) -> str:
    lo, hi = min(workers), max(workers)
    return f"{lo}" if lo == hi else f"{lo}-{hi}"


def _signed(x: float | None) -> str:
    return "-" if x is None else f"{x:+.0%}"


def prediction_lines(p: Prediction) -> list[str]:
    out = [p.title]
    f = p.fit
    if p.refused == NO_MODEL:
        return out + ["  " + messages.PREDICT_NO_MODEL]
    if p.refused == NO_SPARE:
        return out + ["  " + messages.PREDICT_NO_SPARE.format(
            line=p.line, span=_span(f.workers), points=len(f.workers), params=f.n_params,
            largest=max(f.workers))]
    if p.refused:
        return out + ["  " + messages.PREDICT_TOO_FAR.format(cpus=p.cpus, line=p.line,
                                                           largest=max(p.measured))]
    whose = messages.PREDICT_PICK if p.is_pick else messages.PREDICT_STAND_IN
    plural = "s" if p.workers != 1 else ""
    if p.low is None:
        out.append("  " + messages.PREDICT_LINE_NO_BAND.format(
            line=p.line, whose=whose, workers=p.workers, plural=plural, rate=format_rate(p.throughput),
            points=len(f.workers), params=f.n_params))
    else:
        workers_range = ""
        if p.workers_range and p.workers_range != (p.workers, p.workers):
            workers_range = messages.PREDICT_WORKERS_RANGE.format(low=p.workers_range[0],
                                                                  high=p.workers_range[1])
        out.append("  " + messages.PREDICT_LINE.format(
            line=p.line, whose=whose, workers=p.workers, plural=plural,
            workers_range=workers_range, rate=format_rate(p.throughput), level=LEVEL,
            low=format_rate(p.low), high=format_rate(p.high)))
    fitted = messages.PREDICT_MODEL.format(model=f.model, span=_span(p.measured), params=f.params_text(),
                                           worst=f.worst_error)
    if p.machine_cpus:
        fitted += messages.PREDICT_WITHIN_CORES.format(cpus=p.machine_cpus)
    if p.spare:
        fitted += messages.PREDICT_SPARE.format(spare=p.spare, plural="s" if p.spare != 1 else "",
                                                error=model_error(f))
    out.append("    " + fitted)
    if p.extrapolated:
        out.append("    " + messages.PREDICT_EXTRAPOLATED.format(cpus=p.cpus, span=_span(p.measured)))
    if p.capped:
        capacity = (messages.PREDICT_CAPACITY.format(capacity=p.capacity, cpus=p.machine_cpus)
                    if p.capacity and p.machine_cpus else messages.PREDICT_NO_CAPACITY)
        out.append("    " + messages.PREDICT_CAPPED.format(
            fitted=_span(p.measured), lam=format_rate(f.lam), share=Cores(p.machine_cpus, p.capacity).share,
            capacity=capacity))
    return out


def render_predictions(a: Analysis, predictions: list[Prediction], cpus: int) -> str:
    out = [messages.PREDICT_HEADER.format(cpus=cpus, machine=a.machine.summary(), path=a.path),
           messages.PREDICT_FLAG, ""]
    for p in predictions:
        out += prediction_lines(p) + [""]
    out.append(messages.PREDICT_NOTE.format(level=LEVEL))
    return "\n".join(out)


def predictions_json(a: Analysis, predictions: list[Prediction], cpus: int) -> dict:
    return {"file": a.path, "cpus": cpus, "measured_on_cpus": a.machine.cpus,
            "extrapolation": True, "groups": [p.as_dict() for p in predictions]}


# -- held-out check ----------------------------------------------------------------------------

HOLDOUT_HEAD = ("group", "configuration", "fitted on", "held out", "measured", "predicted", "error",
                "band", "in band", "uncapped", "error")


def _band_cell(h: HeldOut) -> str:
    if h.refused:
        return messages.HOLDOUT_REFUSED.get(h.refused, h.refused)
    if not h.banded:
        return messages.HOLDOUT_NO_BAND.format(points=len(h.fitted_on), params=h.n_params)
    return f"{format_rate(h.low)}-{format_rate(h.high)}"


def holdout_table(held: list[HeldOut]) -> Table:
    rows = [[h.title, h.line, _span(h.fitted_on) if h.fitted_on else "-", str(h.held_out),
             format_rate(h.measured), format_rate(h.predicted), _signed(h.error), _band_cell(h),
             "-" if h.covered is None else "yes" if h.covered else "no",
             format_rate(h.curve) if h.past_cores and h.predicted is not None else "-",
             _signed(h.curve_error) if h.past_cores and h.predicted is not None else "-"]
            for h in held]
    return Table(HOLDOUT_HEAD, rows, left=(0, 1, 7, 8))


def summary_line(s: HoldoutSummary, cpus: int | None) -> list[str]:
    if not s.count:
        return [messages.HOLDOUT_NONE]
    out = [messages.HOLDOUT_SUMMARY.format(
        count=s.count, predicted=s.predicted, median=format_percent(s.median_error),
        signed=_signed(s.median_signed), worst=format_percent(s.worst_error), banded=s.banded,
        covered=s.covered, level=LEVEL)]
    if s.refused:
        out.append(messages.HOLDOUT_NOT_PREDICTED.format(
            count=sum(s.refused.values()),
            reasons=", ".join(f"{messages.HOLDOUT_REFUSED.get(k, k)}: {v}" for k, v in s.refused.items())))
    if s.past_cores and s.curve_median_error is not None:
        out.append(messages.HOLDOUT_PAST_CORES.format(
            count=s.past_cores, cpus=cpus or "?", curve=format_percent(s.curve_median_error)))
    return out


def render_holdout(a: Analysis, held: list[HeldOut], s: HoldoutSummary) -> str:
    out = [messages.HOLDOUT_HEADER.format(machine=a.machine.summary(), path=a.path),
           messages.HOLDOUT_HOW, ""]
    if held:
        out += [holdout_table(held).to_text(indent="  "), ""]
    out += summary_line(s, a.machine.cpus)
    out.append(messages.HOLDOUT_NOTE.format(level=LEVEL, cpus=a.machine.cpus or "?"))
    return "\n".join(out)


def holdout_json(a: Analysis, held: list[HeldOut], s: HoldoutSummary) -> dict:
    return {"file": a.path, "measured_on_cpus": a.machine.cpus,
            "held_out": [h.as_dict() for h in held], "summary": s.as_dict()}
