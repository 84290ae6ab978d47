"""The holistic pipeline, written as a user writes a task for ``bench run``: face, both
hands and pose with ``mp.solutions.holistic``, one model per process. A Holistic graph's
face and hands depend on the image it processed before (docs/pipelines.md), so
:func:`same_keypoints` compares them only as the same detections.

    python -m bench run --images DIR --task workloads.pipelines.holistic:holistic \
        --init workloads.pipelines.holistic:load_model \
        --same workloads.pipelines.holistic:same_keypoints
"""
from __future__ import annotations

import cv2
import numpy as np

from workloads.pose.inputs import landmarks_of

PARTS = ("pose", "face", "left_hand", "right_hand")
POSE_ATOL = 1e-6
ROI_ATOL = 0.05        # face and hands: their graph's previous image moves them up to 0.022


def load_model():
    """One Holistic graph (its downloader disabled: bench never downloads)."""
    from workloads.pose.offline import check_available, solutions_pose

    check_available()
    solutions_pose()                      # replaces MediaPipe's model downloader
    from mediapipe.python.solutions import holistic

    return holistic.Holistic(static_image_mode=True, model_complexity=1)


def _points(found):
    if found is None:
        return None
    return np.array([(p.x, p.y, p.z) for p in found.landmark], dtype=np.float32)


def holistic(image, model) -> dict:
    """{part: landmarks or None} of one BGR image: pose (33, 4), face (468, 3), hands (21, 3)."""
    out = model.process(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    return {"pose": landmarks_of(out), "face": _points(out.face_landmarks),
            "left_hand": _points(out.left_hand_landmarks), "right_hand": _points(out.right_hand_landmarks)}


def same_keypoints(a: dict, b: dict) -> bool:
    """Same detections; pose within POSE_ATOL, face and hands within ROI_ATOL."""
    for part in PARTS:
        x, y = a.get(part), b.get(part)
        if (x is None) != (y is None):
            return False
        atol = POSE_ATOL if part == "pose" else ROI_ATOL
        if x is not None and (x.shape != y.shape or not np.allclose(x, y, rtol=0.0, atol=atol)):
            return False
    return True
