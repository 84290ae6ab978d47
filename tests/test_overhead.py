"""Overhead probes and the decomposition: fake clocks for the arithmetic, real pools for shape."""
import pickle

import numpy as np
import pytest

from bench.plan import PlanOptions, plan_overhead
from bench.probes import CaseProbes
from bench.strategies import PoolConfig, make_strategy
from workloads.overhead import PickleWorkload, PoolStartWorkload


class FakePool:
    def __init__(self, clock, per_task):
        self.clock, self.per_task = clock, per_task

    def submit(self, fn, *args):
        self.clock.advance(self.per_task)

        class Done:
            def result(self_inner):
                return None
        return Done()


class FakeStrategy:
    family = "processes"

    def __init__(self, clock, startup, shutdown, per_task=0.0, workers=2, chunk=None):
        self.clock, self.startup, self.shutdown, self.per_task = clock, startup, shutdown, per_task
        self.config = PoolConfig(workers, chunk, "fork")

    def start(self, workload, images=None):
        self.clock.advance(self.startup)
        return FakePool(self.clock, self.per_task)

    def stop(self, pool):
        self.clock.advance(self.shutdown)

    def run(self, pool, workload, images, on_first):
        for i in range(len(images)):
            pool.submit(None)
        return [None] * len(images)

    def submit_first(self, pool, workload, images, index):
        return pool.submit(None)


def test_pool_start_values_are_each_fresh_pools_first_result(fake_clock):
    strategy = FakeStrategy(fake_clock, startup=0.2, shutdown=0.05, per_task=0.01)
    out = PoolStartWorkload.measure(strategy, [0], repeats=3, clock=fake_clock)
    # start (0.2) + one no-op submitted per worker (2 x 0.01); each pool timed alone;
    # the first pool of the process is kept apart, then `repeats` values
    assert out["values_s"] == pytest.approx([0.22, 0.22, 0.22])
    assert out["metadata"]["first_pool_start_s"] == pytest.approx(0.22)
    assert out["metadata"]["all_workers_ready_s"] == pytest.approx(0.22)
    assert out["metadata"]["shutdown_s"] == pytest.approx(0.05)


def test_pickle_probe_records_size_and_protocol():
    images = np.zeros((5, 32, 32, 3), np.uint8)
    out = PickleWorkload.measure(None, images, repeats=2)
    assert out["metadata"]["pickled_bytes"] == len(pickle.dumps(images[0], pickle.HIGHEST_PROTOCOL))
    assert out["metadata"]["pickle_protocol"] == pickle.HIGHEST_PROTOCOL
    assert out["metadata"]["raw_bytes"] == 32 * 32 * 3
    assert len(out["values_s"]) == 2 and all(v > 0 for v in out["values_s"])


def test_real_pool_start_under_spawn_reports_a_positive_time():
    strategy = make_strategy("processes", PoolConfig(1, None, "spawn"))
    out = PoolStartWorkload.measure(strategy, np.zeros((1, 1, 1, 1), np.uint8), repeats=1)
    assert out["values_s"][0] > 0
    assert out["metadata"]["all_workers_ready_s"] >= out["values_s"][0]


class NoopLike:
    def with_output(self, out_dir):
        return self


def test_decomposition_adds_the_parts_it_measured(fake_clock):
    # the fresh pool moves pixels at 1 ms a task, the warm pool at 0.5 ms
    strategy = FakeStrategy(fake_clock, startup=0.1, shutdown=0.02, per_task=0.001, chunk=25)
    probes = CaseProbes("processes", workers=2, capacity=1.9, serial_per_image_s=0.004,
                        clock=fake_clock)
    probes.measure_fresh_pool(strategy, NoopLike(), [0] * 100)
    probes.measure_transfer(strategy, FakePool(fake_clock, 0.0005), [0] * 100)
    meta = probes.metadata(strategy, 100, cold_total=0.6, warm_pass_s=0.45)
    # start + one real image per worker + shutdown; the no-op pass in between is not start-up
    assert meta["decomp_startup_probe_s"] == pytest.approx(0.1 + 2 * 0.001 + 0.02)
    # less the ordinary work of those 2 images (4 ms each, on 1.9 CPUs' worth of workers)
    assert meta["decomp_startup_s"] == pytest.approx(0.122 - 2 * 0.004 / 1.9)
    assert meta["decomp_transfer_s"] == pytest.approx(100 * 0.001)        # first time: cold
    assert meta["decomp_transfer_warm_s"] == pytest.approx(100 * 0.0005)
    assert meta["decomp_work_s"] == pytest.approx(0.45 - 0.05)     # warm pass beyond warm transfer
    assert meta["decomp_parallelism"] == pytest.approx(1.9)        # capacity caps 2 workers
    assert meta["decomp_work_ideal_s"] == pytest.approx(0.4 / 1.9)
    assert meta["decomp_contention_s"] == pytest.approx(0.4 - 0.4 / 1.9)
    total = meta["decomp_startup_s"] + meta["decomp_transfer_s"] + meta["decomp_work_s"]
    assert meta["decomp_sum_s"] == pytest.approx(total)
    assert meta["decomp_error"] == pytest.approx(total / 0.6 - 1)


