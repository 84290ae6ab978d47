"""How much a design review needs a configuration: its tier in a budgeted plan, and its
order within the tier (docs/race.md)."""
from __future__ import annotations

from bench.model.case import Case
from bench.plan import file_groups
from bench.plan.sizing import neighbours
from bench.strategies import STRATEGIES
from workloads import registry


def role(strategy: str) -> str:
    """A strategy's ``tier_role``, read at each call (a strategy registered later too)."""
    cls = STRATEGIES.get(strategy)
    return cls.tier_role if cls is not None else ""


def winners(pose: bool = False) -> tuple[str, ...]:
    """The usual winners in the order a short budget keeps them (pose's own order)."""
    ranked = [(cls.winner_rank[1 if pose else 0], n) for n, cls in STRATEGIES.items()
              if cls.tier_role == "winner" and cls.winner_rank is not None]
    return tuple(n for _, n in sorted(ranked))


# a role's tiers: at W, next to W on the ladder, farther
_ROLE_TIERS = {"baseline": (0, 3, 3), "variant": (1, 4, 4), "winner": (0, 1, 2)}


def tier_of(case: Case, w: int, ladder: list[int], default_method: str) -> int:
    """How much a design review needs this configuration (0 = always)."""
    if case.family == "serial":
        return 0
    # Dask, variants, and a fixed chunk size the user asked for
    if (case.family == "dask" or case.cv_threads is not None
            or case.start_method not in (None, default_method)
            or (case.chunk_rule is None and case.chunk_size is not None)):
        return 3 if case.workers == w else 4
    near = case.workers == w or case.workers in neighbours(ladder, w)
    if (on_files := file_groups.tier(case, w, near)) is not None:
        return on_files
    at_w, next_to_w, far = (1, 2, 4) if case.out_layout == "per-task" else \
        _ROLE_TIERS.get(role(case.strategy), (1, 2, 4))
    return at_w if case.workers == w else next_to_w if near else far


def priority(case: Case, tier: int, w: int) -> tuple:
    """Within a tier: the serial loop, then the usual winners, the baselines, the rest;
    then nearest to W."""
    # a task with a model per worker (pose) ranks the winners its own way
    order = winners(pose=registry.workload_class(case.workload).kind == "model")
    kind = (0 if case.family == "serial" else 1 if role(case.strategy) == "baseline"
            else 2 if case.strategy in order else 3)
    rank = order.index(case.strategy) if case.strategy in order else 0
    return (tier, kind, abs(case.workers - w) / max(w, 1), rank, case.name)


# -- what the user named outranks the tiers ---------------------------------------------------
def covers(case: Case, option: str, value) -> bool:
    """Whether ``case`` races what ``option value`` named (``--workers 4``: a pool of 4;
    ``--chunk-sizes 500``: a chunk of 500, or of the whole set when it holds fewer)."""
    if option == "--strategies":
        return case.strategy == value
    if option == "--workers":
        return case.family != "serial" and case.workers == value
    if option == "--chunk-sizes":
        return case.chunk_size is not None and (case.chunk_rule == "auto" if value == "auto" else
                                                case.chunk_size == min(int(value), case.images.count))
    if option == "--layouts":
        return registry.has_layouts(case.workload) and (
            case.out_layout == "per-task" if value == "per-task" else case.out_layout is None)
    raise ValueError(option)


def named_first(cands: list[Case], named: list[tuple], w: int, tiers: dict) -> dict:
    """One configuration for every value the user named that this group can race: the one
    a review needs most (``tiers``: the default tiers), nearest W. {case name: [(option,
    value), ...]}; these enter at tier 0."""
    out: dict = {}
    for option, value in named:
        holding = [c for c in cands if covers(c, option, value)]
        if not holding:
            continue
        best = min(holding, key=lambda c: (c.family == "serial" and option != "--strategies",
                                           priority(c, tiers[c.name], w)))
        out.setdefault(best.name, []).append((option, value))
    return out


def holds_alone(case: Case, entrants: list[Case], named: dict) -> bool:
    """Whether ``case`` is the only entrant racing one of the values named."""
    return any(not any(covers(c, option, value) for c in entrants if c is not case)
               for option, value in named.get(case.name, ()))
