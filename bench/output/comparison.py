"""``bench compare``, worded (matched in :mod:`bench.analysis.compare`): machines' answers
side by side as text, Markdown and JSON; the report reuses the tables made here."""
from __future__ import annotations

from bench.analysis.answers_by_group import Pick, run_kind
from bench.analysis.compare import AnswerLine, Comparison, Ratio
from bench.analysis.opencv_build import THREADS, differences, recorded
from bench.analysis.racing import TIE_MARGIN
from bench.analysis.rows import CaseRow
from bench.output import page
from bench.output.table import Table, escape_markdown
from bench.texts import messages
from bench.texts.units import MISSING, format_bytes, format_percent, format_rate, format_speedup

COLUMNS_NOTE = messages.ANSWER_COLUMNS_NOTE.format(margin=TIE_MARGIN)


# -- single figures --------------------------------------------------------------------

def ratio_text(value: float | None) -> str:
    """As pyperf words a ratio: '2.00x faster', '2.00x slower' (never '0.50x')."""
    if value is None:
        return MISSING
    if abs(value - 1) < 0.005:
        return "same"
    return f"{value:.2f}x faster" if value > 1 else f"{1 / value:.2f}x slower"


def verdict_text(ratio: Ratio | None) -> str:
    if ratio is None or ratio.verdict is None:
        return MISSING
    v = ratio.verdict
    if v.significant is None:
        return messages.SIG_NO_SAMPLES if v.test == "no samples" else messages.SIG_TOO_FEW
    return messages.SIG_YES.format(test=v.test) if v.significant else messages.SIG_NO


def pick_text(row: CaseRow, short: bool = False) -> str:
    """The configuration with its worker count; a chunk size that follows the worker
    count is named as such ('chunk=auto (2500)'), so machines' picks read alike.
    ``short``: a chart panel's few words (the tables give the chunk size)."""
    parts = [row.strategy]
    if row.family != "serial":
        parts.append(f"w={row.workers}")
    if short and row.chunk_policy not in ("auto", "none"):
        parts.append(f"chunk={row.chunk_size}")
    elif not short and row.chunk_size is not None:
        parts.append(f"chunk=auto ({row.chunk_size})" if row.chunk_policy == "auto"
                     else f"chunk={row.chunk_size}")
    if row.start_method:
        parts.append(row.start_method)
    if row.cv_threads is not None:
        parts.append(f"cv={row.cv_threads}" if short else f"cv2.setNumThreads({row.cv_threads})")
    if row.folder_per_task:
        parts.append(messages.FOLDER_PER_TASK)
    return " ".join(parts)


def memory_text(p: Pick) -> str:
    if p.row.family == "serial":
        return MISSING
    if p.row.family == "threads":
        return messages.THREADS_SHARE
    m = p.memory
    return f"{m.kind} {format_bytes(m.per_worker)}" if m.kind else messages.NOT_MEASURED


def _count(n: int | None) -> str:
    return MISSING if n is None else f"{n:,}"


def evidence_text(p: Pick) -> str:
    e = p.evidence
    if p.analysis.results.run.get("race"):          # visits: a race, or a plan in full
        text = messages.EVIDENCE_VISITS.format(count=e["passes"])
        if e["race_outcome"]:
            text += messages.EVIDENCE_RACE.format(outcome=messages.RACE_OUTCOMES.get(
                e["race_outcome"], e["race_outcome"]))
        return text
    return messages.EVIDENCE_PASSES.format(count=e["passes"])


def run_text(a) -> str:
    run = a.results.run
    duration = run.get("duration_s")
    when = f", {duration:,.0f} s" if isinstance(duration, (int, float)) else ""
    if run_kind(a) == "race":
        configurations = sum(len(g.rows) for g in a.groups())
        probes = len(a.rows) - configurations
        return messages.RUN_RACE.format(configurations=configurations, duration=when,
                                        probes=messages.RUN_PROBES.format(count=probes) if probes else "")
    return messages.RUN_EXHAUSTIVE.format(cases=len(a.rows), duration=when)


# -- tables ---------------------------------------------------------------------------

