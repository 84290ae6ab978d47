"""The worker-count search: at which worker counts the leading strategies are measured
(docs/race.md). A line: the configurations that differ only by the worker count."""
from __future__ import annotations

from dataclasses import replace

from bench.model.case import Case
from bench.plan.budget import VISITS_TO_JUDGE, survivors
from bench.plan.sizing import neighbours
from bench.plan.tiers import role, winners
from bench.strategies import auto_chunk_size
from workloads.registry import workload_class

SEARCH_ROUND = 1          # after one visit each the leaders at W are known well enough
FAMILY_WITHIN = 0.5       # a pool family this far behind the leader at W is not searched
FAMILY_BAND = 1.25        # a family read within this factor of that line gets a second visit
# ... in a full run: a quick run's race on many CPUs often holds one round (simulated, 64
# CPUs best at 16: quick picks within 10% 93.3% -> 90.7% with the second visit)
SECOND_VISIT = {"quick": False, "full": True}
REFINE_AFTER = 1          # visits of the coarse ladder before the refinement around its best
SEARCH_LINES = 2          # leading strategies whose worker count is searched
RIVALS = {"quick": 1, "full": 2}     # strategies of a line's family entered at its best count
# a quick run's ladder is its search: a peak between rungs costs it 4-8%, inside its 10%
REFINES = {"quick": False, "full": True}
LOWEST_SHARE = {"quick": 4, "full": 8}    # the coarse ladder starts at W / 8 (quick: W / 4)
MIN_GAP = 4               # rungs closer than this are not refined (2 | 4 on two cores)
# from this many usable CPUs the worker count is the question: the search goes before the
# rest of W's configurations (after_the_search)
MANY_CPUS = 8
NAIVE = ("threads", "processes")
QUICK_WINNERS = 4


def line_key(case: Case) -> tuple:
    return (case.workload, case.strategy, case.chunk_rule, case.out_layout, case.start_method,
            case.cv_threads)


def coarse_counts(w: int, ladder: list[int], mode: str = "full") -> list[int]:
    return [n for n in ladder if max(1, w / LOWEST_SHARE[mode]) <= n <= 2 * w]


def _family_bests(ranked: list) -> list:
    """The fastest configuration of each pool family (threads, processes) in ``ranked``."""
    bests: dict = {}
    for c in ranked:
        if c.case.family in ("threads", "processes"):
            bests.setdefault(c.case.family, c)
    return list(bests.values())


def leaders(at_w: list, speed) -> list:
    """The lines to search: the fastest configuration at W of each pool family within
    FAMILY_WITHIN of the fastest (a process pool best at W/4 can read slower at W than
    threads), then the next fastest. ``at_w``: the race's configurations at W, those put
    out too; ``speed(c)`` its figure so far."""
    ranked = sorted(at_w, key=lambda c: -speed(c))
    if not ranked:
        return []
    out = [c for c in _family_bests(ranked) if speed(c) >= FAMILY_WITHIN * speed(ranked[0])]
    for c in ranked:
        if len(out) >= SEARCH_LINES:
            break
        if c not in out and c.case.strategy not in {o.case.strategy for o in out}:
            out.append(c)
    return out[:SEARCH_LINES]


def near_the_line(at_w: list, speed, mode: str = "full") -> list:
    """The configurations at W visited once whose visit decides too narrowly whether a
    pool family is searched (within FAMILY_BAND of FAMILY_WITHIN of the leader), and the
    leader: a second visit each first, one visit's ratio being off by 10-15% at times."""
    ranked = sorted(at_w, key=lambda c: -speed(c))
    if not ranked or not SECOND_VISIT[mode]:
        return []
    top = max(speed(ranked[0]), 1e-12)
    near = [c for c in _family_bests(ranked)
            if FAMILY_WITHIN / FAMILY_BAND <= speed(c) / top < FAMILY_WITHIN * FAMILY_BAND]
    if near and ranked[0] not in near:
        near.insert(0, ranked[0])
    return [c for c in near if len(c.visits) == 1]


def coarse_cases(leaders: list[Case], candidates: list[Case], w: int, ladder: list[int],
                 mode: str = "full") -> list[Case]:
    """Each leader's line at the coarse counts, from the plan's candidates."""
    counts = set(coarse_counts(w, ladder, mode))
    keys = {line_key(c) for c in leaders}
    return [c for c in candidates if line_key(c) in keys and c.workers in counts and c.family != "serial"]


def refine_counts(by_count: dict[int, float], top: int, capped: bool = False) -> list[int]:
    """The counts halfway from the best count so far to the measured counts next to it
    (``by_count``: count -> median speedup), not measured yet, at most ``top`` (2 W, or
    what the image set feeds). A best at the highest count measured, below ``top``, is
    refined halfway towards twice it, or - ``capped``: memory capped the set - measured
    at ``top`` itself (halfway there is too close to the rung to tell apart)."""
    if not by_count:
        return []
    counts = sorted(by_count)
    best = max(counts, key=lambda n: (by_count[n], -n))
    near = neighbours(counts, best)
    at_the_cap = capped and best == counts[-1]
    if best == counts[-1] and best < top and not at_the_cap:
        near.append(min(2 * best, top))
    out = []
    for n in near:
        # a gap of fewer than MIN_GAP workers is searched finely enough by the ladder
        if abs(n - best) >= MIN_GAP:
            mid = (n + best) // 2
            if mid not in by_count and 1 <= mid <= top:
                out.append(mid)
    if at_the_cap and top - best >= MIN_GAP and top not in by_count:
        out.append(top)
    return out


