"""A user's function as a workload: finding it, its state, its per-item failures, and how
its results are compared with the serial loop's (in input order)."""
import json
import os
import textwrap
import threading

import numpy as np
import pytest

from bench.measure.verify import VerificationError, compare_outputs
from workloads import task_import, user_task
from workloads.files import FileItem, list_files
from workloads.task_import import TaskError, check_picklable, resolve
from workloads.user_task import Failure, InitTaskWorkload, TaskWorkload, same_value

MODULE = '''
import os
calls = {"init": 0, "closed": 0}

class State:
    def __init__(self):
        calls["init"] += 1
        self.thread = __import__("threading").get_ident()
    def close(self):
        calls["closed"] += 1

def init():
    return State()

def task(image, state):
    if image.shape[1] == 3:
        raise ValueError("too narrow")
    return image.shape, state.thread

def plain(image):
    return int(image.sum())

def named(image, name, out_dir):
    with open(os.path.join(out_dir, name.replace("/", "_") + ".txt"), "w") as fh:
        fh.write(str(image.shape))
    return name

def same_shape(a, b):
    return a[0] == b[0]

square = lambda image: image
'''


@pytest.fixture
def module(tmp_path, monkeypatch):
    """A user's .py file (a fresh module name per test: resolve caches by spec)."""
    name = f"usermod_{abs(hash(str(tmp_path))) % 10**8}"
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(MODULE))
    monkeypatch.setattr(task_import, "_RESOLVED", {})
    monkeypatch.setattr(task_import, "_CALLS", {})
    monkeypatch.setattr(user_task, "_BUILT_IN_PID", None)   # this test's states only
    return str(path)


def _items(tmp_path, widths=(4, 3, 5)):
    import cv2

    folder = tmp_path / "img"
    folder.mkdir()
    for i, w in enumerate(widths):
        cv2.imwrite(str(folder / f"{i}.png"), np.full((2, w, 3), i, np.uint8))
    return list_files(str(folder))


def test_a_task_is_found_in_a_py_file_or_a_module(module):
    fn = resolve(f"{module}:plain")
    assert fn(np.ones((2, 2))) == 4
    assert resolve("json:dumps")([1]) == "[1]"
    check_picklable(f"{module}:plain", "--task")


@pytest.mark.parametrize("spec, says", [
    ("no_such_module_here:f", "no module named 'no_such_module_here'"),
    ("json:no_such_function", "json has no 'no_such_function'"),
    ("json:__doc__", "not a function"),
    ("/no/such/file.py:f", "no such file /no/such/file.py"),
    ("nocolon", "is not MODULE:FUNCTION"),
])
def test_a_task_that_cannot_be_found_is_one_line(spec, says):
    with pytest.raises(TaskError, match=says.replace("(", r"\(").replace(")", r"\)")):
        resolve(spec)


def test_a_lambda_cannot_be_sent_to_a_pool_and_says_so(module):
    with pytest.raises(TaskError, match="cannot be pickled.*define it at module level"):
        check_picklable(f"{module}:square", "--task")


def test_a_file_that_would_shadow_another_module_is_refused(tmp_path):
    (tmp_path / "json.py").write_text("def f(x):\n    return x\n")
    with pytest.raises(TaskError, match="already"):
        resolve(f"{tmp_path}/json.py:f")


def test_the_state_is_built_once_per_thread_and_rebuilt_per_item_when_asked(module, tmp_path):
    import importlib

    items = _items(tmp_path, widths=(4, 5, 6, 7))
    w = InitTaskWorkload(task=f"{module}:task", init=f"{module}:init")
    results = [w.process(i, it) for i, it in enumerate(items)]
    mod = importlib.import_module(os.path.basename(module)[:-3])     # imported by the task
    assert mod.calls["init"] == 1                              # once, in this thread
    done = []
    t = threading.Thread(target=lambda: done.append(w.process(0, items[0])))
    t.start(), t.join()
    assert mod.calls["init"] == 2 and done[0][1] != results[0][1]   # its own state
    per_item = w.with_model_per_image()
    [per_item.process(i, it) for i, it in enumerate(items)]
    assert mod.calls["init"] == 2 + len(items) and mod.calls["closed"] >= len(items)


