"""Pose: person images, planning, verification, bad images, offline and fork safety.

No test builds a MediaPipe model in the pytest process: a process that built one must
never fork again, and other tests fork. Everything that runs a
model does it in a fresh subprocess (the case runner, or a small script).
"""
import json
import os
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from project import ROOT
from workloads.images import ImageSetSpec, ImageSize, generate
from workloads.pose import (NO_PERSON, BadImage, PoseResult, PoseUnavailable, PoseWorkload, as_rgb,
                            check_available, load_keypoints)

BIG_RAM = 64 * 1024**3


def _quiet(text: str) -> str:
    """MediaPipe's C++ logging lines, removed from output shown on failure."""
    return "\n".join(l for l in text.splitlines() if not l.startswith(("W0000", "I0000", "INFO")))


def _env(extra_path: str | None = None) -> dict:
    env = dict(os.environ)
    paths = [p for p in (extra_path, ROOT, env.get("PYTHONPATH")) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def _no_network_site(tmp_path) -> str:
    """A folder whose sitecustomize makes every connection attempt fail loudly."""
    site = tmp_path / "no-network"
    site.mkdir()
    (site / "sitecustomize.py").write_text(textwrap.dedent("""
        import socket
        def _refuse(*args, **kwargs):
            raise OSError("bench test: network access attempted")
        socket.socket.connect = _refuse
        socket.socket.connect_ex = _refuse
        socket.create_connection = _refuse
        socket.getaddrinfo = _refuse
    """))
    return str(site)


# -- images -------------------------------------------------------------------------

def test_person_images_are_deterministic_varied_and_letterboxed():
    spec = ImageSetSpec(ImageSize(128, 72, 3), 4, "person", seed=1)
    a, b = generate(spec), generate(spec)
    assert a.dtype == np.uint8 and a.shape == (4, 72, 128, 3)
    assert np.array_equal(a, b)
    assert len({img.tobytes() for img in a}) == 4              # no picture repeated
    assert not a[:, :, :20].any() and not a[:, :, -20:].any()  # black bars left and right
    assert not np.array_equal(generate(ImageSetSpec(ImageSize(128, 72, 3), 4, "person", seed=2)), a)


def test_person_images_need_colour():
    with pytest.raises(ValueError, match="colour"):
        generate(ImageSetSpec(ImageSize(64, 64, 1), 2, "person"))


# -- planning -------------------------------------------------------------------------

def test_a_pose_plan_of_named_choices_and_imwrite_never_gets_the_anti_pattern():
    from bench.cli.request import parse_request
    from bench.errors import UsageError
    from bench.plan.commands import make_plan

    argv = ["pose", "--sizes", "64x64x3", "--content", "person", "--strategies",
            "serial,processes-model-per-image", "--workers", "2", "--start-method", "spawn"]
    plan = make_plan(parse_request(argv), "pose", 2, BIG_RAM)
    (group,) = plan.groups
    assert [(c.strategy, c.workers, c.start_method) for c in group.entrants] == [
        ("serial", 1, None), ("processes-model-per-image", 2, "spawn")]
    with pytest.raises(UsageError, match="pose takes WxHx3"):
        make_plan(parse_request(["pose", "--sizes", "64x64x1"]), "pose", 2, BIG_RAM)
    with pytest.raises(UsageError, match="processes-model-per-image"):
        make_plan(parse_request(["imwrite", "--strategies", "processes-model-per-image"]), "imwrite", 2, BIG_RAM)


# -- inputs, comparison, metadata (no model) ---------------------------------------

@pytest.mark.parametrize("item, reason", [
    (np.zeros((0, 0, 3), np.uint8), "empty image"),
    (np.array([]), "empty image"),
    (np.zeros((8, 8, 3), np.float32), "wrong dtype float32"),
    (np.zeros((8, 8), np.uint8), "wrong shape (8, 8)"),
    (np.zeros((8, 8, 4), np.uint8), "wrong shape (8, 8, 4)"),
    ("/nonexistent/frame.png", "cannot read /nonexistent/frame.png"),
    (None, "not an image: NoneType"),
])
def test_bad_inputs_are_refused_with_a_reason(item, reason):
    with pytest.raises(BadImage, match=reason.replace("(", r"\(").replace(")", r"\)")):
        as_rgb(item)


def test_files_are_read_as_rgb(tmp_path):
    import cv2

    rgb = np.zeros((4, 4, 3), np.uint8)
    rgb[..., 0] = 200                                    # red
    cv2.imwrite(str(tmp_path / "a.png"), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    assert np.array_equal(as_rgb(str(tmp_path / "a.png")), rgb)


def test_comparison_follows_the_keypoints_script_checked_against_a_single_process_run():
    w = PoseWorkload()
    a = np.random.default_rng(0).random((33, 4)).astype(np.float32)
    assert not w.differs(a, a + 5e-7)
    assert w.differs(a, a + 5e-5)
    assert w.differs(a, NO_PERSON) and w.differs(NO_PERSON, a)
    assert not w.differs(NO_PERSON, NO_PERSON)
    assert "landmark" in w.describe_difference(a, a + np.eye(33, 4, dtype=np.float32) * 1e-3)
    assert "serial gave a person (33 landmarks), this case gave no person" == \
        w.describe_difference(a, NO_PERSON)
    outs = w.outputs([PoseResult(a), PoseResult(None), PoseResult(None, "empty image")], 3)
    assert list(outs) == ["00000", "00001", "00002"]
    assert outs["00001"] == NO_PERSON and outs["00002"] == "failed: empty image"


def test_a_failing_graph_is_dropped_and_the_image_recorded(monkeypatch):
    from workloads.pose import models

    class Broken:
        def process(self, image):
            raise RuntimeError("Graph has errors:\nROI width and height must be > 0")

        def close(self):
            pass

    w = PoseWorkload()
    models.thread_models()[w.model_complexity] = models.Model(Broken())
    result = w.process(3, np.zeros((8, 8, 3), np.uint8))
    assert result.landmarks is None
    assert result.error == "RuntimeError: Graph has errors: ROI width and height must be > 0"
    assert w.model_complexity not in models.thread_models()     # rebuilt for the next image


def test_case_metadata_shows_what_a_model_per_image_costs():
    from bench.measure.visits import Passes     # what a visit hands a workload

    w = PoseWorkload()
    lm = np.zeros((33, 4), np.float32)
    per_image = Passes(warm_workers=[], last_results=[
        PoseResult(lm, None, 0.02, 0.15), PoseResult(None, None, 0.02, 0.10),
        PoseResult(None, "empty image (shape (0,))", 0.03, 0.01)])
    meta = w.case_metadata(per_image)
    assert meta["models_built_per_pass"] == 3 and meta["model_build_s"] == 0.02
    assert meta["first_inference_s"] == 0.10
    assert (meta["detections"], meta["no_person"], meta["failed_images"]) == (1, 1, 1)
    assert meta["first_failed_image"] == "00002: empty image (shape (0,))"
    per_worker = Passes(last_results=[PoseResult(lm)], warm_workers=[
        {"model_load_s": 0.2, "model_build_s": 0.02, "mediapipe_import_s": 0.0},
        {"model_load_s": 0.4, "model_build_s": 0.04, "mediapipe_import_s": 0.0}])
    meta = w.case_metadata(per_worker)
    assert meta["models_built_per_pass"] == 0
    assert meta["model_load_s"] == pytest.approx(0.3) and meta["model_load_max_s"] == 0.4


# -- offline --------------------------------------------------------------------------

def test_model_complexity_2_is_refused_without_touching_the_network(monkeypatch, tmp_path):
    def no_network(*args, **kwargs):
        raise AssertionError("network access attempted")

    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    for complexity in (0, 2):
        with pytest.raises(PoseUnavailable, match=f"model_complexity {complexity} refused.*never"):
            PoseWorkload(model_complexity=complexity)
    # a workload that slipped past the check (e.g. a hand-edited case file) still never
    # reaches MediaPipe's downloader
    forged = PoseWorkload()
    object.__setattr__(forged, "model_complexity", 2)
    with pytest.raises(PoseUnavailable, match="refused"):
        forged.worker_setup()
    from mediapipe.python.solutions import download_utils
    with pytest.raises(PoseUnavailable, match="never"):
        download_utils.download_oss_model("mediapipe/modules/pose_landmark/pose_landmark_heavy.tflite")
    # and the command line says so in one line, before anything runs
    proc = subprocess.run([sys.executable, "-m", "bench", "pose", "--pose-model-complexity", "2"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60,
                          env=_env(_no_network_site(tmp_path)))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "pose_landmark_heavy.tflite" in proc.stderr
    assert "network access attempted" not in proc.stderr


def test_tasks_backend_says_what_to_install(run_cli):
    assert check_available() is None
    for args in (["--pose-backend", "tasks"], ["--pose-model", "pose_landmarker.task"]):
        proc = run_cli("pose", *args)
        assert proc.returncode == 2
        assert proc.stderr.startswith("bench: error: not available:")
        assert "pip install 'mediapipe==0.10.21'" in proc.stderr


def test_newer_or_missing_mediapipe_is_not_available_and_all_goes_on(monkeypatch, tmp_path, capsys):
    import workloads.pose.offline as offline
    from bench.cli.request import parse_request
    from bench.plan.commands import make_plan

    monkeypatch.setattr(offline, "mediapipe_dir", lambda: str(tmp_path))   # 0.10.30+: no solutions
    offline.check_available.cache_clear()
    try:
        with pytest.raises(PoseUnavailable, match="not available: mediapipe .* has no mp.solutions"):
            PoseWorkload()
        cases = make_plan(parse_request(["all", "--quick"]), "all", 2, BIG_RAM).cases()
        assert cases and not any(c.workload == "pose" for c in cases)
        assert "bench: pose skipped: not available" in capsys.readouterr().err
        from bench.cli.options import UsageError
        with pytest.raises(UsageError, match="pip install 'mediapipe==0.10.21'"):
            make_plan(parse_request(["pose", "--quick"]), "pose", 2, BIG_RAM)
        monkeypatch.setattr(offline, "mediapipe_dir", lambda: None)
        offline.check_available.cache_clear()
        with pytest.raises(PoseUnavailable, match="mediapipe is not installed"):
            PoseWorkload()
    finally:
        offline.check_available.cache_clear()


# -- with a model: always in a fresh process ----------------------------------------

KEYPOINTS_SCRIPT = r"""
import sys
import numpy as np
from bench.strategies import PoolConfig, make_strategy
from workloads.images import ImageSetSpec, ImageSize, generate
from workloads.pose import PoseWorkload

images = generate(ImageSetSpec(ImageSize(256, 256, 3), 4, "person", seed=0))
w = PoseWorkload()
out = {}
# every pool that forks first; threads and serial build models in this process last
for name, method, chunk in [("processes", "fork", None), ("processes-chunked", "fork", 2),
                            ("processes-inherit", "fork", 1), ("processes-shm", "spawn", 1),
                            ("threads", None, None), ("serial", None, None)]:
    s = make_strategy(name, PoolConfig(2, chunk, method))
    pool = s.start(w, images)
    try:
        results = s.run(pool, w, images, lambda: None)
    finally:
        s.stop(pool)
    reports = s.worker_reports()
    assert name == "serial" or all(r["model_load_s"] > 0 for r in reports), (name, reports)
    assert name == "serial" or len({(r["pid"], r["thread"]) for r in reports}) == 2, (name, reports)
    out[name] = np.stack([r.landmarks for r in results])
np.savez(sys.argv[1], **out)
"""


def test_two_workers_give_the_serial_keypoints(tmp_path):
    """Two workers (processes under fork and spawn, every pixel route, and threads with a
    model each) give the serial loop's keypoints on four astronaut variants, in order."""
    path = tmp_path / "keypoints.npz"
    proc = subprocess.run([sys.executable, "-c", KEYPOINTS_SCRIPT, str(path)], capture_output=True,
                          text=True, timeout=180, env=_env())
    assert proc.returncode == 0, _quiet(proc.stderr)[-3000:]
    with np.load(path) as data:
        got = {k: data[k] for k in data.files}
    serial = got.pop("serial")
    assert serial.shape == (4, 33, 4)
    assert len({a.tobytes() for a in serial}) == 4              # four different poses
    assert sorted(got) == sorted(["processes", "processes-chunked", "processes-inherit",
                                  "processes-shm", "threads"])
    for name, keypoints in got.items():
        assert np.allclose(keypoints, serial, atol=1e-6), name


SCRIPT = r"""
import json, os, sys
import numpy as np
from bench.strategies import PoolConfig, make_strategy
from workloads.images import ImageSetSpec, ImageSize, generate
from workloads.pose import ForkAfterModelError, PoseWorkload

person = generate(ImageSetSpec(ImageSize(128, 128, 3), 2, "person"))
noise = generate(ImageSetSpec(ImageSize(128, 128, 3), 1, "noise"))[0]
corrupt = sys.argv[1]
items = [person[0], corrupt, np.zeros((0, 0, 3), np.uint8), noise, person[1]]
w = PoseWorkload()

def run(name, workers=2, method="fork"):
    s = make_strategy(name, PoolConfig(workers, 2 if name.endswith("chunked") else None, method))
    pool = s.start(w)
    try:
        return w.outputs(s.run(pool, w, items, lambda: None), len(items))
    finally:
        s.stop(pool)

def show(outputs):
    return {k: v if isinstance(v, str) else list(v.shape) for k, v in outputs.items()}

report = {"processes": show(run("processes")), "chunked": show(run("processes-chunked"))}
report["serial"] = show(run("serial"))          # a model now exists in this process
try:
    run("processes")
    report["fork_after_model"] = "no error"
except ForkAfterModelError as exc:
    report["fork_after_model"] = str(exc)
print("REPORT " + json.dumps(report))
"""


def test_bad_images_and_no_person_are_recorded_and_the_rest_finishes(tmp_path):
    corrupt = tmp_path / "frame.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0 this is not really a JPEG")
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(corrupt)], capture_output=True,
                          text=True, timeout=120, env=_env())
    lines = [l for l in proc.stdout.splitlines() if l.startswith("REPORT ")]
    assert proc.returncode == 0 and lines, _quiet(proc.stderr)[-3000:]
    report = json.loads(lines[0][len("REPORT "):])
    for name in ("processes", "chunked", "serial"):
        got = report[name]
        assert got["00000"] == [33, 4] and got["00004"] == [33, 4], (name, got)
        assert got["00001"] == f"failed: cannot read {corrupt}: missing, corrupt or not an image file"
        assert got["00002"] == "failed: empty image (shape (0, 0, 3))"
        assert got["00003"] == NO_PERSON
    assert "MediaPipe model was built in process" in report["fork_after_model"]
    assert "spawn or forkserver" in report["fork_after_model"]


