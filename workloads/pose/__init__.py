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

from workloads.pose.inputs import BadImage, as_rgb
from workloads.pose.keypoints import load_keypoints
from workloads.pose.models import ForkAfterModelError
from workloads.pose.offline import PoseUnavailable, check_available
from workloads.pose.results import NO_PERSON, PoseResult
from workloads.pose.workload import PoseWorkload

__all__ = ["BadImage", "ForkAfterModelError", "NO_PERSON", "PoseResult", "PoseUnavailable", "PoseWorkload",
           "as_rgb", "check_available", "load_keypoints"]
