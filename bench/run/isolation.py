"""Parent side of case isolation: run one case in its own process group.

The child gets its own session (process group), so on a timeout or an interrupt the
whole group - the case process, its pool workers, a forkserver - is ended
(:func:`bench.run.cleanup.end_group`), and nothing is left running after a case whatever
happened inside it. The parent names the case's folder and removes it
afterwards, so a killed case cannot leave one behind; the child runs under
:mod:`bench.run.guard`, which ends the case (and removes the folder) if the parent dies.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from bench.model.settings import RunSettings
from bench.run import interrupt
from bench.run.guard import PARENT_ENV, STOP_SIGNAL, parse_result, strip_result
from bench.run.cleanup import end_group, remove_tree
from bench.texts import messages


@dataclass
class Outcome:
    ok: bool
    result: dict | None = None
    reason: str = ""
    detail: str = ""


STOP_GRACE_S = 8.0        # for the case to end its group and remove its folders


def kill_group(pgid: int) -> None:
    """End a case's whole process group, letting shared memory be released first.
    A Ctrl-C cannot cut this short (it takes effect right after)."""
    with interrupt.shielded():
        end_group(pgid)


def stop_case(proc: subprocess.Popen) -> None:
    """Ask the case to end itself (its group, its folders); do it for it if it cannot
    (stuck inside C code). A Ctrl-C cannot cut this short."""
    with interrupt.shielded():
        try:
            os.kill(proc.pid, STOP_SIGNAL)
            proc.wait(timeout=STOP_GRACE_S)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        end_group(proc.pid)


def run_isolated(case_dict: dict, settings: RunSettings, timeout: float) -> Outcome:
    """Run one case in a fresh interpreter in its own process group.

    Whatever happens - success, exception, a killed worker, a hang, Ctrl-C in the
    parent - when this returns or raises, no process of the case is left and its
    folders are gone. The folders (``bench-case-*`` in the output folder: the spec, the
    result and the images; ``bench-tmp-*`` in the temp folder: the case's ``TMPDIR``,
    where multiprocessing keeps its sockets and helper files) are named here, but made
    and removed by the case itself (:mod:`bench.run.guard`), which also ends itself
    when this process dies: even a ``kill -9`` of this process leaves nothing behind.
    """
    out_root = settings.out_dir or tempfile.gettempdir()
    if not os.path.isdir(out_root):       # the output folder vanished mid-run
        return Outcome(False, reason=f"FileNotFoundError: the output folder {out_root} "
                                     "no longer exists")
    token = secrets.token_hex(6)
    work_dir = os.path.join(out_root, f"bench-case-{token}")
    tmp_dir = os.path.join(tempfile.gettempdir(), f"bench-tmp-{token}")
    try:
        return _run_in_group(case_dict, settings, timeout, work_dir, tmp_dir)
    finally:
        with interrupt.shielded():
            remove_tree(work_dir)
            remove_tree(tmp_dir)


def _run_in_group(case_dict: dict, settings: RunSettings, timeout: float, work_dir: str,
                  tmp_dir: str) -> Outcome:
    spec = json.dumps({"case": case_dict, "settings": settings.as_dict()}).encode()
    env = dict(os.environ, **{PARENT_ENV: str(os.getpid())})
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.run.guard", work_dir, tmp_dir],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True, env=env)
    try:
        output, _ = proc.communicate(spec, timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_case(proc)
        output = _drain(proc)
        return Outcome(False, reason=messages.TIMED_OUT.format(seconds=timeout),
                       detail=_tail(output))
    except BaseException:          # Ctrl-C / SIGTERM in the parent: leave nothing behind
        stop_case(proc)
        _drain(proc)
        raise
    kill_group(proc.pid)           # stray pool workers of a crashed case
    return _read_outcome(proc.returncode, parse_result(output), strip_result(output))


def _drain(proc, timeout: float = 5.0) -> bytes:
    """Collect what is left of a killed case's output, without ever blocking for long
    (a process outside the group could still hold the pipe)."""
    try:
        output, _ = proc.communicate(timeout=timeout)
        return output or b""
    except subprocess.TimeoutExpired:
        proc.kill()
        if proc.stdout:
            proc.stdout.close()
        proc.wait()
        return b""


def exit_reason(returncode: int) -> str:
    """One line for a case process that ended without a result: killed by a signal (with
    the usual cause of a SIGKILL), or crashed with an exit code."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        reason = messages.KILLED.format(signal=name)
        return reason + (messages.KILLED_HINT if -returncode == signal.SIGKILL else "")
    return messages.CRASHED.format(code=returncode)


def _read_outcome(returncode: int, result: dict | None, output: bytes) -> Outcome:
    if result is not None:
        if result.get("ok"):
            return Outcome(True, result=result, detail=_tail(output))
        return Outcome(False, reason=result.get("reason", "failed"),
                       detail=result.get("traceback", "") or _tail(output))
    reason = exit_reason(returncode)
    if returncode < 0:
        return Outcome(False, reason=reason, detail=_tail(output))
    last = [line for line in _tail(output).splitlines() if line.strip()]
    if last:
        reason += f" (last output: {last[-1].strip()[:200]})"
    return Outcome(False, reason=reason, detail=_tail(output))


def _tail(output: bytes | None, limit: int = 2000) -> str:
    if not output:
        return ""
    return output.decode("utf-8", "replace")[-limit:]
