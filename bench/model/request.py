"""What the user asked a measuring command for: one frozen request, built once by the CLI.

The planner, the run and ``--resume`` read its fields, never argparse's namespace, and
nothing changes it (a value the CLI resolves is a new request, ``dataclasses.replace``);
list options are tuples. Not the planner's ``PlanRequest``, which is derived from it.
"""
from __future__ import annotations

from dataclasses import dataclass

from bench.model.settings import DEFAULTS, RunSettings


@dataclass(frozen=True)
class RunRequest:
    command: str = "all"
    argv: tuple = ()                  # the command line as typed (the results file keeps it)
    # what to measure
    quick: bool = False
    workloads: tuple | None = None
    sizes: tuple | None = None
    contents: tuple | None = None
    n_images: int | None = None
    strategies: tuple | None = None
    workers: tuple | None = None
    chunk_sizes: tuple = ("auto",)
    start_methods: tuple | None = None
    layouts: tuple | None = None
    codec: str = "jpg"
    jpeg_quality: int = 95
    png_level: int = 3
    seed: int = 0
    pose_model_complexity: int = 1
    pose_backend: str = "solutions"
    pose_model: str | None = None
    # how to run
    budget: float | None = None
    exhaustive: bool = False
    explain: str = "finalists"
    values: int = DEFAULTS.values
    warmups: int = DEFAULTS.warmups
    paired_serial: bool = DEFAULTS.paired_serial
    verify: bool = DEFAULTS.verify
    cv_threads: int | None = DEFAULTS.cv_threads
    case_timeout: float | None = None
    resume: str | None = None
    out_dir: str | None = DEFAULTS.out_dir
    scheduler: str | None = DEFAULTS.scheduler
    scheduler_timeout: float = DEFAULTS.scheduler_timeout
    results_dir: str = "results"
    plots_dir: str = "plots"
    save_keypoints: str | None = DEFAULTS.save_keypoints
    cache_dir: str | None = None
    # bench run: a user's task on their files
    task: str | None = None
    images: str | None = None
    init: str | None = None
    init_per_item: bool = False
    decode: str = "color"
    limit: int | None = None
    atol: float | None = None
    same: str | None = None
    # bench list
    json: bool = False
    target: str = "all"

    def settings(self) -> RunSettings:
        """The run settings the user chose (an unset optional one keeps its default)."""
        given = {name: getattr(self, name) for name in DEFAULTS.chosen()}
        return RunSettings(**{k: v for k, v in given.items() if v is not None})


def listed(values) -> list | None:
    """A request's tuple as the list the planner's options hold (None stays None)."""
    return None if values is None else list(values)
