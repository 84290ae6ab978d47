"""A budgeted run's plan: per workload group, which configurations enter its race - tier
by tier (bench.plan.tiers) while the estimate stays inside the budget (docs/race.md)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from bench.model.case import Case
from bench.plan import budget as bud
from bench.plan import named as named_choices
from bench.plan import search
from bench.plan import file_groups
from bench.plan.configurations import PlanOptions, codec_sets, default_strategies, plan_cases
from bench.plan.fitting import PROBE_SHARE, fill, overhead_estimate, probes_within, trim
from bench.plan.sizing import PASS_S, SERIAL_MAX_S, size_set, worker_cap, worker_ladder
from bench.plan.tiers import named_first, priority, role, tier_of
from bench.strategies import START_METHODS, STRATEGIES, default_start_method, libraries, named
from bench.texts import messages
from workloads.images import ImageSetSpec, ImageSize
from workloads import registry
from workloads.registry import workload_class


def raced_groups(kind: str) -> tuple:
    """(workload, size, content, in --quick) of the image groups raced by default for
    the workloads of ``kind`` (each class's ``groups``)."""
    return tuple((w, g.size, g.content, bool(g.race)) for w, g in registry.groups(kind)
                 if g.race is not None)


def _stateful(workload: str) -> bool:
    return workload_class(workload).kind == "model"


def _params(req, workload: str) -> dict:
    return req.pose_params if _stateful(workload) else req.codec_params


# a pass of the naive per-image process pool should take at most this long
BASELINE_PASS_MAX_S = {"quick": 0.4, "full": 3.0}
# the naive baselines are explained (cold, decomposition, memory) next to the finalists
FINALISTS = {"quick": 1, "full": 2}


@dataclass(frozen=True)
class Policy:
    """How the engine measures a plan: raced inside the budget (the default), or in
    full (``--exhaustive``, ``overhead``, ``dask``: the same visits for every
    configuration, none put out, all explained, the budget ending nothing)."""
    name: str = "race"                 # the results file's run.mode
    eliminate: bool = True
    visits: int | None = None          # visits per configuration; None: until decided
    within_budget: bool = True
    explain_all: bool = False


RACE = Policy()


@dataclass
class GroupPlan:
    """One group's race: its image set, its entrants (serial first), what it costs."""
    workload: str
    params: dict
    images: ImageSetSpec
    entrants: list
    serial_slice: int
    costs: bud.Costs
    rounds: int
    candidates: int = 0          # configurations the matrix held for this group
    capped_by: str = ""
    tiers: dict = field(default_factory=dict)   # case name -> tier
    mode: str = "full"
    w: int = 0                   # the worker count its tiers are centred on (the usable CPUs)
    # the case that races each value the user named: {case name: [(option, value), ...]}
    named: dict = field(default_factory=dict)
    policy: Policy = RACE
    ladder: list = field(default_factory=list)   # the worker counts the plan could race
    feeds: int = 0               # the most workers its image set feeds (bench.plan.sizing)
    ordered: list = field(default_factory=list)   # every candidate, by tier then priority
    search: bool = True          # the worker-count search (bench.plan.search)

    @property
    def search_top(self) -> int:
        """The most workers the search may enter: 2 W, or what the image set feeds."""
        return min(2 * self.w, self.feeds) if self.feeds else max(self.ladder or [self.w])

    def search_leaders(self) -> list[Case]:
        """Who the plan expects to lead at W (the first winners there): what the search's
        reserve is sized by."""
        first: dict = {}
        for c in self.entrants:
            if c.workers == self.w and role(c.strategy) == "winner":
                first.setdefault(c.strategy, c)
        return list(first.values())[:search.SEARCH_LINES]

    def searches(self) -> bool:
        # a quick run on a few CPUs spends its minute on the strategies
        return (self.search and self.policy.eliminate
                and (self.mode == "full" or self.w >= search.MANY_CPUS)
                and len(search.coarse_counts(self.w, self.ladder, self.mode)) > 1)

    @property
    def finalists(self) -> int:
        return FINALISTS[self.mode]

    def explains_baselines_fully(self) -> bool:
        """A quick run times the baselines cold only (a fresh pool, one pass); so does a
        full one on many CPUs, where the time goes to the worker-count search."""
        return self.mode == "full" and self.w < search.MANY_CPUS

    @property
    def key(self) -> str:
        return self.entrants[0].group

    @property
    def has_model(self) -> bool:
        return workload_class(self.workload).has_model

    def estimate(self) -> float:
        setup = bud.HOST_START_S + (bud.MODEL_IMPORT_S if self.has_model else 0.0)
        setup += bud.generate_s(self.images.content, self.images.count, self.images.size.nbytes)
        setup += 3 * self.costs.serial_pass          # pilot (warm-up and timed), reference
        race = bud.race_estimate(self.costs, self.entrants, self.rounds,
                                 surviving=self.policy.eliminate)
        if self.searches():
            race += search.reserve_s(self.costs, self.entrants, self.ordered or self.entrants,
                                     self.w, self.ladder, self.search_leaders(), self.mode)
        return setup + race + self.explain_estimate()

    def explain_estimate(self, costs: bud.Costs | None = None) -> float:
        """The finalists (typical configurations) and the naive baselines explained; a
        model built per image is only timed cold. ``costs``: the race's, once a pilot
        measured the real cost per image (default: the plan's own)."""
        costs = self.costs if costs is None else costs
        pools = [c for c in self.entrants if c.family != "serial"]
        if not pools:
            return 0.0
        if self.policy.explain_all:
            return sum(costs.explain(c) for c in pools)
        typical = sorted(costs.explain(c) for c in pools if role(c.strategy) != "baseline")
        middle = typical[len(typical) // 2] if typical else 0.0
        total = min(self.finalists, len(pools)) * middle
        for b in self.baselines():
            cold_only = b.strategy == "processes-model-per-image" or not self.explains_baselines_fully()
            total += (costs.first_visit(b) + costs.pool_pass(b)
                      if cold_only else costs.explain(b))
        return total

    def extra_for(self, case: Case) -> float:
        before = self.estimate()
        self.entrants.append(case)
        try:
            return max(0.0, self.estimate() - before)
        finally:
            self.entrants.pop()

    def left_out_defaults(self) -> list[str]:
        """The libraries' defaults this group planned that the budget left out."""
        defaults = libraries.POSE_DEFAULTS if self.has_model else libraries.DEFAULTS
        entered = {c.strategy for c in self.entrants}
        return list(dict.fromkeys(c.strategy for c in self.ordered
                                  if c.strategy in defaults and c.strategy not in entered))

    def baselines(self) -> list[Case]:
        """The naive configurations a review shows next to the pick, at W."""
        return [c for c in self.entrants if role(c.strategy) == "baseline" and c.out_layout is None
                and c.cv_threads is None and self.tiers.get(c.name) == 0]


@dataclass
class Plan:
    mode: str                    # quick | full
    budget_s: float
    groups: list
    overhead: list               # overhead probe cases (measured apart, briefly)
    usable: int
    fixed_s: float = 0.0
    left_out: list = field(default_factory=list)   # optional groups this budget had no room for
    # what the user named that this budget had no room for: (group, case, [(option, value)])
    named_left_out: list = field(default_factory=list)
    serial_added: bool = False   # --strategies left the serial loop out: it is raced anyway
    policy: Policy = RACE
    # of left_out: the sets left out so that the others get their search (_sets_to_search)
    for_the_search: list = field(default_factory=list)

    def measure_in_full(self, visits: int) -> "Plan":
        """The same configurations, every one measured in full (see Policy)."""
        self.policy = Policy("exhaustive", eliminate=False, visits=max(1, visits), within_budget=False,
                             explain_all=True)
        for g in self.groups:
            g.policy, g.rounds = self.policy, self.policy.visits
        return self

    @property
    def estimate_s(self) -> float:
        return self.fixed_s + sum(g.estimate() for g in self.groups)

    def drop(self, names: set) -> None:
        """Leave out configurations (that would not fit in memory), and a group left
        without its serial loop."""
        for g in self.groups:
            g.entrants = [c for c in g.entrants if c.name not in names]
        self.groups = [g for g in self.groups if any(c.family == "serial" for c in g.entrants)]
        self.overhead = [c for c in self.overhead if c.name not in names]

    def cases(self) -> list[Case]:
        return self.overhead + [c for g in self.groups for c in g.entrants]

    def configurations(self) -> int:
        return sum(len(g.entrants) for g in self.groups)

    def left_out_line(self) -> str | None:
        if not self.left_out:
            return None
        labels = ", ".join(f"{g.workload} {g.images.size.label} {g.images.content}" for g in self.left_out)
        line = messages.RACE_LEFT_OUT.format(
            groups=labels, estimate=bud.format_duration(sum(g.estimate() for g in self.left_out)))
        if self.for_the_search:
            line += "\n" + messages.RACE_LEFT_OUT_FOR_SEARCH.format(
                count=len(self.for_the_search), usable=self.usable,
                searched=sum(g.searches() for g in self.groups))
        return line

    def budget_for(self, extra_s: float) -> float:
        """The --budget whose plan holds this one and ``extra_s`` more (whole seconds, and
        never this budget itself)."""
        return max(math.ceil((self.estimate_s + extra_s) / (1 - bud.OVERRUN / 2)),
                   math.floor(self.budget_s) + 1)

    def named_left_out_line(self) -> str | None:
        if not self.named_left_out:
            return None
        found: dict = {}        # option -> ({value: None}, {group: None}), in the order named
        for g, _case, values in self.named_left_out:
            for option, value in values:
                by_value, where = found.setdefault(option, ({}, {}))
                by_value[value] = None
                where[f"{g.workload} {g.images.size.label} {g.images.content}"] = None
        items = []
        for option, (by_value, where) in found.items():
            where = list(where)
            place = where[0] if len(where) == 1 else messages.RACE_NAMED_GROUPS.format(
                count=len(where), groups=len(self.groups))
            shown = sorted(by_value, key=lambda v: (str(v) == "auto", int(v) if str(v).isdigit() else 0))
            items.append(f"{option} {', '.join(str(v) for v in shown)} ({place})")
        extra = sum(g.extra_for(case) for g, case, _ in self.named_left_out)
        return messages.RACE_NAMED_LEFT_OUT.format(
            items="; ".join(items), budget=bud.format_duration(self.budget_for(extra)))

    def over_budget_line(self) -> str | None:
        """The serial loop and the configurations at W alone are over this budget."""
        if not self.policy.within_budget or self.estimate_s <= self.budget_s * (1 - bud.OVERRUN / 2):
            return None
        return messages.RACE_OVER_BUDGET.format(
            estimate=bud.format_duration(self.estimate_s), budget=bud.format_duration(self.budget_s),
            needed=bud.format_duration(self.budget_for(0.0)), usable=self.usable)

    def plan_lines(self) -> list[str]:
        """The lines printed with the plan (bench list, and a run's first lines)."""
        lines = [messages.RACE_SERIAL_TOO] if self.serial_added else []
        return lines + [line for line in (self.left_out_line(), self.named_left_out_line(),
                                          self.over_budget_line()) if line]

    def as_json(self) -> dict:
        return {
            "mode": self.mode if self.policy.within_budget else self.policy.name,
            "budget_s": self.budget_s if self.policy.within_budget else None, "estimated_s": round(self.estimate_s, 1),
            "usable_cpus": self.usable, "cases": [c.name for c in self.cases()],
            "groups": [{"group": g.key, "images": g.images.count, "serial_slice": g.serial_slice,
                        "workers": sorted({c.workers for c in g.entrants}),
                        "configurations": len(g.entrants), "candidates": g.candidates,
                        "rounds_planned": g.rounds, "estimated_s": round(g.estimate(), 1),
                        "capped_by": g.capped_by or None,
                        "searched_workers": (search.coarse_counts(g.w, g.ladder, g.mode)
                                             if g.searches() else None)}
                       for g in self.groups],
            "overhead_probes": len(self.overhead),
            "left_out": [{"group": g.key, "estimated_s": round(g.estimate(), 1)} for g in self.left_out]
            + [{"group": g.key, "case": case.name, "strategy": case.strategy, "workers": case.workers,
                "named": [{"option": o, "value": v} for o, v in values],
                "budget_needed_s": round(self.budget_for(g.extra_for(case)))}
               for g, case, values in self.named_left_out],
            "serial_added": self.serial_added,
            "left_out_for_the_search": [g.key for g in self.for_the_search],
        }


@dataclass
class PlanRequest:
    """The planner's inputs, resolved from the command line's RunRequest."""
    mode: str = "full"
    budget_s: float | None = None
    codec_workloads: list | None = None      # imwrite / imencode; None: the defaults
    pose: bool = True
    sizes: list | None = None
    contents: list | None = None
    n_images: int | None = None
    strategies: list | None = None
    workers: list | None = None
    chunk_sizes: list = field(default_factory=lambda: ["auto"])
    start_methods: list | None = None
    layouts: list | None = None
    codec_params: dict = field(default_factory=dict)
    pose_params: dict = field(default_factory=dict)
    seed: int = 0
    cv_threads: int | None = None
    dask: bool = True
    overhead: list = field(default_factory=list)
    pipelines: list | None = None            # groups of files (bench.plan.file_groups): None all
    files: object = None                     # a user's task (file_groups.UserRun)
    named_workloads: list | None = None      # --workloads as given (None: not named)
    command: str = "all"
    dask_only: bool = False      # bench dask: the cluster next to the best local pools only
    unbounded: bool = False      # every configuration and probe enters, whatever the budget

    def named(self) -> list[tuple]:
        """(option, value) of every measuring choice named on the command line."""
        out = [("--strategies", s) for s in self.strategies or ()]
        out += [("--workers", w) for w in self.workers or ()]
        if list(self.chunk_sizes) != ["auto"]:
            out += [("--chunk-sizes", c) for c in self.chunk_sizes]
        out += [("--layouts", layout) for layout in self.layouts or ()]
        return out


def _groups(req: PlanRequest) -> list[tuple[str, ImageSize, str]]:
    # the tasks with a model --workloads names (none named: all of them)
    models = [w for w in registry.named(kind="model") if w in (req.named_workloads or ())] \
        or registry.named(kind="model")
    kinds = [("codec", req.codec_workloads)] if req.codec_workloads != [] else []
    kinds += [("model", models)] if req.pose else []
    if req.sizes is None and req.contents is None:          # the raced sets by default
        return list(dict.fromkeys((w, ImageSize.parse(s), c) for kind, wanted in kinds
                                  for w, s, c, q in raced_groups(kind)
                                  if (q or req.mode != "quick")
                                  and (wanted is None or w in wanted)))
    out = []
    if req.codec_workloads != []:
        sizes = req.sizes or [ImageSize.parse(g[1]) for g in raced_groups("codec")]
        out = codec_sets(req.codec_workloads, sizes, req.contents)
    for workload in models if req.pose else []:
        cls = workload_class(workload)
        # the sets named, on the contents it can measure (by default its main set)
        main = next(g for g in cls.groups if g.race)
        for size in dict.fromkeys(req.sizes or [ImageSize.parse(main.size)]):
            for content in req.contents or [main.content]:
                if (size.channels == 3 or not cls.colour_only) and (
                        cls.contents is None or content in cls.contents):
                    out.append((workload, size, content))
    return list(dict.fromkeys(out))


def _strategies(req: PlanRequest, workload: str) -> list[str]:
    if req.strategies:
        # the serial loop is every speedup's reference: raced whether named or not
        names = ["serial"] + [s for s in req.strategies if s != "serial"]
    else:
        if req.dask_only:
            # the cluster next to the local pools it must beat, at the same worker count
            names = ["serial", *named(next_to_dask=True)]
        elif _stateful(workload):
            names = list(named(suits_stateful=True))
        else:
            names = list(default_strategies())
        if req.dask_only or (req.mode == "full" and req.dask):
            names += workload_class(workload).dask_strategies
        # the Pool API and the routes of files: in groups of files
        names = [n for n in names if not STRATEGIES[n].on_files_only]
    # a library that is not installed: its strategies skipped, said in one line
    return libraries.installed(names)


def _candidates(req: PlanRequest, workload: str, size: ImageSize, content: str, count: int,
                ladder: list[int], usable: int) -> list[Case]:
    methods = req.start_methods
    default = default_start_method()
    if methods is None:
        # other start methods only where they answer a question: a pool's start (at the usable
        # CPUs, below), a model's load (pose, full run)
        others = [m for m in ("fork", "forkserver", "spawn") if m in START_METHODS and m != default]
        methods = [default] + (others if req.mode == "full" and _stateful(workload) else [])
    opts = PlanOptions(workloads=[workload], sizes=[size], contents=[content], n_images=count,
                       strategies=_strategies(req, workload),
                       explicit_strategies=tuple(req.strategies or ()), workers=req.workers or ladder,
                       chunk_sizes=req.chunk_sizes, start_methods=methods, params=_params(req, workload),
                       seed=req.seed, layouts=req.layouts,
                       cv_threads_variant=req.mode == "full" and req.cv_threads is None)
    return [c for c in plan_cases(opts)
            if (req.start_methods is not None or c.start_method in (None, default)
                or (c.workers == usable
                    and c.strategy in ("processes", "processes-chunked", "processes-shm")))
            and not (c.family == "dask" and c.workers != usable and req.workers is None)]


def build_plan(req: PlanRequest, usable: int, memory_available: int) -> Plan:
    """The race plan: groups with the entrants that fit the budget."""
    mode = req.mode
    budget_s = req.budget_s or (bud.QUICK_BUDGET_S if mode == "quick" else bud.DEFAULT_BUDGET_S)
    # on many CPUs the probes give half their share to the worker-count search
    share = PROBE_SHARE / (2 if usable >= search.MANY_CPUS else 1)
    probes = req.overhead if req.unbounded else probes_within(req.overhead, share * budget_s)
    fixed = bud.RUN_START_S + bud.CAPACITY_S + bud.END_S + overhead_estimate(probes)
    available = math.inf if req.unbounded else budget_s * (1 - bud.OVERRUN / 2) - fixed
    # per group: (workload, seconds per image, {largest worker count: (set size, candidates)})
    pools = []
    for workload, size, content in _groups(req):
        t = bud.seconds_per_image(workload, size, content, _params(req, workload))
        by_top = {}
        for top in reversed(worker_ladder(usable, worker_cap(workload, memory_available))):
            set_size = size_set(t, size.nbytes, usable, top, memory_available, PASS_S[mode],
                                SERIAL_MAX_S[mode], req.n_images,
                                max_count=int(BASELINE_PASS_MAX_S[mode] / bud.TASK_OVERHEAD_S["processes"]))
            rung = worker_ladder(usable, set_size.max_workers)
            by_top[top] = (set_size, _candidates(req, workload, size, content, set_size.count, rung, usable))
        pools.append((workload, t, by_top))
    pools += file_groups.file_pools(req, usable, memory_available)
    named_choices.refuse_what_no_group_races(req, pools)
    # every group starts at its largest count with tier 0; shrink the costliest until it fits
    tops = [list(by_top) for _, _, by_top in pools]
    level = [0] * len(pools)

    def build(k: int) -> GroupPlan | None:
        _, t, by_top = pools[k]
        return _build(t, *by_top[tops[k][level[k]]], usable, req)

    built = [build(k) for k in range(len(pools))]
    # never fewer workers than the usable CPUs (twice as many where the worker count is
    # searched: its ladder ends at 2 W)
    floor = 2 * usable if usable >= search.MANY_CPUS and not req.workers else usable
    while sum(g.estimate() for g in built if g) > available:
        costly = max((k for k, g in enumerate(built) if g and level[k] + 1 < len(tops[k])
                      and tops[k][level[k] + 1] >= min(floor, tops[k][0])),
                     key=lambda k: built[k].estimate(), default=None)
        if costly is None:
            break
        level[costly] += 1
        built[costly] = build(costly)
    groups = [g for g in built if g is not None]
    # the groups a quick run leaves out come after the main sets' worker sweep next to W
    optional = {(w, s, c) for w, s, c, quick in raced_groups("codec") + raced_groups("model")
                if not quick}
    # and the pipelines whose model loads cost most (their class's ``optional``)
    optional |= {(w, g.size, g.content) for w, g in registry.groups("files") if g.optional}
    first_look = mode == "quick" and usable >= search.MANY_CPUS and not req.workers
    if first_look:
        # a first look at a big machine: a task with a model joins after the sets' search
        optional |= {(w, s, c) for w, s, c, _ in raced_groups("model")}
    # a set the user named (--workloads, --sizes, --content) is never optional
    optional = {o for o in optional if o[0] not in (req.named_workloads or ())
                and (o[0] in registry.file_workloads() or (req.sizes is None and req.contents is None))}
    core = [g for g in groups
            if (g.workload, g.images.size.label, g.images.content) not in optional]
    searched_first = []
    if first_look:
        core, searched_first = _sets_to_search(core, available, req)
    trim(core, available)
    _search_within(core, available, req)
    fill(core, available, tiers=(1,))
    kept = list(core)
    # the pipelines first, then the other sets
    for g in sorted((g for g in groups if g not in core),
                    key=lambda g: g.workload not in registry.file_workloads()):
        # a set left out for the search comes back only with its own search
        g.search = g in searched_first
        if sum(k.estimate() for k in kept) + g.estimate() <= available:
            kept.append(g)
            if g not in searched_first:
                _search_within(kept, available, req, only=g)
    left_out = [g for g in groups if g not in kept]
    groups = [g for g in groups if g in kept]
    fill(groups, available, tiers=(1, 2, 3, 4))
    serial_added = bool(req.strategies) and "serial" not in req.strategies
    return Plan(mode, budget_s, groups, probes, usable, fixed, left_out, named_choices.left_out(groups),
                serial_added, for_the_search=[g for g in searched_first if g in left_out])


def _sets_to_search(core: list, available: float, req: PlanRequest) -> tuple[list, list]:
    """A quick run on many CPUs: the costliest sets wait until the budget holds the
    others with their worker-count search (a set at W alone answers W by construction);
    a set the user named always stays. Returns (the sets kept, those moved after them)."""
    kept, moved = list(core), []
    while len(kept) > 1:
        for g in kept:
            g.search = True
        if not any(g.searches() for g in kept) or sum(g.estimate() for g in kept) <= available:
            break
        costly = max((g for g in kept if g.workload not in registry.file_workloads() and req.sizes is None
                      and req.contents is None and g.workload not in (req.named_workloads or ())),
                     key=lambda g: g.estimate(), default=None)
        if costly is None:
            break
        kept.remove(costly)
        moved.append(costly)
    return kept, moved


def _search_within(groups: list, available: float, req: PlanRequest, only=None) -> None:
    """The worker-count search right after tier 0: on in every group (``only``: in that
    one), given up where the budget cannot hold it."""
    if req.workers:
        return                                   # the counts the user named, and no others
    targets = groups if only is None else [only]
    for g in targets:
        g.search = True
    # a task with a model (pose) gives its search up first, then the groups of files
    for g in sorted(targets,
                    key=lambda g: (g.has_model, g.workload in registry.file_workloads(), g.estimate()),
                    reverse=True):
        if sum(k.estimate() for k in groups) <= available:
            break
        g.search = False


def _build(t: float, set_size, cands: list[Case], usable: int, req: PlanRequest) -> GroupPlan | None:
    if not cands:
        return None
    ladder = worker_ladder(usable, set_size.max_workers)
    w = max(r for r in ladder if r <= min(usable, set_size.max_workers))
    tiers = {c.name: tier_of(c, w, ladder, default_start_method()) for c in cands}
    named = named_first(cands, req.named(), w, tiers)
    if req.workers or req.strategies:
        tiers = {name: min(tier, 1) for name, tier in tiers.items()}   # what was named first
    tiers.update(dict.fromkeys(named, 0))
    if w >= search.MANY_CPUS and not (req.workers or req.strategies):
        tiers.update(search.after_the_search(cands, tiers, w, req.mode))
    ordered = sorted(cands, key=lambda c: priority(c, tiers[c.name], w))
    first = ordered[0]
    costs = bud.Costs(t, set_size.count, set_size.serial_slice, usable,
                      0.35 if workload_class(first.workload).has_model else 0.0)
    entrants = [c for c in ordered if tiers[c.name] == 0]
    if not any(c.family == "serial" for c in entrants):
        entrants = [c for c in cands if c.family == "serial"][:1] + entrants
    return GroupPlan(first.workload, first.params, first.images, entrants, set_size.serial_slice,
                     costs, bud.MIN_ROUNDS[req.mode], len(cands), set_size.capped_by, tiers, req.mode, w,
                     named, ladder=ladder, search=False, ordered=ordered, feeds=set_size.max_workers)


