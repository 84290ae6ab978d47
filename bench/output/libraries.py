"""What the libraries' defaults give here, one line per workload group: "joblib with its
defaults: 0.60x the serial loop; mpire: 0.90x; the pick: 1.90x" (paired speedups, as the
tables show them). A library measured at several worker counts is represented by its
best plain configuration (no OpenCV setting, one output folder) (docs/libraries.md).
"""
from __future__ import annotations

from bench.analysis.rows import CaseRow, Group
from bench.strategies.libraries import DEFAULTS, POSE_DEFAULTS
from bench.texts import messages
from bench.texts.units import format_speedup

LABELS = {"joblib": "joblib", "mpire": "mpire", "mpire-state": "mpire with worker state"}


def defaults_line(group: Group, pick: CaseRow, left_out=()) -> str | None:
    """The line for one group, or None when no library default was measured in it (or
    it has no serial loop to compare with); ``left_out``: the defaults the run's budget
    left out of this group, named so that their absence is not read as a choice."""
    if group.serial is None:
        return None
    parts, missing = [], []
    for strategy in dict.fromkeys(DEFAULTS + POSE_DEFAULTS):
        row = max((r for r in group.rows if r.strategy == strategy and r.cv_threads is None
                   and not r.folder_per_task), key=group.rate, default=None)
        if row is None:
            if strategy in left_out:
                missing.append(LABELS.get(strategy, strategy))
            continue
        template = messages.LIBRARY_DEFAULTS_NEXT if parts else messages.LIBRARY_DEFAULTS_FIRST
        parts.append(template.format(label=LABELS.get(strategy, strategy),
                                     speedup=format_speedup(row.speedup_over(group.serial))))
    gone = messages.LIBRARY_LEFT_OUT.format(labels=", ".join(missing)) if missing else None
    if not parts:
        return gone
    line = messages.LIBRARY_DEFAULTS_LINE.format(
        parts="; ".join(parts), pick=format_speedup(pick.speedup_over(group.serial)))
    return f"{line}; {gone}" if gone else line


def summary_section(analysis) -> list[str]:
    from bench.analysis.recommend import answer_group

    lines = []
    for group in analysis.groups():
        answer = answer_group(group, analysis)
        if (line := defaults_line(group, answer.choice, answer.left_out)) is not None:
            lines.append(f"  {group.key}: {line}")
    return ["", messages.LIBRARY_DEFAULTS_HEADING] + lines if lines else []
