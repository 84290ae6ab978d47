"""multiprocessing.Pool strategies: the serial loop's results in input order, one task per
sub-folder, imap_unordered really re-ordered (and caught when it is not), and the scripts'
silent pitfall - apply_async never collected - shown, and never done by bench."""
import multiprocessing

import cv2
import numpy as np
import pytest

from bench.measure.verify import VerificationError, compare_outputs
from bench.strategies import PoolConfig, make_strategy, mp_pool
from workloads.files import list_files
from workloads.registry import make_workload
from workloads.user_task import TaskWorkload

pytestmark = pytest.mark.e2e

TASKS = '''
import os, time

def shape_of(image, name):
    # the first item is slow: with two workers every later one finishes before it
    if name.endswith("000.png"):
        time.sleep(0.4)
    return name, image.shape, os.getpid()

def boom(x):
    raise RuntimeError("lost in a worker")
'''


@pytest.fixture
def tasks_module(task_module):
    return task_module(TASKS)


@pytest.fixture
def folder_set(tmp_path):
    """Eight images in sub-folders of 1, 5 and 2 files."""
    root = tmp_path / "set"
    for i, folder in enumerate(["a"] + ["b"] * 5 + ["c"] * 2):
        (root / folder).mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / folder / f"{i:03d}.png"), np.full((4, 4 + i, 3), i, np.uint8))
    return list_files(str(root))


def _run(name, workload, items, chunk=None, method="fork"):
    strategy = make_strategy(name, PoolConfig(2, chunk, method))
    pool = strategy.start(workload, items)
    try:
        return strategy.run(pool, workload, items, lambda: None)
    finally:
        strategy.stop(pool)


@pytest.mark.parametrize("name, chunk, method", [
    ("pool-apply-async", None, "fork"), ("pool-apply-async-folders", None, "fork"),
    ("pool-imap", 2, "fork"), ("pool-imap-unordered", 1, "fork"), ("pool-imap", 3, "spawn"),
])
def test_every_pool_strategy_gives_the_serial_loops_results_in_order(name, chunk, method, tasks_module, folder_set):
    w = TaskWorkload(task=f"{tasks_module}:shape_of")
    serial = [w.process(i, it) for i, it in enumerate(folder_set)]
    got = _run(name, w, folder_set, chunk, method)
    assert [r[:2] for r in got] == [r[:2] for r in serial]
    assert len({r[2] for r in got}) >= 1
    reference = make_workload("task", {"task": w.task}).outputs([r[:2] for r in serial], len(serial))
    compare_outputs(w, reference, w.outputs([r[:2] for r in got], len(got)))


def test_one_task_per_sub_folder_runs_each_folder_in_one_worker(tasks_module, folder_set):
    w = TaskWorkload(task=f"{tasks_module}:shape_of")
    got = _run("pool-apply-async-folders", w, folder_set)
    by_folder = {}
    for (name, _, pid) in got:
        by_folder.setdefault(name.split("/")[0], set()).add(pid)
    assert sorted(by_folder) == ["a", "b", "c"] and all(len(p) == 1 for p in by_folder.values())


def test_imap_unordered_really_reorders_and_the_verification_catches_it_unsorted(tasks_module, folder_set, monkeypatch):
    w = TaskWorkload(task=f"{tasks_module}:shape_of")
    serial = [w.process(i, it)[:2] for i, it in enumerate(folder_set)]
    reference = w.outputs(serial, len(serial))
    arrivals = []
    real = mp_pool.reorder

    def spy(pairs, count):
        arrivals.append([i for i, _ in pairs])
        return real(pairs, count)

    monkeypatch.setattr(mp_pool, "reorder", spy)
    got = _run("pool-imap-unordered", w, folder_set, chunk=1)
    assert arrivals[0] != sorted(arrivals[0])              # they did arrive out of order
    compare_outputs(w, reference, w.outputs([r[:2] for r in got], len(got)))
    # results handed over as they arrived: the verification against serial fails
    monkeypatch.setattr(mp_pool, "reorder", lambda pairs, count: [r for _, r in pairs])
    unsorted = _run("pool-imap-unordered", w, folder_set, chunk=1)
    with pytest.raises(VerificationError, match="outputs differ"):
        compare_outputs(w, reference, w.outputs([r[:2] for r in unsorted], len(unsorted)))


def test_reorder_refuses_a_missing_or_repeated_index():
    assert mp_pool.reorder([(1, "b"), (0, "a")], 2) == ["a", "b"]
    with pytest.raises(ValueError, match="never arrived"):
        mp_pool.reorder([(1, "b")], 2)
    with pytest.raises(ValueError, match="twice"):
        mp_pool.reorder([(0, "a"), (0, "a")], 2)


def test_apply_async_never_collected_loses_the_exception_bench_collects_every_result(tasks_module):
    import importlib
    import os
    import sys

    sys.path.insert(0, os.path.dirname(tasks_module))
    try:
        boom = importlib.import_module(os.path.basename(tasks_module)[:-3]).boom
        # the scripts' pitfall: submitted, never collected - the pool closes, nothing is raised
        with multiprocessing.get_context("fork").Pool(2) as pool:
            pending = [pool.apply_async(boom, (i,)) for i in range(4)]
            pool.close()
            pool.join()
        assert all(r.ready() and not r.successful() for r in pending)   # the errors were there
    finally:
        sys.path.remove(os.path.dirname(tasks_module))
    # bench's pool-apply-async collects every result: the worker's exception reaches the parent
    with pytest.raises(RuntimeError, match="deliberate fault"):
        _run("pool-apply-async", make_workload("fault-raise"), np.zeros((4, 2, 2, 1), np.uint8))


def test_the_pool_handle_submits_like_an_executor():
    strategy = make_strategy("pool-imap", PoolConfig(2, 1, "fork"))
    handle = strategy.start(make_workload("noop"), None)
    try:
        assert handle.submit(divmod, 7, 2).result(timeout=30) == (3, 1)
        with pytest.raises(ZeroDivisionError):
            handle.submit(divmod, 1, 0).result(timeout=30)
        assert len(strategy.worker_pids(handle)) == 2
    finally:
        strategy.stop(handle)
    assert len(strategy.worker_reports()) == 2               # every worker's initializer ran


@pytest.mark.parametrize("name, chunk", [("pool-apply-async", None), ("pool-imap", 2),
                                         ("pool-imap-unordered", 1)])
def test_a_worker_that_dies_fails_the_pass_at_once_instead_of_waiting_forever(name, chunk):
    """multiprocessing.Pool replaces a dead worker and loses its task, so a plain get()
    never returns; bench's wait sees the exit and says so (and the pool still stops)."""
    import threading

    workload = make_workload("fault-kill-worker", {})
    strategy = make_strategy(name, PoolConfig(2, chunk, "fork"))
    pool = strategy.start(workload, [0] * 4)
    outcome = {}

    def one_pass():
        try:
            strategy.run(pool, workload, [0] * 4, lambda: None)
        except Exception as exc:  # noqa: BLE001 - the test looks at what it was
            outcome["error"] = exc

    passing = threading.Thread(target=one_pass, daemon=True)
    passing.start()
    passing.join(120)             # a guard only: without the watch the pass never returns
    try:
        assert not passing.is_alive(), "the pass still waits for the lost task"
        assert isinstance(outcome.get("error"), mp_pool.PoolWorkerDied)
        assert "died (killed by SIGKILL)" in str(outcome["error"])
    finally:
        strategy.stop(pool)