def file_legend(c) -> list[tuple[str, str]]:
    """(label, which machine, when, which file) for every file compared."""
    return [(label, f"{a.machine.summary()}, {a.machine.date} - {a.path}")
            for label, a in zip(c.labels, c.analyses)]


def machines_table(c: Comparison) -> Table:
    ref = c.labels[0]
    head = ["machine", "host", "CPUs", "capacity", f"vs {ref}", "significance", "RAM available", "run"]
    rows = []
    for lab, a, ratio in zip(c.labels, c.analyses, c.capacity):
        m = a.machine
        rows.append([lab, m.hostname, _count(m.cpus), f"{m.capacity:.2f}" if m.capacity else MISSING,
                     f"{ratio.value:.2f}x" if ratio and ratio.value else MISSING, verdict_text(ratio),
                     format_bytes(m.mem_available), run_text(a)])
    return Table(head, rows, left=(0, 1, 4, 5, 7))


ANSWER_HEAD = ("machine", "images", "pick", "img/s", "±", "speedup", "efficiency", "mem/worker",
               "workers fit", "plateau", "evidence")


def fit_text(p: Pick) -> str:
    """'4 (CPU 4, RAM 1,211)': the usable count and both limits it is the smaller of."""
    lim = p.limits
    if lim.kind == "serial":
        return "1"
    ram = messages.RAM_SHARED if lim.kind == "threads" else (
        _count(lim.memory_ceiling) if lim.memory_ceiling is not None else messages.NOT_MEASURED)
    return messages.WORKERS_FIT_CELL.format(usable=_count(lim.usable), cpu=_count(lim.cpu_bound), ram=ram)


def plateau_text(p: Pick) -> str:
    """'16 (best 24)': the fewest workers within the margin of the pick's line's best count."""
    plateau = p.answer.plateau
    if plateau is None:
        return MISSING
    return messages.PLATEAU_CELL.format(plateau=plateau.plateau_workers, best=plateau.best_workers,
                                        searched="" if plateau.searched else " ?")


def answer_table(c: Comparison, line: AnswerLine) -> Table:
    rows = [[lab, MISSING, messages.NOT_IN_FILE] + [MISSING] * (len(ANSWER_HEAD) - 3) if p is None
            else [lab, _count(p.images), pick_text(p.row), format_rate(p.throughput),
                  format_percent(p.row.spread), format_speedup(p.speedup), format_percent(p.efficiency),
                  memory_text(p), fit_text(p), plateau_text(p), evidence_text(p)]
            for lab, p in zip(c.labels, line.picks)]
    return Table(ANSWER_HEAD, rows, left=(0, 2, 7, 8, 9, 10))


def ratios_table(c: Comparison, line: AnswerLine) -> Table | None:
    """Every machine's pick against the reference's: throughput, speedup, the pick itself;
    None where no other machine has the answer."""
    ref = c.labels[0]
    head = ["machine", f"img/s vs {ref}", "significance", f"speedup vs {ref}", "significance", "pick"]
    rows = [[lab, ratio_text(line.throughput[i].value), verdict_text(line.throughput[i]),
             ratio_text(line.speedup[i].value), verdict_text(line.speedup[i]),
             _pick_against_reference(line, i, ref)]
            for i, lab in enumerate(c.labels[1:], start=1) if line.throughput[i] is not None]
    return Table(head, rows, left=range(len(head))) if rows else None


def _pick_against_reference(line: AnswerLine, i: int, ref: str) -> str:
    """The same configuration as the reference's (strategy, chunk policy, start method,
    variants), and at how many workers where the counts differ; or another one."""
    if not line.same_pick[i]:
        return messages.OTHER_PICK.format(ref=ref)
    workers, ref_workers = line.picks[i].row.workers, line.picks[0].row.workers
    if workers == ref_workers:
        return messages.SAME_PICK.format(ref=ref)
    return messages.SAME_PICK_OTHER_WORKERS.format(ref=ref, workers=workers, ref_workers=ref_workers)


def output_fs(p: Pick | None) -> str | None:
    return p.row.meta.get("out_fs") if p is not None else None


