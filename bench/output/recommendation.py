"""``bench recommend``, worded (the decisions are :mod:`bench.analysis.recommend`'s): each
answer as sentences, a table, Markdown and JSON."""
from __future__ import annotations

import math

from bench.analysis.answers_by_group import worker_limits
from bench.analysis.racing import TIE_MARGIN
from bench.analysis.recommend import Answer, Plateau
from bench.analysis.load import Analysis
from bench.analysis.rows import CaseRow, Group
from bench.analysis.scaling import describe
from bench.output import libraries, page
from bench.output.table import Table
from bench.texts import messages
from bench.texts.units import format_bytes, format_percent, format_rate, format_speedup

TABLE_NOTE = messages.RECOMMEND_TABLE_NOTE.format(margin=TIE_MARGIN)

TABLE_HEAD = ("configuration", "workers", "img/s", "±", "speedup", "of best", "vs best",
              "mem/worker", "workers that fit")
FAILED_LISTED = 5        # failed cases named under the answers; the rest are counted


# -- sentences -------------------------------------------------------------------------

def rate_with_spread(row: CaseRow) -> str:
    spread = row.spread
    text = f"{format_rate(row.throughput)} img/s"
    if spread is None:
        return text + messages.RATE_ONE_VALUE
    return text + messages.RATE_SPREAD.format(spread=spread, count=row.nvalues)


def workers_words(row: CaseRow) -> str:
    return messages.NO_WORKERS if row.family == "serial" else _workers(row.workers)


def _workers(n: int) -> str:
    return f"{n} worker{'s' if n != 1 else ''}"


def layout_words(row: CaseRow, group: Group) -> str:
    """Why a folder per task was recommended: what the best pool did in one folder."""
    flat = [r for r in group.rows if not r.folder_per_task and r.family != "serial"]
    text = messages.LAYOUT_CHOSEN
    if flat:
        best_flat = max(flat, key=group.rate)
        if group.paired:
            text += messages.LAYOUT_CHOSEN_VS_PAIRED.format(
                best=best_flat.describe(), speedup=group.rate(best_flat), mine=group.rate(row))
        else:
            text += messages.LAYOUT_CHOSEN_VS.format(
                best=best_flat.describe(), rate=format_rate(best_flat.throughput),
                ratio=row.throughput / best_flat.throughput)
    return text


def counts_text(counts: list[int]) -> str:
    """'2', '1 and 2', '1, 2 and 4'."""
    words = [str(c) for c in counts]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def plateau_words(p: Plateau) -> str:
    """The best worker count of the pick's configuration, and the fewest within the margin."""
    def fig(value: float) -> str:
        """The figure in its own unit: '4.90x' (paired speedup) or '1,920 img/s'."""
        return format_speedup(value) if p.by == "speedup" else f"{format_rate(value)} img/s"

    whose = "" if p.own else messages.PLATEAU_WHOSE.format(line=p.label)
    if p.plateau_workers < p.best_workers:
        text = messages.PLATEAU_LINE.format(
            whose=whose, best=p.best_workers, best_figure=fig(p.best), plateau=p.plateau_workers,
            plateau_figure=fig(p.plateau), margin=TIE_MARGIN)
    else:
        fewer = [(w, v) for w, v in p.points if w < p.best_workers]
        if fewer:
            text = messages.PLATEAU_AT_BEST.format(
                whose=whose, best=p.best_workers, best_figure=fig(p.best), margin=TIE_MARGIN,
                fewer=_workers(fewer[-1][0]), fewer_figure=fig(fewer[-1][1]))
        else:
            text = messages.PLATEAU_FEWEST.format(whose=whose, best=p.best_workers,
                                                  best_figure=fig(p.best))
    if not p.searched:
        text += messages.PLATEAU_NOT_SEARCHED.format(counts=counts_text(p.counts))
    if p.too_big:
        text += messages.PLATEAU_TOO_BIG.format(counts=counts_text(p.too_big))
    return text