def test_warm_transfer_is_the_median_of_its_passes(fake_clock):
    class Jittery(FakeStrategy):
        def run(self, pool, workload, images, on_first):
            self.clock.advance(self.passes.pop(0))
            return [None] * len(images)

    strategy = Jittery(fake_clock, 0.0, 0.0)
    strategy.passes = [0.30, 0.10, 0.12]            # one pass hit by noise
    probes = CaseProbes("processes", workers=2, capacity=2.0, serial_per_image_s=None,
                        clock=fake_clock)
    probes.measure_transfer(strategy, None, [0] * 10)
    assert probes.transfer_s == pytest.approx(0.12)


def test_a_long_warm_transfer_pass_is_taken_once(fake_clock):
    class Slow(FakeStrategy):
        runs = 0

        def run(self, pool, workload, images, on_first):
            Slow.runs += 1
            self.clock.advance(2.5)
            return [None] * len(images)

    probes = CaseProbes("processes", workers=2, capacity=2.0, serial_per_image_s=None,
                        clock=fake_clock)
    probes.measure_transfer(Slow(fake_clock, 0.0, 0.0), None, [0] * 10)
    assert Slow.runs == 1 and probes.transfer_s == pytest.approx(2.5)


def test_arrival_pass_brings_shared_pixels_into_the_worker_and_a_plain_noop_does_not():
    import psutil

    from workloads.tasks import ArrivalWorkload, NoopWorkload, noop

    images = np.ones((8, 1024, 1024), np.uint8)           # 8 MiB in shared memory
    strategy = make_strategy("processes-shm", PoolConfig(1, 2, "fork"))
    pool = strategy.start(NoopWorkload(), images)
    try:
        pool.submit(noop).result()
        worker = psutil.Process(strategy.worker_pids(pool)[0])
        mapped = lambda: worker.memory_info().shared        # noqa: E731  resident shared pages
        before = mapped()
        strategy.run(pool, NoopWorkload(), images, lambda: None)
        after_noop = mapped()
        strategy.run(pool, ArrivalWorkload(), images, lambda: None)
        after_arrival = mapped()
    finally:
        strategy.stop(pool)
    assert after_noop - before < 2 * 2**20
    assert after_arrival - after_noop >= 0.9 * images.nbytes


def test_superlinear_work_has_no_negative_contention(fake_clock):
    strategy = FakeStrategy(fake_clock, 0.0, 0.0, chunk=50)
    probes = CaseProbes("processes", workers=2, capacity=2.0, serial_per_image_s=0.01)
    meta = probes.metadata(strategy, 100, cold_total=0.5, warm_pass_s=0.3)  # ideal 0.5
    assert meta["decomp_work_ideal_s"] == pytest.approx(0.3) and meta["decomp_contention_s"] == 0


def test_parallelism_is_limited_by_tasks():
    strategy = FakeStrategy(None, 0, 0, workers=4, chunk=50)
    probes = CaseProbes("processes", workers=4, capacity=3.9, serial_per_image_s=0.001)
    assert probes.parallelism(strategy, 100) == 2          # 2 chunks keep 2 workers busy


def test_overhead_plan_covers_start_methods_payloads_and_pickle():
    names = [c.name for c in plan_overhead(PlanOptions(quick=True, workers=[2]))]
    for method in ("fork", "spawn", "forkserver"):
        assert f"pool-start/first-result/processes/w2/{method}" in names
    assert "pool-start/first-result/threads/w2" in names
    assert any(n.startswith("roundtrip/1x1x1-") for n in names)
    assert any(n.startswith("pickle/50x50x1-") for n in names)
    assert len(names) == len(set(names))


def test_start_up_probe_sends_pixels_only_where_the_strategy_does():
    from workloads import tasks

    class Recorder:
        def __init__(self):
            self.calls = []

        def submit(self, fn, *args):
            self.calls.append((fn, args))

    images = np.arange(3 * 4 * 4 * 3, dtype=np.uint8).reshape(3, 4, 4, 3)
    sent = {}
    for name in ("processes", "processes-chunked", "processes-inherit", "processes-shm"):
        strategy, pool = make_strategy(name, PoolConfig(2, 2, "fork")), Recorder()
        if name == "processes-shm":
            strategy._view = np.zeros_like(images)     # the block, without a real pool
        strategy.submit_first(pool, "workload", images, 1)
        (fn, args), = pool.calls
        sent[name] = (fn, any(isinstance(a, np.ndarray) for a in args))
        if name == "processes-shm":
            assert (strategy._view[1] == images[1]).all() and not strategy._view[0].any()
    assert sent["processes"] == sent["processes-chunked"] == (tasks.run_one, True)
    assert sent["processes-inherit"] == sent["processes-shm"] == (tasks.run_range, False)


def test_start_up_probe_of_model_per_image_sends_the_per_image_workload():
    class Workload:
        def with_model_per_image(self):
            return "per-image copy"

    sent = []
    pool = type("Pool", (), {"submit": lambda self, fn, *args: sent.append(args)})()
    strategy = make_strategy("processes-model-per-image", PoolConfig(2, None, "fork"))
    strategy.submit_first(pool, Workload(), np.zeros((2, 2, 2, 3), np.uint8), 0)
    assert sent[0][0] == "per-image copy"       # no model loaded that the cold pass skips
