"""joblib and mpire as users call them: the serial loop's outputs, in order, set up once
per worker, the library's own memmapping, refusals and a missing library."""
import importlib
import os
import subprocess
import sys

import numpy as np
import pytest

from bench.strategies import STRATEGIES, PoolConfig, auto_chunk_size, make_strategy
from bench.strategies import libraries
from bench.strategies.libraries import pools
from workloads.imwrite import ImencodeWorkload, ImwriteWorkload

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAMES = [cls.name for cls in libraries.STRATEGIES]


def _files(folder):
    return {n: open(os.path.join(folder, n), "rb").read() for n in os.listdir(folder)}


def _start(name, workload, images, method="fork", workers=2):
    chunk = auto_chunk_size(name, len(images), workers)
    strategy = make_strategy(name, PoolConfig(workers, chunk, method))
    return strategy, strategy.start(workload, images)


def _pass(name, workload, images, **kw):
    strategy, pool = _start(name, workload, images, **kw)
    try:
        return strategy.run(pool, workload, images, lambda: None)
    finally:
        strategy.stop(pool)


def test_every_library_strategy_is_registered_with_its_family():
    assert set(NAMES) == {"joblib", "joblib-threads", "joblib-chunked", "joblib-memmap",
                          "mpire", "mpire-shared", "mpire-state"}
    assert STRATEGIES["joblib-threads"].family == "threads"
    assert all(STRATEGIES[n].family == "processes" for n in NAMES if n != "joblib-threads")
    assert STRATEGIES["joblib-chunked"].chunked and STRATEGIES["joblib-chunked"].sliced
    assert STRATEGIES["mpire-shared"].fork_only and STRATEGIES["mpire-state"].needs_model


@pytest.mark.e2e
@pytest.mark.parametrize("name", NAMES)
def test_imwrite_bytes_and_imencode_digests_equal_the_serial_loop(name, tiny_images, tmp_path):
    ref, got = tmp_path / "ref", tmp_path / "got"
    ref.mkdir(), got.mkdir()
    _pass("serial", ImwriteWorkload().with_output(str(ref)), tiny_images)
    _pass(name, ImwriteWorkload().with_output(str(got)), tiny_images)
    assert _files(got) == _files(ref) and len(_files(ref)) == len(tiny_images)
    digests = ImencodeWorkload(return_digest=True)
    serial = _pass("serial", digests, tiny_images)
    assert _pass(name, digests, tiny_images) == serial     # the same, in input order
    assert len(set(serial)) == len(tiny_images)


@pytest.mark.e2e
@pytest.mark.parametrize("name", NAMES)
def test_a_warm_pool_sets_each_worker_up_once_and_signals_its_first_result(name, tiny_images):
    w = ImencodeWorkload(return_digest=True)
    strategy, pool = _start(name, w, tiny_images)
    try:
        firsts = []
        first = strategy.run(pool, w, tiny_images, lambda: firsts.append(1))
        reports = strategy.worker_reports()
        again = strategy.run(pool, w, tiny_images, lambda: None)
        later = strategy.worker_reports()
        single = strategy.submit_first(pool, w, tiny_images, 3).result()
        pids = strategy.worker_pids(pool)
    finally:
        strategy.stop(pool)
    assert firsts == [1] and first == again
    # each worker reports once, with its first task: a worker that took none in the first
    # pass reports in a later one; no worker is set up twice
    everyone = reports + later
    assert reports and len(everyone) <= 2
    assert len({(r["pid"], r["thread"]) for r in everyone}) == len(everyone)
    assert single in (first[3], [first[3]])              # one image (or a slice of one)
    if strategy.family == "processes":
        assert len(pids) == 2 and os.getpid() not in pids
    else:
        assert pids == []


def _memmapped(workload, images, start, stop):
    """Runs in a joblib worker: how the whole set arrived there."""
    return type(images).__name__, bool(images.flags.writeable)


