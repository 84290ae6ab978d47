"""What a Pose graph gets and gives: an input decoded to RGB, landmarks read back out.
Bad images are results, not crashes: :class:`BadImage` is that image's failure."""
from __future__ import annotations

import os

import numpy as np


class BadImage(ValueError):
    """One input that cannot be processed; recorded as that image's failure."""


def as_rgb(item) -> np.ndarray:
    """The uint8 HxWx3 C-contiguous RGB image MediaPipe gets, from an RGB array or a path
    to an image file (read with OpenCV); else :class:`BadImage`."""
    if isinstance(item, (str, bytes, os.PathLike)):
        import cv2

        path = os.fsdecode(item)
        bgr = cv2.imread(path, cv2.IMREAD_COLOR)
        if bgr is None:
            raise BadImage(f"cannot read {path}: missing, corrupt or not an image file")
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    if not isinstance(item, np.ndarray):
        raise BadImage(f"not an image: {type(item).__name__}")
    if item.size == 0:
        raise BadImage(f"empty image (shape {item.shape})")
    if item.dtype != np.uint8:
        raise BadImage(f"wrong dtype {item.dtype}: pose needs uint8 RGB pixels")
    if item.ndim != 3 or item.shape[2] != 3:
        raise BadImage(f"wrong shape {item.shape}: pose needs HxWx3 RGB")
    return np.ascontiguousarray(item)


def landmarks_of(output) -> np.ndarray | None:
    """The (33, 4) float32 landmarks of a ``Pose.process`` output; None: no person."""
    found = output.pose_landmarks
    if found is None:
        return None
    return np.array([(p.x, p.y, p.z, p.visibility) for p in found.landmark], dtype=np.float32)
