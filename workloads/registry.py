"""Workloads by name. Modules are imported lazily so that choosing ``imwrite`` never
imports mediapipe (and so the parent process never builds a model before a fork).

What a workload class provides is :class:`workloads.base.Workload`, which every
workload inherits.
"""
from __future__ import annotations

import importlib

WORKLOADS = {
    "imwrite": "workloads.imwrite:ImwriteWorkload",
    "imencode": "workloads.imwrite:ImencodeWorkload",
    "noop": "workloads.tasks:NoopWorkload",
    "roundtrip": "workloads.overhead:RoundTripWorkload",
    "pool-start": "workloads.overhead:PoolStartWorkload",
    "pickle": "workloads.overhead:PickleWorkload",
    "pose": "workloads.pose:PoseWorkload",
    # on files: a user's task (bench run), reading alone, the built-in pipelines
    "task": "workloads.user_task:TaskWorkload",
    "task-init": "workloads.user_task:InitTaskWorkload",
    "imread": "workloads.pipelines.imread:ImreadWorkload",
    "keypoints": "workloads.pipelines:KeypointsWorkload",
    "annotate": "workloads.pipelines:AnnotateWorkload",
    "holistic": "workloads.pipelines:HolisticWorkload",
}
# the pipelines on generated photos that `bench all` measures (bench.plan.user)
PIPELINES = ("annotate", "keypoints", "holistic")
# workloads whose items are files: a worker is sent paths unless the parent decodes them
FILE_WORKLOADS = ("task", "task-init", "imread") + PIPELINES
# Workloads that measure overheads rather than work users do.
OVERHEADS = ("pool-start", "roundtrip", "pickle")

# Deliberately failing workloads for fault tests (workloads/faults.py): accepted by
# ``--workloads`` but never advertised as benchmarks.
FAULTS = {
    "fault-raise": "workloads.faults:RaiseWorkload",
    "fault-kill-worker": "workloads.faults:KillWorkerWorkload",
    "fault-hang": "workloads.faults:HangWorkload",
}


def workload_class(name: str):
    try:
        module, cls = {**WORKLOADS, **FAULTS}[name].split(":")
    except KeyError:
        raise ValueError(f"unknown workload {name!r}; choose from {', '.join(WORKLOADS)}") from None
    return getattr(importlib.import_module(module), cls)


def make_workload(name: str, params: dict | None = None):
    return workload_class(name).from_params(dict(params or {}))
