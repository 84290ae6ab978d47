"""``python -m bench.run.case_main CASE_DIR TMP_DIR``: a group's case process.

It answers the race's commands (:data:`COMMANDS`) over the socket its parent passed
(``BENCH_HOST_FD``) by calling the method of that name of the work it serves
(bench.measure.visits.GroupWork, or its ProbeWork); each reply ``{"ok": True, ...}`` or
``{"ok": False, "reason": one line, "traceback": ...}``. Guarded by bench.run.guard.
"""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import traceback
from concurrent.futures.process import BrokenProcessPool

from bench.measure.verify import VerificationError
from bench.run.guard import PARENT_ENV, install
from bench.texts import messages

FD_ENV = "BENCH_HOST_FD"
CPUS_ENV = "BENCH_USABLE_CPUS"

COMMANDS = frozenset({"pilot", "reference", "serial_pass", "visit", "outputs", "prestart",
                      "close_all", "explain", "probe"})


def _serve(conn, work) -> None:
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        cmd = message.pop("cmd", None)
        if cmd == "quit":
            conn.send({"ok": True, **work.stop()})
            return
        try:
            if cmd not in COMMANDS:
                raise ValueError(f"unknown command {cmd!r}")
            reply = {"ok": True, **getattr(work, cmd)(**message)}
        except Exception as exc:  # noqa: BLE001 - one configuration's failure, reported
            case = message.get("case_dict") or {}
            if case:                         # a broken pool must not be visited again
                with contextlib.suppress(Exception):
                    from bench.model.case import Case

                    work.live.pop(Case.from_dict(case).name, None)
            reply = {"ok": False, "reason": one_line(exc), "traceback": traceback.format_exc(),
                     "strategy": case.get("strategy")}
        conn.send(reply)


def main(argv=None) -> int:
    from multiprocessing.connection import Connection

    argv = sys.argv[1:] if argv is None else argv
    case_dir, tmp_dir = (os.path.abspath(a) for a in argv[:2])
    # guarded before its folders exist: a parent dying from now on still removes them
    install([case_dir, tmp_dir], int(os.environ.get(PARENT_ENV, "0") or 0))
    for folder in (case_dir, tmp_dir):
        os.makedirs(folder, exist_ok=True)
    os.environ["TMPDIR"] = tempfile.tempdir = tmp_dir
    conn = Connection(int(os.environ[FD_ENV]))
    try:
        setup = conn.recv()
        try:
            work = _make_work(setup, case_dir)
        except Exception as exc:  # noqa: BLE001 - a group that cannot start is one line
            conn.send({"ok": False, "reason": one_line(exc), "traceback": traceback.format_exc()})
            return 1
        conn.send({"ok": True, "generate_s": getattr(work, "generate_s", 0.0)})
        _serve(conn, work)
        return 0
    finally:
        from bench.run.cleanup import remove_tree

        remove_tree(case_dir)
        remove_tree(tmp_dir)


def _make_work(setup: dict, case_dir: str):
    from bench.measure.visits import GroupWork, ProbeWork

    if setup.get("kind") == "probes":
        return ProbeWork()

    spec = dict(setup["spec"], work_dir=os.path.join(case_dir, "passes"))
    os.makedirs(spec["work_dir"], exist_ok=True)
    return GroupWork(spec, int(os.environ.get(CPUS_ENV, "1")))


def one_line(exc: BaseException) -> str:
    if isinstance(exc, BrokenProcessPool):
        return messages.BROKEN_POOL
    if isinstance(exc, VerificationError):
        return str(exc)
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else '(no message)'}"


if __name__ == "__main__":
    sys.exit(main())
