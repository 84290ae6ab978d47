"""What one image gives back (landmarks, no person, or a failure), and how verification
compares two of them: as the MediaPipe keypoints script checks a pool against a
single-process run, ``np.allclose(atol=1e-6)`` per image, in input order.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

LANDMARKS = 33
COLUMNS = ("x", "y", "z", "visibility")
NO_PERSON = "no person"
FAILED = "failed: "
ATOL = 1e-6                      # the keypoints script's np.allclose(atol=1e-6)


class PoseResult(NamedTuple):
    """What one image gives back to the parent (small: ~600 bytes pickled)."""
    landmarks: np.ndarray | None     # float32 (33, 4): x, y, z, visibility; None: no person
    error: str | None = None         # why this image failed, or None
    model_build_s: float | None = None       # model-per-image only: Pose() constructor
    first_inference_s: float | None = None   # model-per-image only: process() on the new model


def image_id(index: int) -> str:
    return f"{index:05d}"


def comparable(result: PoseResult):
    """What verification compares: the landmark array, NO_PERSON or 'failed: reason'."""
    if result.error is not None:
        return FAILED + result.error
    if result.landmarks is None:
        return NO_PERSON
    return result.landmarks


def differs(a, b) -> bool:
    """Whether two comparable values of one image disagree (landmarks: beyond ATOL)."""
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.shape != b.shape or not np.allclose(a, b, atol=ATOL)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return True
    return a != b


def describe_difference(serial, got) -> str:
    """One line on how a case's value for an image differs from the serial loop's."""
    def what(v):
        return f"a person ({len(v)} landmarks)" if isinstance(v, np.ndarray) else str(v)

    if isinstance(serial, np.ndarray) and isinstance(got, np.ndarray) and serial.shape == got.shape:
        delta = np.abs(serial.astype(np.float64) - got.astype(np.float64))
        k, c = np.unravel_index(int(np.argmax(delta)), delta.shape)
        return (f"largest difference {delta[k, c]:.3g} at landmark {k} {COLUMNS[c]} "
                f"(allowed: atol={ATOL:g})")
    return f"serial gave {what(serial)}, this case gave {what(got)}"
