"""Parent side of case isolation: run one case in its own process group.

The child gets its own session (process group), so on a timeout or an interrupt the
whole group - the case process, its pool workers, a forkserver - is killed at once,
and nothing is left running after a case whatever happened inside it.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from bench import messages


@dataclass
class Outcome:
    ok: bool
    result: dict | None = None
    reason: str = ""
    detail: str = ""


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_isolated(case_dict: dict, settings: dict, timeout: float) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="bench-spec-") as tmp:
        spec_path = os.path.join(tmp, "spec.json")
        result_path = os.path.join(tmp, "result.json")
        with open(spec_path, "w") as fh:
            json.dump({"case": case_dict, "settings": settings}, fh)
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.casemain", spec_path, result_path],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc.pid)
            output, _ = proc.communicate()
            return Outcome(False, reason=messages.TIMED_OUT.format(seconds=timeout),
                           detail=_tail(output))
        except BaseException:          # Ctrl-C / SIGTERM in the parent: leave nothing behind
            kill_group(proc.pid)
            proc.wait()
            raise
        finally:
            kill_group(proc.pid)       # stray pool workers of a crashed case
        return _read_outcome(proc.returncode, result_path, output)


def _read_outcome(returncode: int, result_path: str, output: bytes) -> Outcome:
    try:
        with open(result_path) as fh:
            result = json.load(fh)
    except (OSError, ValueError):
        result = None
    if result is not None:
        if result.get("ok"):
            return Outcome(True, result=result, detail=_tail(output))
        return Outcome(False, reason=result.get("reason", "failed"),
                       detail=result.get("traceback", "") or _tail(output))
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return Outcome(False, reason=messages.KILLED.format(signal=name), detail=_tail(output))
    return Outcome(False, reason=messages.CRASHED.format(code=returncode), detail=_tail(output))


def _tail(output: bytes | None, limit: int = 2000) -> str:
    if not output:
        return ""
    return output.decode("utf-8", "replace")[-limit:]
