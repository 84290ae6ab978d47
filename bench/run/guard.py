"""``python -m bench.run.guard CASE_DIR TMP_DIR`` (spec JSON on stdin): one case,
run by bench.run.child, that cleans up after itself whatever happens to its parent.

A case runs in its own process group so the parent can end it whole. The flip side:
if the parent itself dies (``kill -9``, a crash), nothing would end the case - a hung
case would hang forever and its files would stay. So the case cleans up after itself:

* it first arranges to hear of the parent's death (``PR_SET_PDEATHSIG`` on Linux,
  polling elsewhere), and only then makes the folders the parent named for it:
  ``CASE_DIR`` (``spec.json``, ``result.json``, ``images/``) and ``TMP_DIR``, which
  becomes its ``TMPDIR`` (multiprocessing's sockets and helper files go there);
* when it finishes, it removes both folders itself and then prints its result as
  the last line of its output (``RESULT_MARK`` + JSON), so once it has exited nothing
  of it is left, even if the parent dies the next instant;
* on :data:`STOP_SIGNAL` - sent by the parent on a timeout or Ctrl-C, or delivered
  by the kernel when the parent dies - it ends every other process of its group
  (letting multiprocessing's resource tracker release shared memory first, see
  :func:`bench.run.cleanup.end_group`), removes both folders, and dies.

The parent only falls back to doing this itself if the case does not react (stuck
inside C code).
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time

from bench.run.cleanup import remove_tree

STOP_SIGNAL = signal.SIGHUP
PARENT_ENV = "BENCH_PARENT_PID"
RESULT_MARK = "@@bench-case-result@@ "
SPEC_NAME = "spec.json"
RESULT_NAME = "result.json"
IMAGES_NAME = "images"


def _set_parent_death_signal(signum: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        return libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def install(folders: list[str], parent_pid: int) -> None:
    """From now on STOP_SIGNAL, or the death of ``parent_pid``, ends this case: every
    process of its group, and ``folders``."""
    # Imported now, not in the handler: a signal can arrive while the main code is
    # half-way through importing one of these, and the handler would then fail.
    from bench.run.cleanup import end_group, killpg, remove_tree

    guard_pid = os.getpid()
    done = []

    def stop(*_):
        if os.getpid() != guard_pid or done:   # a forked pool worker, or a second call
            return
        done.append(True)
        pgid = os.getpgid(0)
        try:
            end_group(pgid, final=False)       # the others first: they may be writing
            for folder in folders:
                remove_tree(folder)
        finally:
            killpg(pgid)
            os._exit(1)

    signal.signal(STOP_SIGNAL, stop)
    if not _set_parent_death_signal(STOP_SIGNAL):
        def watch():
            while os.getppid() == parent_pid:
                time.sleep(0.2)
            os.kill(guard_pid, STOP_SIGNAL)
        threading.Thread(target=watch, name="bench-orphan-watch", daemon=True).start()
    if parent_pid and os.getppid() != parent_pid:   # the parent died before we got here
        stop()


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    case_dir, tmp_dir = (os.path.abspath(a) for a in argv[:2])
    install([case_dir, tmp_dir], int(os.environ.get(PARENT_ENV, "0") or 0))
    spec = json.load(sys.stdin)
    images = os.path.join(case_dir, IMAGES_NAME)
    result_path = os.path.join(case_dir, RESULT_NAME)
    try:
        for folder in (images, tmp_dir):
            try:
                os.makedirs(folder)
            except OSError as exc:
                print(f"cannot make the case folder {folder}: {exc.strerror}", flush=True)
                return 2
        import tempfile

        os.environ["TMPDIR"] = tempfile.tempdir = tmp_dir
        spec.setdefault("settings", {})["work_dir"] = images
        spec_path = os.path.join(case_dir, SPEC_NAME)
        with open(spec_path, "w") as fh:
            json.dump(spec, fh)
        from bench.run import child as casemain

        code = casemain.main([spec_path, result_path])
        try:
            with open(result_path) as fh:
                result = fh.read().strip()
        except OSError:
            result = ""
    finally:
        remove_tree(case_dir)
        remove_tree(tmp_dir)
    if result:
        print("\n" + RESULT_MARK + result, flush=True)
    return code


def parse_result(output: bytes) -> dict | None:
    """The result a case printed last, or None."""
    text = output.decode("utf-8", "replace")
    at = text.rfind(RESULT_MARK)
    if at < 0:
        return None
    line = text[at + len(RESULT_MARK):].split("\n", 1)[0]
    try:
        result = json.loads(line)
    except ValueError:
        return None
    return result if isinstance(result, dict) else None


def strip_result(output: bytes) -> bytes:
    at = output.rfind(RESULT_MARK.encode())
    return output if at < 0 else output[:at].rstrip(b"\n")


if __name__ == "__main__":
    sys.exit(main())