def test_fork_after_a_model_built_by_user_code_is_reported_not_a_hang(tmp_path, monkeypatch):
    """The case process builds a Pose before anything else (as a user's own code might,
    here from sitecustomize); its fork pool must end as a failed case with a reason."""
    site = tmp_path / "user-code"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import mediapipe as mp\n"
        "_POSE = mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1)\n")
    from bench.model.case import Case
    from bench.run.case_process import CaseProcess, CommandFailed, ProcessDied

    spec = ImageSetSpec(ImageSize(64, 64, 3), 2, "person", 0)
    params = {"model_complexity": 1, "backend": "solutions"}
    case = Case("pose", spec, params, "processes", 2, None, "fork")
    monkeypatch.setenv("PYTHONPATH", _env(str(site))["PYTHONPATH"])
    proc = CaseProcess({"spec": {"workload": "pose", "params": params, "images": spec.as_dict(),
                                 "serial_slice": 2}}, str(tmp_path), 2)
    try:
        proc.start(120)
        with pytest.raises((CommandFailed, ProcessDied)) as failed:
            proc.visit(case, 30)
    finally:
        proc.kill()
    reason = failed.value.reason
    assert "BrokenProcessPool" in reason or "broken" in reason.lower() or "timed out" in reason
    assert "spawn or forkserver" in reason or "timed out" in reason


