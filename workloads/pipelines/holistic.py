"""The holistic pipeline, written as a user writes a task for ``bench run``.

The MediaPipe keypoints script: face, both hands and pose of every image with
``mp.solutions.holistic`` (mediapipe 0.10.21 ships every model it needs), one model per
process, the keypoints checked against a single-process run with ``numpy.allclose``.

Even with ``static_image_mode=True`` a Holistic graph's face landmarks depend on the
image the same graph processed before: measured on the generated photos, the same image
after another one moves them by up to 0.022 (coordinates normalised to the image; most
images 0.001-0.01), while the pose landmarks do not move at all. A pool's workers see
other images before each one than the serial loop does, so :func:`same_keypoints`
compares the pose within 1e-6, and the face and hands as the same detections within
:data:`ROI_ATOL` (a check that they are the same face and hands, not of their precision).

    python -m bench run --images DIR --task workloads.pipelines.holistic:holistic \
        --init workloads.pipelines.holistic:load_model \
        --same workloads.pipelines.holistic:same_keypoints
"""
from __future__ import annotations

import cv2
import numpy as np

PARTS = ("pose", "face", "left_hand", "right_hand")
POSE_ATOL = 1e-6
ROI_ATOL = 0.05        # face and hands: their graph's previous image moves them (see above)


def load_model():
    """One Holistic graph (its downloader disabled: bench never downloads)."""
    from workloads.pose.offline import check_available, solutions_pose

    check_available()
    solutions_pose()                      # replaces MediaPipe's model downloader
    from mediapipe.python.solutions import holistic

    return holistic.Holistic(static_image_mode=True, model_complexity=1)


def _points(found, visibility: bool):
    if found is None:
        return None
    if visibility:
        return np.array([(p.x, p.y, p.z, p.visibility) for p in found.landmark], dtype=np.float32)
    return np.array([(p.x, p.y, p.z) for p in found.landmark], dtype=np.float32)


def holistic(image, model) -> dict:
    """{part: landmarks or None} of one BGR image: pose (33, 4), face (468, 3), hands (21, 3)."""
    out = model.process(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    return {"pose": _points(out.pose_landmarks, True), "face": _points(out.face_landmarks, False),
            "left_hand": _points(out.left_hand_landmarks, False),
            "right_hand": _points(out.right_hand_landmarks, False)}


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
