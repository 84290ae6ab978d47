"""How a run measures: the frozen settings every case of a run shares. Each default lives
here only (the command line, the results file's ``settings`` and case processes read it)."""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Mapping


@dataclass(frozen=True)
class RunSettings:
    # chosen by the user (stored in the results file, compared on --resume)
    warmups: int = 1                  # untimed passes on the warm pool before the timed ones
    values: int = 3                   # timed passes per case
    verify: bool = True               # every case's output checked against the serial loop's
    paired_serial: bool = True        # a serial pass timed next to every pool pass
    cv_threads: int | None = None     # cv2.setNumThreads in every worker; None: OpenCV's own
    out_dir: str | None = None        # where images are written; None: a temporary folder
    scheduler: str | None = None      # Dask: an existing scheduler instead of a LocalCluster
    scheduler_timeout: float = 10     # Dask: seconds to wait for that scheduler
    save_keypoints: str | None = None  # pose: write each image set's landmarks here
    # found by the run itself
    capacity: float | None = None     # measured parallel capacity of the machine

    # the settings the user chose: the results file records them, resume compares them
    CHOSEN = ("warmups", "values", "verify", "paired_serial", "cv_threads", "out_dir",
              "scheduler", "scheduler_timeout", "save_keypoints")

    @classmethod
    def from_dict(cls, data: Mapping | None) -> "RunSettings":
        """From a results file or a case spec; keys this version does not know are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in dict(data or {}).items() if k in known})

    @classmethod
    def optional(cls) -> set:
        """The settings whose default is None (a None given keeps its meaning)."""
        return {f.name for f in fields(cls) if f.default is None}

    def chosen(self) -> dict:
        return {k: getattr(self, k) for k in self.CHOSEN}

    def recorded(self) -> dict:
        """What the results file stores: the chosen settings and the measured capacity."""
        return dict(self.chosen(), capacity=self.capacity)


DEFAULTS = RunSettings()
