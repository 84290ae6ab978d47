"""``python -m bench run``: a user's function on a folder of images, end to end - the
example raced, verified and recommended; bad input one line and exit code 2; a failing
file recorded; a hanging task ended by the case timeout, the rest kept."""
import glob
import json
import os
import textwrap

import cv2
import pytest

from bench.results import ResultsFile
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

EXAMPLE = os.path.join(ROOT, "examples", "thumbnails.py")


@pytest.fixture
def jpegs(tmp_path):
    """Six small JPEGs in two sub-folders and one file that is not an image."""
    from workloads.images import ImageSetSpec, ImageSize, generate

    root = tmp_path / "photos"
    for i, image in enumerate(generate(ImageSetSpec(ImageSize(48, 32, 3), 6, "smooth", seed=2))):
        folder = root / ("day1" if i < 2 else "day2")
        folder.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(folder / f"{i}.jpg"), image)
    (root / "day2" / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    return str(root)


@pytest.fixture
def user_module(tmp_path):
    path = tmp_path / "mytasks.py"
    path.write_text(textwrap.dedent('''
        import time
        shout = lambda image: image
        def shape(image):
            return image.shape
        def hang(path):
            if path.endswith("3.jpg"):
                time.sleep(3600)
            return path
        def never(image):
            raise ValueError("no face in this frame")
        def picky(path):
            if path.endswith(("0.jpg", "5.jpg", "broken.jpg")):
                return path
            raise ValueError("no face in " + path.rsplit("/", 1)[-1])
    '''))
    return str(path)


def _results(tmp_path):
    files = glob.glob(str(tmp_path / "results" / "*.json"))
    assert len(files) == 1
    return ResultsFile.load(files[0])


def test_the_example_is_raced_verified_and_recommended(run_cli, jpegs, tmp_path):
    proc = run_cli("run", "--task", f"{EXAMPLE}:make_thumbnail", "--images", jpegs, "--budget", "20s",
                   timeout=240)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "bench run: racing" in proc.stdout and "Recommendation for" in proc.stdout
    assert "Use " in proc.stdout
    results = _results(tmp_path)
    metas = [b.get_metadata() for b in results.benchmarks]
    groups = {m["workload"] for m in metas}
    assert groups == {"task", "imread"}
    assert all(m["verified"] == "yes" for m in metas), [(m["name"], m["verified"]) for m in metas]
    raced = {m["strategy"] for m in metas if m["workload"] == "task"}
    # what the plan entered (on a busy machine the budget can end the race before a
    # configuration's first visit), and what the pilot left out where the passes ran far
    # slower than planned: the file records both, and the answer says so
    (race,) = [r for key, r in results.run["race"].items() if key.startswith("task/")]
    # a configuration's name, or a library default's strategy the budget left out
    not_raced = {name.split("/")[3] if "/" in name else name for name in race["not_raced"]}
    planned = {e["strategy"] for e in race["entrants"]} | not_raced
    assert "serial" in raced
    assert "processes" in planned
    assert planned & {"pool-imap", "pool-imap-unordered", "pool-apply-async"}
    assert planned & {"processes-decoded", "processes-decoded-chunked", "processes-decoded-shm"}
    # what the user would call instead, with its defaults, next to the pick
    assert {"joblib", "mpire"} <= planned and "mpire-state" not in planned   # no --init
    if not_raced:
        assert "planned here were not raced" in proc.stdout
    if "joblib" in raced:
        assert "joblib with its defaults: " in proc.stdout
    serial = next(m for m in metas if m["workload"] == "task" and m["strategy"] == "serial")
    assert serial["items_failed"] == 1 and "day2/broken.jpg" in json.loads(serial["failed_items"])[0]
    assert not results.failed
    # the summary lists the file that could not be read, once
    assert proc.stdout.count("day2/broken.jpg: cv2.imread cannot read it") == 2      # task and imread


@pytest.mark.parametrize("args, says", [
    (["--task", "no_such_module_xyz:f"], "no module named 'no_such_module_xyz'"),
    (["--task", "{mod}:no_such_function"], "has no 'no_such_function'"),
    (["--task", "{mod}:shout"], "cannot be pickled"),
    (["--task", "{mod}:shape", "--init", "{mod}:shout"], "--init"),
    (["--task", "{mod}:shape", "--images", "{tmp}/nowhere"], "no such folder"),
    (["--task", "{mod}:shape", "--images", "{tmp}/empty"], "no image files there"),
    (["--task", "{mod}:shape", "--images", "{photos}/*.png"], "matches no image file"),
    (["--task", "{mod}:shape", "--init-per-item"], "needs --init"),
])
def test_bad_input_is_one_line_and_exit_code_2(run_cli, jpegs, user_module, tmp_path, args, says):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    filled = [a.format(mod=user_module, tmp=tmp_path, photos=jpegs) for a in args]
    if "--images" not in filled:
        filled += ["--images", jpegs]
    proc = run_cli("list", "run", *filled)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if not line.startswith("bench run: timing")]
    assert len(lines) == 1 and lines[0].startswith("bench: error: ") and says in lines[0], proc.stderr


