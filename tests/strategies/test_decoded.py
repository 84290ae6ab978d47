"""Files decoded in the parent: the serial loop's results (unreadable files included) from
images of different sizes, the decoding done in the parent, the shared block released."""
import cv2
import numpy as np
import pytest

from bench.measure.verify import compare_outputs
from bench.strategies import PoolConfig, make_strategy
from workloads import files, user_task
from workloads.files import list_files
from workloads.user_task import TaskWorkload

pytestmark = pytest.mark.e2e

TASKS = '''
import numpy as np

def digest(image, name):
    return name, image.shape, int(np.asarray(image, dtype=np.int64).sum())
'''
ROUTES = [("processes-decoded", None), ("processes-decoded-chunked", 3), ("processes-decoded-shm", 2)]


@pytest.fixture
def task(task_module):
    return f"{task_module(TASKS)}:digest"


@pytest.fixture
def mixed(tmp_path):
    """Seven files of four sizes, grey and colour, and one that is not an image."""
    root = tmp_path / "mixed"
    root.mkdir()
    rng = np.random.default_rng(0)
    for i, (h, w) in enumerate([(5, 7), (9, 4), (5, 7), (16, 16), (3, 11), (9, 4), (8, 8)]):
        shape = (h, w) if i == 4 else (h, w, 3)
        cv2.imwrite(str(root / f"{i}.png"), rng.integers(0, 256, shape, dtype=np.uint8))
    (root / "9.png").write_bytes(b"broken")
    return list_files(str(root))


def _run(name, workload, items, chunk):
    strategy = make_strategy(name, PoolConfig(2, chunk, "fork"))
    pool = strategy.start(workload, items)
    try:
        return strategy, strategy.run(pool, workload, items, lambda: None)
    finally:
        strategy.stop(pool)


@pytest.mark.parametrize("name, chunk", ROUTES)
@pytest.mark.parametrize("decode", ["color", "unchanged"])
def test_decoded_in_the_parent_gives_the_serial_loops_results(name, chunk, decode, task, mixed):
    w = TaskWorkload(task=task, decode=decode)
    serial = [w.process(i, it) for i, it in enumerate(mixed)]
    assert isinstance(serial[-1], user_task.Failure)              # the broken file
    _, got = _run(name, w, mixed, chunk)
    compare_outputs(w, w.outputs(serial, len(serial)), w.outputs(got, len(got)))


@pytest.mark.parametrize("name, chunk", ROUTES + [("processes", None), ("processes-chunked", 3)])
def test_the_parent_reads_the_files_only_on_the_decoded_routes(name, chunk, task, mixed, monkeypatch):
    reads = []
    real = files.read_image
    monkeypatch.setattr(files, "read_image", lambda path, decode="color": reads.append(path) or real(path, decode))
    import bench.strategies.decoded as decoded

    monkeypatch.setattr(decoded, "read_image", files.read_image)
    w = TaskWorkload(task=task)
    _run(name, w, mixed, chunk)
    # forked workers read with their own copy of the counter: the parent's counts its own reads
    # (the shared block: every file once at the start to size it, the readable ones in the pass)
    readable = len(mixed) - 1
    expected = {"processes-decoded-shm": len(mixed) + readable}.get(
        name, len(mixed) if name.startswith("processes-decoded") else 0)
    assert len(reads) == expected


def test_the_shared_block_is_gone_after_stop(task, mixed):
    from multiprocessing import shared_memory

    strategy = make_strategy("processes-decoded-shm", PoolConfig(2, 2, "fork"))
    w = TaskWorkload(task=task)
    pool = strategy.start(w, mixed)
    name = strategy._block.name
    try:
        strategy.run(pool, w, mixed, lambda: None)
    finally:
        strategy.stop(pool)
    with pytest.raises(FileNotFoundError):
        shared_memory.SharedMemory(name=name)


def test_a_file_that_changes_size_between_passes_fails_the_pass(task, mixed, tmp_path):
    strategy = make_strategy("processes-decoded-shm", PoolConfig(2, 2, "fork"))
    w = TaskWorkload(task=task)
    pool = strategy.start(w, mixed)
    try:
        cv2.imwrite(mixed[0].path, np.zeros((2, 2, 3), np.uint8))
        with pytest.raises(ValueError, match="changed while the pool ran"):
            strategy.run(pool, w, mixed, lambda: None)
    finally:
        strategy.stop(pool)


def test_a_task_that_takes_paths_has_no_decoded_route(task, mixed):
    with pytest.raises(ValueError, match="--decode none"):
        make_strategy("processes-decoded", PoolConfig(2)).start(TaskWorkload(task=task, decode="none"), mixed)
