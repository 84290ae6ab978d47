"""``python -m bench.run.host_main CASE_DIR TMP_DIR``: a group's case process.

It answers the race's commands (bench.measure.visits) over the socket its parent
passed (``BENCH_HOST_FD``), one at a time, each reply a dict: ``{"ok": True, ...}`` or
``{"ok": False, "reason": one line, "traceback": ...}``. It runs in its own process
group and under the same guard as a single case (bench.run.guard): if its parent dies
it ends every process it started and removes its folders.
"""
from __future__ import annotations

import os
import sys
import tempfile
import traceback

from bench.run.guard import PARENT_ENV, install

FD_ENV = "BENCH_HOST_FD"
CPUS_ENV = "BENCH_USABLE_CPUS"


def _serve(conn, host) -> None:
    commands = {
        "pilot": lambda m: host.pilot(),
        "reference": lambda m: host.reference(),
        "serial": lambda m: host.serial_pass(),
        "visit": lambda m: host.visit(m["case"], keep=m.get("keep", False)),
        "outputs": lambda m: host.outputs(m["case"]),
        "close": lambda m: host.close(m["name"]),
        "prestart": lambda m: host.prestart(m["cases"]),
        "close_all": lambda m: host.close_all(),
        "explain": lambda m: host.explain(m["case"], m.get("rounds", 1), m.get("serial_per_image_s"),
                                          m.get("memory", True), m.get("decompose", True)),
        "probe": lambda m: _probe(m),
    }
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        cmd = message.get("cmd")
        if cmd == "quit":
            conn.send({"ok": True, **host.stop()})
            return
        try:
            reply = {"ok": True, **commands[cmd](message)}
        except Exception as exc:  # noqa: BLE001 - one configuration's failure, reported
            from bench.run.child import explain

            name = (message.get("case") or {}).get("strategy")
            if message.get("case"):
                try:                         # a broken pool must not be visited again
                    from bench.model.case import Case

                    host.live.pop(Case.from_dict(message["case"]).name, None)
                except Exception:  # noqa: BLE001
                    pass
            reply = {"ok": False, "reason": explain(exc), "traceback": traceback.format_exc(),
                     "strategy": name}
        conn.send(reply)


def _probe(message: dict) -> dict:
    """An overhead probe measured briefly: pool start-up, round trip or pickling."""
    from bench.model.case import Case
    from bench.run.probes import run_probe

    return run_probe(Case.from_dict(message["case"]), message.get("values", 3))


def main(argv=None) -> int:
    from multiprocessing.connection import Connection

    argv = sys.argv[1:] if argv is None else argv
    case_dir, tmp_dir = (os.path.abspath(a) for a in argv[:2])
    install([case_dir, tmp_dir], int(os.environ.get(PARENT_ENV, "0") or 0))
    for folder in (case_dir, tmp_dir):
        os.makedirs(folder, exist_ok=True)
    os.environ["TMPDIR"] = tempfile.tempdir = tmp_dir
    conn = Connection(int(os.environ[FD_ENV]))
    try:
        setup = conn.recv()
        try:
            host = _make_host(setup, case_dir)
        except Exception as exc:  # noqa: BLE001 - a group that cannot start is one line
            from bench.run.child import explain

            conn.send({"ok": False, "reason": explain(exc), "traceback": traceback.format_exc()})
            return 1
        conn.send({"ok": True, "generate_s": getattr(host, "generate_s", 0.0)})
        _serve(conn, host)
        return 0
    finally:
        from bench.run.cleanup import remove_tree

        remove_tree(case_dir)
        remove_tree(tmp_dir)


def _make_host(setup: dict, case_dir: str):
    if setup.get("kind") == "probes":
        return _ProbeHost()
    from bench.measure.visits import GroupHost

    spec = dict(setup["spec"], work_dir=os.path.join(case_dir, "passes"))
    os.makedirs(spec["work_dir"], exist_ok=True)
    return GroupHost(spec, int(os.environ.get(CPUS_ENV, "1")))


class _ProbeHost:
    """The overhead probes' process: nothing to hold between commands."""
    live: dict = {}

    def stop(self) -> dict:
        return {}


if __name__ == "__main__":
    sys.exit(main())