@pytest.mark.e2e
def test_joblib_memmaps_a_set_above_max_nbytes_and_pickles_a_small_one():
    from workloads.images import ImageSetSpec, ImageSize, generate

    big = generate(ImageSetSpec(ImageSize(64, 64, 1), 300, "noise"))     # 1.2 MB > 1M
    small = big[:10]
    w = ImencodeWorkload()
    strategy, pool = _start("joblib-memmap", w, big)
    try:
        assert pool.submit(_memmapped, w, big, 0, 1).result() == ("memmap", False)
        assert pool.submit(_memmapped, w, small, 0, 1).result() == ("ndarray", True)
    finally:
        strategy.stop(pool)


@pytest.mark.e2e
def test_two_live_joblib_pools_have_their_own_workers(tiny_images):
    """loky keeps one executor per process; each configuration's pool has its own, so a
    second one neither kills the first nor starts warm."""
    w = ImencodeWorkload(return_digest=True)
    a, pool_a = _start("joblib", w, tiny_images)
    b, pool_b = _start("joblib-chunked", w, tiny_images)
    try:
        got_a = a.run(pool_a, w, tiny_images, lambda: None)
        got_b = b.run(pool_b, w, tiny_images, lambda: None)
        assert got_a == got_b == a.run(pool_a, w, tiny_images, lambda: None)
        assert set(a.worker_pids(pool_a)).isdisjoint(b.worker_pids(pool_b))
    finally:
        a.stop(pool_a)
        b.stop(pool_b)


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_mpire_shared_is_refused_outside_fork_with_the_reason(method, tiny_images):
    strategy = make_strategy("mpire-shared", PoolConfig(2, None, method))
    with pytest.raises(ValueError, match=r"needs the fork start method, not " + method + ".*copy-on-write"):
        strategy.start(ImencodeWorkload(), tiny_images)


def test_mpire_shared_is_planned_only_under_fork():
    from bench.plan.configurations import PlanOptions, plan_cases
    from workloads.images import ImageSize

    opts = PlanOptions(workloads=["imwrite"], sizes=[ImageSize.parse("8x8x1")], n_images=16,
                       strategies=["serial", "mpire-shared"], workers=[2], start_methods=["spawn"])
    assert [c.strategy for c in plan_cases(opts)] == ["serial"]
    with pytest.raises(ValueError, match="fork"):
        plan_cases(PlanOptions(**{**opts.__dict__, "explicit_strategies": ("mpire-shared",)}))


@pytest.fixture
def no_joblib(monkeypatch):
    """As if joblib were not installed: importing it fails."""
    real = importlib.import_module

    def fake(name, *args, **kwargs):
        if name == "joblib" or name.startswith("joblib."):
            raise ImportError("No module named 'joblib'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", fake)


def test_a_missing_library_is_one_line_that_says_how_to_install_it(no_joblib, tiny_images):
    assert pools.missing("mpire") is None
    line = pools.missing("joblib")
    assert line.startswith("joblib is not installed: pip install 'joblib>=") and "\n" not in line
    assert libraries.unavailable(["serial", "joblib", "joblib-chunked", "mpire"]) == {
        line: ["joblib", "joblib-chunked"]}
    with pytest.raises(pools.LibraryMissing, match="pip install"):
        make_strategy("joblib", PoolConfig(2)).start(ImencodeWorkload(), tiny_images)


def test_the_race_plan_skips_a_missing_library_with_one_line(no_joblib, capsys):
    from bench.plan import planner as race

    libraries._SAID.clear()
    req = race.PlanRequest(mode="quick", codec_workloads=["imwrite"], pose=False, dask=False)
    plan = race.build_plan(req, usable=2, memory_available=8 * 1024 ** 3)
    names = {c.strategy for g in plan.groups for c in g.entrants}
    assert "mpire" in names and not any(n.startswith("joblib") for n in names)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "joblib" in err[0] and "pip install" in err[0]
    # named on the command line: skipped the same way, the planner does not crash
    libraries._SAID.clear()
    req = race.PlanRequest(mode="quick", codec_workloads=["imwrite"], pose=False, dask=False,
                       strategies=["serial", "joblib", "mpire"])
    plan = race.build_plan(req, usable=2, memory_available=8 * 1024 ** 3)
    assert {c.strategy for g in plan.groups for c in g.entrants} == {"serial", "mpire"}
    assert "pip install" in capsys.readouterr().err