def answer_lines(a: Answer) -> list[str]:
    """The answer's first line says what to use; the indented ones say why."""
    c, best = a.choice, a.best
    out = [messages.USE.format(config=c.describe(), workers=workers_words(c), rate=rate_with_spread(c))]
    sp = c.speedup_over(a.group.serial)
    extra = []
    if sp is not None and c.family != "serial":
        extra.append(messages.OVER_SERIAL.format(speedup=sp))
    if c.cold_throughput is not None:
        extra.append(messages.COLD_RATE.format(rate=format_rate(c.cold_throughput)))
    if extra:
        out.append("  " + "; ".join(extra) + ".")
    if c.folder_per_task:
        out.append("  " + layout_words(c, a.group))
    if (line := libraries.defaults_line(a.group, c, a.left_out)) is not None:
        out.append("  " + line)
    if a.group.paired:
        out.append("  " + messages.RANKED_BY_PAIRED)
    others = len(a.ties) - 1
    if c is not best:
        out.append("  " + messages.FASTEST_NOT_CHOSEN.format(margin=TIE_MARGIN,
            best=best.describe(), rate=rate_with_spread(best), others=others, choice=c.describe()))
    elif others:
        out.append("  " + messages.TIES_NONE_SIMPLER.format(others=others, margin=TIE_MARGIN))
    if a.unresolved:
        out.append("  " + messages.NOT_SEPARATED.format(count=len(a.unresolved), margin=TIE_MARGIN))
    if a.plateau is not None:
        out.append("  " + plateau_words(a.plateau))
    w = a.within
    share = a.group.rate(w) / a.group.rate(best)
    if w is c:
        out.append("  " + messages.WITHIN_THIS.format(share=share, margin=TIE_MARGIN))
    else:
        out.append("  " + messages.WITHIN_OTHER.format(margin=TIE_MARGIN,
            config=w.describe(), workers=workers_words(w), rate=format_rate(w.throughput), share=share))
    mem = a.choice_memory
    if mem.note:
        verdict = {True: messages.MEMORY_FIT, False: messages.MEMORY_NO_FIT}.get(mem.fits, "")
        out.append("  " + messages.MEMORY_LINE.format(note=mem.note,
                                                  verdict=verdict.format(workers=c.workers)))
    if a.fit is not None:
        out.append("  " + messages.SCALING_LINE.format(model=describe(a.fit, a.fit_line)))
        out.append("    " + messages.SCALING_WHY.format(reason=a.fit.reason))
    out.extend("  " + messages.WARNING_LINE.format(text=w) for w in a.warnings)
    out.extend("  " + messages.NOTE_LINE.format(text=n) for n in a.notes)
    return out


# -- the table of configurations ---------------------------------------------------------

def table_rows(a: Answer) -> list[dict]:
    """Per configuration (strategy, chunk policy, start method), its best worker count."""
    g = a.group
    picks = []
    if g.serial is not None:
        picks.append(a.choice if a.choice.family == "serial" else g.serial)
    for rows in g.lines().values():
        # the recommended worker count on its own line, else the line's fastest
        picks.append(a.choice if a.choice in rows else max(rows, key=g.rate))
    if a.fastest not in picks:          # set aside for memory: still shown, marked
        picks.append(a.fastest)
    tie_names = {r.name for r in a.ties}
    unknown = {r.name for r in a.unknown}
    unresolved = {r.name for r in a.unresolved}
    out = []
    for r in picks:
        mem = a.memory[r.name]
        if r is a.best:
            vs = "best"
        elif r.name in tie_names:
            vs = "≈ best"
        elif r.name in unresolved:
            vs = "n.s."
        elif r.name in unknown:
            vs = "?"
        elif mem.fits is False:
            vs = "too big"
        elif g.rate(r) > g.rate(a.best):
            vs = "curve"        # read faster, not significantly: the line's curve chose the best
        else:
            vs = "slower"
        out.append({
            "configuration": r.describe(workers=False), "workers": r.workers,
            "img_per_s": r.throughput, "spread": r.spread, "speedup": r.speedup_over(g.serial),
            "of_best": g.rate(r) / g.rate(a.best), "vs_best": vs,
            "memory_per_worker": f"{mem.kind} {format_bytes(mem.per_worker)}" if mem.kind else "-",
            "max_workers_in_ram": mem.ceiling, "recommended": r is a.choice,
            "workers_that_fit": worker_limits(r, mem, a.cpus).as_dict(),
        })
    return out


def table_cells(row: dict) -> tuple:
    return (row["configuration"], str(row["workers"]), format_rate(row["img_per_s"]),
            format_percent(row["spread"]), format_speedup(row["speedup"]),
            format_percent(row["of_best"]), row["vs_best"], row["memory_per_worker"],
            _fit_text(row["workers_that_fit"]))


def _fit_text(limits: dict) -> str:
    """'4 (CPU 4, RAM 1,211)': CPUs and memory both counted, never a RAM ceiling alone."""
    if limits["kind"] == "serial" or limits["usable"] is None:
        return "-"
    if limits["cpu_bound"] is None or limits["memory_ceiling"] is None:
        return f"{limits['usable']:,}"
    return messages.WORKERS_FIT_CELL.format(usable=f"{limits['usable']:,}", cpu=f"{limits['cpu_bound']:,}",
                                            ram=f"{limits['memory_ceiling']:,}")


