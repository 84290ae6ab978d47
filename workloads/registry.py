"""Workloads by name. Modules are imported lazily so that choosing ``imwrite`` never
imports mediapipe (and so the parent process never builds a model before a fork).

A workload class provides:
  ``from_params(params: dict)``  build from JSON-able parameters (case files carry them)
  ``label``                      short text naming the parameters, e.g. ``jpg-q95``
  ``with_output(out_dir)``       a copy that writes under ``out_dir`` (if it writes)
  ``worker_setup()``             once per worker before any task (build a model)
  ``process(index, image)``      the work for one image; its return value is the result
  ``verifying()``                a copy whose results can be compared with serial
  ``outputs(results, count)``    {output name: comparable value}
  ``differs(a, b)``              whether two outputs of the same name disagree
  ``needs_verify_pass``          True when timed results are not comparable themselves
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
