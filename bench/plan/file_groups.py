"""The groups of files in a budgeted plan: a user's task on their own folder (``bench run``,
docs/own-work.md) and the built-in pipelines on generated photos (``bench all``,
docs/pipelines.md), each racing the ways files reach the work, next to a read-only group
(``imread``) on the same files."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, replace

from bench.model.case import Case
from bench.model.request import RunRequest
from bench.plan.sizing import PASS_S, SERIAL_MAX_S, size_set, worker_cap, worker_ladder
from bench.plan.task_probe import PROBE_ITEMS, PROBE_TIMEOUT_S, ProbeFailed, probe_task
from bench.plan.configurations import PlanOptions, plan_cases
from bench.strategies import STRATEGIES, decoded, libraries
from bench.texts import messages
from workloads.images import ImageSetSpec, ImageSize
from workloads import registry
from workloads.registry import workload_class

# what a user would call instead, with its defaults, at W (mpire's worker state with --init)
LIBRARY_DEFAULTS = tuple(dict.fromkeys(libraries.DEFAULTS + libraries.POSE_DEFAULTS))
# the routes that read (decode) each file in the parent, before it reaches a worker
_READ_IN_PARENT = frozenset(c.name for c in decoded.STRATEGIES)


def on_files(keep=lambda cls: True) -> tuple[str, ...]:
    """The strategies that declare a part in the groups of files (``files_rank``) and that
    ``keep(cls)``, in that order; read off the registry at each call (a strategy registered
    later too)."""
    ranked = sorted((cls.files_rank, n) for n, cls in STRATEGIES.items()
                    if cls.files_rank is not None and keep(cls))
    return tuple(n for _, n in ranked)


def task_strategies() -> tuple[str, ...]:
    """Every strategy a group of files may race, in its cases' order: the declared ones,
    then the libraries' defaults."""
    return tuple(dict.fromkeys(on_files() + LIBRARY_DEFAULTS))


def _anti_pattern(name: str) -> bool:
    return STRATEGIES[name].files_role == "anti-pattern"


def read_strategies(quick: bool = False, named: bool = False) -> tuple[str, ...]:
    """The read-only group's strategies (``files_read``; with --quick, those it keeps); with
    --strategies (``named``), those it may name: every route that reads in the worker
    (reading in the parent first would time the read twice)."""
    if named:
        return tuple(s for s in task_strategies() if not _anti_pattern(s) and s not in _READ_IN_PARENT)
    return on_files(lambda cls: cls.files_read and (not quick or "read" in cls.files_quick))


PHOTOS_MAX = 1024          # generated files in one photos set, at most
UNKNOWN_TASK_S = 0.05      # a task whose probe did not return: a guess, the pilot measures it


def tier(case: Case, w: int, near: bool) -> int | None:
    """A configuration's tier in a group of files (None: the general rules decide)."""
    cls = workload_class(case.workload)
    if cls.kind != "files":
        return None
    pipeline = cls.pipeline
    if case.strategy in LIBRARY_DEFAULTS:
        # a user's own task: next to the pick from the start; a pipeline of bench all:
        # once the main image sets have theirs
        return (1 if pipeline else 0) if case.workers == w else 4
    declared = STRATEGIES.get(case.strategy)
    if declared is None or declared.files_role != "at-w":      # a role needs a files_rank (register)
        return None
    if case.workers == w:
        # the pipelines in bench all: at W first paths against decoded pixels at the same
        # chunking, Pool against concurrent.futures (pipeline_first); the rest next
        return 0 if declared.pipeline_first or not pipeline else 1
    # a built-in pipeline in `bench all` sweeps workers after the main image sets have
    return (2 if pipeline else 1) if near else (3 if pipeline else 2)


@dataclass(frozen=True)
class UserRun:
    """What ``bench run`` measures: the task, its files, what a probe found."""
    params: dict                 # TaskWorkload parameters
    images: object               # a FileSetSpec: count = files that may be measured
    seconds_per_item: float
    read_s: float                # cv2.imread alone, per file
    folders: int
    per_item: bool               # race the state rebuilt in every task too
    fixed: bool                  # --limit: measure exactly these files

    @property
    def workload(self) -> str:
        return "task-init" if self.params.get("init") else "task"


