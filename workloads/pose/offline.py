"""The offline guard: can pose run as asked without ever touching the network?
(docs/pose.md: the models mediapipe 0.10.21 ships, and the downloader replaced.)"""
from __future__ import annotations

import functools
import importlib.util
import os

OFFLINE_VERSION = "0.10.21"
BACKENDS = ("solutions", "tasks")
LANDMARK_MODELS = {0: "pose_landmark_lite.tflite", 1: "pose_landmark_full.tflite",
                   2: "pose_landmark_heavy.tflite"}
DETECTOR_MODEL = "pose_detection.tflite"

INSTALL_HINT = ("install mediapipe 0.10.21, the last release that ships its pose models: "
                "pip install 'mediapipe==0.10.21' 'numpy<2' (wheels for Python 3.9-3.12)")
TASKS_NOT_AVAILABLE = (
    "not available: the MediaPipe Tasks backend (PoseLandmarker with a .task model file given "
    "by --pose-model, the only option on mediapipe>=0.10.30) is not implemented because it "
    "could not be tested here (no .task file can be downloaded offline); to benchmark pose, "
    + INSTALL_HINT)


class PoseUnavailable(ValueError):
    """Pose cannot run with this install or these options; the message is one line."""


def mediapipe_dir() -> str | None:
    """Folder of the installed mediapipe package, found without importing it."""
    try:
        spec = importlib.util.find_spec("mediapipe")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


def mediapipe_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("mediapipe")
    except metadata.PackageNotFoundError:
        return "not installed"


@functools.lru_cache(maxsize=None)
def check_available(backend: str = "solutions", model_complexity: int = 1,
                    model_path: str = "") -> None:
    """Raise :class:`PoseUnavailable` unless pose can run fully offline as asked; only
    looks at files (mediapipe is not imported)."""
    if backend not in BACKENDS:
        raise PoseUnavailable(f"unknown pose backend {backend!r}; choose from {', '.join(BACKENDS)}")
    if backend == "tasks" or model_path:
        raise PoseUnavailable(TASKS_NOT_AVAILABLE)
    if isinstance(model_complexity, bool) or model_complexity not in LANDMARK_MODELS:
        raise PoseUnavailable(f"model_complexity must be 0, 1 or 2, got {model_complexity!r}")
    root = mediapipe_dir()
    if root is None:
        raise PoseUnavailable("not available: mediapipe is not installed; " + INSTALL_HINT)
    version = mediapipe_version()
    if not os.path.isfile(os.path.join(root, "python", "solutions", "pose.py")):
        raise PoseUnavailable(
            f"not available: mediapipe {version} has no mp.solutions and ships no pose models "
            f"(releases >= 0.10.30 need a downloaded .task file); " + INSTALL_HINT)
    detector = os.path.join(root, "modules", "pose_detection", DETECTOR_MODEL)
    if not os.path.isfile(detector):
        raise PoseUnavailable(f"not available: mediapipe {version} lacks {DETECTOR_MODEL}; "
                              + INSTALL_HINT)
    landmark = LANDMARK_MODELS[model_complexity]
    if not os.path.isfile(os.path.join(root, "modules", "pose_landmark", landmark)):
        raise PoseUnavailable(
            f"model_complexity {model_complexity} refused: it needs {landmark}, which mediapipe "
            f"{version} does not ship, and MediaPipe would download it from the internet - bench "
            f"never does; use model_complexity 1 ({LANDMARK_MODELS[1]} ships with mediapipe "
            f"{OFFLINE_VERSION})")


def _refuse_download(*args, **kwargs):
    raise PoseUnavailable(
        f"MediaPipe tried to download a model ({args[0] if args else '?'}); bench runs offline "
        "and never does - use model_complexity 1")


def solutions_pose():
    """``mediapipe.python.solutions.pose`` with its downloader disabled."""
    from mediapipe.python.solutions import download_utils, pose

    download_utils.download_oss_model = _refuse_download
    return pose
