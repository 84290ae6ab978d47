"""Every strategy writes exactly what the serial loop writes, in every start method."""
import os

import pytest

from bench.strategies import STRATEGIES as ALL_STRATEGIES
from bench.strategies import PoolConfig, auto_chunk_size, make_strategy
from bench.measure.timing import measure_cold
from bench.measure.verify import VerificationError, check_names, compare_outputs
from workloads.codecs import Codec
from workloads.imwrite import ImencodeWorkload, ImwriteWorkload


# Local strategies here; the Dask ones (a cluster per start) are covered in test_dask.py.
STRATEGIES = {n: c for n, c in ALL_STRATEGIES.items() if c.family != "dask"}


def _files(folder):
    out = {}
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), "rb") as fh:
            out[name] = fh.read()
    return out


def _run(strategy_name, workload, images, out_dir, start_method="fork", workers=2):
    chunk = auto_chunk_size(strategy_name, len(images), workers)
    strategy = make_strategy(strategy_name, PoolConfig(workers, chunk, start_method))
    w = workload.with_output(str(out_dir))
    pool = strategy.start(w, images)
    try:
        return strategy.run(pool, w, images, lambda: None)
    finally:
        strategy.stop(pool)


@pytest.mark.parametrize("name", [n for n in STRATEGIES if n != "serial"])
def test_imwrite_files_are_byte_identical_to_serial(name, tiny_images, tmp_path):
    ref, got = tmp_path / "ref", tmp_path / "got"
    ref.mkdir(), got.mkdir()
    _run("serial", ImwriteWorkload(), tiny_images, ref)
    _run(name, ImwriteWorkload(), tiny_images, got)
    expected = _files(ref)
    assert sorted(expected) == sorted(f"{i}.jpg" for i in range(len(tiny_images)))
    assert _files(got) == expected


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_process_strategies_work_under_other_start_methods(method, tiny_images, tmp_path):
    ref, got = tmp_path / "ref", tmp_path / "got"
    ref.mkdir(), got.mkdir()
    _run("serial", ImwriteWorkload(Codec("png")), tiny_images, ref)
    _run("processes-chunked", ImwriteWorkload(Codec("png")), tiny_images, got, start_method=method)
    assert _files(got) == _files(ref)


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_results_come_back_in_input_order(name, tiny_images, tmp_path):
    digests = _run(name, ImencodeWorkload(return_digest=True), tiny_images, tmp_path)
    serial = _run("serial", ImencodeWorkload(return_digest=True), tiny_images, tmp_path)
    assert digests == serial
    assert len(set(serial)) == len(tiny_images)   # distinct images, so order is really checked


def test_chunked_strategy_covers_every_image_once_with_odd_chunk(tiny_images, tmp_path):
    strategy = make_strategy("processes-chunked", PoolConfig(2, 5, "fork"))  # 12 = 5 + 5 + 2
    w = ImencodeWorkload(return_digest=True)
    pool = strategy.start(w, tiny_images)
    try:
        got = strategy.run(pool, w, tiny_images, lambda: None)
    finally:
        strategy.stop(pool)
    assert got == _run("serial", w, tiny_images, tmp_path)


class GatedPool:
    """A real pool whose submits after the first wait until the first result was
    signalled: code that signals only after the whole submit loop would stall here."""

    def __init__(self, pool, released):
        self.pool, self.released, self.stalled = pool, released, False

    def submit(self, fn, *args):
        if self.pool_submits and not self.released.wait(30):
            self.stalled = True
        self.pool_submits += 1
        return self.pool.submit(fn, *args)

    pool_submits = 0


@pytest.mark.parametrize("name", ["threads", "processes", "processes-chunked", "processes-shm"])
def test_first_result_is_signalled_by_the_first_task_not_the_submit_loop(name, tiny_images):
    import threading

    released = threading.Event()
    strategy = make_strategy(name, PoolConfig(2, 3 if strategy_is_chunked(name) else None, "fork"))
    w = ImencodeWorkload()
    pool = strategy.start(w, tiny_images)
    gated = GatedPool(pool, released)
    try:
        strategy.run(gated, w, tiny_images, released.set)
    finally:
        released.set()
        strategy.stop(pool)
    assert not gated.stalled


def strategy_is_chunked(name):
    return STRATEGIES[name].chunked


def test_first_result_keeps_the_earliest_signal(fake_clock):
    from bench.measure.timing import FirstResult

    first = FirstResult(fake_clock)
    fake_clock.advance(1.0)
    first()
    fake_clock.advance(5.0)
    first()                               # the collecting loop's later, redundant signal
    assert first.at == 1001.0


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_first_result_is_signalled_for_every_strategy(name, tiny_images):
    from bench.measure.timing import FirstResult

    strategy = make_strategy(name, PoolConfig(2, auto_chunk_size(name, 12, 2), "fork"))
    w = ImencodeWorkload()
    pool = strategy.start(w, tiny_images)
    first = FirstResult(lambda: 1.0)
    try:
        strategy.run(pool, w, tiny_images, first)
    finally:
        strategy.stop(pool)
    assert first.at == 1.0


