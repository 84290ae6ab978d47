"""Where compared machines' OpenCV builds differ (recorded by :mod:`bench.measure.opencv_build`).

A difference is only claimed between values both files know (not missing, not "unknown").
OpenCV's thread count follows the CPU count by default, so it differs only when some
file's count is not its own CPU count.
"""
from __future__ import annotations

from dataclasses import dataclass

from bench.analysis.rows import numeric
from bench.measure import opencv_build as ob

FACTS = (ob.VERSION, ob.JPEG, ob.JPEG_SIMD, ob.PNG, ob.SIMD_BASELINE, ob.SIMD_DISPATCH, ob.PARALLEL)
THREADS = "bench_cv2_threads"
CPUS = "bench_available_cpus"


@dataclass(frozen=True)
class Difference:
    key: str                            # the metadata key of the fact
    values: tuple                       # (label, value as recorded) of each file that knows it
    cpus: tuple = ()                    # THREADS only: (label, that file's CPU count or None)


def _known(value) -> bool:
    return value is not None and str(value).strip() not in ("", ob.UNKNOWN)


def recorded(raw: dict) -> dict:
    """The build facts one file recorded (unknown ones left out), for JSON output."""
    return {k: raw[k] for k in (*FACTS, THREADS) if _known(raw.get(k))}


def differences(raws: list[dict], labels: list[str]) -> list[Difference]:
    """The facts two or more files know and do not agree on, in FACTS order, the thread
    count last. ``raws``: each file's machine metadata (``Machine.raw``)."""
    out = []
    for key in FACTS:
        values = tuple((lab, str(raw[key])) for lab, raw in zip(labels, raws) if _known(raw.get(key)))
        if len({v for _, v in values}) > 1:
            out.append(Difference(key, values))
    threads = [(lab, numeric(raw.get(THREADS)), numeric(raw.get(CPUS)))
               for lab, raw in zip(labels, raws) if numeric(raw.get(THREADS)) is not None]
    if len({t for _, t, _ in threads}) > 1 and any(t != cpus for _, t, cpus in threads):
        out.append(Difference(THREADS, tuple((lab, str(t)) for lab, t, _ in threads),
                              tuple((lab, cpus) for lab, _, cpus in threads)))
    return out