POSE_SCRIPT = r"""
import sys
import numpy as np
from bench.strategies import PoolConfig, make_strategy
from workloads.images import ImageSetSpec, ImageSize, generate
from workloads.pose import PoseWorkload

images = generate(ImageSetSpec(ImageSize(256, 256, 3), 3, "person", seed=0))
w = PoseWorkload()
out = {}
# every pool first: the serial loop builds a model in this process, which must not fork
for name, chunk in [("mpire", None), ("mpire-state", None), ("mpire-shared", None),
                    ("joblib", None), ("joblib-chunked", 2), ("joblib-threads", None),
                    ("serial", None)]:
    s = make_strategy(name, PoolConfig(2, chunk, "fork"))
    pool = s.start(w, images)
    try:
        results = s.run(pool, w, images, lambda: None)
    finally:
        s.stop(pool)
    reports = s.worker_reports()
    assert name == "serial" or all(r["model_load_s"] > 0 for r in reports), (name, reports)
    assert name == "serial" or 1 <= len({(r["pid"], r["thread"]) for r in reports}) == len(reports) <= 2
    out[name] = np.stack([r.landmarks for r in results])
np.savez(sys.argv[1], **out)
"""


@pytest.mark.e2e
def test_pose_keypoints_equal_the_serial_loop_with_a_model_per_worker(tmp_path):
    path = tmp_path / "keypoints.npz"
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", POSE_SCRIPT, str(path)], capture_output=True,
                          text=True, timeout=240, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with np.load(path) as data:
        got = {k: data[k] for k in data.files}
    serial = got.pop("serial")
    assert serial.shape == (3, 33, 4)
    assert sorted(got) == sorted(["mpire", "mpire-state", "mpire-shared", "joblib",
                                  "joblib-chunked", "joblib-threads"])
    for name, keypoints in got.items():
        assert np.allclose(keypoints, serial, atol=1e-6), name


def test_the_overhead_probes_hold_the_libraries_next_to_the_pools(monkeypatch):
    from bench.plan.configurations import PlanOptions
    from bench.plan.overhead import plan_overhead

    names = [c.name for c in plan_overhead(PlanOptions(quick=True, workers=[2]), 2)]
    for name in ("joblib/w2/", "joblib-threads/w2", "mpire/w2/"):
        assert any(n.startswith("pool-start/first-result/" + name) for n in names), name
        assert any(n.startswith("roundtrip/50x50x1-") and "/noop/" + name in n for n in names), name


def test_the_overhead_probes_leave_out_a_missing_library(no_joblib, capsys):
    from bench.plan.configurations import PlanOptions
    from bench.plan.overhead import plan_overhead

    libraries._SAID.clear()
    names = [c.name for c in plan_overhead(PlanOptions(quick=True, workers=[2]), 2)]
    assert not any("/joblib" in n for n in names) and any("/mpire/" in n for n in names)
    assert "pip install" in capsys.readouterr().err


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["joblib", "joblib-threads", "mpire"])
def test_pool_start_and_round_trip_probes_run_on_the_library_pools(name):
    from workloads.images import ImageSetSpec, ImageSize, generate
    from workloads.overhead import PoolStartWorkload, RoundTripWorkload

    images = generate(ImageSetSpec(ImageSize(1, 1, 1), 50, "noise"))
    strategy = make_strategy(name, PoolConfig(2, None, "fork"))
    started = PoolStartWorkload.measure(strategy, images[:1], 1)
    assert len(started["values_s"]) == 1 and started["metadata"]["all_workers_ready_s"] > 0
    w = RoundTripWorkload()
    assert _pass(name, w, images) == [None] * len(images)