def answer_table(a: Answer) -> Table:
    rows = table_rows(a)
    return Table(TABLE_HEAD, [table_cells(r) for r in rows], left=(0, 6, 7),
                 highlight=[r["recommended"] for r in rows])


# -- whole files -------------------------------------------------------------------------

def render_text(analysis: Analysis, answers: list[Answer]) -> str:
    m = analysis.machine
    lines = [messages.RECOMMENDATION_FOR.format(machine=m.summary()),
             messages.RECOMMENDATION_FROM.format(path=analysis.path, date=m.date), ""]
    if not answers:
        lines.append(messages.NO_THROUGHPUT_GROUPS)
    for a in answers:
        lines += [a.group.title, *answer_lines(a), "", answer_table(a).to_text(indent="  "), ""]
    lines.append(TABLE_NOTE)
    if left_out := analysis.results.run.get("left_out"):
        searched = sum(bool(g.get("for_the_search")) for g in left_out)
        lines.append(messages.GROUPS_LEFT_OUT.format(
            groups=", ".join(g["group"] for g in left_out),
            why=messages.GROUPS_LEFT_OUT_FOR_SEARCH.format(searched=searched) if searched else ""))
    if failed := analysis.results.failed:
        names = ", ".join(f["name"] for f in failed[:FAILED_LISTED])
        lines.append(messages.FAILED_NOT_CONSIDERED.format(
            count=len(failed), names=names + (" ..." if len(failed) > FAILED_LISTED else "")))
    return "\n".join(lines)


def render_markdown(analysis: Analysis, answers: list[Answer], heading: str = "###") -> str:
    """The report's answers, each under a ``heading`` (its level in the report)."""
    out = []
    for a in answers:
        out += [f"{heading} {a.group.title}", ""]
        out += ["- " + line.strip() if line.startswith("  ") else line.strip()
                for line in answer_lines(a)]
        out += ["", answer_table(a).to_markdown(), ""]
    return "\n".join(out)


def answer_html(a: Answer) -> str:
    """The report's answer: what to use stands out, each reason a bullet (warnings marked)."""
    h = page.escape
    lines = answer_lines(a)
    out = [f"<h3>{h(a.group.title)}</h3>", f'<p class="use">{h(lines[0])}</p>', "<ul>"]
    for line in lines[1:]:
        text = line.strip()
        cls = ' class="warn"' if text.startswith("WARNING") else ' class="note"' if text.startswith("Note") else ""
        out.append(f"<li{cls}>{h(text)}</li>")
    out += ["</ul>", answer_table(a).to_html()]
    return "\n".join(out)


def config_dict(row: CaseRow) -> dict:
    return {"name": row.name, "strategy": row.strategy, "family": row.family,
            "workers": row.workers, "chunk_size": row.chunk_size,
            "start_method": row.start_method, "folder_per_task": row.folder_per_task,
            "img_per_s": row.throughput,
            "spread": row.spread, "values": row.nvalues, "cold_img_per_s": row.cold_throughput}


def to_json(analysis: Analysis, answers: list[Answer]) -> dict:
    m = analysis.machine
    return {
        "file": analysis.path,
        "machine": {"hostname": m.hostname, "cpu_model": m.cpu_model, "cpus": m.cpus,
                    "parallel_capacity": m.capacity, "mem_available_bytes": m.mem_available,
                    "started": m.started},
        "groups": [{
            "group": a.group.key, "title": a.group.title,
            "recommended": config_dict(a.choice),
            "fastest": config_dict(a.fastest),
            "fastest_that_fits": config_dict(a.best),
            "not_significantly_different": [r.name for r in a.ties if r is not a.best],
            "not_separated": [r.name for r in a.unresolved],
            "significance_unknown": [r.name for r in a.unknown],
            "fewest_workers_within_5pct": config_dict(a.within),
            "plateau": a.plateau.as_dict() if a.plateau is not None else None,
            "memory": a.choice_memory.as_dict(),
            "scaling": dict(a.fit.as_dict(), configuration=a.fit_line) if a.fit else None,
            "scaling_all": {k: f.as_dict() for k, f in a.fits.items()},
            "table": [{k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                       for k, v in r.items()} for r in table_rows(a)],
            "warnings": a.warnings, "notes": a.notes,
        } for a in answers],
        "failed": [f["name"] for f in analysis.results.failed],
        "left_out": analysis.results.run.get("left_out") or [],
    }