def test_a_state_per_worker_races_the_state_per_item_in_the_same_group(run_cli, jpegs):
    proc = run_cli("list", "run", "--json", "--task", f"{EXAMPLE}:make_thumbnail", "--init",
                   f"{EXAMPLE}:load_settings", "--init-per-item", "--images", jpegs, "--limit", "4")
    assert proc.returncode == 0, proc.stderr
    plan = json.loads(proc.stdout)
    task = [n for n in plan["cases"] if n.startswith("task-init/")]
    assert any("/processes-model-per-image/" in n for n in task)
    assert any("/processes/" in n for n in task)
    assert {"joblib", "mpire", "mpire-state"} <= {n.split("/")[3] for n in task}   # the state per worker
    assert all("-n4/" in n for n in task)                      # --limit 4: a sample of four
    assert len({"/".join(n.split("/")[:3]) for n in task}) == 1   # one group: compared


def test_a_hanging_task_is_ended_by_the_case_timeout_and_the_rest_is_kept(run_cli, jpegs, user_module, tmp_path):
    proc = run_cli("run", "--task", f"{user_module}:hang", "--decode", "none", "--images", jpegs,
                   "--budget", "15s", "--case-timeout", "4", timeout=240)
    assert proc.returncode == 1, proc.stderr + proc.stdout
    results = _results(tmp_path)
    assert results.failed and all("timed out after 4 s" in f["reason"] for f in results.failed)
    assert "results:" in proc.stdout


def test_a_task_that_fails_on_every_item_the_probe_tried_stops_before_the_race(run_cli, jpegs, user_module, tmp_path):
    proc = run_cli("run", "--task", f"{user_module}:never", "--images", jpegs, "--budget", "10s")
    assert proc.returncode == 2, proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if not line.startswith("bench run: timing")]
    assert lines == ["bench: error: your task failed on every item the probe tried (3 of 3): ValueError: "
                     "no face in this frame - fix the task, or check --images"], proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr and "racing" not in proc.stdout
    assert not glob.glob(str(tmp_path / "results" / "*.json"))           # nothing claims a result


def test_a_task_that_fails_on_most_items_fails_its_group_with_no_recommendation(run_cli, jpegs, user_module, tmp_path):
    # 1, 2, 3 and 4.jpg raise: 4 of the 7 files (the probe's first three: one passes)
    proc = run_cli("run", "--task", f"{user_module}:picky", "--decode", "none", "--images", jpegs,
                   "--budget", "10s", timeout=240)
    assert proc.returncode == 1, proc.stderr + proc.stdout
    results = _results(tmp_path)
    assert results.failed and not results.benchmarks
    reasons = {f["reason"] for f in results.failed}
    assert len(reasons) == 1
    assert reasons.pop().startswith("4 of 7 items failed in the serial loop (the first: day1/1.jpg: "
                                    "ValueError: no face in 1.jpg)")
    assert "Use " not in proc.stdout and "Traceback" not in proc.stdout + proc.stderr
