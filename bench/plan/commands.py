"""Which cases each command means: the plans of ``all``, ``imwrite``, ``pose``,
``overhead`` and ``dask`` from the user's :class:`RunRequest` (a bad choice is one
UsageError line)."""
from __future__ import annotations

import sys
from dataclasses import replace

from bench.errors import UsageError
from bench.model.case import unique_cases
from bench.model.request import RunRequest, listed
from bench.plan.dask import plan_dask
from bench.plan.matrix import DASK_STRATEGIES, PlanOptions, default_strategies, plan_cases
from bench.plan.overhead import plan_overhead
from bench.plan.pose import PoseOptions, plan_pose_cases, plan_pose_dask
from bench.texts import messages
from workloads.codecs import Codec
from workloads.imwrite import ImwriteWorkload
from workloads.registry import named as workloads_named
from workloads.registry import on_photos


def plan_options(request: RunRequest) -> PlanOptions:
    try:
        codec = Codec(request.codec, request.jpeg_quality, request.png_level)
        params = ImwriteWorkload.params_for(codec)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if request.warmups < 0:
        raise UsageError(messages.WARMUPS_NEGATIVE.format(value=request.warmups))
    workloads = request.workloads
    if workloads is not None:
        for w in workloads:
            if w in ("task", "task-init"):
                raise UsageError(messages.RUN_TASK_WORKLOAD.format(workload=w))
        # a task with a model (pose) has its own plan; the pipelines on files are groups of
        # files (bench.plan.user)
        workloads = [w for w in workloads if w not in workloads_named(kind="model") and w not in on_photos()]
    try:
        return PlanOptions(quick=request.quick, workloads=listed(workloads), sizes=listed(request.sizes),
                           contents=listed(request.contents), n_images=request.n_images,
                           strategies=listed(request.strategies) or list(default_strategies()),
                           explicit_strategies=tuple(request.strategies or ()),
                           workers=listed(request.workers), chunk_sizes=listed(request.chunk_sizes),
                           start_methods=listed(request.start_methods), layouts=listed(request.layouts),
                           params=params, seed=request.seed)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def pose_options(request: RunRequest) -> PoseOptions:
    from workloads.pose import PoseWorkload

    params = PoseWorkload.params_for(request.pose_model_complexity, request.pose_backend, request.pose_model)
    return PoseOptions(quick=request.quick, sizes=listed(request.sizes), contents=listed(request.contents),
                       n_images=request.n_images, strategies=listed(request.strategies),
                       workers=listed(request.workers), chunk_sizes=listed(request.chunk_sizes),
                       start_methods=listed(request.start_methods), params=params, seed=request.seed)


def wanted(request: RunRequest, command: str) -> tuple[bool, bool]:
    """(codec workloads, pose) for this command. ``all``/``list`` run both unless
    --workloads says otherwise; given --sizes/--content alone they mean imwrite."""
    if command == "run":
        return False, False          # a user's task on their files only
    if command == "pose":
        return False, True
    if command != "all":
        if request.workloads and set(request.workloads) & set(workloads_named(kind="model")):
            raise UsageError(messages.POSE_ELSEWHERE)
        return True, False
    if request.workloads is not None:
        models = workloads_named(kind="model")
        return (any(w not in models and w not in on_photos() for w in request.workloads),
                any(w in models for w in request.workloads))
    return True, request.sizes is None and request.contents is None


def pipelines_wanted(request: RunRequest, command: str) -> list | None:
    """The pipelines a race plan holds: all of them in ``all`` (None), those --workloads
    names, none elsewhere ([])."""
    if command != "all":
        return []
    if request.workloads is None:
        return None
    return [w for w in request.workloads if w in on_photos()]


def _pose_asked_for(request: RunRequest, command: str) -> bool:
    return (command == "pose" or bool(request.workloads and "pose" in request.workloads)
            or request.pose_model_complexity != 1 or request.pose_backend != "solutions"
            or bool(request.pose_model))


def pose_cases(request: RunRequest, command: str, planner=plan_pose_cases) -> list:
    """The pose plan; in ``all``, a mediapipe that cannot run pose skips it with a line."""
    from workloads.pose import PoseUnavailable

    try:
        return planner(pose_options(request))
    except PoseUnavailable as exc:
        if _pose_asked_for(request, command):
            raise
        print(messages.POSE_SKIPPED.format(why=exc), file=sys.stderr)
        return []


def pose_dask_cases(request: RunRequest, command: str) -> list:
    """Pose through Dask next to the local pools, unless --workloads leaves pose out."""
    if request.workloads is not None and "pose" not in request.workloads:
        return []
    return pose_cases(request, command, planner=plan_pose_dask)


def make_cases(request: RunRequest, command=None):
    cases = _plan(request, command or request.command)
    return _on_the_cluster(request, cases)


