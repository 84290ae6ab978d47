"""The pose workload: MediaPipe full-body landmarks for one image (docs/pose.md), with a
model per worker built by the pool initializer, or a detector built in every task
(``model_per_image``, the OpenPose script's, set by its strategy).
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field, replace

import numpy as np

from workloads.base import ImageGroup, Workload, check_params, register
from workloads.pose import models
from workloads.pose import results as pose_results
from workloads.pose.inputs import BadImage, as_rgb, landmarks_of
from workloads.pose.keypoints import save_keypoints
from workloads.pose.offline import check_available, mediapipe_version
from workloads.pose.results import PoseResult, comparable, image_id
from workloads.task_import import one_line


@register
@dataclass(frozen=True)
class PoseWorkload(Workload):
    """MediaPipe pose landmarks for one image; a model per worker (or per image)."""

    model_complexity: int = 1
    backend: str = "solutions"
    model_path: str = ""
    model_per_image: bool = False      # a detector built in every task; set by its strategy
    out_dir: str = ""                  # unused: pose writes no files
    name: str = field(default="pose", init=False)
    rank = 70
    kind = "model"
    # a person, and noise where nobody is found (the detector-only path)
    groups = (ImageGroup("256x256x3", "person", race=True),
              ImageGroup("1280x720x3", "person", race=False),
              ImageGroup("256x256x3", "noise", race=False))
    colour_only = True
    contents = ("person", "noise", "smooth")
    dask_strategies = ("dask-chunked", "dask-local")
    snippet = "pose"

    has_model = True                   # strategies that need a model may be planned
    # measured with mediapipe 0.10.21 on a 2-core VM: 19-33 ms per image (256x256 or
    # 512x512; nobody found on noise: ~15 ms), 110-180 MiB of its own (USS) per worker
    # with a model loaded - the run's plan and its memory check read these
    memory_per_worker = 180 * 1024 ** 2

    @staticmethod
    def expected_seconds_per_image(size, params) -> float:
        return 0.025
    needs_verify_pass = False          # timed passes already return the landmarks

    def __post_init__(self):
        check_available(self.backend, self.model_complexity, self.model_path)

    @classmethod
    def from_params(cls, params: dict) -> "PoseWorkload":
        check_params(params, ("model_complexity", "backend", "model_path"), "pose")
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

    def with_model_per_image(self) -> "PoseWorkload":
        return replace(self, model_per_image=True)

    # -- parent side -----------------------------------------------------------------
    def prepare_parent(self) -> None:
        models.import_mediapipe()         # as a script importing it at the top: no model

    check_fork = staticmethod(models.check_fork)

    # -- worker side -----------------------------------------------------------------
    def worker_setup(self) -> dict:
        models.refuse_if_forked_after_model()
        info = {"mediapipe_import_s": models.import_mediapipe()}
        if self.model_per_image:
            return info                   # a detector in every task: the tasks build their own
        model, build_s, warmup_s = models.load_model(self)
        models.thread_models()[self.model_complexity] = model
        info.update(model_build_s=build_s, model_warmup_s=warmup_s,
                    model_load_s=build_s + warmup_s)
        return info

    def process(self, index: int, image) -> PoseResult:
        try:
            rgb = as_rgb(image)
        except BadImage as exc:
            return PoseResult(None, str(exc))
        if self.model_per_image:
            return self._process_with_new_model(rgb)
        model = models.model_for(self)
        try:
            output = model.pose.process(rgb)
        except Exception as exc:  # noqa: BLE001 - one image's failure, recorded
            # a failed graph refuses every later image: drop it, the next image builds anew
            models.thread_models().pop(self.model_complexity, None)
            return PoseResult(None, one_line(exc))
        return PoseResult(landmarks_of(output), None)

    def _process_with_new_model(self, rgb: np.ndarray) -> PoseResult:
        """A new detector inside every task, used once, thrown away."""
        start = time.perf_counter()
        pose = models.new_pose(self)
        built = time.perf_counter()
        try:
            landmarks, error = landmarks_of(pose.process(rgb)), None
        except Exception as exc:  # noqa: BLE001
            landmarks, error = None, one_line(exc)
        finally:
            done = time.perf_counter()
            pose.close()
        return PoseResult(landmarks, error, built - start, done - built)

    def outputs(self, results, count: int) -> dict:
        return {image_id(i): comparable(r) for i, r in enumerate(results)}

    differs = staticmethod(pose_results.differs)
    describe_difference = staticmethod(pose_results.describe_difference)

    def case_metadata(self, timing) -> dict:
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
        workers = timing.warm_workers
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
            elif models.LOADS:            # the serial loop's, built here
                build_s, warmup_s = models.LOADS[0]
                meta.update(model_load_s=build_s + warmup_s, model_build_s=build_s)
            meta["models_built_per_pass"] = 0
        imports = [w["mediapipe_import_s"] for w in workers if "mediapipe_import_s" in w]
        if imports:
            meta["worker_mediapipe_import_s"] = statistics.median(imports)
        return meta

    def save_results(self, results, directory: str, case, indices=None) -> str:
        return save_keypoints(results, directory, case, self, indices)
