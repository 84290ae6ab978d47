"""Dask: the cluster strategies give serial's output, locally and on a real scheduler."""
import json
import os
import socket
import subprocess
import sys
import time

import pytest

from bench.run.cleanup import end_group
from bench.results import ResultsFile

from project import ROOT


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_cluster():
    """A real scheduler and two workers, each its own process (as on other machines)."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=ROOT)
    common = dict(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler",
                               "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], **common)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                 "--nworkers", "1", "--no-dashboard", "--host", "127.0.0.1"], **common))
        from distributed import Client

        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(address, timeout="2s") as c:
                    c.wait_for_workers(2, timeout=30)
                break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield address
    finally:
        # everything we started is stopped, also on failure; the workers' resource
        # trackers last, so that they unlink the named semaphores in /dev/shm
        for p in procs:
            end_group(p.pid)
            p.wait(10)


def test_cli_against_a_real_scheduler(dask_cluster, tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "dask", "--scheduler", dask_cluster, "--quick",
         "--strategies", "dask,dask-chunked,dask-scatter,dask-local",
         "--n-images", "8", "--values", "1", "--case-timeout", "60", "--results-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=240, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (path,) = [p for p in tmp_path.iterdir() if p.suffix == ".json"]
    data = json.loads(path.read_text())
    assert data["bench"]["failed"] == []
    # bench dask: a plan measured in full by the race engine, the cluster's probes first
    assert data["bench"]["run"]["mode"] == "exhaustive"
    rf = ResultsFile.load(str(path))
    assert any(b.get_metadata().get("workload") == "pool-start" for b in rf.benchmarks)
    dask_cases = [b for b in rf.benchmarks if b.get_metadata().get("family") == "dask"]
    assert {b.get_metadata()["strategy"] for b in dask_cases} >= {"dask", "dask-chunked", "dask-scatter", "dask-local"}
    for b in dask_cases:
        m = b.get_metadata()
        assert m["dask_workers"] == 2 and m["dask_scheduler"] == dask_cluster
        assert m["workers"] == 2                  # the cluster's size, not the local sweep
        if m["workload"] == "imwrite":
            assert m["verified"] == "yes"


@pytest.mark.parametrize("address, message", [
    ("nonsense", "is not SCHEME://HOST:PORT"),
    ("tcp://127.0.0.1:1", "cannot reach the Dask scheduler"),
])
def test_bad_or_unreachable_scheduler_is_one_line(run_cli, address, message):
    proc = run_cli("dask", "--scheduler", address, "--scheduler-timeout", "1")
    assert proc.returncode == 2
    assert message in proc.stderr and proc.stderr.count("\n") == 1


def _race(tmp_path, *args):
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "imwrite", "--quick", "--sizes", "32x32x1", "--n-images", "200",
         "--workers", "2", "--layouts", "flat", "--budget", "60s", "--out-dir", str(tmp_path),
         "--results-dir", str(tmp_path), "--plots-dir", str(tmp_path / "plots"), *args],
        capture_output=True, text=True, timeout=240, env=env, cwd=tmp_path)
    (path,) = [p for p in tmp_path.iterdir() if p.suffix == ".json"]
    data = json.loads(path.read_text())
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:] + str(data["bench"]["failed"])[:3000]
    assert data["bench"]["failed"] == []
    by_strategy = {b.get_metadata()["strategy"]: b.get_metadata()
                   for b in ResultsFile.load(str(path)).benchmarks}
    return proc, by_strategy


def test_dask_races_and_is_verified_like_the_others(tmp_path):
    """Every race whose plan held Dask used to exit 1: its pool is closed after each pass,
    and the pass kept to verify it went with the pool."""
    _, got = _race(tmp_path, "--strategies", "serial,dask-chunked")
    for name in ("dask-chunked",):
        assert got[name]["verified"] == "yes", name
        assert got[name]["paired_speedup"] > 0
        assert got[name]["dask_workers"] == 2


def test_a_race_against_a_separately_started_scheduler(dask_cluster, tmp_path):
    proc, got = _race(tmp_path, "--strategies", "dask-chunked,processes-shm", "--scheduler", dask_cluster)
    assert "serial" in got                     # every speedup's reference, raced though not named
    assert got["dask-chunked"]["verified"] == "yes"
    assert got["dask-chunked"]["dask_scheduler"] == dask_cluster
