"""The pose workload: MediaPipe full-body landmarks for one image (seeds 000 and 003).

Backend: mediapipe 0.10.21's ``mp.solutions.pose.Pose(static_image_mode=True,
model_complexity=1)``, the last release that ships its pose models, so it runs fully
offline. Each image gives either the 33 landmarks (x, y, z, visibility) as a float32
array of shape (33, 4), or "no person", or a per-image failure with its reason.

Rules this module enforces (DESIGN.md section 5):

* **Never the network.** ``model_complexity`` 0 and 2 need model files 0.10.21 does not
  ship; MediaPipe would download them. They are refused up front by
  :func:`check_available` (a file-existence check that does not even import mediapipe),
  and as a second guard MediaPipe's downloader is replaced by one that raises.
* **Never a model in a process that will fork.** mediapipe is imported lazily and a
  model is only built by :meth:`PoseWorkload.worker_setup` (the pool initializer, in the
  worker) or lazily by :meth:`PoseWorkload.process` in the process that runs it. A
  parent that built a model and then forks gets a readable :class:`ForkAfterModelError`
  (from :meth:`PoseWorkload.check_fork` before the fork, and in any forked worker)
  instead of workers dying with ``malloc(): unaligned tcache chunk detected``.
* **One model per thread.** MediaPipe graphs are not thread-safe; models live in a
  ``threading.local`` and are closed when their thread ends (without ``close()`` a
  graph and its two OS threads leak: its output callback keeps it alive).
* **Bad images are results, not crashes.** Wrong dtype or shape, an empty array or an
  unreadable file becomes a failed :class:`PoseResult` with the reason; the other
  images go on. MediaPipe refuses every later image once its graph has failed, so a
  failing graph is dropped and rebuilt.

Results are verified against the serial loop like seed 003's script does:
``np.allclose(atol=1e-6)`` per image, same detections, in input order.
"""
from __future__ import annotations

import atexit
import functools
import importlib.util
import json
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

LANDMARKS = 33
COLUMNS = ("x", "y", "z", "visibility")
NO_PERSON = "no person"
FAILED = "failed: "
ATOL = 1e-6                      # seed 003's np.allclose(atol=1e-6)
OFFLINE_VERSION = "0.10.21"
BACKENDS = ("solutions", "tasks")
LANDMARK_MODELS = {0: "pose_landmark_lite.tflite", 1: "pose_landmark_full.tflite",
                   2: "pose_landmark_heavy.tflite"}
DETECTOR_MODEL = "pose_detection.tflite"
WARMUP_SHAPE = (64, 64, 3)       # a blank frame: starts the graph and its interpreters

INSTALL_HINT = ("install mediapipe 0.10.21, the last release that ships its pose models: "
                "pip install 'mediapipe==0.10.21' 'numpy<2' (wheels for Python 3.9-3.12)")
TASKS_NOT_AVAILABLE = (
    "not available: the MediaPipe Tasks backend (PoseLandmarker with a .task model file given "
    "by --pose-model, the only option on mediapipe>=0.10.30) is not implemented because it "
    "could not be tested here (no .task file can be downloaded offline); to benchmark pose, "
    + INSTALL_HINT)


class PoseUnavailable(ValueError):
    """Pose cannot run with this install or these options; the message is one line."""


class ForkAfterModelError(RuntimeError):
    """A process that built a MediaPipe model forked (or is about to fork) a worker."""


class BadImage(ValueError):
    """One input that cannot be processed; recorded as that image's failure."""


class PoseResult(NamedTuple):
    """What one image gives back to the parent (small: ~600 bytes pickled)."""
    landmarks: np.ndarray | None     # float32 (33, 4): x, y, z, visibility; None: no person
    error: str | None = None         # why this image failed, or None
    model_build_s: float | None = None       # model-per-image only: Pose() constructor
    first_inference_s: float | None = None   # model-per-image only: process() on the new model


# -- what is installed (no import of mediapipe, no network) ---------------------------

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
    """Raise :class:`PoseUnavailable` unless pose can run fully offline as asked.

    Only looks at files: mediapipe is not imported and nothing touches the network.
    """
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


# -- models: per thread, never across a fork -------------------------------------------

_state = threading.local()       # .models: {model key: _Model}; one per thread
_BUILT_IN_PID: int | None = None  # this process built a model (inherited by a fork child)
_FORKED_FROM: int | None = None   # set in a fork child whose parent had built a model
_ORPHANS: list = []               # a parent's models seen in a fork child: never touched
_LOADS: list = []                 # (build_s, warmup_s) of every model loaded in this process