def test_auto_chunk_sizes():
    assert auto_chunk_size("processes-chunked", 10000, 2) == 5000
    assert auto_chunk_size("threads-chunked", 10, 4) == 3
    assert auto_chunk_size("processes-map", 10000, 2) == 1250
    assert auto_chunk_size("processes", 10000, 2) is None


# -- verification -----------------------------------------------------------

def _verified(group_work, strategy, workers=2, chunk=None, method=None, workload="imwrite", layout=None,
              tamper=None) -> int:
    """What a race does: the serial loop's reference, a visit whose pass is kept, its
    outputs compared (``tamper(folder)`` changes the kept pass's files first)."""
    from bench.model.case import Case
    from workloads.images import ImageSetSpec, ImageSize
    from workloads.registry import make_workload

    spec = ImageSetSpec(ImageSize(16, 12, 3), 12, "smooth", seed=3)
    params = ImwriteWorkload.params_for(Codec())
    work = group_work(spec, 12, workload)
    reference = work.reference()
    case = Case(workload, spec, params, strategy, workers, chunk, method, out_layout=layout)
    work.visit(case.as_dict(), keep=True)
    if tamper is not None:
        tamper(work.kept[case.name][0])
    got = work.outputs(case.as_dict())
    return compare_outputs(make_workload(workload, params), reference["outputs"], got["outputs"])


def test_verification_passes_for_a_correct_strategy(group_work):
    assert _verified(group_work, "threads-chunked", chunk=6) == 12


def test_verification_catches_a_changed_byte(group_work):
    def flip(folder):
        path = os.path.join(folder, "3.jpg")
        data = bytearray(open(path, "rb").read())
        data[len(data) // 2] ^= 0xFF
        open(path, "wb").write(bytes(data))

    with pytest.raises(VerificationError, match="1 of 12 outputs differ .first: 3.jpg"):
        _verified(group_work, "threads", tamper=flip)


def test_missing_and_extra_files_are_caught(tiny_images, tmp_path):
    strategy = make_strategy("serial", PoolConfig())
    os.makedirs(tmp_path / "pass")
    measure_cold(strategy, ImwriteWorkload(), tiny_images, str(tmp_path / "pass"))
    os.unlink(tmp_path / "pass" / "7.jpg")
    open(tmp_path / "pass" / "stray.txt", "w").close()
    with pytest.raises(VerificationError, match="1 file.s. missing .first: 7.jpg.; 1 unexpected"):
        check_names(ImwriteWorkload(), str(tmp_path / "pass"), len(tiny_images))


def test_imencode_is_verified_with_an_extra_digest_pass(group_work):
    # timed passes return sizes only: the outputs come from a digest pass on the warm pool
    assert _verified(group_work, "processes-map", chunk=3, method="fork", workload="imencode") == 12


def test_a_folder_per_task_is_verified_against_the_one_folder_serial_loop(group_work):
    def layout_is_per_task(folder):
        assert sorted(os.listdir(folder)) == ["task-000000", "task-000004", "task-000008"]

    assert _verified(group_work, "processes-inherit", chunk=4, method="fork", layout="per-task",
                     tamper=layout_is_per_task) == 12


def _serial_outputs(workload, images, folder) -> dict:
    os.makedirs(folder)
    w = workload.verifying().with_output(str(folder))
    return w.outputs([w.process(i, img) for i, img in enumerate(images)], len(images))


def test_imwrite_and_imencode_produce_the_same_bytes(tiny_images, tmp_path):
    files = _serial_outputs(ImwriteWorkload(), tiny_images, tmp_path / "w")
    buffers = _serial_outputs(ImencodeWorkload(), tiny_images, tmp_path / "e")
    assert [files[f"{i}.jpg"] for i in range(12)] == [buffers[str(i)] for i in range(12)]


@pytest.mark.parametrize("name, method", [("threads", None), ("processes", "fork"),
                                          ("processes-chunked", "spawn")])
def test_every_worker_reports_its_setup_and_cv_threads(name, method, tiny_images):
    strategy = make_strategy(name, PoolConfig(2, auto_chunk_size(name, 12, 2), method, cv_threads=1))
    w = ImencodeWorkload()
    pool = strategy.start(w, tiny_images)
    try:
        # enough tasks that both workers start (spawn starts workers on demand)
        for _ in range(3):
            strategy.run(pool, w, tiny_images, lambda: None)
    finally:
        strategy.stop(pool)
    reports = strategy.worker_reports()
    assert 1 <= len(reports) <= 2
    assert all(r["setup_s"] >= 0 for r in reports)
    if name.startswith("processes"):
        assert {r["cv_threads"] for r in reports} == {1}       # --cv-threads applied in workers
        assert len({r["pid"] for r in reports}) == len(reports)


# -- pixels that never cross a pipe ---------------------------------------------

def _shm_segments():
    return {n for n in os.listdir("/dev/shm") if n.startswith(("psm_", "wnsm_"))}


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_shared_memory_strategy_matches_serial_and_releases_its_block(method, tiny_images, tmp_path):
    before = _shm_segments()
    ref, got = tmp_path / "ref", tmp_path / "got"
    ref.mkdir(), got.mkdir()
    _run("serial", ImwriteWorkload(), tiny_images, ref)
    _run("processes-shm", ImwriteWorkload(), tiny_images, got, start_method=method)
    assert _files(got) == _files(ref)
    assert _shm_segments() == before


class RaisingWorkload(ImencodeWorkload):
    def process(self, index, image):
        if index == 5:
            raise ValueError("image 5 is bad")
        return super().process(index, image)


def test_shared_memory_is_released_when_a_worker_raises(tiny_images):
    before = _shm_segments()
    strategy = make_strategy("processes-shm", PoolConfig(2, 3, "spawn"))
    w = RaisingWorkload()
    pool = strategy.start(w, tiny_images)
    name = strategy._block.name
    assert name and os.path.exists(f"/dev/shm/{name}")
    try:
        with pytest.raises(ValueError, match="image 5 is bad"):
            strategy.run(pool, w, tiny_images, lambda: None)
    finally:
        strategy.stop(pool)
    assert not os.path.exists(f"/dev/shm/{name}")
    assert _shm_segments() == before


def test_inherit_matches_serial_under_fork(tiny_images, tmp_path):
    assert (_run("processes-inherit", ImencodeWorkload(return_digest=True), tiny_images, tmp_path)
            == _run("serial", ImencodeWorkload(return_digest=True), tiny_images, tmp_path))


def test_inherit_is_refused_under_spawn(tiny_images):
    strategy = make_strategy("processes-inherit", PoolConfig(2, 3, "spawn"))
    with pytest.raises(ValueError, match="needs the fork start method"):
        strategy.start(ImencodeWorkload(), tiny_images)


# -- a folder per task (imwrite's per-task output layout) ------------------------

def _tree(folder):
    """{path relative to folder: bytes} of every file below it."""
    out = {}
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, folder)] = fh.read()
    return out


