"""Drawing the charts of a file (``bench plot``, ``bench report``), each in its own forked
process where the machine has the CPUs, and the machines-compared charts of several
files. Charts whose data a file does not hold are skipped with the reason, never drawn
empty.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from bench.analysis.load import Analysis
from bench.analysis.recommend import recommend
from bench.measure.machine import available_cpus
from bench.output.charts import style
from bench.output.charts.decomposition import decomposition_chart
from bench.output.charts.layout import plt
from bench.output.charts.machines import compare_charts
from bench.output.charts.memory import memory_chart
from bench.output.charts.speedup import speedup_chart
from bench.output.charts.throughput import throughput_chart
from bench.output.charts.workers import group_slug, workers_chart
from bench.texts import messages


@dataclass
class Charts:
    """What ``draw`` made of one file: the files per chart, and why any was not drawn."""
    files: dict = field(default_factory=dict)      # chart name -> [png, svg]
    skipped: dict = field(default_factory=dict)    # chart name -> why not drawn
    titles: dict = field(default_factory=dict)     # chart name -> title


CHART_TITLES = {"throughput": "Throughput against workers", "speedup": "Speedup and efficiency",
                "decomposition": "Where the time goes", "memory": "Memory per worker"}
WORKERS = "workers"        # one chart per group: "workers:" + its key, after the speedup chart

_jobs: list = []   # the charts to draw, read by forked children (inherited, never pickled)


def _draw_job(index: int) -> tuple:
    """One chart, in this process or a forked child: (paths or None, why not drawn)."""
    fn, args = _jobs[index]
    with plt.rc_context(style.RC):
        out = fn(*args)
    return out if isinstance(out, tuple) else (out, "")


def _draw_all(jobs: list) -> list:
    """Every chart, in forked processes where the OS allows it (rendering is pure CPU in
    one thread: side by side roughly halves ``plot`` and ``report`` on two cores); the
    children inherit the analysis at fork and only the paths come back."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _jobs
    _jobs = jobs
    try:
        cpus = available_cpus()          # a container's CPU quota too, as the runs plan by
        if len(jobs) < 2 or cpus < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return [_draw_job(i) for i in range(len(jobs))]
        with ProcessPoolExecutor(min(len(jobs), cpus), mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_draw_job, range(len(jobs))))
    finally:
        _jobs = []


def draw(analysis: Analysis, out_dir: str, fits: dict | None = None, answers=None) -> Charts:
    """Every chart this file's data allows; ``fits``: group key -> (Fit, label) to overlay;
    ``answers``: the file's recommendation (made here when not given), for the workers charts."""
    os.makedirs(out_dir, exist_ok=True)
    charts = Charts()
    groups = analysis.groups()
    stem = analysis.stem
    if not groups:
        charts.skipped["throughput"] = messages.NO_THROUGHPUT_CASES
        return charts
    with_serial = [g for g in groups if g.serial is not None]
    jobs = {"throughput": (throughput_chart, (analysis, groups, out_dir, f"{stem}-throughput", fits))}
    if with_serial:
        jobs["speedup"] = (speedup_chart, (analysis, with_serial, out_dir, f"{stem}-speedup"))
    else:
        charts.skipped["speedup"] = messages.NO_SERIAL_FOR_SPEEDUP
    if answers is None:
        answers = recommend(analysis)
    per_group = [a for a in answers if a.plateau is not None]
    for a in per_group:
        key = f"{WORKERS}:{a.group.key}"
        jobs[key] = (workers_chart, (analysis, a, out_dir, f"{stem}-{WORKERS}-{group_slug(a.group.key)}"))
        charts.titles[key] = messages.WORKERS_CHART_TITLE.format(title=a.group.title)
    if not per_group:
        charts.skipped[WORKERS] = messages.NO_PARALLEL_LINE
    for key, fn in (("decomposition", decomposition_chart), ("memory", memory_chart)):
        jobs[key] = (fn, (analysis, groups, out_dir, f"{stem}-{key}"))
    charts.titles.update(CHART_TITLES)
    # in the jobs' order, whichever chart finished first: a group's workers chart after the speedups
    for key, (paths, why) in zip(jobs, _draw_all(list(jobs.values()))):
        if paths:
            charts.files[key] = paths
        else:
            charts.skipped[key] = why
    return charts


def draw_compare(comparison, out_dir: str) -> dict:
    """The machines-compared charts of a Comparison, one per workload: {workload: [png, svg]}."""
    os.makedirs(out_dir, exist_ok=True)
    with plt.rc_context(style.RC):
        return compare_charts(comparison, out_dir, files_name("compare-", comparison.analyses))


def files_name(prefix: str, analyses) -> str:
    """'compare-A-vs-B', 'report-A-vs-B-and-2-more': a name for what several files made."""
    stems = [a.stem for a in analyses]
    more = f"-and-{len(stems) - 2}-more" if len(stems) > 2 else ""
    return prefix + "-vs-".join(stems[:2]) + more
