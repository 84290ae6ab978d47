"""The built-in pipelines (docs/pipelines.md): plain modules with an ``init`` and a
``task``, as ``bench run --task`` takes them, made workloads here. Importing this package
imports neither mediapipe nor a pipeline module.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from workloads.base import ImageGroup, register
from workloads.user_task import InitTaskWorkload

MiB = 1024 ** 2


@dataclass(frozen=True)
class _Pipeline(InitTaskWorkload):
    """A pipeline: its task and init are fixed; nothing to choose but the harness's."""
    pipeline = True

    @classmethod
    def from_params(cls, params: dict):
        return cls()        # the run's codec settings are not a pipeline's


@register
@dataclass(frozen=True)
class KeypointsWorkload(_Pipeline):
    task: str = "workloads.pipelines.keypoints:keypoints"
    init: str = "workloads.pipelines.keypoints:load_model"
    atol: float | None = 1e-6          # landmarks: np.allclose, as the keypoints script checks
    name: str = field(default="keypoints", init=False)
    rank = 110
    # a budget too short for every group drops the models' groups first (holistic, then
    # keypoints: their model loads cost most)
    groups = (ImageGroup("640x480x3", "photos", race=False, optional=True, order=2),)
    label = "pose-256-txt"
    text_as_numbers = True             # the .txt files: compared as numbers, within atol
    memory_per_worker = 200 * MiB

    @staticmethod
    def expected_seconds_per_image(size, params) -> float:
        return 0.03                    # read, resize, pose: measured 25-35 ms on a 2-core VM


@register
@dataclass(frozen=True)
class AnnotateWorkload(_Pipeline):
    task: str = "workloads.pipelines.annotate:annotate"
    init: str = "workloads.pipelines.annotate:load_backgrounds"
    name: str = field(default="annotate", init=False)
    rank = 120
    groups = (ImageGroup("640x480x3", "photos", race=False, order=0),)
    label = "augment-voc"
    memory_per_worker = 120 * MiB
    # backgrounds are no model: safe across a fork, and not worth racing once per item
    has_model = False

    @staticmethod
    def expected_seconds_per_image(size, params) -> float:
        return 0.012

    @staticmethod
    def bytes_written_per_image(size, params) -> float:
        return 2 * 60_000 + 600        # two 640x480 JPEGs and an XML


@register
@dataclass(frozen=True)
class HolisticWorkload(_Pipeline):
    task: str = "workloads.pipelines.holistic:holistic"
    init: str = "workloads.pipelines.holistic:load_model"
    same: str = "workloads.pipelines.holistic:same_keypoints"   # face and hands: see there
    name: str = field(default="holistic", init=False)
    rank = 130
    groups = (ImageGroup("640x480x3", "photos", race=False, optional=True, order=3),)
    label = "holistic-c1"
    memory_per_worker = 300 * MiB

    @staticmethod
    def expected_seconds_per_image(size, params) -> float:
        return 0.06                    # 35-80 ms per image (face, hands and pose)
