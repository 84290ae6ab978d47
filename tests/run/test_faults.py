"""Faults injected into real runs (``python -m bench`` in a subprocess, tiny cases):
a run measured in full (``--exhaustive``) here, a budgeted race in
tests/run/test_race_faults.py - one engine, so one file of each kind of fault is enough.

Every test asserts the exact outcome: the results file's content, the exit code, and
that no process, temporary folder, partial results file or shared-memory segment
is left (tests/faultkit.py explains how each is found).
"""
import os

import pytest

from bench.results import ResultsFile
from faultkit import Sandbox

IMWRITE = "imwrite/8x8x1-noise-n4/jpg-q95"


@pytest.fixture
def sandbox(tmp_path):
    sb = Sandbox(tmp_path)
    yield sb
    sb.close()


def measured(data) -> list[str]:
    """Names of the measured cases (through pyperf: it moves shared metadata around)."""
    return [b.get_name() for b in ResultsFile.from_json("-", data).benchmarks]


def failed(data) -> dict[str, str]:
    return {f["name"]: f["reason"] for f in data["bench"]["failed"]}


def hang_started(sb):
    name = "bench-fault-" + sb.tag
    where = sb.shm if sb.private_shm else "/dev/shm"
    return lambda: name in os.listdir(where)


def test_in_full_a_task_that_raises_fails_its_group_and_the_run_goes_on(sandbox):
    proc = sandbox.run("imwrite", *sandbox.args("--exhaustive", "--workloads", "fault-raise,imwrite",
                                                "--strategies", "serial,processes",
                                                "--start-method", "fork"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    data = sandbox.load_json()
    reason = "RuntimeError: deliberate fault: fault-raise on image 0"
    assert failed(data) == {"fault-raise/8x8x1-noise-n4/fault/serial/w1": reason,
                            "fault-raise/8x8x1-noise-n4/fault/processes/w2/fork": reason}
    assert measured(data) == [f"{IMWRITE}/serial/w1", f"{IMWRITE}/processes/w2/fork"]
    assert "Traceback" in data["bench"]["failed"][0]["detail"]      # kept for diagnosis
    assert "Traceback" not in proc.stdout + proc.stderr
    sandbox.assert_clean()


