"""Parent side of a group's case process: start it, send it commands, end it.

A group's rounds share one fresh interpreter (a fresh one per visit would spend the
budget on imports), in its own process group like a single case: on a timeout, a
crash or Ctrl-C the whole group - the process, its pools' workers, a forkserver - is
ended (bench.run.cleanup.end_group) and its folders removed. A command that fails
inside the process (a worker killed, a verification error) costs only the
configuration it was for; a process that hangs or dies is started again for the
configurations still racing.
"""
from __future__ import annotations

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
from bench.run.host_main import CPUS_ENV, FD_ENV
from bench.run.isolation import exit_reason
from bench.texts import messages

QUIT_WAIT_S = 10.0
LOG_TAIL = 2000


class HostDied(Exception):
    """The case process hung or died: one line, and the end of its output."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail


class CommandFailed(Exception):
    """A command failed inside a live case process (the process goes on)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail


class Host:
    def __init__(self, setup: dict, out_root: str | None, usable_cpus: int):
        self.setup = setup
        self.out_root = out_root or tempfile.gettempdir()
        self.usable = usable_cpus
        self.proc: subprocess.Popen | None = None
        self.conn: Connection | None = None
        self._log = None
        self.info: dict = {}

    # -- life --------------------------------------------------------------------------
    def start(self, timeout: float) -> dict:
        if not os.path.isdir(self.out_root):
            raise HostDied(f"FileNotFoundError: the output folder {self.out_root} no longer exists")
        token = secrets.token_hex(6)
        self.case_dir = os.path.join(self.out_root, f"bench-case-{token}")
        self.tmp_dir = os.path.join(tempfile.gettempdir(), f"bench-tmp-{token}")
        ours, theirs = socket.socketpair()
        self._log = tempfile.TemporaryFile()
        env = dict(os.environ, **{PARENT_ENV: str(os.getpid()), FD_ENV: str(theirs.fileno()),
                                  CPUS_ENV: str(self.usable)})
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.run.host_main", self.case_dir, self.tmp_dir],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True, env=env, pass_fds=(theirs.fileno(),))
        theirs.close()
        self.conn = Connection(ours.detach())
        self.info = self.call("setup", timeout, **self.setup)
        return self.info

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def call(self, cmd: str, timeout: float, **args) -> dict:
        """Send one command and wait at most ``timeout`` s for its reply."""
        if not self.alive() or self.conn is None:
            raise HostDied("the case process is not running")
        try:
            self.conn.send(dict(args, cmd=cmd))
            if not self.conn.poll(timeout):
                self.kill()
                raise HostDied(messages.TIMED_OUT.format(seconds=timeout), self.tail())
            reply = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            reason = self._death_reason()
            self.kill()
            raise HostDied(reason, self.tail()) from None
        if not reply.get("ok"):
            raise CommandFailed(reply.get("reason", "failed"), reply.get("traceback", ""))
        return reply

    def stop(self) -> dict:
        """Ask the process to close its pools and end; end it if it does not."""
        reply = {}
        if self.alive():
            try:
                reply = self.call("quit", QUIT_WAIT_S)
                self.proc.wait(timeout=QUIT_WAIT_S)
            except (HostDied, CommandFailed, subprocess.TimeoutExpired):
                pass
        self.kill()
        return reply

    def kill(self) -> None:
        """End the whole process group and remove the folders; Ctrl-C waits for this."""
        with interrupt.shielded():
            if self.proc is not None:
                if self.proc.poll() is None:
                    try:
                        os.kill(self.proc.pid, signal.SIGHUP)   # the guard ends its group
                        self.proc.wait(timeout=8)
                    except (ProcessLookupError, subprocess.TimeoutExpired):
                        pass
                end_group(self.proc.pid)
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
            if self.conn is not None:
                self.conn.close()
                self.conn = None
            remove_tree(getattr(self, "case_dir", None))
            remove_tree(getattr(self, "tmp_dir", None))

    # -- what went wrong -----------------------------------------------------------------
    def _death_reason(self) -> str:
        try:
            return exit_reason(self.proc.wait(timeout=5))
        except subprocess.TimeoutExpired:
            return messages.CRASHED.format(code="?")

    def tail(self) -> str:
        if self._log is None:
            return ""
        try:
            self._log.seek(0, os.SEEK_END)
            size = self._log.tell()
            self._log.seek(max(0, size - LOG_TAIL))
            return self._log.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""