@pytest.mark.parametrize("name, method", [("threads-chunked", None), ("processes-chunked", "fork"),
                                          ("processes-shm", "fork"), ("processes-inherit", "fork"),
                                          ("processes-shm", "spawn")])
def test_a_folder_per_task_holds_each_slice_with_the_serial_bytes(name, method, tiny_images, tmp_path):
    ref, got = tmp_path / "ref", tmp_path / "got"
    ref.mkdir(), got.mkdir()
    _run("serial", ImwriteWorkload(), tiny_images, ref)
    strategy = make_strategy(name, PoolConfig(2, 5, method))     # slices 0-4, 5-9, 10-11
    w = ImwriteWorkload().with_layout("per-task").with_output(str(got))
    pool = strategy.start(w, tiny_images)
    try:
        strategy.run(pool, w, tiny_images, lambda: None)
    finally:
        strategy.stop(pool)
    serial = _files(ref)
    expected = {os.path.join(f"task-{i - i % 5:06d}", n): data
                for n, data in serial.items() for i in [int(n.split(".")[0])]}
    assert _tree(got) == expected
    check_names(w, str(got), len(tiny_images))      # found recursively: no complaint


def test_a_file_written_into_two_task_folders_is_caught(tiny_images, tmp_path):
    w = ImwriteWorkload().with_layout("per-task").with_output(str(tmp_path))
    for start in (0, 6):
        task = w.for_task(start)
        for i in range(start, start + 6):
            task.process(i, tiny_images[i])
    check_names(w, str(tmp_path), len(tiny_images))
    ImwriteWorkload().with_output(str(tmp_path / "task-000006")).process(2, tiny_images[2])
    with pytest.raises(VerificationError, match="1 file.s. written more than once .first: 2.jpg"):
        check_names(w, str(tmp_path), len(tiny_images))
    # and the byte comparison sees the second copy as an output the serial loop lacks
    assert os.path.join("task-000006", "2.jpg") in w.outputs(None, 12)


def test_per_image_tasks_ignore_the_layout_and_a_flat_run_keeps_one_folder(tiny_images, tmp_path):
    w = ImwriteWorkload()
    assert w.for_task(5) is w and w.layout == "flat"
    assert ImwriteWorkload().with_layout("per-task").layout == "per-task"
    with pytest.raises(ValueError, match="unknown output layout 'nested'"):
        ImwriteWorkload().with_layout("nested")


def test_threads_setting_up_side_by_side_each_report_their_own_thread():
    """A thread pool's workers run the initializer side by side: each report must be its
    own, not one shared dict that the last thread filled in for both."""
    import threading

    from workloads.tasks import init_worker

    class SetUpTogether:
        def __init__(self):
            self.barrier = threading.Barrier(2)

        def worker_setup(self):
            self.barrier.wait(timeout=10)     # both finish their set-up at the same moment
            return {"model_load_s": 0.0}

    class Reports(list):
        def put(self, item):
            self.append(item)

    for _ in range(20):
        workload, reports = SetUpTogether(), Reports()
        threads = [threading.Thread(target=init_worker, args=(workload, None, reports))
                   for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert reports[0] is not reports[1]
        assert {r["thread"] for r in reports} == {t.ident for t in threads}
