"""Workloads by name, and every table the planner, the summaries and the snippets read
off what their classes declare. The tables are functions, read off the registry at each
call, so a class registered later (:func:`workloads.base.register`) is taken up by all.

Importing a workload module imports neither mediapipe nor a model, so the parent process
never builds a model before a fork.
"""
from __future__ import annotations

# the built-in workloads: each module registers its own (faults: the fault tests' only;
# ``workloads.pipelines.imread`` brings its package's pipelines too)
from workloads import faults, imwrite, overhead, tasks, user_task  # noqa: F401
from workloads.base import FAULTS, REGISTRY, WORKLOADS, ImageGroup, register, unregister
from workloads.pipelines import imread  # noqa: F401
from workloads.pose import workload as _pose  # noqa: F401


def named(**facts) -> tuple[str, ...]:
    """The advertised workloads whose class attributes equal ``facts``, in rank order."""
    return tuple(n for n, cls in WORKLOADS.items()
                 if all(getattr(cls, k) == v for k, v in facts.items()))


def file_workloads() -> tuple[str, ...]:
    """Workloads whose items are files: a worker is sent paths unless the parent decodes them."""
    return named(kind="files")


def overheads() -> tuple[str, ...]:
    """Workloads that measure overheads rather than work users do."""
    return named(kind="overhead")


def on_photos() -> tuple[str, ...]:
    """The workloads of files with image groups of their own: bench all's generated photos."""
    return tuple(n for n in file_workloads() if WORKLOADS[n].groups)


def groups(kind: str) -> list[tuple[str, ImageGroup]]:
    """(workload, group) for every default image group of the workloads of ``kind``, in
    each group's ``order`` (equal: rank order, then the class's own)."""
    out = [(n, g) for n in named(kind=kind) for g in WORKLOADS[n].groups]
    return sorted(out, key=lambda wg: wg[1].order)


def first(kind: str) -> str:
    """The first workload of ``kind`` in rank order: the one a plan of that kind measures
    when the command line names sets but no workload (imwrite for the codecs)."""
    return named(kind=kind)[0]


def has_layouts(name: str) -> bool:
    """Whether a workload writes files in output layouts (``with_layout``); False for a
    name the registry does not know (an older results file's)."""
    return getattr(REGISTRY.get(name), "with_layout", None) is not None


def workload_class(name: str):
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown workload {name!r}; choose from {', '.join(WORKLOADS)}") from None


def make_workload(name: str, params: dict | None = None):
    return workload_class(name).from_params(dict(params or {}))


__all__ = ["FAULTS", "REGISTRY", "WORKLOADS", "ImageGroup", "file_workloads", "first", "groups",
           "has_layouts", "make_workload", "named", "on_photos", "overheads", "register",
           "unregister", "workload_class"]
