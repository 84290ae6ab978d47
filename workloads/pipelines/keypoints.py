"""The keypoints pipeline, written as a user writes a task for ``bench run``: the
OpenPose script's flow with MediaPipe (docs/pipelines.md). The script built its model
inside every task, which the harness races as the anti-pattern.

    python -m bench run --images DIR --task workloads.pipelines.keypoints:keypoints \
        --init workloads.pipelines.keypoints:load_model --init-per-item
"""
from __future__ import annotations

import os

import cv2

from workloads.pose.inputs import landmarks_of

SIDE = 256


def load_model():
    """One MediaPipe Pose graph (mediapipe 0.10.21 ships its model: nothing is downloaded)."""
    from workloads.pose.offline import check_available, solutions_pose

    check_available()
    return solutions_pose().Pose(static_image_mode=True, model_complexity=1)


def keypoints(image, pose, *, name, out_dir):
    """Landmarks of one BGR image as a (33, 4) float32 array (None: nobody found),
    also written to ``out_dir/<name without extension>.txt``."""
    small = cv2.resize(image, (SIDE, SIDE), interpolation=cv2.INTER_AREA)
    landmarks = landmarks_of(pose.process(cv2.cvtColor(small, cv2.COLOR_BGR2RGB)))
    path = os.path.join(out_dir, os.path.splitext(name)[0] + ".txt")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        for row in (landmarks if landmarks is not None else ()):
            fh.write(" ".join(f"{v:.6f}" for v in row) + "\n")
    return landmarks
