"""Helpers for fault tests: run the CLI as a user would, then prove nothing was left.

:class:`Sandbox` runs ``python -m bench`` (through ``tests/cli_launcher.py``, which only
skips the parallel-capacity measurement) with

* every process it starts tagged by an environment variable, so a stray one - pool
  worker, forkserver, resource tracker, orphaned case - is found wherever it went
  (its own session included);
* ``TMPDIR`` and ``--out-dir`` inside the test's folder, so stray ``bench-case-*``
  folders are found;
* where the machine allows (root, ``unshare``), a private ``/dev/shm``: a fresh tmpfs
  bind-mounted over ``/dev/shm`` in a private mount namespace, so every shared-memory
  segment or named semaphore the run leaves is seen - and nothing another program on
  the machine does can be mistaken for ours. Elsewhere only the segment the
  ``fault-hang`` workload creates (named after the tag) is checked.
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import psutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAUNCHER = os.path.join(ROOT, "tests", "cli_launcher.py")

# a few milliseconds of work per case; the cost is interpreter start-up
TINY = ["--sizes", "8x8x1", "--n-images", "4", "--workers", "2", "--values", "1",
        "--warmups", "0"]


def _can_private_shm(probe_dir: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare") or not sys.platform.startswith("linux"):
        return False
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", probe_dir],
                       check=True, capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


class Sandbox:
    def __init__(self, tmp_path):
        self.tag = uuid.uuid4().hex[:12]
        self.root = tmp_path
        self.out = tmp_path / "out"
        self.res = tmp_path / "res"
        # TMPDIR short: multiprocessing puts AF_UNIX sockets (108-byte paths) under it
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="bt-", dir="/tmp"))
        self.shm = tmp_path / "shm"
        for d in (self.out, self.shm):
            d.mkdir()
        self.private_shm = _can_private_shm(str(self.shm))
        self.env = dict(os.environ)
        self.env.update(PYTHONPATH=ROOT + os.pathsep + self.env.get("PYTHONPATH", ""),
                        BENCH_TEST_TAG=self.tag, BENCH_FAULT_TAG=self.tag, TMPDIR=str(self.tmp))

    def close(self):
        for p in self.strays():
            try:
                p.kill()
            except psutil.Error:
                pass
        if self.private_shm:
            subprocess.run(["umount", "-l", str(self.shm)], capture_output=True)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- running -----------------------------------------------------------------
    def command(self, *args) -> list[str]:
        cmd = [sys.executable, LAUNCHER, *map(str, args)]
        if self.private_shm:
            inner = f"mount --bind {self.shm} /dev/shm && exec \"$@\""
            cmd = ["unshare", "--mount", "--propagation", "private",
                   "sh", "-c", inner, "sh", *cmd]
        return cmd

    def run(self, *args, timeout=60) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(*args), capture_output=True, text=True,
                              timeout=timeout, cwd=self.root, env=self.env)

    def start(self, *args) -> subprocess.Popen:
        return subprocess.Popen(self.command(*args), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=self.root, env=self.env)

    def args(self, *extra) -> list[str]:
        tiny = list(TINY)
        named = list(extra)
        if "--strategies" in named and named[named.index("--strategies") + 1] == "serial":
            # a worker count sizes pools: with the serial loop alone it is refused
            del tiny[tiny.index("--workers"):tiny.index("--workers") + 2]
        return [*tiny, "--out-dir", str(self.out), "--results-dir", str(self.res), *extra]

    # -- looking -----------------------------------------------------------------
    def results_path(self) -> str:
        names = [n for n in os.listdir(self.res) if n.endswith(".json")]
        assert len(names) == 1, names
        return str(self.res / names[0])

    def load_json(self, path=None) -> dict:
        with open(path or self.results_path()) as fh:
            return json.load(fh)

    def strays(self) -> list[psutil.Process]:
        """Live processes carrying our tag (anywhere, any session), but not this one."""
        out = []
        for p in psutil.process_iter():
            if p.pid == os.getpid():
                continue
            try:
                if p.status() == psutil.STATUS_ZOMBIE:
                    continue
                if p.environ().get("BENCH_TEST_TAG") == self.tag:
                    out.append(p)
            except psutil.Error:
                continue
        return out

    def shm_entries(self) -> list[str]:
        if self.private_shm:
            return sorted(os.listdir(self.shm))
        name = "bench-fault-" + self.tag
        return [name] if os.path.exists(os.path.join("/dev/shm", name)) else []

    def assert_clean(self, wait: float = 0.0):
        """No stray process, temporary folder, partial results file or shm segment."""
        deadline = time.monotonic() + wait
        while self.strays() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert self.strays() == [], [(p.pid, p.cmdline()) for p in self.strays()]
        # the test process's own resource trackers (started by an earlier test's shared
        # memory or joblib pool) live as long as the test process: not the run's
        children = [c for c in psutil.Process().children(recursive=True) if not _resource_tracker(c)]
        assert children == [], f"child processes left: {children}"
        assert os.listdir(self.out) == [], f"left in --out-dir: {os.listdir(self.out)}"
        assert os.listdir(self.tmp) == [], f"left in TMPDIR: {os.listdir(self.tmp)}"
        if self.res.exists():
            partial = [n for n in os.listdir(self.res) if not n.endswith(".json")]
            assert partial == [], f"left beside the results file: {partial}"
        while self.shm_entries() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert self.shm_entries() == [], f"left in /dev/shm: {self.shm_entries()}"


def read_until(stream, needle: str, timeout: float = 30.0) -> list[str]:
    """Read lines from ``stream`` until one contains ``needle``; returns the lines."""
    lines = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        lines.append(line)
        if needle in line:
            return lines
    raise AssertionError(f"{needle!r} not seen; got {lines!r}")


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not reached in time")


def send(proc: subprocess.Popen, signum: int) -> None:
    os.kill(proc.pid, signum)


__all__ = ["Sandbox", "TINY", "read_until", "wait_for", "send", "signal"]


def _resource_tracker(p) -> bool:
    try:
        # multiprocessing's, or loky's (joblib's) once a test of this process used joblib
        return any("resource_tracker" in part for part in p.cmdline())
    except psutil.Error:
        return False
