"""Workloads by name. Modules are imported lazily so that choosing ``imwrite`` never
imports mediapipe (and so the parent process never builds a model before a fork).

A workload class provides:
  ``from_params(params: dict)``  build from JSON-able parameters (case files carry them)
  ``label``                      short text naming the parameters, e.g. ``jpg-q95``
  ``with_output(out_dir)``       a copy that writes under ``out_dir`` (if it writes)
  ``worker_setup()``             once per worker before any task (build a model); may
                                 return a dict of facts (e.g. ``model_load_s``) to report
  ``process(index, image)``      the work for one image; its return value is the result
  ``verifying()``                a copy whose results can be compared with serial
  ``outputs(results, count)``    {output name: comparable value}
  ``differs(a, b)``              whether two outputs of the same name disagree
  ``needs_verify_pass``          True when timed results are not comparable themselves

Optional, for workloads with a model (pose):
  ``has_model``                  strategies marked ``needs_model`` may be planned
  ``with_model_per_image()``     a copy that builds a new model in every task (seed 000)
  ``prepare_parent()``           the case process imports what a user's script would
  ``check_fork(start_method)``   raise before a pool forks a process that must not fork
  ``case_metadata(timing)``      extra per-case facts for the results file
  ``describe_difference(a, b)``  one line on how two differing outputs differ
  ``save_results(results, dir, case)``  write outputs (``--save-keypoints``)
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
    "pose": "workloads.pose.workload:PoseWorkload",
}
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
