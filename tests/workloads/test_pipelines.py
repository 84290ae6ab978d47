"""The built-in pipelines: written as a user's task, deterministic where they claim to be,
compared as documented, and in bench all's budgeted plan (not in --quick's)."""
import os
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from bench.plan.planner import PlanRequest, build_plan
from workloads import files
from workloads.files import FileItem
from workloads.images import ImageSetSpec, ImageSize, generate
from workloads.pipelines import holistic
from workloads.registry import file_workloads, make_workload

GiB = 1024 ** 3


@pytest.fixture
def photos(tmp_path, monkeypatch):
    monkeypatch.setenv(files.CACHE_ENV, str(tmp_path / "cache"))
    return generate(ImageSetSpec(ImageSize(160, 120, 3), 6, "photos", 0))


def _files(folder):
    out = {}
    for root, _, names in os.walk(folder):
        for n in names:
            with open(os.path.join(root, n), "rb") as fh:
                out[os.path.relpath(os.path.join(root, n), folder)] = fh.read()
    return out


def test_annotate_writes_the_same_three_files_per_image_in_any_order(photos, tmp_path):
    w = make_workload("annotate")
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    a = [w.with_output(str(first)).process(i, it) for i, it in enumerate(photos)]
    b = {i: w.with_output(str(second)).process(i, photos[i]) for i in reversed(range(len(photos)))}
    assert a == [b[i] for i in range(len(photos))]
    written = _files(first)
    assert written == _files(second)                          # byte for byte, another order
    assert len(written) == 3 * len(photos)
    stem = os.path.splitext(photos[0].name)[0]
    box = ET.fromstring(written[stem + ".xml"]).find("object/bndbox")
    assert tuple(int(box.find(k).text) for k in ("xmin", "ymin", "xmax", "ymax")) == a[0]
    assert written[stem + ".jpg"] != written[stem + "_marked.jpg"]


def test_holistic_compares_the_pose_exactly_and_the_face_as_the_same_detection():
    pose = np.zeros((33, 4), np.float32)
    face = np.full((468, 3), 0.5, np.float32)
    a = {"pose": pose, "face": face, "left_hand": None, "right_hand": None}
    assert holistic.same_keypoints(a, dict(a, face=face + 0.02))          # the face drifts
    assert not holistic.same_keypoints(a, dict(a, face=face + 0.2))
    assert not holistic.same_keypoints(a, dict(a, pose=pose + 1e-4))      # the pose does not
    assert not holistic.same_keypoints(a, dict(a, face=None))
    assert make_workload("holistic").same == "workloads.pipelines.holistic:same_keypoints"


def test_imread_returns_shapes_and_verifies_by_digest(photos):
    w = make_workload("imread", {"decode": "color"})
    assert w.process(0, photos[0]) == (120, 160, 3)
    digest = w.verifying().process(0, photos[0])
    assert digest == w.verifying().process(0, photos[0]) and digest.endswith("(120, 160, 3)")
    failed = w.process(0, FileItem("/no/such.jpg", "such.jpg"))
    assert failed.startswith("failed: such.jpg: cv2.imread cannot read it")


@pytest.mark.e2e
def test_keypoints_writes_one_txt_per_image_compared_as_numbers(photos, tmp_path):
    w = make_workload("keypoints")
    out = tmp_path / "out"
    out.mkdir()
    results = [w.with_output(str(out)).process(i, it) for i, it in enumerate(photos[:2])]
    assert all(r is None or r.shape == (33, 4) for r in results)
    outputs = w.with_output(str(out)).outputs(results, 2)
    txt = [k for k in outputs if k.startswith("file:") and k.endswith(".txt")]
    assert len(txt) == 2
    for k, r in zip(sorted(txt), results):
        if r is not None:
            assert outputs[k].shape == (33, 4) and not w.differs(outputs[k], r.astype(np.float64))


@pytest.mark.parametrize("cpus", [2, 6, 64, 256])
def test_bench_all_plans_the_pipelines_and_quick_leaves_them_out(monkeypatch, cpus):
    from workloads.codecs import Codec
    from workloads.imwrite import ImwriteWorkload
    from workloads.pose import PoseWorkload

    params = dict(codec_params=ImwriteWorkload.params_for(Codec()), pose_params=PoseWorkload.params_for())
    full = build_plan(PlanRequest(mode="full", **params), cpus, 24 * GiB)
    on_files = {g.workload: g for g in full.groups if g.workload in file_workloads()}
    # on many cores the default budget drops the MediaPipe pipelines first (as it drops
    # the optional pose groups); named, they fit it
    assert {"annotate", "imread"} <= set(on_files)
    assert full.estimate_s <= full.budget_s
    named = build_plan(PlanRequest(mode="full", codec_workloads=[], pose=False,
                              pipelines=["annotate", "keypoints", "holistic"], **params), cpus, 24 * GiB)
    on_files = {g.workload: g for g in named.groups}
    assert set(on_files) == {"annotate", "imread", "keypoints", "holistic"}
    assert named.estimate_s <= named.budget_s
    keypoints = {c.strategy for c in on_files["keypoints"].entrants}
    # the figures they exist for: paths against decoded pixels, Pool against futures,
    # a model per worker against one per image
    assert {"processes", "processes-decoded", "pool-imap", "processes-map",
            "processes-model-per-image"} <= keypoints
    pool, futures = (next(c for c in on_files["keypoints"].entrants if c.strategy == s)
                     for s in ("pool-imap", "processes-map"))
    assert pool.chunk_size == futures.chunk_size
    quick = build_plan(PlanRequest(mode="quick", **params), cpus, 24 * GiB)
    assert not any(g.workload in file_workloads() for g in quick.groups)
    asked = build_plan(PlanRequest(mode="quick", codec_workloads=[], pose=False, pipelines=["annotate"], **params),
                      cpus, 24 * GiB)
    assert {g.workload for g in asked.groups} == {"annotate", "imread"}
    short = build_plan(PlanRequest(mode="full", budget_s=120, **params), cpus, 24 * GiB)
    assert not {"keypoints", "holistic"} & {g.workload for g in short.groups}   # dropped first
    if cpus == 2:       # (on more cores 2 minutes are short of tier 0 without them too)
        assert short.estimate_s <= 120
