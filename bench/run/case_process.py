"""Parent side of a group's case process: start it, send it commands, end it.

A group's rounds share one interpreter (one per visit would spend the budget on
imports), in its own process group: on a timeout, a crash or Ctrl-C the whole group is
ended (bench.run.cleanup.end_group) and its folders removed.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
from multiprocessing.connection import Connection

from bench.run import interrupt
from bench.run.cleanup import end_group, remove_tree
from bench.run.guard import PARENT_ENV
from bench.run.case_main import CPUS_ENV, FD_ENV
from bench.texts import messages

QUIT_WAIT_S = 10.0
LOG_TAIL = 2000


class CaseError(Exception):
    """A command without a result: ``reason`` (one line, also ``str(exc)``), ``detail``."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail


class ProcessDied(CaseError):
    """The case process hung or died: one line, and the end of its output."""


class CommandFailed(CaseError):
    """A command failed inside a live case process (the process goes on)."""


class CaseProcess:
    def __init__(self, setup: dict, out_root: str | None, usable_cpus: int):
        self.setup = setup
        self.out_root = out_root or tempfile.gettempdir()
        self.usable = usable_cpus
        self.proc: subprocess.Popen | None = None
        self.conn: Connection | None = None
        self._log = None

    def start(self, timeout: float) -> dict:
        if not os.path.isdir(self.out_root):
            raise ProcessDied(f"FileNotFoundError: the output folder {self.out_root} no longer exists")
        token = secrets.token_hex(6)
        self.case_dir = os.path.join(self.out_root, f"bench-case-{token}")
        self.tmp_dir = os.path.join(tempfile.gettempdir(), f"bench-tmp-{token}")
        ours, theirs = socket.socketpair()
        self._log = tempfile.TemporaryFile()
        env = dict(os.environ, **{PARENT_ENV: str(os.getpid()), FD_ENV: str(theirs.fileno()),
                                  CPUS_ENV: str(self.usable)})
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.run.case_main", self.case_dir, self.tmp_dir],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True, env=env, pass_fds=(theirs.fileno(),))
        theirs.close()
        self.conn = Connection(ours.detach())
        return self.call("setup", timeout, **self.setup)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def answering(self) -> bool:
        """Alive and still connected: a call that timed out killed it (its exit may lag)."""
        return self.conn is not None and self.alive()

    def call(self, cmd: str, timeout: float, **args) -> dict:
        if not self.answering():
            raise ProcessDied("the case process is not running")
        try:
            self.conn.send(dict(args, cmd=cmd))
            if not self.conn.poll(timeout):
                self.kill()
                raise ProcessDied(messages.TIMED_OUT.format(seconds=timeout), self.tail())
            reply = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            reason = self._death_reason()
            self.kill()
            raise ProcessDied(reason, self.tail()) from None
        if not reply.get("ok"):
            raise CommandFailed(reply.get("reason", "failed"), reply.get("traceback", ""))
        return reply

    def stop(self) -> dict:
        """Ask the process to close its pools and end; end it if it does not."""
        reply = {}
        if self.alive():
            with contextlib.suppress(CaseError, subprocess.TimeoutExpired):
                reply = self.call("quit", QUIT_WAIT_S)
                self.proc.wait(timeout=QUIT_WAIT_S)
        self.kill()
        return reply

    def kill(self) -> None:
        """End the whole process group and remove the folders; Ctrl-C waits for this."""
        with interrupt.shielded():
            if self.proc is not None:
                if self.proc.poll() is None:
                    with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
                        os.kill(self.proc.pid, signal.SIGHUP)   # the guard ends its group
                        self.proc.wait(timeout=8)
                end_group(self.proc.pid)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=5)
            if self.conn is not None:
                self.conn.close()
                self.conn = None
            remove_tree(getattr(self, "case_dir", None))
            remove_tree(getattr(self, "tmp_dir", None))

    def pilot(self, timeout: float) -> dict:
        return self.call("pilot", timeout)

    def reference(self, timeout: float) -> dict:
        return self.call("reference", timeout)

    def serial_pass(self, timeout: float) -> dict:
        return self.call("serial_pass", timeout)

    def visit(self, case, timeout: float, keep: bool = False) -> dict:
        return self.call("visit", timeout, case_dict=case.as_dict(), keep=keep)

    def outputs(self, case, timeout: float) -> dict:
        return self.call("outputs", timeout, case_dict=case.as_dict())

    def prestart(self, cases, timeout: float) -> dict:
        return self.call("prestart", timeout, cases=[c.as_dict() for c in cases])

    def close_all(self, timeout: float) -> dict:
        return self.call("close_all", timeout)

    def explain(self, case, timeout: float, *, rounds: int, serial_per_image_s: float | None,
                memory: bool, decompose: bool) -> dict:
        return self.call("explain", timeout, case_dict=case.as_dict(), rounds=rounds,
                         serial_per_image_s=serial_per_image_s, memory=memory, decompose=decompose)

    def probe(self, case, timeout: float, *, values: int, scheduler: str | None,
              scheduler_timeout: float) -> dict:
        return self.call("probe", timeout, case_dict=case.as_dict(), values=values,
                         scheduler=scheduler, scheduler_timeout=scheduler_timeout)

    def _death_reason(self) -> str:
        """One line for a process that ended without a result: killed by a signal (with the
        usual cause of a SIGKILL), or crashed with an exit code."""
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return messages.CRASHED.format(code="?")
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            hint = messages.KILLED_HINT if -code == signal.SIGKILL else ""
            return messages.KILLED.format(signal=name) + hint
        return messages.CRASHED.format(code=code)

    def tail(self) -> str:
        if self._log is None:
            return ""
        try:
            self._log.seek(max(0, self._log.seek(0, os.SEEK_END) - LOG_TAIL))
            return self._log.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""
