"""Fitting a plan into its budget: which groups and configurations stay, which overhead
probes run."""
from __future__ import annotations

from bench.model.case import Case, unique_cases
from bench.plan import budget as bud
from bench.plan.tiers import holds_alone, priority, role
from bench.strategies import libraries


def trim(groups: list, available: float) -> None:
    """Still over the budget with tier 0 alone: drop the last-priority entrants of the
    costliest group but its serial loop, naive pools and first other pool of each family,
    then the libraries' defaults; what the user named last, farthest from W first, never
    a group's first configuration at W."""
    def droppable(g):
        others = [c for c in g.entrants if c.family != "serial" and role(c.strategy) != "baseline"
                  and not holds_alone(c, g.entrants, g.named)]
        first = {c.family: c for c in reversed(others)}       # the first of each family
        rest = [c for c in others if c not in first.values()]
        return rest or [c for c in g.entrants if c.strategy in libraries.LIBRARY_OF
                        and not holds_alone(c, g.entrants, g.named)]

    def named(g):
        at_w = next((c for c in g.entrants if c.family != "serial" and c.workers == g.w), None)
        return [c for c in g.entrants if c.name in g.named and c.family != "serial" and c is not at_w]

    dropped = []
    for choose, order in ((droppable, lambda g, c: priority(c, g.tiers[c.name], 0)),
                          (named, lambda g, c: (abs(c.workers - g.w), priority(c, g.tiers[c.name], g.w)))):
        while sum(g.estimate() for g in groups) > available:
            trimmable = [g for g in groups if choose(g)]
            if not trimmable:
                break
            g = max(trimmable, key=lambda g: g.estimate())
            last = max(choose(g), key=lambda c, g=g: order(g, c))
            g.entrants.remove(last)
            g.tiers[last.name] = 99
            if last.name in g.named:
                dropped.append((g, last))
    # the costliest went first: what was named and fits in what they left, comes back
    total = sum(g.estimate() for g in groups)
    for g, case in sorted(dropped, key=lambda gc: (abs(gc[1].workers - gc[0].w), gc[0].extra_for(gc[1]))):
        extra = g.extra_for(case)
        if total + extra <= available:
            g.entrants.append(case)
            g.tiers[case.name] = 0
            total += extra


def fill(groups: list, available: float, tiers=(1, 2, 3, 4)) -> None:
    """Add configurations tier by tier, round-robin over the groups, while they fit."""
    # each group's estimate as its entrants stand (a group's estimate reads only its own)
    current = [g.estimate() for g in groups]
    total = sum(current)
    for tier in tiers:
        progress = True
        while progress:
            progress = False
            for k, g in enumerate(groups):
                names = {c.name for c in g.entrants}
                nxt = next((c for c in g.ordered if c.name not in names and g.tiers[c.name] == tier), None)
                if nxt is None:
                    continue
                g.entrants.append(nxt)
                after = g.estimate()
                if total - current[k] + after > available:
                    g.entrants.pop()
                    g.tiers[nxt.name] = 99      # does not fit: not tried again
                    continue
                total += after - current[k]
                current[k] = after
                progress = True
    for g in groups:
        g.entrants = unique_cases(sorted(g.entrants, key=lambda c: c.family != "serial"))


# the overhead probes may take this share of a run's budget
PROBE_SHARE = 0.10


def probe_estimate(case: Case) -> float:
    """A probe's expected seconds: four pool starts (pool-start), or a few passes."""
    start = bud.pool_start_s(case)
    if case.workload == "pool-start":
        return 4 * start + 0.05
    # a no-op task costs about half what a working one does (measured: 67 us a round trip
    # through a 2-worker process pool, against ~150 us of overhead around real work)
    per_task = bud.TASK_OVERHEAD_S.get(case.family, 0.0) / 2
    return start + 4 * case.images.count * per_task + 0.05


def probes_within(cases: list[Case], seconds: float) -> list[Case]:
    """The probes that fit ``seconds``, cheapest first, in their planned order."""
    chosen, spent = set(), 1.0
    for case in sorted(cases, key=probe_estimate):
        cost = probe_estimate(case)
        if spent + cost > seconds:
            continue
        chosen.add(case.name)
        spent += cost
    return [c for c in cases if c.name in chosen]


def overhead_estimate(cases: list[Case]) -> float:
    return 1.0 + sum(map(probe_estimate, cases)) if cases else 0.0
