"""Which cases each command means: the plans of ``all``, ``imwrite``, ``pose``,
``overhead`` and ``dask`` from the parsed options (a bad choice is one UsageError line)."""
from __future__ import annotations

import sys
from dataclasses import replace

from bench.errors import UsageError
from bench.model.case import unique_cases
from bench.plan.dask import plan_dask
from bench.plan.matrix import DASK_STRATEGIES, PlanOptions, default_strategies, plan_cases
from bench.plan.overhead import plan_overhead
from bench.plan.pose import PoseOptions, plan_pose_cases, plan_pose_dask
from bench.texts import messages
from workloads.codecs import Codec
from workloads.imwrite import ImwriteWorkload
from workloads.registry import PIPELINES


def plan_options(args) -> PlanOptions:
    try:
        codec = Codec(args.codec, args.jpeg_quality, args.png_level)
        params = ImwriteWorkload.params_for(codec)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.warmups < 0:
        raise UsageError(messages.WARMUPS_NEGATIVE.format(value=args.warmups))
    workloads = args.workloads
    if workloads is not None:
        for w in workloads:
            if w in ("task", "task-init"):
                raise UsageError(messages.RUN_TASK_WORKLOAD.format(workload=w))
        # pose has its own plan; the pipelines on files are groups of files (bench.plan.user)
        workloads = [w for w in workloads if w != "pose" and w not in ON_FILES]
    try:
        return PlanOptions(quick=args.quick, workloads=workloads, sizes=args.sizes,
                           contents=args.contents, n_images=args.n_images,
                           strategies=args.strategies or list(default_strategies()),
                           explicit_strategies=tuple(args.strategies or ()), workers=args.workers,
                           chunk_sizes=args.chunk_sizes, start_methods=args.start_methods,
                           layouts=args.layouts, params=params, seed=args.seed)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def pose_options(args) -> PoseOptions:
    from workloads.pose import PoseWorkload

    params = PoseWorkload.params_for(args.pose_model_complexity, args.pose_backend, args.pose_model)
    return PoseOptions(quick=args.quick, sizes=args.sizes, contents=args.contents,
                       n_images=args.n_images, strategies=args.strategies, workers=args.workers,
                       chunk_sizes=args.chunk_sizes, start_methods=args.start_methods,
                       params=params, seed=args.seed)


def wanted(args, command: str) -> tuple[bool, bool]:
    """(codec workloads, pose) for this command. ``all``/``list`` run both unless
    --workloads says otherwise; given --sizes/--content alone they mean imwrite."""
    if command == "run":
        return False, False          # a user's task on their files only
    if command == "pose":
        return False, True
    if command != "all":
        if args.workloads and "pose" in args.workloads:
            raise UsageError(messages.POSE_ELSEWHERE)
        return True, False
    if args.workloads is not None:
        return (any(w != "pose" and w not in ON_FILES for w in args.workloads),
                "pose" in args.workloads)
    return True, args.sizes is None and args.contents is None


ON_FILES = PIPELINES + ("imread",)     # workloads of generated photos (bench.plan.user)


def pipelines_wanted(args, command: str) -> list | None:
    """The pipelines a race plan holds: all of them in ``all`` (None), those --workloads
    names, none elsewhere ([])."""
    if command != "all":
        return []
    if args.workloads is None:
        return None
    return [w for w in args.workloads if w in ON_FILES]


def _pose_asked_for(args, command: str) -> bool:
    return (command == "pose" or bool(args.workloads and "pose" in args.workloads)
            or args.pose_model_complexity != 1 or args.pose_backend != "solutions"
            or bool(args.pose_model))


def pose_cases(args, command: str, planner=plan_pose_cases) -> list:
    """The pose plan; in ``all``, a mediapipe that cannot run pose skips it with a line."""
    from workloads.pose import PoseUnavailable

    try:
        return planner(pose_options(args))
    except PoseUnavailable as exc:
        if _pose_asked_for(args, command):
            raise
        print(messages.POSE_SKIPPED.format(why=exc), file=sys.stderr)
        return []


def pose_dask_cases(args, command: str) -> list:
    """Pose through Dask next to the local pools, unless --workloads leaves pose out."""
    if args.workloads is not None and "pose" not in args.workloads:
        return []
    return pose_cases(args, command, planner=plan_pose_dask)


def make_cases(args, command=None):
    cases = _plan(args, command or args.command)
    return _on_the_cluster(args, cases)