@dataclass(frozen=True)
class _Group:
    workload: str
    params: dict
    images: ImageSetSpec         # count: files available (None for generated photos)
    t: float
    strategies: tuple
    available: int | None
    fixed: bool = False


def _groups(req) -> list[_Group]:
    run: UserRun | None = req.files
    named = bool(req.strategies)
    out = []
    if run is not None:
        # --strategies outranks the defaults: any strategy a group of files can race
        names = libraries.installed([s for s in task_strategies()
                                     if not _anti_pattern(s) or run.per_item or named])
        if run.folders < 2:
            names.remove("pool-apply-async-folders")
        if run.params.get("decode") == "none":
            names = [s for s in names if s not in _READ_IN_PARENT]
        out.append(_Group(run.workload, run.params, run.images, run.seconds_per_item, tuple(names),
                          run.images.count, run.fixed))
        if run.params.get("decode") != "none":
            out.append(_Group("imread", {"decode": run.params.get("decode", "color")}, run.images,
                              run.read_s, read_strategies(named=named),
                              run.images.count, run.fixed))
    # the pipelines of bench all: --sizes and --content choose generated sets, and --quick's
    # 90 s are spent before they start - then only when --workloads names them
    wanted = req.pipelines
    quick = req.mode == "quick"
    by_default = wanted is None and not quick and req.sizes is None and req.contents is None
    for workload, group in registry.groups("files") if wanted or by_default else ():
        if wanted and workload not in wanted and workload != "imread":
            continue
        if workload == "imread":
            names = read_strategies(quick, named)
        else:
            names = tuple(libraries.installed(
                task_strategies() if named or not quick
                else on_files(lambda cls: "task" in cls.files_quick)))
        # the nominal size: the largest file
        spec = ImageSetSpec(ImageSize.parse(group.size), 1, "photos", req.seed)
        params = {} if workload != "imread" else {"decode": "color"}
        t = workload_class(workload).expected_seconds_per_image(spec.size, params)
        out.append(_Group(workload, params, spec, t, names, None))
    return out


def _cases(req, g: _Group, count: int, ladder: list[int]) -> list[Case]:
    names = [s for s in g.strategies
             if s != "serial" and (not req.strategies or s in req.strategies)]
    opts = PlanOptions(strategies=["serial", *names], workers=req.workers or ladder,
                       chunk_sizes=req.chunk_sizes, start_methods=req.start_methods,
                       params=g.params)
    return plan_cases(opts, [(g.workload, replace(g.images, count=count))], on_files=True)


def file_pools(req, usable: int, memory_available: int) -> list[tuple]:
    """The groups of files as the race plan's pools (bench.plan.planner.build_plan)."""
    pass_s, serial_max_s = PASS_S[req.mode], SERIAL_MAX_S[req.mode]
    pools = []
    for g in _groups(req):
        size = g.images.size
        most = g.available if g.available is not None else PHOTOS_MAX
        by_top = {}
        for top in reversed(worker_ladder(usable, worker_cap(g.workload, memory_available))):
            if g.fixed or (g.available is not None and g.available < 8 * top):
                # every file there is (or the sample asked for): as many workers as files
                set_size = size_set(g.t, size.nbytes, usable, min(top, most), memory_available,
                                    pass_s, serial_max_s, fixed_count=most)
            else:
                # never more than the files there are
                set_size = size_set(g.t, size.nbytes, usable, top, memory_available, pass_s,
                                    serial_max_s, max_count=most, files=most)
            rung = worker_ladder(usable, set_size.max_workers)
            by_top[top] = (set_size, _cases(req, g, set_size.count, rung))
        pools.append((g.workload, g.t, by_top))
    return pools


# -- bench run: the task and the files from the command line ---------------------------------
def _absolute(spec: str) -> str:
    """A MODULE that is a path made absolute (case processes and --resume may run elsewhere)."""
    if not spec:
        return ""
    module, sep, attr = spec.rpartition(":")
    if sep and (module.endswith(".py") or "/" in module or os.sep in module):
        return f"{os.path.abspath(os.path.expanduser(module))}:{attr}"
    return spec


