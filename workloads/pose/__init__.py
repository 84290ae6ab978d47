"""Pose: MediaPipe full-body landmarks for one image, as a workload (``pose``), one
module per concern. Importing this package never imports mediapipe: building a model does.
"""
from __future__ import annotations

from workloads.pose.inputs import BadImage, as_rgb
from workloads.pose.keypoints import load_keypoints
from workloads.pose.models import ForkAfterModelError
from workloads.pose.offline import PoseUnavailable, check_available
from workloads.pose.results import NO_PERSON, PoseResult
from workloads.pose.workload import PoseWorkload

__all__ = ["BadImage", "ForkAfterModelError", "NO_PERSON", "PoseResult", "PoseUnavailable", "PoseWorkload",
           "as_rgb", "check_available", "load_keypoints"]
