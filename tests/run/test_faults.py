"""Faults injected into real runs (``python -m bench`` in a subprocess, tiny cases), one
fresh process per case (``--exhaustive``); tests/run/test_race_faults.py does the same
to a budgeted race.

Every test asserts the exact outcome: the results file's content, the exit code, and
that no process, temporary folder, partial results file or shared-memory segment
is left (tests/faultkit.py explains how each is found).
"""
import os
import signal
import time

import pytest

from bench.results import ResultsFile
from bench.texts import messages
from faultkit import Sandbox, read_until, wait_for

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


def test_a_task_that_raises_fails_its_case_and_the_run_goes_on(sandbox):
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
    assert "[4/4]" in proc.stdout
    sandbox.assert_clean()


def test_a_worker_killed_by_sigkill_fails_its_case_and_the_run_goes_on(sandbox):
    proc = sandbox.run("imwrite", *sandbox.args("--exhaustive", "--workloads", "fault-kill-worker,imwrite",
                                                "--strategies", "serial,processes",
                                                "--start-method", "spawn"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    data = sandbox.load_json()
    assert failed(data) == {
        # under serial the task runs in the case process itself
        "fault-kill-worker/8x8x1-noise-n4/fault/serial/w1":
            messages.KILLED.format(signal="SIGKILL") + messages.KILLED_HINT,
        "fault-kill-worker/8x8x1-noise-n4/fault/processes/w2/spawn": messages.BROKEN_POOL,
    }
    assert measured(data) == [f"{IMWRITE}/serial/w1", f"{IMWRITE}/processes/w2/spawn"]
    assert "Traceback" not in proc.stdout + proc.stderr
    sandbox.assert_clean()


@pytest.mark.parametrize("strategy, name", [
    ("serial", "serial/w1"),
    ("processes", "processes/w2/spawn"),       # pool workers, semaphores, a tracker
])
def test_a_case_that_hangs_is_ended_at_its_timeout_with_everything_it_made(sandbox, strategy, name):
    proc = sandbox.start("imwrite", *sandbox.args("--exhaustive", "--workloads", "fault-hang",
                                                  "--strategies", strategy,
                                                  "--start-method", "spawn",
                                                  "--case-timeout", "5"))
    # the serial loop is measured whether named or not (every speedup's reference), and it
    # hangs as well: each case is ended at its own timeout
    hangs = ["serial/w1"] + ([name] if strategy != "serial" else [])
    wait_for(hang_started(sandbox))          # the task is inside its endless sleep
    hung_at = time.monotonic()
    out, err = proc.communicate(timeout=30 * len(hangs))
    # the timeouts, plus the clean-up (a loaded machine is slow)
    assert time.monotonic() - hung_at < len(hangs) * 5 + 10
    assert proc.returncode == 1, out + err
    data = sandbox.load_json()
    assert failed(data) == {f"fault-hang/8x8x1-noise-n4/fault/{n}": messages.TIMED_OUT.format(seconds=5)
                            for n in hangs}
    assert data["benchmarks"] == []
    sandbox.assert_clean()                   # segment, semaphores, files: all gone


def test_main_process_killed_mid_run_then_resumed_gives_the_full_run(sandbox):
    args = sandbox.args("--exhaustive", "--strategies", "serial,threads,processes", "--start-method", "fork")
    planned = sandbox.run("list", "imwrite", *args).stdout.split()     # what an uninterrupted run measures
    assert len(planned) == 3
    proc = sandbox.start("imwrite", *args)
    read_until(proc.stdout, "[1/3]")
    # the second case is in flight: its folder exists (made once it is orphan-proof)
    wait_for(lambda: any(n.startswith("bench-case-") for n in os.listdir(sandbox.out)))
    proc.kill()
    proc.wait()
    sandbox.assert_clean(wait=10)        # the orphaned case ended itself and its folders
    path = sandbox.results_path()
    kept = ResultsFile.load(path)        # a complete file, never a torn one
    assert 1 <= len(kept.benchmarks) <= 2 and kept.failed == []
    assert "finished" not in kept.run

    again = sandbox.run("imwrite", "--resume", path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"of 3 cases already there, {3 - len(kept.benchmarks)} to run" in again.stdout
    data = sandbox.load_json(path)
    assert sorted(measured(data)) == sorted(planned)
    assert len(data["bench"]["run"]["resumed"]) == 1 and data["bench"]["failed"] == []
    sandbox.assert_clean()


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupt_mid_run_keeps_results_cleans_up_and_says_how_to_resume(sandbox, signum, code):
    proc = sandbox.start("imwrite", *sandbox.args("--exhaustive", "--workloads", "imwrite,fault-hang",
                                                  "--strategies", "serial",
                                                  "--case-timeout", "60"))
    wait_for(hang_started(sandbox))          # case 2 of 2 is in flight
    os.kill(proc.pid, signum)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == code, out + err
    path = sandbox.results_path()
    name = signal.Signals(signum).name
    assert err.splitlines() == [
        f"bench: interrupted by {name}: 1 of 2 cases are in {path}",
        f"resume with: python -m bench imwrite --resume {path} --case-timeout 60",
    ]
    data = sandbox.load_json(path)
    assert measured(data) == [f"{IMWRITE}/serial/w1"] and data["bench"]["failed"] == []
    assert data["bench"]["run"]["interrupted"]
    sandbox.assert_clean()

    # and the printed command finishes the run (the hanging case now times out)
    again = sandbox.run("imwrite", "--resume", path, "--case-timeout", "1")
    assert again.returncode == 1, again.stdout + again.stderr
    data = sandbox.load_json(path)
    assert measured(data) == [f"{IMWRITE}/serial/w1"]
    assert failed(data) == {"fault-hang/8x8x1-noise-n4/fault/serial/w1":
                            messages.TIMED_OUT.format(seconds=1)}
    assert "interrupted" not in data["bench"]["run"]
    sandbox.assert_clean()