def _typical(shapes: list) -> ImageSize:
    """The median decoded size of the files sampled (estimates only)."""
    if not shapes:
        return ImageSize(640, 480, 3)
    h, w, *c = sorted(shapes, key=lambda s: s[0] * s[1])[len(shapes) // 2]
    return ImageSize(int(w), int(h), 1 if not c or c[0] == 1 else 3)


def user_run(request: RunRequest, probe: dict | None = None) -> tuple[UserRun, dict]:
    """The task and files of ``bench run`` as the request names them (bad input: one
    UsageError line) and the probe that timed them (``probe`` given: a resumed run's)."""
    import glob as globbing

    from bench.errors import UsageError
    from workloads.files import IMAGE_EXTENSIONS, FileSetSpec, list_files, sample
    from workloads.pipelines.imread import ImreadWorkload
    from workloads.task_import import TaskError, split_spec
    from workloads.user_task import TaskWorkload

    if not request.task or not request.images:
        raise UsageError(messages.RUN_NEEDS)
    if request.init_per_item and not request.init:
        raise UsageError(messages.RUN_PER_ITEM_NEEDS_INIT)
    if request.atol is not None and not request.atol >= 0:          # nan too
        raise UsageError(messages.RUN_ATOL.format(value=request.atol))
    try:
        for spec, what in ((request.task, "--task"), (request.init, "--init"), (request.same, "--same")):
            if spec:
                split_spec(spec, what)
        params = TaskWorkload.params_for(_absolute(request.task), _absolute(request.init), request.decode,
                                         request.atol, _absolute(request.same))
        TaskWorkload.from_params(params)
    except (TaskError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    source = os.path.abspath(os.path.expanduser(request.images))
    items = list_files(source)
    if not items:
        exts = ", ".join(IMAGE_EXTENSIONS[:6]) + " ..."
        text = (messages.RUN_NO_IMAGES if os.path.isdir(source) else messages.RUN_GLOB_EMPTY
                if globbing.has_magic(request.images) else messages.RUN_NO_SOURCE)
        raise UsageError(text.format(source=request.images, extensions=exts))
    chosen = sample(items, request.limit, request.seed) if request.limit else items
    if probe is None:
        print(messages.RUN_PROBING.format(task=request.task, count=min(PROBE_ITEMS, len(chosen)),
                                          total=len(items)), file=sys.stderr, flush=True)
        timeout = request.case_timeout or PROBE_TIMEOUT_S
        try:
            probe = probe_task(params, chosen, timeout)
        except ProbeFailed as exc:
            raise UsageError(str(exc)) from None
        guess = f"{UNKNOWN_TASK_S * 1000:.0f} ms"
        if probe.get("timed_out"):
            print(messages.RUN_PROBE_HUNG.format(seconds=timeout, guess=guess), file=sys.stderr)
        elif probe.get("crashed"):
            print(messages.RUN_PROBE_CRASHED.format(why=probe["crashed"], guess=guess), file=sys.stderr)
    size = _typical(probe.get("shapes") or [])
    t = probe.get("seconds_per_item") or UNKNOWN_TASK_S
    read_s = probe.get("read_s") or ImreadWorkload.expected_seconds_per_image(size, {})
    if probe.get("seconds_per_item"):
        init = messages.RUN_PROBE_INIT.format(init=_ms(probe["init_s"])) if probe.get("init_s") else ""
        print(messages.RUN_PROBED.format(per_item=_ms(t), init=init, size=size.label, read=_ms(read_s)),
              file=sys.stderr)
    images = FileSetSpec(size, len(chosen), "files", request.seed, source, len(items))
    folders = len({os.path.dirname(i.name) for i in chosen})
    run = UserRun(params, images, t, read_s, folders, bool(request.init_per_item), bool(request.limit))
    return run, probe


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def sample_notes(plan) -> list[str]:
    """One line per group of a user's files that measures a sample of them."""
    return [messages.RUN_SAMPLE.format(group=g.key, count=g.images.count, total=g.images.total)
            for g in plan.groups
            if getattr(g.images, "source", "") and g.images.count < g.images.total]