@pytest.mark.parametrize("name", ["joblib", "joblib-threads"])
def test_joblib_with_one_worker_runs_every_call_in_the_caller_probes_included(name):
    # n_jobs=1 is joblib's SequentialBackend: no pool to submit to, no process to start
    from workloads.images import ImageSetSpec, ImageSize, generate
    from workloads.overhead import PoolStartWorkload

    images = generate(ImageSetSpec(ImageSize(4, 4, 1), 6, "noise"))
    w = ImencodeWorkload(return_digest=True)
    serial = _pass("serial", w, images)
    strategy, pool = _start(name, w, images, workers=1)
    try:
        assert strategy.run(pool, w, images, lambda: None) == serial
        assert strategy.submit_first(pool, w, images, 2).result() in (serial[2], [serial[2]])
        reports = strategy.worker_reports()
        assert strategy.worker_pids(pool) == []
    finally:
        strategy.stop(pool)
    if name == "joblib":
        assert {r["pid"] for r in reports} == {os.getpid()}
    started = PoolStartWorkload.measure(make_strategy(name, PoolConfig(1, None, "fork")), images[:1], 1)
    assert len(started["values_s"]) == 1


def test_only_pools_that_fork_the_case_process_are_kept_away_from_its_model():
    # joblib's loky workers are fresh interpreters, and with one worker joblib runs in
    # the case process itself: neither may go to the process kept free of the model
    forks = {n: STRATEGIES[n].forks_process("fork") for n in STRATEGIES}
    assert forks["processes"] and forks["processes-chunked"] and forks["mpire"]
    assert not forks["joblib"] and not forks["joblib-chunked"] and not forks["joblib-threads"]
    assert not forks["serial"] and not forks["threads"]
    assert not STRATEGIES["processes"].forks_process("spawn")
    assert not STRATEGIES["mpire"].forks_process("forkserver")


@pytest.mark.e2e
def test_a_tiny_run_measures_and_verifies_joblib_and_mpire(run_cli, tmp_path):
    from bench.results import ResultsFile

    proc = run_cli("imwrite", "--sizes", "8x8x1", "--n-images", "16", "--workers", "2",
                   "--strategies", "serial,joblib,mpire", "--budget", "60s",
                   "--results-dir", str(tmp_path / "results"), timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (path,) = [p for p in (tmp_path / "results").iterdir() if p.suffix == ".json"]
    by_strategy = {b.get_metadata()["strategy"]: b.get_metadata()
                   for b in ResultsFile.load(str(path)).benchmarks}
    assert set(by_strategy) == {"serial", "joblib", "mpire"}
    for name in ("joblib", "mpire"):
        meta = by_strategy[name]
        assert meta["verified"] == "yes", name
        assert meta["paired_speedup"] > 0 and meta["library_version"].startswith(name + " ")
    # the summary's line: the libraries' defaults against the serial loop and the pick
    assert "joblib with its defaults: " in proc.stdout and "; mpire: " in proc.stdout


@pytest.mark.e2e
def test_every_joblib_pass_starts_its_automatic_batch_size_afresh():
    from workloads.tasks import NoopWorkload

    images = np.zeros((3000, 1, 1, 1), np.uint8)
    w = NoopWorkload()
    strategy, pool = _start("joblib", w, images)
    seen = []

    def calls():
        seen.append(pool.backend._effective_batch_size)     # read when joblib takes the first
        yield from strategy.calls(w, images)

    try:
        strategy.run(pool, w, images, lambda: None)
        learned = pool.backend._effective_batch_size
        pool.map(calls(), len(images), lambda: None)
    finally:
        strategy.stop(pool)
    assert learned > 1          # 3000 no-ops: joblib grew its batches during the pass
    assert seen == [1]          # the next pass started from one task per batch again