def outputs_note(c: Comparison, line: AnswerLine) -> str | None:
    """A line when the machines' picks wrote to different kinds of file system (tmpfs
    against a disk): the throughput ratio then measures the storage too."""
    where = [(lab, output_fs(p)) for lab, p in zip(c.labels, line.picks) if output_fs(p)]
    if len({fs for _, fs in where}) < 2:
        return None
    return messages.OUTPUTS_DIFFER.format(where=", ".join(f"{lab}: {fs}" for lab, fs in where))


def _build_value(d, label: str, value: str) -> str:
    if d.key != THREADS:
        return value
    cpus = dict(d.cpus).get(label)
    return messages.OPENCV_THREADS_VALUE.format(threads=value, cpus=cpus) if cpus else value


def opencv_note(c) -> str | None:
    """One line naming where the files' OpenCV builds differ (JPEG library, SIMD, ...),
    or None where they agree or did not record them; for either kind of comparison."""
    found = differences([a.machine.raw for a in c.analyses], c.labels)
    if not found:
        return None
    facts = [messages.OPENCV_BUILD_FACT.format(
        fact=messages.OPENCV_BUILD_FACTS.get(d.key, d.key),
        values=", ".join(f"{lab}: {_build_value(d, lab, v)}" for lab, v in d.values)) for d in found]
    return messages.OPENCV_BUILDS_DIFFER.format(facts="; ".join(facts))


def opencv_json(c) -> dict:
    return {"files": {lab: recorded(a.machine.raw) for lab, a in zip(c.labels, c.analyses)},
            "differ": [{"key": d.key, "values": dict(d.values)}
                       for d in differences([a.machine.raw for a in c.analyses], c.labels)]}


def summary_lines(c: Comparison) -> list[str]:
    """The geometric mean of every file's pick ratios against the reference, or why none."""
    out = [messages.PICKS_GEOMETRIC_MEAN.format(label=lab, reference=c.labels[0], mean=g, count=c.common(i))
           for i, lab in enumerate(c.labels[1:], start=1) if (g := c.geometric_mean(i)) is not None]
    if not c.lines:
        out.append(messages.NO_ANSWER_IN_COMMON)
    out += [messages.ANSWER_ONLY_IN.format(label=lab, titles="; ".join(titles))
            for lab, titles in c.only.items()]
    return out


# -- whole comparisons ------------------------------------------------------------------

def render_text(c: Comparison) -> str:
    out = [messages.COMPARING_ANSWERS.format(count=len(c.analyses), reference=c.labels[0])]
    out += [f"  {lab}: {text}" for lab, text in file_legend(c)]
    out += ["", messages.MACHINES_HEADING, machines_table(c).to_text(indent="  ")]
    build = opencv_note(c)
    out += [build, ""] if build else [""]
    for line in c.lines:
        out += [line.title, answer_table(c, line).to_text(indent="  ")]
        if ratios := ratios_table(c, line):
            out += ["  " + messages.AGAINST.format(ref=c.labels[0]), ratios.to_text(indent="  ")]
        if note := outputs_note(c, line):
            out.append("  " + note)
        out.append("")
    out += summary_lines(c)
    out += ["", COLUMNS_NOTE, messages.ANSWER_SIGNIFICANCE_NOTE]
    return "\n".join(out)


def render_markdown(c: Comparison, charts: dict | None = None) -> str:
    """``charts``: workload -> path of its chart (relative to where the Markdown goes)."""
    out = ["## " + messages.ANSWERS_TITLE.format(count=len(c.analyses)), ""]
    out += [f"- **{lab}**: {escape_markdown(text)}" for lab, text in file_legend(c)]
    out += ["", f"### {messages.MACHINES_HEADING.rstrip(':')}", "", machines_table(c).to_markdown(), ""]
    if build := opencv_note(c):
        out += [escape_markdown(build), ""]
    for workload, lines in c.workloads().items():
        if charts and workload in charts:
            out += [f"![{messages.COMPARE_CHART_ALT.format(workload=workload)}]({charts[workload]})", ""]
        for line in lines:
            out += [f"### {line.title}", "", answer_table(c, line).to_markdown(), ""]
            if ratios := ratios_table(c, line):
                out += [ratios.to_markdown(), ""]
            if note := outputs_note(c, line):
                out += [note, ""]
    out += [f"- {s}" for s in summary_lines(c)]
    out += ["", COLUMNS_NOTE, "", messages.ANSWER_SIGNIFICANCE_NOTE]
    return "\n".join(out) + "\n"


