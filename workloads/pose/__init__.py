"""Pose: MediaPipe full-body landmarks for one image, as a workload (``pose``).

One module per concern:

``offline``    never the network: what is installed, which models ship, no downloader
``models``     models built lazily, one per thread, never across a fork
``inputs``     an input decoded to RGB (bad images become results), landmarks read back
``results``    what one image gives back, and how verification compares two of them
``keypoints``  ``--save-keypoints`` files (``.npz``), written and read
``workload``   :class:`PoseWorkload`, the hooks the harness calls

Importing this package never imports mediapipe: only building a model does.
"""
from __future__ import annotations

from workloads.pose.inputs import BadImage, as_rgb, landmarks_of
from workloads.pose.keypoints import load_keypoints, save_keypoints
from workloads.pose.models import ForkAfterModelError, fork_message, import_mediapipe, loads_in_this_process
from workloads.pose.offline import (INSTALL_HINT, OFFLINE_VERSION, PoseUnavailable, check_available,
                                    mediapipe_dir, mediapipe_version)
from workloads.pose.results import ATOL, COLUMNS, FAILED, LANDMARKS, NO_PERSON, PoseResult, comparable, image_id
from workloads.pose.workload import PoseWorkload

__all__ = [
    "ATOL", "COLUMNS", "FAILED", "INSTALL_HINT", "LANDMARKS", "NO_PERSON", "OFFLINE_VERSION",
    "BadImage", "ForkAfterModelError", "PoseResult", "PoseUnavailable", "PoseWorkload",
    "as_rgb", "check_available", "comparable", "fork_message", "image_id", "import_mediapipe",
    "landmarks_of", "load_keypoints", "loads_in_this_process", "mediapipe_dir",
    "mediapipe_version", "save_keypoints",
]