def _on_the_cluster(request: RunRequest, cases):
    """With --scheduler, every Dask case runs on that cluster: its worker count is the
    cluster's, whatever the sweep said (and a bad address is one line, exit 2)."""
    dask_cases = [c for c in cases if c.family == "dask"]
    if not request.scheduler or not dask_cases:
        return cases
    n = cluster_workers(request)
    return unique_cases([replace(c, workers=n) if c.family == "dask" else c for c in cases])


def _plan(request: RunRequest, command):
    codec, pose = wanted(request, command)
    if codec and request.workloads is not None:       # pose has its own plan
        request = request.with_(workloads=tuple(w for w in request.workloads if w != "pose"))
    opts = plan_options(request)
    try:
        if command == "pose":
            return pose_cases(request, command)
        if command == "overhead":
            return plan_overhead(opts)
        if command == "dask":
            return plan_dask(opts, cluster_workers(request)) + pose_dask_cases(request, command)
        if command == "all":
            cases = []
            if codec:
                # overheads first: they are quick and explain what follows
                opts.cv_threads_variant = not request.quick and request.cv_threads is None
                cases = plan_overhead(opts) + plan_cases(opts)
            if pose:
                cases += pose_cases(request, command)
            wants_dask = not opts.explicit_strategies or any(
                s in DASK_STRATEGIES for s in opts.explicit_strategies)
            if codec and not request.quick and wants_dask:
                cases += plan_dask(opts, cluster_workers(request))
            if pose and not request.quick and wants_dask:
                cases += pose_cases(request, command, planner=plan_pose_dask)
            return unique_cases(cases)
        return plan_cases(opts)
    except ValueError as exc:            # e.g. an image set too large to generate
        raise UsageError(str(exc)) from None


def cluster_workers(request: RunRequest) -> int | None:
    """With --scheduler, Dask cases use however many workers that cluster has."""
    if not request.scheduler:
        return None
    from bench.strategies.dask import SchedulerError, connect

    try:
        client = connect(request.scheduler, request.scheduler_timeout)
    except SchedulerError as exc:
        raise UsageError(str(exc)) from None
    try:
        n = len(client.scheduler_info().get("workers", {}))
    finally:
        client.close()
    if n == 0:
        raise UsageError(messages.SCHEDULER_NO_WORKERS.format(address=request.scheduler))
    return n


RACED = ("all", "imwrite", "pose", "run")


def races(request: RunRequest, command: str) -> bool:
    """A budgeted race, or (``--exhaustive``, ``overhead``, ``dask``) every case in full."""
    return command in RACED and not request.exhaustive


def make_race_plan(request: RunRequest, command: str, usable: int | None = None, memory: int | None = None,
                   inputs: dict | None = None):
    """The budgeted plan of ``all``, ``imwrite``, ``pose`` or ``run``: groups and their
    entrants. ``inputs`` (the run's plan inputs) keeps ``run``'s probe of the task, so a
    resumed run plans the same cases."""
    from bench.plan.overhead import plan_overhead_race
    from bench.plan.race import Request, plan_race
    from bench.plan.sizing import usable_cpus
    from bench.measure.machine import memory_available
    from workloads.pose import PoseUnavailable

    codec, pose = wanted(request, command)
    opts = plan_options(request)
    usable = usable or usable_cpus()
    memory = memory or memory_available()
    pose_params = {}
    if pose:
        try:
            pose_params = pose_options(request).params
        except PoseUnavailable as exc:
            if _pose_asked_for(request, command):
                raise
            print(messages.POSE_SKIPPED.format(why=exc), file=sys.stderr)
            pose = False
    req = Request(
        mode="quick" if request.quick else "full", budget_s=request.budget,
        codec_workloads=(opts.workloads if codec else []), pose=pose, sizes=listed(request.sizes),
        contents=listed(request.contents), n_images=request.n_images,
        strategies=listed(request.strategies), workers=listed(request.workers),
        chunk_sizes=listed(request.chunk_sizes), start_methods=listed(request.start_methods),
        layouts=listed(request.layouts), codec_params=opts.params, pose_params=pose_params, seed=request.seed,
        cv_threads=request.cv_threads,
        dask=not request.scheduler and (not request.strategies or any(s.startswith("dask") for s in request.strategies)),
        overhead=plan_overhead_race(opts, usable) if command == "all" and codec else [],
        pipelines=pipelines_wanted(request, command), named_workloads=listed(request.workloads),
        command=command)
    if command == "run":
        from bench.plan.user import user_run

        inputs = inputs if inputs is not None else {}
        req.files, inputs["probe"] = user_run(request, inputs.get("probe"))
    try:
        return plan_race(req, usable, memory)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
