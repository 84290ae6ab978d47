"""Faults injected into a budgeted race (``python -m bench`` in a subprocess, tiny sets):
a group whose serial loop fails, a configuration whose pool dies, a hang, Ctrl-C and
--resume, a kill -9 of the main process. Nothing may be left behind (tests/faultkit.py)."""
import os
import signal

import pytest
from faultkit import wait_for
from test_faults import IMWRITE, failed, hang_started, measured, sandbox  # noqa: F401 - a fixture

from bench.texts import messages


def test_a_group_whose_serial_loop_raises_fails_whole_and_the_run_goes_on(sandbox):
    proc = sandbox.run("imwrite", *sandbox.args("--workloads", "fault-raise,imwrite",
                                                "--strategies", "serial,processes",
                                                "--start-method", "fork", "--budget", "30s"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    data = sandbox.load_json()
    reason = "RuntimeError: deliberate fault: fault-raise on image 0"
    assert failed(data) == {"fault-raise/8x8x1-noise-n4/fault/serial/w1": reason,
                            "fault-raise/8x8x1-noise-n4/fault/processes/w2/fork": reason}
    assert sorted(measured(data)) == [f"{IMWRITE}/processes/w2/fork", f"{IMWRITE}/serial/w1"]
    assert "Traceback" in data["bench"]["failed"][0]["detail"]
    assert "Traceback" not in proc.stdout + proc.stderr
    sandbox.assert_clean()


def test_a_pool_whose_worker_is_killed_costs_only_its_configuration(sandbox, monkeypatch):
    # fault-kill-worker kills whatever process runs its task: the serial pilot's would
    # be the group's case process, so the pool alone runs it here (--workloads imwrite
    # keeps the group's serial loop healthy; the fault is in the processes pool)
    proc = sandbox.run("imwrite", *sandbox.args("--workloads", "fault-kill-worker",
                                                "--strategies", "serial,processes",
                                                "--start-method", "spawn", "--budget", "30s"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    data = sandbox.load_json()
    reasons = failed(data)
    # the serial pilot runs the task in the case process itself: it dies, the group fails
    assert reasons["fault-kill-worker/8x8x1-noise-n4/fault/serial/w1"].startswith(
        messages.KILLED.format(signal="SIGKILL"))
    assert "Traceback" not in proc.stdout + proc.stderr
    sandbox.assert_clean()


def test_a_hang_is_ended_at_the_timeout_with_everything_it_made(sandbox):
    proc = sandbox.start("imwrite", *sandbox.args("--workloads", "fault-hang,imwrite",
                                                  "--strategies", "serial",
                                                  "--case-timeout", "5", "--budget", "30s"))
    wait_for(hang_started(sandbox))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, out + err
    data = sandbox.load_json()
    assert failed(data) == {"fault-hang/8x8x1-noise-n4/fault/serial/w1":
                            messages.TIMED_OUT.format(seconds=5)}
    assert measured(data) == [f"{IMWRITE}/serial/w1"]
    sandbox.assert_clean()


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130)])
def test_ctrl_c_mid_race_keeps_results_and_resume_goes_on(sandbox, signum, code):
    proc = sandbox.start("imwrite", *sandbox.args("--workloads", "imwrite,fault-hang",
                                                  "--strategies", "serial,threads",
                                                  "--case-timeout", "60", "--budget", "30s"))
    wait_for(hang_started(sandbox))          # the imwrite group is done, the hang in flight
    os.kill(proc.pid, signum)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == code, out + err
    path = sandbox.results_path()
    assert err.splitlines()[-1] == f"resume with: python -m bench imwrite --resume {path} --case-timeout 60"
    data = sandbox.load_json(path)
    assert f"{IMWRITE}/threads/w2" in measured(data) and data["bench"]["failed"] == []
    race = data["bench"]["run"]["race"]
    assert race[f"{IMWRITE}"]["status"] == "done"
    sandbox.assert_clean()

    again = sandbox.run("imwrite", "--resume", path, "--case-timeout", "1")
    assert again.returncode == 1, again.stdout + again.stderr
    data = sandbox.load_json(path)
    assert f"{IMWRITE}/threads/w2" in measured(data)
    assert set(failed(data)) == {"fault-hang/8x8x1-noise-n4/fault/serial/w1",
                                 "fault-hang/8x8x1-noise-n4/fault/threads/w2"}
    assert "interrupted" not in data["bench"]["run"] and len(data["bench"]["run"]["resumed"]) == 1
    sandbox.assert_clean()


def test_main_process_killed_mid_race_leaves_nothing_and_resume_finishes(sandbox):
    proc = sandbox.start("imwrite", *sandbox.args("--workloads", "imwrite,fault-hang",
                                                  "--strategies", "serial,threads",
                                                  "--case-timeout", "60", "--budget", "30s"))
    wait_for(hang_started(sandbox))
    proc.kill()
    proc.wait()
    sandbox.assert_clean(wait=10)          # the orphaned case process ended itself
    path = sandbox.results_path()
    again = sandbox.run("imwrite", "--resume", path, "--case-timeout", "1")
    assert again.returncode == 1, again.stdout + again.stderr
    data = sandbox.load_json(path)
    assert f"{IMWRITE}/threads/w2" in measured(data)
    sandbox.assert_clean()
