"""How a run measures: the frozen settings every case of a run shares. Each default lives
here only (the command line, the results file's ``settings`` and case processes read it)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
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

    @classmethod
    def from_dict(cls, data: Mapping | None) -> "RunSettings":
        """From a results file or a case spec; keys this version does not know are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in dict(data or {}).items() if k in known})

    def chosen(self) -> dict:
        """The settings the user chose (all but the capacity): resume compares them; the
        results file stores them with the capacity (``asdict``)."""
        return {k: v for k, v in asdict(self).items() if k != "capacity"}


DEFAULTS = RunSettings()