def _on_the_cluster(args, cases):
    """With --scheduler, every Dask case runs on that cluster: its worker count is the
    cluster's, whatever the sweep said (and a bad address is one line, exit 2)."""
    dask_cases = [c for c in cases if c.family == "dask"]
    if not args.scheduler or not dask_cases:
        return cases
    n = cluster_workers(args)
    return unique_cases([replace(c, workers=n) if c.family == "dask" else c for c in cases])


def _plan(args, command):
    codec, pose = wanted(args, command)
    if codec and args.workloads is not None:
        args.workloads = [w for w in args.workloads if w != "pose"]   # pose has its own plan
    opts = plan_options(args)
    try:
        if command == "pose":
            return pose_cases(args, command)
        if command == "overhead":
            return plan_overhead(opts)
        if command == "dask":
            return plan_dask(opts, cluster_workers(args)) + pose_dask_cases(args, command)
        if command == "all":
            cases = []
            if codec:
                # overheads first: they are quick and explain what follows
                opts.cv_threads_variant = not args.quick and args.cv_threads is None
                cases = plan_overhead(opts) + plan_cases(opts)
            if pose:
                cases += pose_cases(args, command)
            wants_dask = not opts.explicit_strategies or any(
                s in DASK_STRATEGIES for s in opts.explicit_strategies)
            if codec and not args.quick and wants_dask:
                cases += plan_dask(opts, cluster_workers(args))
            if pose and not args.quick and wants_dask:
                cases += pose_cases(args, command, planner=plan_pose_dask)
            return unique_cases(cases)
        return plan_cases(opts)
    except ValueError as exc:            # e.g. an image set too large to generate
        raise UsageError(str(exc)) from None


def cluster_workers(args) -> int | None:
    """With --scheduler, Dask cases use however many workers that cluster has."""
    if not args.scheduler:
        return None
    from bench.strategies.dask import SchedulerError, connect

    try:
        client = connect(args.scheduler, args.scheduler_timeout)
    except SchedulerError as exc:
        raise UsageError(str(exc)) from None
    try:
        n = len(client.scheduler_info().get("workers", {}))
    finally:
        client.close()
    if n == 0:
        raise UsageError(messages.SCHEDULER_NO_WORKERS.format(address=args.scheduler))
    return n


RACED = ("all", "imwrite", "pose", "run")


def races(args, command: str) -> bool:
    """A budgeted race, or (``--exhaustive``, ``overhead``, ``dask``) every case in full."""
    return command in RACED and not getattr(args, "exhaustive", False)


def make_race_plan(args, command: str, usable: int | None = None, memory: int | None = None,
                   inputs: dict | None = None):
    """The budgeted plan of ``all``, ``imwrite``, ``pose`` or ``run``: groups and their
    entrants. ``inputs`` (the run's plan inputs) keeps ``run``'s probe of the task, so a
    resumed run plans the same cases."""
    from bench.plan.overhead import plan_overhead_race
    from bench.plan.race import Request, plan_race
    from bench.plan.sizing import usable_cpus
    from bench.measure.machine import memory_available
    from workloads.pose import PoseUnavailable

    codec, pose = wanted(args, command)
    opts = plan_options(args)
    usable = usable or usable_cpus()
    memory = memory or memory_available()
    pose_params = {}
    if pose:
        try:
            pose_params = pose_options(args).params
        except PoseUnavailable as exc:
            if _pose_asked_for(args, command):
                raise
            print(messages.POSE_SKIPPED.format(why=exc), file=sys.stderr)
            pose = False
    req = Request(
        mode="quick" if args.quick else "full", budget_s=args.budget,
        codec_workloads=(opts.workloads if codec else []), pose=pose, sizes=args.sizes,
        contents=args.contents, n_images=args.n_images, strategies=args.strategies,
        workers=args.workers, chunk_sizes=args.chunk_sizes, start_methods=args.start_methods,
        layouts=args.layouts, codec_params=opts.params, pose_params=pose_params, seed=args.seed,
        cv_threads=args.cv_threads,
        dask=not args.scheduler and (not args.strategies or any(s.startswith("dask") for s in args.strategies)),
        overhead=plan_overhead_race(opts, usable) if command == "all" and codec else [],
        pipelines=pipelines_wanted(args, command), named_workloads=getattr(args, "workloads", None),
        command=command)
    if command == "run":
        from bench.plan.user import user_run

        inputs = inputs if inputs is not None else {}
        req.files, inputs["probe"] = user_run(args, inputs.get("probe"))
    try:
        return plan_race(req, usable, memory)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
