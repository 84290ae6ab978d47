"""recommend --code: every configuration's snippet is plain Python that imports only the
standard library, numpy, cv2 (mediapipe for pose), and, executed, gives the serial loop's
outputs in input order."""
import ast
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import crafted
from bench.cli import main as cli
from bench.output.snippet_work import Task, for_workload, task_of
from bench.output.snippets import Config, write

# the checkout under test (not "from conftest import ROOT": another folder's conftest may
# be the one imported under that name)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ALLOWED = {"concurrent", "importlib", "itertools", "math", "multiprocessing", "os", "threading",
           "numpy", "cv2", "mediapipe"}

IMWRITE = [
    Config("serial"),
    Config("threads", 2),
    Config("threads-chunked", 2, 5, True),
    Config("threads-chunked", 2, 5, True, folder_per_task=True),
    Config("processes", 2, start_method="fork"),
    Config("processes", 2, start_method="spawn"),
    Config("processes-chunked", 3, 4, True, "forkserver"),
    Config("processes-chunked", 2, 3, False, "fork", cv_threads=1),   # a fixed chunk size
    Config("processes-map", 2, 2, True, "fork"),
    Config("processes-shm", 2, 2, True, "fork"),
    Config("processes-shm", 2, 2, True, "spawn", folder_per_task=True),
    Config("processes-inherit", 2, 2, True, "fork"),
]
IMENCODE = [Config("threads", 2, cv_threads=1), Config("processes-map", 2, 3, True, "spawn"),
            Config("processes-inherit", 3, 1, True, "fork")]


def code(config: Config, workload="imwrite", label="jpg-q90", task=None) -> str:
    return write(config, for_workload(workload, label, task=task), '"""test snippet."""', (12, 16, 3))


def imported(source: str) -> set:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("config", IMWRITE + IMENCODE, ids=lambda c: f"{c.strategy}-{c.start_method}")
def test_snippets_are_python_with_only_the_allowed_imports(config):
    for workload in ("imwrite", "imencode", "pose"):
        source = code(config, workload)
        assert imported(source) <= ALLOWED, imported(source) - ALLOWED
        assert "bench" not in imported(source) and "workloads" not in imported(source)
        assert f"WORKERS = {config.workers}" in source or config.strategy == "serial"