def render_html(c: Comparison, charts: dict | None) -> list[str]:
    """The report's section: ``charts``: workload -> [png, svg] (the PNG embedded)."""
    h = page.escape
    out = [f"<h2>{h(messages.ANSWERS_TITLE.format(count=len(c.analyses)))}</h2>",
           page.bullets(f"<b>{h(lab)}</b>: {h(t)}" for lab, t in file_legend(c)),
           f"<h3>{h(messages.MACHINES_HEADING.rstrip(':'))}</h3>", machines_table(c).to_html()]
    # the same notes as the text and the Markdown: a report read alone must not hide that
    # the OpenCV builds differ or that outputs went to different file systems
    if build := opencv_note(c):
        out.append(page.note(build))
    for workload, lines in c.workloads().items():
        if charts and workload in charts:
            out.append(page.figure(charts[workload], messages.COMPARE_CHART_ALT.format(workload=workload),
                                   messages.COMPARE_CHART_CAPTION.format(workload=workload)))
        for line in lines:
            out += [f'<h3 class="answer">{h(line.title)}</h3>', answer_table(c, line).to_html()]
            if ratios := ratios_table(c, line):
                out.append(ratios.to_html())
            if note := outputs_note(c, line):
                out.append(page.note(note))
    out.append(page.bullets(h(s) for s in summary_lines(c)))
    out += [page.note(COLUMNS_NOTE), page.note(messages.ANSWER_SIGNIFICANCE_NOTE)]
    return out


def _ratio_json(r: Ratio | None) -> dict | None:
    if r is None:
        return None
    v = r.verdict
    return {"ratio": r.value, "significant": v.significant if v else None,
            "t_score": v.t_score if v else None, "test": v.test if v else None}


def _pick_json(p: Pick | None) -> dict | None:
    if p is None:
        return None
    r = p.row
    return {"name": r.name, "strategy": r.strategy, "family": r.family, "workers": r.workers,
            "chunk_size": r.chunk_size, "chunk_policy": r.chunk_policy,
            "start_method": r.start_method, "cv_threads": r.cv_threads,
            "folder_per_task": r.folder_per_task, "out_fs": output_fs(p), "images": p.images,
            "img_per_s": p.throughput, "spread": r.spread, "speedup": p.speedup,
            "efficiency": p.efficiency, "memory": p.memory.as_dict(),
            "workers_fit": p.limits.as_dict(), "evidence": p.evidence,
            "plateau": p.answer.plateau.as_dict() if p.answer.plateau is not None else None}


def to_json(c: Comparison, charts: dict | None = None) -> dict:
    return {
        "by": "answer",
        "files": [{"label": lab, "path": a.path, "hostname": a.machine.hostname,
                   "cpu_model": a.machine.cpu_model, "cpus": a.machine.cpus,
                   "parallel_capacity": a.machine.capacity, "started": a.machine.started,
                   "run": run_kind(a), "capacity_vs_first": _ratio_json(ratio)}
                  for lab, a, ratio in zip(c.labels, c.analyses, c.capacity)],
        "answers": [{
            **line.key.as_dict(), "title": line.title,
            "picks": [_pick_json(p) for p in line.picks],
            "img_per_s_vs_first": [_ratio_json(r) for r in line.throughput],
            "speedup_vs_first": [_ratio_json(r) for r in line.speedup],
            "same_pick_as_first": line.same_pick,
        } for line in c.lines],
        "opencv": opencv_json(c),
        "geometric_mean": [None] + [c.geometric_mean(i) for i in range(1, len(c.analyses))],
        "only_in": c.only,
        "charts": charts or {},
    }