def test_a_failing_item_is_recorded_with_its_name_and_the_rest_go_on(module, tmp_path):
    items = _items(tmp_path) + [FileItem(str(tmp_path / "gone.jpg"), "gone.jpg")]
    w = InitTaskWorkload(task=f"{module}:task", init=f"{module}:init")
    results = [w.process(i, it) for i, it in enumerate(items)]
    assert isinstance(results[1], Failure) and results[1].error == "1.png: ValueError: too narrow"
    assert results[3].error.startswith("gone.jpg: cv2.imread cannot read it")
    # the task's own exception is told apart from a file that cannot be read
    assert results[1].raised == "ValueError: too narrow" and results[3].raised == ""
    assert results[0][0] == (2, 4, 3) and results[2][0] == (2, 5, 3)
    meta = w.case_metadata(type("T", (), {"last_results": results, "warm_workers": [], "cold_workers": []}))
    assert meta["items_failed"] == 2 and len(json.loads(meta["failed_items"])) == 2


def test_name_and_out_dir_are_given_when_the_task_names_them_and_its_files_compared(module, tmp_path):
    items = _items(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    w = TaskWorkload(task=f"{module}:named").with_output(str(out))
    results = [w.process(i, it) for i, it in enumerate(items)]
    assert results == ["0.png", "1.png", "2.png"]
    outputs = w.outputs(results, len(items))
    assert sorted(k for k in outputs if k.startswith("file:")) == ["file:0.png.txt", "file:1.png.txt", "file:2.png.txt"]
    (out / "1.png.txt").write_text("something else")
    changed = w.outputs(results, len(items))
    with pytest.raises(VerificationError, match="1 of 6 outputs differ"):
        compare_outputs(w, outputs, changed)


def test_results_out_of_input_order_fail_the_verification(module, tmp_path):
    items = _items(tmp_path, widths=(4, 5, 6))
    w = TaskWorkload(task=f"{module}:plain")
    results = [w.process(i, it) for i, it in enumerate(items)]
    reference = w.outputs(results, 3)
    compare_outputs(w, reference, w.outputs(list(results), 3))
    with pytest.raises(VerificationError, match="outputs differ"):
        compare_outputs(w, reference, w.outputs(results[::-1], 3))


def test_values_are_compared_by_value():
    a = np.array([1.0, 2.0, np.nan])
    assert same_value(a, a.copy(), None) is False        # exact: nan is not equal to nan
    assert same_value(a, a + 1e-9, 1e-6) and not same_value(a, a + 1e-3, 1e-6)
    assert same_value({"k": [np.ones(2), 3]}, {"k": [np.ones(2), 3]}, None)
    assert not same_value({"k": np.ones(2)}, {"k": np.ones(3)}, None)
    assert not same_value((1, 2), [1, 2], None) and same_value(None, None, None)
    assert same_value(0.1 + 0.2, 0.3, 1e-12) and not same_value(0.1 + 0.2, 0.3, None)
    assert same_value(float("nan"), float("nan"), None)


def test_a_users_same_decides(module):
    w = TaskWorkload(task=f"{module}:plain", same=f"{module}:same_shape")
    assert not w.differs((1, "x"), (1, "y")) and w.differs((1, "x"), (2, "x"))
    assert w.differs("failed: a", (1, "x"))                 # a failure is never the same as a result


def test_a_process_that_built_a_state_refuses_to_fork(module, tmp_path):
    w = InitTaskWorkload(task=f"{module}:task", init=f"{module}:init")
    w.check_fork("fork")
    w.process(0, _items(tmp_path)[0])                     # builds the state here
    with pytest.raises(user_task.StateForkError):
        w.check_fork("fork")
    w.check_fork("spawn")
    TaskWorkload(task=f"{module}:plain").check_fork("fork")   # no model: nothing refused


def test_parameters_name_the_group_without_a_path():
    params = TaskWorkload.params_for("/home/me/work/thumbs.py:make", init="/home/me/work/thumbs.py:load")
    w = InitTaskWorkload.from_params(params)
    assert w.label == "thumbs.make" and "/" not in w.label
    assert TaskWorkload.from_params({"task": "pkg.mod:f", "decode": "none"}).label == "mod.f-none"
    with pytest.raises(ValueError, match="--decode"):
        TaskWorkload(task="m:f", decode="bgr")
    with pytest.raises(ValueError, match="unknown task parameter"):
        TaskWorkload.from_params({"task": "m:f", "model": 1})