# -- command line ---------------------------------------------------------------------

def test_pose_is_in_all_and_list_and_has_its_own_command(run_cli):
    proc = run_cli("list", "--quick")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.split()
    assert any(l.startswith("pose/256x256x3-person-n") and l.endswith("/solutions-c1/serial/w1")
               for l in lines)
    assert any(l.startswith("imwrite/") for l in lines)
    only = run_cli("list", "--quick", "--workloads", "pose").stdout.split()
    assert only and all(l.startswith("pose/") for l in only)
    # pose alone has the whole budget: at least what it had next to the other groups
    assert len(only) >= len([l for l in lines if l.startswith("pose/")])
    proc = run_cli("imwrite", "--workloads", "pose")
    assert proc.returncode == 2 and "bench pose" in proc.stderr


def test_a_small_pose_run_end_to_end(run_cli, tmp_path):
    proc = run_cli("pose", "--quick", "--sizes", "96x64x3", "--content", "person", "--n-images", "3",
                   "--strategies", "serial,processes,processes-model-per-image", "--workers", "2",
                   "--results-dir", "res", "--save-keypoints", "kp", "--budget", "40s")
    assert proc.returncode == 0, proc.stdout + _quiet(proc.stderr)[-2000:]
    assert "racing 3 configurations in 1 groups" in proc.stdout
    (kp,) = (tmp_path / "kp").iterdir()
    arrays, info = load_keypoints(str(kp))
    assert sorted(arrays) == ["00000", "00001", "00002"] and info["image_set"]["count"] == 3
    from bench.results import ResultsFile
    (path,) = (tmp_path / "res").iterdir()
    benches = {b.get_metadata()["strategy"]: b.get_metadata() for b in ResultsFile.load(str(path)).benchmarks}
    assert benches["processes-model-per-image"]["models_built_per_pass"] == 3
    assert benches["serial"]["models_built_per_pass"] == 0 and benches["serial"]["model_load_s"] > 0
    assert benches["processes"]["models_built_per_pass"] == 0
    assert benches["processes"]["model_load_s"] > 0 and benches["processes"]["pool_workers_started"] == 2
    assert all(m["verified"] == "yes" and m["detections"] == 3 for m in benches.values())