_EXITING = False


def _exiting() -> None:
    global _EXITING
    _EXITING = True


atexit.register(_exiting)


def _after_fork_in_child() -> None:
    global _state, _BUILT_IN_PID, _FORKED_FROM
    if _BUILT_IN_PID is not None:
        _FORKED_FROM = _BUILT_IN_PID
    _BUILT_IN_PID = None
    # The parent's graphs are native state that fork copied half-way: keep a reference
    # so their close() (which would run in __del__) never runs here.
    _ORPHANS.append(_state)
    _state = threading.local()
    _LOADS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def fork_message(pid: int, where: str) -> str:
    return (f"a MediaPipe model was built in process {pid} before it {where}: MediaPipe does not "
            "survive fork (workers crash with 'malloc(): unaligned tcache chunk detected', "
            "BrokenProcessPool); build models only in the workers (pool initializer) or use "
            "--start-method spawn or forkserver")


class _Model:
    """Holds one Pose graph; closes it when dropped (e.g. when its thread ends)."""

    __slots__ = ("pose", "pid")

    def __init__(self, pose):
        self.pose = pose
        self.pid = os.getpid()

    def __del__(self):
        # Never close a graph copied by fork, nor at interpreter exit: close() then
        # waits forever for MediaPipe's threads (measured); the OS reclaims it anyway.
        if self.pid == os.getpid() and not _EXITING and not sys.is_finalizing():
            try:
                self.pose.close()
            except Exception:  # noqa: BLE001 - closing a failed graph may raise; nothing to do
                pass


def _refuse_download(*args, **kwargs):
    raise PoseUnavailable(
        f"MediaPipe tried to download a model ({args[0] if args else '?'}); bench runs offline "
        "and never does - use model_complexity 1")


def _solutions_pose():
    """``mediapipe.python.solutions.pose`` with its downloader disabled."""
    from mediapipe.python.solutions import download_utils, pose

    download_utils.download_oss_model = _refuse_download
    return pose


def import_mediapipe() -> float:
    """Import mediapipe's pose solution here; seconds it took (0 when already imported).

    Importing is safe before a fork (measured); building a model is not.
    """
    if "mediapipe.python.solutions.pose" in sys.modules:
        _solutions_pose()
        return 0.0
    start = time.perf_counter()
    _solutions_pose()
    return time.perf_counter() - start


def _new_pose(workload: "PoseWorkload"):
    global _BUILT_IN_PID
    check_available(workload.backend, workload.model_complexity, workload.model_path)
    if _FORKED_FROM is not None:
        raise ForkAfterModelError(fork_message(_FORKED_FROM, "forked this worker"))
    pose = _solutions_pose()
    _BUILT_IN_PID = os.getpid()              # before: the constructor starts native threads
    return pose.Pose(static_image_mode=True, model_complexity=workload.model_complexity)


def _load_model(workload: "PoseWorkload") -> tuple[_Model, float, float]:
    """Build a model and run it once on a blank frame (graph start, interpreters)."""
    start = time.perf_counter()
    model = _Model(_new_pose(workload))
    built = time.perf_counter()
    model.pose.process(np.zeros(WARMUP_SHAPE, dtype=np.uint8))
    warm = time.perf_counter()
    _LOADS.append((built - start, warm - built))
    return model, built - start, warm - built


def _models() -> dict:
    models = getattr(_state, "models", None)
    if models is None:
        models = _state.models = {}
    return models


def loads_in_this_process() -> list:
    return list(_LOADS)


# -- inputs --------------------------------------------------------------------------

def as_rgb(item) -> np.ndarray:
    """The image MediaPipe gets: uint8 HxWx3 RGB, C-contiguous; else :class:`BadImage`.

    ``item`` is an array (RGB) or a path to an image file (read with OpenCV, BGR -> RGB).
    """
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
    found = output.pose_landmarks
    if found is None:
        return None
    return np.array([(p.x, p.y, p.z, p.visibility) for p in found.landmark], dtype=np.float32)