def test_the_snippet_says_how_the_pixels_travel_and_the_chunk_rule(tmp_path, capsys):
    path = crafted.known_best(tmp_path / "r.json")           # processes-chunked w=4 wins
    assert cli.main(["recommend", path, "--code"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# --- imwrite 64x64x3 smooth, 100 images, jpg-q95")
    body = out.split("\n", 1)[1]
    words = " ".join(body.split())          # the docstring is wrapped
    assert "processes-chunked, 4 workers, chunk = images / workers, start method fork" in words
    assert "pickled" in body and "WORKERS = 4" in body and 'START_METHOD = "fork"' in body
    assert "math.ceil(len(images) / WORKERS)" in body and "IMWRITE_JPEG_QUALITY, 95" in body
    ast.parse(body)


def test_a_dask_pick_is_written_as_the_best_local_configuration(tmp_path, capsys):
    benches = [crafted.bench_for(crafted.case("serial"), 1000),
               crafted.bench_for(crafted.case("threads", 2), 1500),
               crafted.bench_for(crafted.case("dask-chunked", 2, 50, method=None), 3000)]
    path = crafted.results_file(tmp_path / "d.json", benches)
    assert cli.main(["recommend", path, "--code"]) == 0
    out = capsys.readouterr().out
    assert "# note: the pick, dask-chunked w=2 chunk=50, needs a Dask cluster" in out
    assert "ThreadPoolExecutor(WORKERS)" in out


def test_a_users_task_is_named_by_the_results_file():
    task = task_of({"task": "mymod:detect", "task_init": "/data/models.py:load"})
    assert task == Task("mymod", "detect", "/data/models.py:load")
    source = code(Config("processes", 2, start_method="spawn"), task=task)
    assert "from mymod import detect as task" in source
    assert "task_init = _load('/data/models.py', 'load')" in source
    assert "initializer=init" in source and "return task(image, _state.value)" in source
    assert "return task(image)\n" in code(Config("threads", 2), task=Task("mymod", "detect"))
    assert task_of({"workload": "imwrite"}) is None
    with pytest.raises(ValueError):
        Task.parse("no-function-here")


# -- executed ------------------------------------------------------------------------------

DRIVER = textwrap.dedent('''
    import importlib, pickle, sys
    import numpy as np

    if __name__ == "__main__":
        jobs = pickle.load(open("jobs.pkl", "rb"))
        images = np.load("images.npy")
        out = {}
        for module, out_dir in jobs:
            m = importlib.import_module(module)
            out[module] = m.run(images, out_dir) if out_dir else m.run(images)
        if len(sys.argv) > 1:          # pose: the serial loop bench verifies against, after the pools
            from workloads.pose import PoseWorkload
            w = PoseWorkload()
            out["serial"] = [w.process(i, im) for i, im in enumerate(images)]
        pickle.dump(out, open("results.pkl", "wb"))
''')


def execute(tmp_path, sources: dict, images, writes: bool, *args, timeout=240) -> dict:
    """Write every snippet as a module, run them all in one fresh interpreter."""
    np.save(tmp_path / "images.npy", images)
    jobs = []
    for name, source in sources.items():
        (tmp_path / f"{name}.py").write_text(source)
        out_dir = str(tmp_path / f"out_{name}") if writes else None
        if out_dir:
            os.makedirs(out_dir)
        jobs.append((name, out_dir))
    (tmp_path / "jobs.pkl").write_bytes(pickle.dumps(jobs))
    (tmp_path / "driver.py").write_text(DRIVER)
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, "driver.py", *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return pickle.loads((tmp_path / "results.pkl").read_bytes())


def files_written(folder) -> dict:
    """Digest of every file under ``folder`` by its name (a folder per task flattened)."""
    from workloads.imwrite import _digest

    out = {}
    for root, _, names in os.walk(folder):
        for n in names:
            with open(os.path.join(root, n), "rb") as fh:
                assert n not in out, f"{n} written twice"
                out[n] = _digest(fh.read())
    return out


@pytest.fixture(scope="module")
def tiny():
    from workloads.images import ImageSetSpec, ImageSize, generate

    return generate(ImageSetSpec(ImageSize(16, 12, 3), 11, "smooth", seed=5))   # 11: uneven chunks


@pytest.mark.e2e
def test_every_imwrite_snippet_writes_the_serial_loops_files(tmp_path, tiny):
    from workloads.codecs import Codec
    from workloads.imwrite import ImwriteWorkload

    ref = tmp_path / "serial"
    ref.mkdir()
    w = ImwriteWorkload(codec=Codec("jpg", 90), out_dir=str(ref))
    for i, image in enumerate(tiny):
        w.process(i, image)
    expected = files_written(ref)
    sources = {f"pick_{k}": code(c) for k, c in enumerate(IMWRITE)}
    results = execute(tmp_path, sources, tiny, True)
    for k, c in enumerate(IMWRITE):
        assert results[f"pick_{k}"] == [None] * len(tiny), c
        assert files_written(tmp_path / f"out_pick_{k}") == expected, c
    per_task = sorted(os.listdir(tmp_path / "out_pick_3"))
    # "auto" follows the images given: 11 images on 2 workers, slices of 6, a folder each
    assert per_task == ["task-000000", "task-000006"]


@pytest.mark.e2e
def test_every_imencode_snippet_returns_the_serial_loops_results_in_order(tmp_path, tiny):
    from workloads.codecs import Codec
    from workloads.imwrite import ImencodeWorkload

    w = ImencodeWorkload(codec=Codec("png", png_level=1))
    expected = [w.process(i, image) for i, image in enumerate(tiny)]
    assert len(set(expected)) > 1                     # sizes that tell the images apart
    sources = {f"enc_{k}": code(c, "imencode", "png-l1") for k, c in enumerate(IMENCODE)}
    results = execute(tmp_path, sources, tiny, False)
    for k, c in enumerate(IMENCODE):
        assert results[f"enc_{k}"] == expected, c


@pytest.mark.e2e
def test_a_snippet_runs_as_a_script(tmp_path):
    (tmp_path / "pick.py").write_text(code(Config("processes-shm", 2, 2, True, "fork")))
    proc = subprocess.run([sys.executable, "pick.py"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "8 images done" and len(os.listdir(tmp_path / "out")) == 8


@pytest.mark.e2e
def test_a_users_task_and_its_init_run_in_every_worker(tmp_path, tiny):
    (tmp_path / "usertask.py").write_text(textwrap.dedent('''
        import os

        def setup():
            return {"scale": 3, "pid": os.getpid()}     # per-worker state, built once

        def brightness(image, state):
            assert state["pid"] == os.getpid()           # built in this worker
            return (int(image.sum()) * state["scale"], os.getpid())
    '''))
    task = Task("usertask", "brightness", "usertask:setup")
    configs = [Config("processes", 2, start_method="spawn"), Config("processes-chunked", 2, 3, True, "fork"),
               Config("threads", 2)]
    sources = {f"task_{k}": code(c, task=task) for k, c in enumerate(configs)}
    results = execute(tmp_path, sources, tiny, False)
    expected = [int(im.sum()) * 3 for im in tiny]
    for k in range(len(configs)):
        assert [r[0] for r in results[f"task_{k}"]] == expected


@pytest.mark.e2e
def test_pose_snippets_give_the_serial_loops_landmarks(tmp_path):
    pytest.importorskip("mediapipe", reason="pose snippets need mediapipe")
    from workloads.images import ImageSetSpec, ImageSize, generate
    from workloads.pose.results import comparable, differs

    images = generate(ImageSetSpec(ImageSize(256, 256, 3), 2, "person", seed=0))
    configs = [Config("processes", 2, start_method="spawn"), Config("threads", 2),
               Config("processes-shm", 2, 1, True, "forkserver")]
    sources = {f"pose_{k}": code(c, "pose", "solutions-c1") for k, c in enumerate(configs)}
    results = execute(tmp_path, sources, images, False, "serial")
    serial = [comparable(r) for r in results["serial"]]
    assert any(isinstance(s, np.ndarray) for s in serial)          # a person found
    for k, c in enumerate(configs):
        got = [r if r is not None else "no person" for r in results[f"pose_{k}"]]
        assert not any(differs(s, g) for s, g in zip(serial, got)), c
