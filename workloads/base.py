"""The workload interface: every hook the harness calls on a workload, and its default.

A workload is what is done to one image. It is pickled with every task exactly as a
user's script pickles its arguments, so the per-task cost is the one users pay; most
are small frozen dataclasses. :class:`Workload` has class attributes and methods only
(no ``__init__``, no ``__slots__``) so that it never changes how a
``@dataclass(frozen=True)`` subclass is built, compared or pickled.

Required (no default):
  ``from_params(params)``  build from JSON-able parameters (case files carry them)
  ``label``                short text naming the parameters, e.g. ``jpg-q95``
  ``process(index, image)`` the work for one image; its return value is the result
  ``outputs(results, count)`` {output name: comparable value}
  ``differs(a, b)``        whether two outputs of the same name disagree
  ``needs_verify_pass``    True when timed results are not comparable themselves

Other hooks and capabilities are documented where :class:`Workload` declares them;
a capability left ``None`` is not offered, and the harness does without. What the
planner, the summaries and the snippets need is declared on the class too, and
:func:`register` is the one entry point: every table ``workloads.registry`` derives takes
a registered class up with no other module edited.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

# what a workload measures: ``codec`` pixels in, bytes out (the image matrices of ``bench
# imwrite``); ``model`` a stateful task with a model per worker (pose: its own matrix, the
# strategies that suit a model); ``files`` items that are files (a worker is sent paths
# unless the parent decodes them: bench.plan.file_groups); ``overhead`` a pool's own costs, not
# work users do; ``fault`` a deliberate failure for the fault tests (accepted by
# ``--workloads``, never advertised); "" none of those (the probes' no-op)
KINDS = ("codec", "model", "files", "overhead", "fault", "")


@dataclass(frozen=True)
class ImageGroup:
    """One of a workload's default image sets: what its plans measure unless the command
    line names sets of its own."""
    size: str                        # WIDTHxHEIGHTxCHANNELS
    content: str                     # noise, smooth, person, photos (generated files)
    race: bool | None = None         # in the budgeted race: True in its --quick too, False
                                     # in a full run only, None not raced
    optional: bool = False           # a budget too short for every group drops it first
    order: int = 0                   # its place among the groups of its kind (lower first;
                                     # equal: the registry's order, then the class's own)


class Workload:
    """Base of every workload: declares the hooks the harness uses (see the module)."""

    # -- required, no default: from_params, label, process, outputs, differs (see the module)
    needs_verify_pass: bool

    # -- what the planner, the summaries and the snippets read off the registry ----------
    name = ""              # the name every plan, results file and option uses
    rank: int | None = None  # its place in every list of workloads (lower first; unique,
                           # required), so no list depends on which module was imported first
    kind = ""              # see KINDS
    groups: tuple[ImageGroup, ...] = ()  # its default image sets (the first: the main one)
    pipeline = False       # a built-in pipeline of ``bench all`` on generated photos: it shares
                           # that budget, so its tiers come after the main image sets'
    colour_only = False    # measured on colour images only (WIDTHxHEIGHTx3)
    contents: tuple[str, ...] | None = None  # generated contents it is measured on (None: any)
    opencv_threads = False  # OpenCV's own threads matter: one size is also measured with
                           # cv2.setNumThreads(1) in every worker
    dask_strategies: tuple[str, ...] = ()  # the Dask strategies a full race adds next to the local pools
    snippet = ""           # the shape of ``recommend --code``'s work (bench.output.snippet_work):
                           # imwrite, imencode, pose; "" for none

    # -- optional, with the harness's default ----------------------------------------
    has_model = False      # True: strategies marked ``needs_model`` may be planned, and no
                           # serial loop is timed in a case process that forks a pool
    fixed_group = False    # True: the image set is a dummy, left out of the group's name

    def with_output(self, out_dir: str):
        """A copy that writes under ``out_dir`` (a dataclass with an ``out_dir`` field)."""
        return replace(self, out_dir=out_dir)

    def worker_setup(self):
        """Once per worker before any task (build a model); may return a dict of facts
        (e.g. ``model_load_s``) to report."""

    def verifying(self):
        """A copy whose results can be compared with serial."""
        return self

    def expected_names(self, count: int) -> list[str]:
        """The file names a pass of ``count`` images writes."""
        return []

    def for_task(self, start: int):
        """With a folder per task: the copy the slice-task starting at ``start`` writes with."""
        return self

    def with_model_per_image(self):
        """With a model: a copy that builds a new model in every task (the OpenPose script)."""
        return self

    def prepare_parent(self) -> None:
        """The case process imports what a user's script would (pose: mediapipe, no model)."""

    def check_fork(self, start_method: str) -> None:
        """Raise before a pool forks a process that must not fork."""

    def case_metadata(self, timing) -> dict:
        """Extra per-case facts for the results file (called before verification)."""
        return {}

    # -- optional capabilities: None when not offered ----------------------------------
    with_layout = None     # (layout) a copy writing in ``flat`` or ``per-task``; None: it
                           # writes no files, and a case asking for a layout is refused
    written_names = None   # () every file name written (twice if written twice); None:
                           # the output folder is listed
    describe_difference = None  # (a, b) one line on how two outputs differ; None: the first
                                # differing output is named without detail
    save_results = None    # (results, directory, case, indices) write outputs
                           # (``--save-keypoints``) and return the file's path
    # (size, params) / bytes: refine the run's resource estimates; None: the generic ones
    # (JPEG encoding time, imwrite's worst-case file size, numpy and OpenCV)
    expected_seconds_per_image = None
    bytes_written_per_image = None
    memory_per_worker = None
    measure = None         # (strategy, images, repeats): a probe that times itself (pool
                           # start, pickling); None: the harness times passes

def check_params(params: dict, allowed, what: str) -> None:
    """Refuse parameters a workload does not take (a case file's or the command line's)."""
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(f"unknown {what} parameter(s) {', '.join(unknown)}")


REGISTRY: dict[str, type[Workload]] = {}     # every workload, faults included, in rank order
WORKLOADS: dict[str, type[Workload]] = {}    # those ``--workloads`` advertises
FAULTS: dict[str, type[Workload]] = {}       # the fault tests': accepted, never advertised


def register(cls: type[Workload], name: str | None = None) -> type[Workload]:
    """The one entry point for a workload: once registered, the planner, the summaries and
    the snippets read what it declares. ``name``: when several classes share one (the
    fault tests'). Kept in ``rank`` order."""
    name = name or cls.name
    if not name or cls.rank is None:
        raise ValueError(f"{cls.__name__}: a workload declares its name and its rank")
    if cls.kind not in KINDS:
        raise ValueError(f"{name}: kind {cls.kind!r}; one of {', '.join(map(repr, KINDS))}")
    for other_name, other in REGISTRY.items():
        if other_name != name and other.rank == cls.rank:
            raise ValueError(f"{name} and {other_name} share rank {cls.rank}")
    _set({**REGISTRY, name: cls})
    return cls


def unregister(name: str) -> None:
    """Forget a workload (a test's own, once the test is done)."""
    _set({n: c for n, c in REGISTRY.items() if n != name})


def _set(workloads: dict) -> None:
    # in place: every module that imported these dicts sees the change
    ordered = sorted(workloads.items(), key=lambda kv: kv[1].rank)
    for table, faults in ((REGISTRY, None), (WORKLOADS, False), (FAULTS, True)):
        table.clear()
        table.update((n, c) for n, c in ordered if faults is None or (c.kind == "fault") == faults)