def _reason(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return f"{type(exc).__name__}: {' '.join(lines)[:300] if lines else '(no message)'}"


def image_id(index: int) -> str:
    return f"{index:05d}"


def comparable(result: PoseResult):
    """What verification compares: the landmark array, NO_PERSON or 'failed: reason'."""
    if result.error is not None:
        return FAILED + result.error
    if result.landmarks is None:
        return NO_PERSON
    return result.landmarks


# -- the workload --------------------------------------------------------------------

@dataclass(frozen=True)
class PoseWorkload:
    """MediaPipe pose landmarks for one image; a model per worker (or per image)."""

    model_complexity: int = 1
    backend: str = "solutions"
    model_path: str = ""
    model_per_image: bool = False      # seed 000's anti-pattern; set by its strategy
    out_dir: str = ""                  # unused: pose writes no files
    name: str = field(default="pose", init=False)

    has_model = True                   # strategies that need a model may be planned
    needs_verify_pass = False          # timed passes already return the landmarks

    def __post_init__(self):
        check_available(self.backend, self.model_complexity, self.model_path)

    # -- parameters ----------------------------------------------------------------
    @classmethod
    def from_params(cls, params: dict) -> "PoseWorkload":
        allowed = {"model_complexity", "backend", "model_path"}
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise ValueError(f"unknown pose parameter(s) {', '.join(unknown)}")
        return cls(**params)

    @staticmethod
    def params_for(model_complexity: int = 1, backend: str = "solutions",
                   model_path: str | None = None) -> dict:
        params = {"model_complexity": model_complexity, "backend": backend}
        if model_path:
            params["model_path"] = model_path
        return params

    @property
    def label(self) -> str:
        return f"{self.backend}-c{self.model_complexity}"

    def with_output(self, out_dir: str) -> "PoseWorkload":
        return replace(self, out_dir=out_dir)

    def with_model_per_image(self) -> "PoseWorkload":
        return replace(self, model_per_image=True)

    def verifying(self) -> "PoseWorkload":
        return self

    # -- parent side -----------------------------------------------------------------
    def prepare_parent(self) -> None:
        """Import mediapipe in the case process, as a script that imports it at the top
        does: fork workers inherit the import. No model is built here."""
        import_mediapipe()

    def check_fork(self, start_method: str) -> None:
        """Called before a pool starts: refuse to fork a process that built a model."""
        if start_method == "fork" and _BUILT_IN_PID == os.getpid():
            raise ForkAfterModelError(fork_message(os.getpid(), "started a fork pool"))

    # -- worker side -----------------------------------------------------------------
    def worker_setup(self) -> dict:
        """Pool initializer: import mediapipe and build this worker's (thread's) model."""
        if _FORKED_FROM is not None:
            raise ForkAfterModelError(fork_message(_FORKED_FROM, "forked this worker"))
        info = {"mediapipe_import_s": import_mediapipe()}
        if self.model_per_image:
            return info                   # seed 000: the tasks build their own
        model, build_s, warmup_s = _load_model(self)
        _models()[self.model_complexity] = model
        info.update(model_build_s=build_s, model_warmup_s=warmup_s,
                    model_load_s=build_s + warmup_s)
        return info

    def _model(self) -> _Model:
        models = _models()
        model = models.get(self.model_complexity)
        if model is None:                 # serial loop, or a thread without initializer
            model = models[self.model_complexity] = _load_model(self)[0]
        return model

    def process(self, index: int, image) -> PoseResult:
        try:
            rgb = as_rgb(image)
        except BadImage as exc:
            return PoseResult(None, str(exc))
        if self.model_per_image:
            return self._process_with_new_model(rgb)
        model = self._model()
        try:
            output = model.pose.process(rgb)
        except Exception as exc:  # noqa: BLE001 - one image's failure, recorded
            _models().pop(self.model_complexity, None)   # the graph refuses all later images
            return PoseResult(None, _reason(exc))
        return PoseResult(landmarks_of(output), None)

    def _process_with_new_model(self, rgb: np.ndarray) -> PoseResult:
        """Seed 000: a new detector inside every task, used once, thrown away."""
        start = time.perf_counter()
        pose = _new_pose(self)
        built = time.perf_counter()
        try:
            output = pose.process(rgb)
            landmarks, error = landmarks_of(output), None
        except Exception as exc:  # noqa: BLE001
            landmarks, error = None, _reason(exc)
        finally:
            done = time.perf_counter()
            pose.close()
        return PoseResult(landmarks, error, built - start, done - built)

    # -- verification ----------------------------------------------------------------
    def expected_names(self, count: int) -> list[str]:
        return []                         # pose writes no files

    def outputs(self, results, count: int) -> dict:
        return {image_id(i): comparable(r) for i, r in enumerate(results)}

    @staticmethod
    def differs(a, b) -> bool:
        if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
            return a.shape != b.shape or not np.allclose(a, b, atol=ATOL)
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            return True
        return a != b

    @staticmethod
    def describe_difference(serial, got) -> str:
        def what(v):
            return f"a person ({len(v)} landmarks)" if isinstance(v, np.ndarray) else str(v)

        if isinstance(serial, np.ndarray) and isinstance(got, np.ndarray) and serial.shape == got.shape:
            delta = np.abs(serial.astype(np.float64) - got.astype(np.float64))
            k, c = np.unravel_index(int(np.argmax(delta)), delta.shape)
            return (f"largest difference {delta[k, c]:.3g} at landmark {k} {COLUMNS[c]} "
                    f"(allowed: atol={ATOL:g})")
        return f"serial gave {what(serial)}, this case gave {what(got)}"

    # -- what the case reports -------------------------------------------------------
    def case_metadata(self, timing) -> dict:
        """Detections and model costs for the results file (called before verification)."""
        results = timing.last_results
        failed = [(i, r.error) for i, r in enumerate(results) if r.error is not None]
        meta = {
            "pose_backend": self.backend,
            "mediapipe_version": mediapipe_version(),
            "model_complexity": self.model_complexity,
            "detections": sum(r.error is None and r.landmarks is not None for r in results),
            "no_person": sum(r.error is None and r.landmarks is None for r in results),
            "failed_images": len(failed),
            "first_failed_image": f"{image_id(failed[0][0])}: {failed[0][1]}" if failed else None,
        }
        builds = [r.model_build_s for r in results if r.model_build_s is not None]
        workers = timing.warm_workers or timing.cold_workers
        if builds:                        # a new model for every image
            meta.update(models_built_per_pass=len(builds),
                        model_build_s=statistics.median(builds),
                        first_inference_s=statistics.median(
                            r.first_inference_s for r in results if r.first_inference_s is not None))
        else:
            loads = [w for w in workers if "model_load_s" in w]
            if loads:                     # one model per worker (process or thread)
                meta.update(model_load_s=statistics.median(w["model_load_s"] for w in loads),
                            model_load_max_s=max(w["model_load_s"] for w in loads),
                            model_build_s=statistics.median(w["model_build_s"] for w in loads))
            elif _LOADS:                  # the serial loop's model, built in this process
                build_s, warmup_s = _LOADS[0]
                meta.update(model_load_s=build_s + warmup_s, model_build_s=build_s)
            meta["models_built_per_pass"] = 0
        imports = [w["mediapipe_import_s"] for w in workers if "mediapipe_import_s" in w]
        if imports:
            meta["worker_mediapipe_import_s"] = statistics.median(imports)
        return meta

    def save_results(self, results, directory: str, case) -> str:
        """Write the keypoints of one image set as ``.npz`` keyed by image id; its path."""
        images = case.images
        name = f"pose-{images.label}-n{images.count}-s{images.seed}-{self.label}.npz"
        path = os.path.join(directory, name)
        arrays, failed, no_person = {}, [], []
        for i, r in enumerate(results):
            key = image_id(i)
            if r.error is not None:
                failed.append((key, r.error))
            elif r.landmarks is None:
                no_person.append(key)
            arrays[key] = (r.landmarks if r.landmarks is not None
                           else np.zeros((0, len(COLUMNS)), dtype=np.float32))
        info = {"columns": list(COLUMNS), "landmarks": LANDMARKS, "image_set": images.as_dict(),
                "case": case.name, "backend": self.backend, "model_complexity": self.model_complexity,
                "mediapipe": mediapipe_version(), "no_person": no_person,
                "failed": dict(failed)}
        arrays["__info__"] = np.array(json.dumps(info))
        arrays["__failed__"] = np.array(failed, dtype=str).reshape(-1, 2)
        os.makedirs(directory, exist_ok=True)
        tmp = path + f".tmp-{os.getpid()}"
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, path)
        return path


def load_keypoints(path: str) -> tuple[dict, dict]:
    """Read a file written by ``--save-keypoints``: ({image id: (n, 4) array}, info)."""
    with np.load(path, allow_pickle=False) as data:
        info = json.loads(str(data["__info__"]))
        arrays = {k: data[k] for k in data.files if not k.startswith("__")}
    return arrays, info
