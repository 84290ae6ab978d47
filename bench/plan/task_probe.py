"""A user's task checked and timed on a few of their files before the plan, in a child
interpreter so that a task that hangs or crashes costs only that child."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from contextlib import suppress

PROBE_TIMEOUT_S = 120
PROBE_ITEMS = 3
SIZE_SAMPLE = 8


class ProbeFailed(ValueError):
    """The task cannot be used as given: one line for the user."""


def probe_task(params: dict, items: list, timeout: float) -> dict:
    """Import, pickle-check and time the task on the first items; ``{"timed_out": True}``
    or ``{"crashed": ...}`` when it did not come back (the race's timeout ends it then)."""
    spread = items[::max(1, len(items) // SIZE_SAMPLE)][:SIZE_SAMPLE]
    with tempfile.TemporaryDirectory(prefix="bench-probe-") as tmp:
        request, result = os.path.join(tmp, "request.json"), os.path.join(tmp, "result.json")
        with open(request, "w") as fh:
            json.dump({"params": params, "items": [list(i) for i in items[:PROBE_ITEMS]],
                       "sizes": [i.path for i in spread], "out_dir": os.path.join(tmp, "out")}, fh)
        try:
            proc = subprocess.run([sys.executable, "-m", "bench.plan.task_probe", request, result],
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"timed_out": True}
        if not os.path.exists(result):
            tail = (proc.stderr or "").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
            return {"crashed": tail[0][:300]}
        with open(result) as fh:
            found = json.load(fh)
    if found.get("error"):
        raise ProbeFailed(found["error"])
    return found


def _probe(request: dict) -> dict:
    """Inside the probe's interpreter: what :func:`probe_task` reports."""
    import inspect
    import statistics
    import time

    from bench.texts import messages
    from workloads.files import FileItem, UnreadableImage, read_image
    from workloads.registry import make_workload
    from workloads.task_import import TaskError, check_picklable, one_line, resolve
    from workloads.user_task import Failure, build_state

    params = request["params"]
    started = time.perf_counter()
    for key, what in (("task", "--task"), ("init", "--init"), ("same", "--same")):
        if params.get(key):
            check_picklable(params[key], what)
    import_s = time.perf_counter() - started
    form = "(item, state)" if params.get("init") else "(item)"
    try:
        signature = inspect.signature(resolve(params["task"]))
        given = {k: None for k in ("name", "out_dir") if k in signature.parameters}
        signature.bind(*([None] * (2 if params.get("init") else 1)), **given)
    except TypeError as exc:
        raise TaskError(f"--task {params['task']} cannot be called as task{form}: {exc}") from None
    except ValueError:
        pass                                   # no signature to check (a builtin)
    shapes, reads = [], []
    for path in request["sizes"][:1]:          # the first read imports and warms up OpenCV
        with suppress(UnreadableImage):
            read_image(path, "unchanged")
    for path in request["sizes"]:
        t = time.perf_counter()
        with suppress(UnreadableImage):
            shapes.append(list(read_image(path, "unchanged").shape))
            reads.append(time.perf_counter() - t)
    workload = make_workload("task-init" if params.get("init") else "task", params)
    init_s = None
    if params.get("init"):
        t = time.perf_counter()
        try:
            build_state(params["init"])          # the state the items below use
        except Exception as exc:  # noqa: BLE001 - the user's init failed
            raise TaskError(f"--init {params['init']} raised {one_line(exc)}") from None
        init_s = time.perf_counter() - t
    os.makedirs(request["out_dir"], exist_ok=True)
    workload = workload.with_output(request["out_dir"])
    times, called, raised = [], 0, []
    for i, item in enumerate(request["items"]):
        t = time.perf_counter()
        result = workload.process(i, FileItem(*item))
        times.append(time.perf_counter() - t)
        if isinstance(result, Failure) and not result.raised:
            continue                           # a file that cannot be read: not the task's failure
        called += 1
        if isinstance(result, Failure):
            raised.append(result.raised)
    if called and len(raised) == called:
        # every item raised: what a race would time is how fast the task fails
        raise TaskError(messages.RUN_PROBE_ALL_FAILED.format(failed=len(raised), tried=called,
                                                             error=raised[0]))
    return {"import_s": import_s, "init_s": init_s, "shapes": shapes,
            "read_s": statistics.median(reads) if reads else None,
            "first_item_s": times[0] if times else None,
            "seconds_per_item": statistics.median(times[1:] or times) if times else None}


def main(argv=None) -> None:
    from workloads.task_import import TaskError

    request_path, result_path = (argv or sys.argv[1:])[:2]
    with open(request_path) as fh:
        request = json.load(fh)
    try:
        found = _probe(request)
    except TaskError as exc:
        found = {"error": str(exc)}
    with open(result_path + ".tmp", "w") as fh:
        json.dump(found, fh)
    os.replace(result_path + ".tmp", result_path)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)          # a model's threads (MediaPipe) can hang an ordinary exit


if __name__ == "__main__":
    main()
