"""What the command line names outranks the planner's own choices (docs/race.md): what a
budget cannot hold is named (:func:`left_out`), a choice no group of the command can race
is refused (:func:`refuse_what_no_group_races`), never dropped without a word."""
from __future__ import annotations

from bench.plan import file_groups
from bench.plan.tiers import covers
from bench.strategies import STRATEGIES, libraries
from bench.texts import messages
from workloads import registry
from workloads.registry import WORKLOADS


def left_out(groups: list) -> list:
    """(group, case, [(option, value)]) for what the user named that a group can race but
    this budget left out."""
    out = []
    for g in groups:
        by_name = {c.name: c for c in g.ordered}
        # an entrant named covers its own values: only those left out miss some
        for name, values in g.named.items():
            missing = [(o, v) for o, v in values if not any(covers(c, o, v) for c in g.entrants)]
            if missing:
                out.append((g, by_name[name], missing))
    return out


def refuse_what_no_group_races(req, pools: list) -> None:
    """ValueError (a UsageError for the user) for the first choice named that no group can
    race."""
    cands = [c for _, _, by_top in pools for _, cases in by_top.values() for c in cases]
    groups = list(dict.fromkeys(f"{c.workload} {c.images.size.label} {c.images.content}" for c in cands))
    on_files = ", ".join(file_groups.task_strategies())
    for strategy in req.strategies or ():
        if any(c.strategy == strategy for c in cands):
            continue
        if libraries.unavailable([strategy]):
            continue             # its library is missing here: skipped with its own line
        cls = STRATEGIES[strategy]
        per_task_only = req.layouts and "flat" not in req.layouts and not cls.sliced
        why = (messages.PLAN_NEEDS_MODEL if cls.needs_model
               else messages.PLAN_NOT_PER_TASK if per_task_only
               else messages.PLAN_NOT_ON_FILES.format(allowed=on_files)
               if groups and all(c.workload in registry.file_workloads() for c in cands)
               else messages.PLAN_NOT_HERE.format(groups=", ".join(groups) or "none"))
        raise ValueError(messages.PLAN_STRATEGY_NO_GROUP.format(strategy=strategy, why=why))
    pools_named = [c for c in cands if c.family != "serial"]
    if req.workers and not pools_named:
        raise ValueError(messages.PLAN_WORKERS_SERIAL_ONLY)
    if list(req.chunk_sizes) != ["auto"] and not any(c.chunk_size is not None for c in cands):
        chunked = ", ".join(n for n, cls in STRATEGIES.items() if cls.chunked)
        raise ValueError(messages.PLAN_CHUNKS_UNUSED.format(chunked=chunked))
    for layout in req.layouts or ():
        if any(covers(c, "--layouts", layout) for c in cands):
            continue
        if not any(registry.has_layouts(c.workload) for c in cands):
            raise ValueError(messages.PLAN_LAYOUT_NO_IMWRITE.format(layout=layout))
        sliced = ", ".join(n for n, cls in STRATEGIES.items() if cls.sliced and cls.family != "dask")
        raise ValueError(messages.PLAN_LAYOUT_NO_SLICES.format(sliced=sliced))
    for size in req.sizes or ():
        if not any(c.images.size == size for c in cands if c.workload not in registry.file_workloads()):
            raise ValueError(messages.PLAN_SET_UNUSED.format(option="--sizes", value=size.label))
    for content in req.contents or ():
        if not any(c.images.content == content for c in cands):
            raise ValueError(messages.PLAN_SET_UNUSED.format(option="--content", value=content))
    for workload in req.named_workloads or ():
        if workload in WORKLOADS and not any(c.workload == workload for c in cands):
            text = messages.PLAN_WORKLOAD_NO_SET if req.command == "all" else messages.PLAN_WORKLOAD_UNUSED
            raise ValueError(text.format(workload=workload, command=req.command))
