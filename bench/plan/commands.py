"""What each command means: which groups and probes its plan holds and how they are
measured, from the user's :class:`RunRequest` (a bad choice is one UsageError line)."""
from __future__ import annotations

import sys

from bench.errors import UsageError
from bench.model.request import RunRequest, listed
from bench.plan.configurations import PlanOptions, default_strategies
from bench.strategies import default_start_method
from bench.texts import messages
from workloads.codecs import Codec
from workloads.imwrite import ImwriteWorkload
from workloads.registry import named as workloads_named
from workloads.registry import on_photos


# bench dask's image set: a cluster pays off per task only when the work per task is
# large; 256x256 shows it without a long run
DASK_SIZE = "256x256x3"


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
        # files (bench.plan.file_groups)
        workloads = [w for w in workloads if w not in workloads_named(kind="model") and w not in on_photos()]
    return PlanOptions(quick=request.quick, workloads=listed(workloads),
                       sizes=listed(request.sizes), contents=listed(request.contents),
                       n_images=request.n_images,
                       strategies=listed(request.strategies) or list(default_strategies()),
                       explicit_strategies=tuple(request.strategies or ()),
                       workers=listed(request.workers), chunk_sizes=listed(request.chunk_sizes),
                       start_methods=listed(request.start_methods), layouts=listed(request.layouts),
                       params=params, seed=request.seed)


def wanted(request: RunRequest, command: str) -> tuple[bool, bool]:
    """(codec workloads, pose) for this command. ``all``/``list`` run both unless
    --workloads says otherwise; given --sizes/--content alone they mean imwrite."""
    if command in ("run", "overhead"):
        return False, False          # a user's task on their files; the probes alone
    if command == "pose":
        return False, True
    if command == "dask":            # the cluster on images, and on pose unless left out
        return (request.workloads is None or any(w != "pose" for w in request.workloads),
                request.workloads is None or "pose" in request.workloads)
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


def make_plan(request: RunRequest, command: str, usable: int | None = None, memory: int | None = None,
              inputs: dict | None = None):
    """The plan of any measuring command. ``inputs`` (the run's plan inputs) keeps
    ``run``'s probe of the task, so a resumed run plans the same cases."""
    from bench.plan.overhead import dask_probes, plan_overhead, plan_overhead_race
    from bench.plan.planner import PlanRequest, build_plan
    from bench.measure.machine import available_cpus, memory_available
    from workloads.images import ImageSize
    from workloads.pose import PoseUnavailable, PoseWorkload, check_available

    codec, pose = wanted(request, command)
    opts = plan_options(request)
    usable = usable or available_cpus()
    memory = memory or memory_available()
    params = {}
    if pose:
        try:
            check_available(request.pose_backend, request.pose_model_complexity, request.pose_model or "")
            params = PoseWorkload.params_for(request.pose_model_complexity, request.pose_backend,
                                             request.pose_model)
        except PoseUnavailable as exc:
            # pose named, or a pose option given (not the request's default): refused
            if (command == "pose" or "pose" in (request.workloads or ())
                    or request.pose_model_complexity != RunRequest.pose_model_complexity
                    or request.pose_backend != RunRequest.pose_backend or request.pose_model):
                raise UsageError(str(exc)) from None
            print(messages.POSE_SKIPPED.format(why=exc), file=sys.stderr)
            pose = False
    in_full = request.exhaustive or command in ("overhead", "dask")
    req = PlanRequest(
        mode="quick" if request.quick else "full", budget_s=request.budget,
        codec_workloads=(opts.workloads if codec else []), pose=pose, sizes=opts.sizes,
        contents=opts.contents, n_images=opts.n_images, strategies=listed(request.strategies),
        workers=opts.workers, chunk_sizes=opts.chunk_sizes, start_methods=opts.start_methods,
        layouts=opts.layouts, codec_params=opts.params, pose_params=params, seed=opts.seed,
        cv_threads=request.cv_threads,
        dask=not request.scheduler and (not request.strategies or any(s.startswith("dask") for s in request.strategies)),
        overhead=plan_overhead_race(opts, usable) if command == "all" and codec else [],
        pipelines=pipelines_wanted(request, command), named_workloads=listed(request.workloads),
        command=command, unbounded=command in ("overhead", "dask"))
    if command == "overhead":
        req.overhead = plan_overhead(opts, usable)
    if command == "dask":
        # the cluster's start-up and round trips, then one image set through the cluster
        # and through the best local pools at the same worker count
        workers = cluster_workers(request) or usable
        req.overhead = dask_probes(opts, workers)
        req.dask_only, req.workers = True, [workers]
        req.sizes = req.sizes or [ImageSize.parse(DASK_SIZE)]
        req.layouts = req.layouts or ["flat"]
        req.start_methods = req.start_methods or [default_start_method()]
    if command == "run":
        from bench.plan.file_groups import user_run

        inputs = inputs if inputs is not None else {}
        req.files, inputs["probe"] = user_run(request, inputs.get("probe"))
    try:
        plan = build_plan(req, usable, memory)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return plan.measure_in_full(request.values) if in_full else plan

