"""``python -m bench.caseguard CASE_DIR TMP_DIR`` (spec JSON on stdin): bench.casemain, orphan-proof.

A case runs in its own process group so the parent can kill it whole. The flip side:
if the parent itself dies without cleaning up (``kill -9``, a crash), nothing would
end the case - a hung case would hang forever, its files would stay. This wrapper
first arranges to hear of the parent's death (``PR_SET_PDEATHSIG`` on Linux, polling
elsewhere), and only then makes the folders the parent named for the case: ``TMP_DIR``
becomes the case's ``TMPDIR`` (multiprocessing's sockets and helper files go there), and

    CASE_DIR/spec.json     the case and run settings (from stdin)
    CASE_DIR/result.json   what bench.casemain reports
    CASE_DIR/images/       where the case writes its images

When the parent is gone, it removes both folders and ends the case's whole process
group (:func:`bench.cleanup.end_group`: shared memory is released first).
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time

ORPHAN_SIGNAL = signal.SIGHUP
PARENT_ENV = "BENCH_PARENT_PID"
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
    """From now on, the death of ``parent_pid`` ends this case and removes ``folders``."""
    guard_pid = os.getpid()
    done = []

    def orphaned(*_):
        if os.getpid() != guard_pid or done:   # a forked pool worker, or a second call
            return
        done.append(True)
        from bench.cleanup import end_group, remove_tree

        for folder in folders:
            remove_tree(folder)
        end_group(os.getpgid(0))
        os._exit(1)

    signal.signal(ORPHAN_SIGNAL, orphaned)
    if not _set_parent_death_signal(ORPHAN_SIGNAL):
        def watch():
            while os.getppid() == parent_pid:
                time.sleep(0.2)
            os.kill(guard_pid, ORPHAN_SIGNAL)
        threading.Thread(target=watch, name="bench-orphan-watch", daemon=True).start()
    if parent_pid and os.getppid() != parent_pid:   # the parent died before we got here
        orphaned()


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    case_dir, tmp_dir = (os.path.abspath(a) for a in argv[:2])
    install([case_dir, tmp_dir], int(os.environ.get(PARENT_ENV, "0") or 0))
    spec = json.load(sys.stdin)
    images = os.path.join(case_dir, IMAGES_NAME)
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
    from bench import casemain

    return casemain.main([spec_path, os.path.join(case_dir, RESULT_NAME)])


if __name__ == "__main__":
    sys.exit(main())