def ladder_visits(mode: str) -> int:
    """The visits a rung of the coarse ladder is planned for: until the refinement around
    the best rung is judged (a quick run: two, it is not refined)."""
    return REFINE_AFTER + VISITS_TO_JUDGE if REFINES[mode] else VISITS_TO_JUDGE - 1


def rivals(leader: Case, at_w: list, speed, searched: set, mode: str = "full") -> list:
    """The RIVALS fastest configurations at W still racing of ``leader``'s family that are
    on no searched line (``searched``: their keys)."""
    mine = [c for c in at_w if c.case.family == leader.family and line_key(c.case) not in searched]
    return sorted(mine, key=lambda c: -speed(c))[:RIVALS[mode]]


def at_workers(case: Case, workers: int) -> Case:
    """The same line at another worker count (an ``auto`` chunk follows the count)."""
    chunk = case.chunk_size
    if case.chunk_rule == "auto":
        chunk = auto_chunk_size(case.strategy, case.images.count, workers)
    return replace(case, workers=workers, chunk_size=chunk)


def after_the_search(cands: list[Case], tiers: dict, w: int, mode: str = "full") -> dict:
    """On many CPUs, the tier-0 configurations the search goes before (tier 1 then): all
    but the serial loop, the naive pools and the usual winners' plain configurations at
    W (a quick run: the first QUICK_WINNERS of them)."""
    def kept(c: Case) -> bool:
        if c.family == "serial" or c.strategy in NAIVE:
            return True
        if role(c.strategy) != "winner" or c.out_layout is not None or c.cv_threads is not None:
            return False
        first = winners(pose=workload_class(c.workload).kind == "model")
        return mode == "full" or c.strategy in first[:QUICK_WINNERS]

    return {c.name: 1 for c in cands if tiers.get(c.name) == 0 and not kept(c)}


def reserve_s(costs, entrants: list[Case], candidates: list[Case], w: int, ladder: list[int],
              leaders: list[Case], mode: str = "full") -> float:
    """The time the search may take in a group: the leaders' coarse counts not entered
    yet, visited until the refined counts are judged, then per line what
    :func:`after_ladder_s` prices."""
    entered = {c.name for c in entrants}
    extra = [c for c in coarse_cases(leaders, candidates, w, ladder, mode) if c.name not in entered]
    # entrants far from the best count go out after a few visits, as any entrant does
    coarse = survivors(0, ladder_visits(mode))
    return (sum(costs.first_visit(c) + coarse * costs.visit(c) for c in extra)
            + (sum(after_ladder_s(costs, c, w, mode) for c in leaders) if w >= 8 else 0.0))


def after_ladder_s(costs, leader: Case, w: int, mode: str) -> float:
    """What a searched line's refined counts and rivals cost, visited until they can be
    judged (each priced as the line at 3/4 of W)."""
    c = at_workers(leader, max(1, w * 3 // 4))
    per_line = (2 if REFINES[mode] else 0) + RIVALS[mode]
    return per_line * (costs.first_visit(c) + VISITS_TO_JUDGE * costs.visit(c))


# -- what the race enters and keeps (bench.run.race applies it to its state) -------------------
def refinement_entrants(lines: list, configs: list, at_w: list, speed, w: int, top: int,
                        mode: str) -> list[Case]:
    """After the ladder's first visits: each searched line's (``lines``: their leaders'
    cases) refined counts (a full run), and where its best count is not W, the rivals of
    its family at W at it. ``configs``: every visited, unfailed configuration;
    ``at_w``: those still racing at W."""
    keys = {line_key(c) for c in lines}
    out = []
    for leader in lines:
        by_count = {c.case.workers: speed(c) for c in configs if line_key(c.case) == line_key(leader)}
        if REFINES[mode]:
            out += [at_workers(leader, n) for n in refine_counts(by_count, top, capped=top < 2 * w)]
        best = max(by_count, key=lambda n: (by_count[n], -n)) if by_count else w
        if best != w:
            out += [at_workers(c.case, best) for c in rivals(leader, at_w, speed, keys, mode)]
    return out


def tail_that_fits(tail: list, racing: list, lines: list[tuple], costs, pace, left_s: float,
                   ordered: list[Case], w: int, mode: str) -> list:
    """Of ``tail`` (the later tiers' configurations, not visited yet), those that fit in
    ``left_s`` after what the search needs, in the plan's order; every cost at
    ``pace(c)``, how much longer than planned its visits go. ``lines``: (the leader's
    case, its configuration) per searched line, whose configurations are always kept."""
    shares = survivors(1, ladder_visits(mode))
    need = 0.0
    for c in racing:
        first = costs.first_visit(c.case) + costs.visit(c.case) if not c.visits else 0.0
        need += (first + shares * costs.visit(c.case)) * pace(c)
    for leader, c in lines:
        need += after_ladder_s(costs, leader, w, mode) * pace(c)
    left = left_s - need
    keys = {line_key(leader) for leader, _ in lines}
    rank = {c.name: i for i, c in enumerate(ordered)}
    kept = []
    for c in sorted(tail, key=lambda c: rank.get(c.name, len(rank))):
        cost = (costs.first_visit(c.case) + (1 + shares) * costs.visit(c.case)) * pace(c)
        if line_key(c.case) in keys or cost <= left:
            kept.append(c)
            left -= cost
    return kept

