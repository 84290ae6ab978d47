"""Overhead probes and the decomposition: fake clocks for the arithmetic, real pools for shape."""
import pickle

import numpy as np
import pytest

from bench.plan.configurations import PlanOptions
from bench.plan.overhead import plan_overhead
from bench.measure.decomposition import ColdDecomposition
from bench.strategies import PoolConfig, Strategy, make_strategy
from workloads.overhead import PickleWorkload, PoolStartWorkload
from workloads.tasks import NoopWorkload


class FakePool:
    def __init__(self, clock, per_task):
        self.clock, self.per_task = clock, per_task
        self.noop_passes = 0

    def submit(self, fn, *args):
        self.clock.advance(self.per_task)

        class Done:
            def result(self_inner):
                return None

            def add_done_callback(self_inner, fn):
                fn(self_inner)        # already done: called at once, as concurrent.futures does
        return Done()


class FakeStrategy(Strategy):
    """Known costs on a fake clock: start, shutdown, one task (first images, the no-op
    passes' tasks - ``warm_per_task`` once a pool has moved its pixels), a real pass."""
    family = "processes"

    def __init__(self, clock, startup, shutdown, per_task=0.0, workers=2, chunk=None,
                 warm_per_task=None, real_pass=0.0, first_image=None):
        self.clock, self.startup, self.shutdown, self.per_task = clock, startup, shutdown, per_task
        self.first_image = first_image
        self.warm_per_task = per_task if warm_per_task is None else warm_per_task
        self.real_pass = real_pass
        super().__init__(PoolConfig(workers, chunk, "fork"))
        self.log = []

    def start(self, workload, images=None):
        self.log.append("start")
        self.clock.advance(self.startup)
        return FakePool(self.clock, self.per_task)

    def stop(self, pool):
        self.log.append("stop")
        self.clock.advance(self.shutdown)

    def run(self, pool, workload, images, on_first):
        if not isinstance(workload, NoopWorkload):
            self.log.append("real")
            self.clock.advance(self.real_pass)
            return [None] * len(images)
        self.log.append("noop")
        per_task = self.per_task if pool.noop_passes == 0 else self.warm_per_task
        pool.noop_passes += 1
        self.clock.advance(per_task * len(images))
        return [None] * len(images)

    def submit_first(self, pool, workload, images, index):
        if self.first_image is not None:
            self.clock.advance(self.first_image - self.per_task)
        return pool.submit(None)

    def worker_pids(self, pool):
        return []


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


@pytest.mark.e2e
def test_real_pool_start_under_spawn_reports_a_positive_time():
    strategy = make_strategy("processes", PoolConfig(1, None, "spawn"))
    out = PoolStartWorkload.measure(strategy, np.zeros((1, 1, 1, 1), np.uint8), repeats=1)
    assert out["values_s"][0] > 0
    assert out["metadata"]["all_workers_ready_s"] >= out["values_s"][0]


class NoopLike:
    def with_output(self, out_dir):
        return self


def test_decomposition_adds_the_parts_it_measured(fake_clock):
    # a fresh pool moves pixels at 1 ms a task, then at 0.5 ms; a real pass takes 0.45 s
    strategy = FakeStrategy(fake_clock, startup=0.1, shutdown=0.02, per_task=0.001, chunk=25,
                            warm_per_task=0.0005, real_pass=0.45)
    probes = ColdDecomposition("processes", workers=2, capacity=1.9, serial_per_image_s=0.004,
                        clock=fake_clock)
    probes.measure_fresh_pool(strategy, NoopLike(), [0] * 100)
    assert strategy.log == ["start", "noop", "noop", "real", "noop", "stop"]
    meta = probes.metadata(strategy, 100, cold_values=[0.6])
    # start + one real image per worker + shutdown; the passes in between are not start-up
    assert meta["decomp_startup_probe_s"] == pytest.approx(0.1 + 2 * 0.001 + 0.02)
    assert meta["decomp_transfer_s"] == pytest.approx(100 * 0.001)        # first time: cold
    assert meta["decomp_work_s"] == pytest.approx(0.45 - 100 * 0.0005)   # beyond a warm move
    assert meta["decomp_parallelism"] == pytest.approx(1.9)        # capacity caps 2 workers
    # less the ordinary work of those 2 images: the real pass's 0.4 s over 100 images on
    # 1.9 CPUs' worth of workers is 7.6 ms an image on one worker; 2 images on 1.9
    assert meta["decomp_startup_s"] == pytest.approx(0.122 - 2 * 0.0076 / 1.9)
    assert meta["decomp_work_ideal_s"] == pytest.approx(0.4 / 1.9)
    assert meta["decomp_contention_s"] == pytest.approx(0.4 - 0.4 / 1.9)
    total = meta["decomp_startup_s"] + meta["decomp_transfer_s"] + meta["decomp_work_s"]
    assert meta["decomp_sum_s"] == pytest.approx(total)
    assert meta["decomp_error"] == pytest.approx(total / 0.6 - 1)


def test_work_is_the_real_pass_less_the_mean_of_the_warm_moves_around_it(fake_clock):
    class Warming(FakeStrategy):
        noop_passes = [0.1, 0.06, 0.04]          # first, before the real pass, after it

        def run(self, pool, workload, images, on_first):
            if isinstance(workload, NoopWorkload):
                self.clock.advance(self.noop_passes.pop(0))
                return [None] * len(images)
            return super().run(pool, workload, images, on_first)

    strategy = Warming(fake_clock, startup=0.0, shutdown=0.0, real_pass=0.5)
    probes = ColdDecomposition("processes", workers=2, capacity=2.0, serial_per_image_s=None,
                        clock=fake_clock)
    probes.measure_fresh_pool(strategy, NoopLike(), [0] * 10)
    assert probes.rounds[0].transfer == pytest.approx(0.1)
    assert probes.rounds[0].work == pytest.approx(0.5 - 0.05)


def test_a_model_built_per_image_is_work_not_start_up(fake_clock):
    # every image costs 50 ms on one worker (a model built for it), far more than the
    # serial loop's 4 ms with one model: the round's own real pass says what an image costs
    strategy = FakeStrategy(fake_clock, startup=0.1, shutdown=0.02, real_pass=0.25,
                            first_image=0.025)     # 2 x 50 ms side by side: 50 ms of clock
    probes = ColdDecomposition("processes", workers=2, capacity=2.0, serial_per_image_s=0.004,
                        clock=fake_clock)
    probes.measure_fresh_pool(strategy, NoopLike(), [0] * 10)
    meta = probes.metadata(strategy, 10, cold_values=[0.4])
    assert meta["decomp_startup_probe_s"] == pytest.approx(0.1 + 0.05 + 0.02)
    assert meta["decomp_startup_s"] == pytest.approx(0.1 + 0.02)


class BootingStrategy(FakeStrategy):
    """A pool whose workers are up ``boot`` seconds after the start, while the parent goes
    on submitting: the parent pays ``per_task`` per task submitted, a task is back when
    it is submitted or when the workers are up, whichever is later (plus ``first_image``
    for a first image). Callbacks fire at those moments of the fake clock."""

    def __init__(self, clock, boot, **kw):
        super().__init__(clock, startup=0.0, **kw)
        self.boot = boot
        self.pending = []          # (due, callback, future)

    def start(self, workload, images=None):
        pool = super().start(workload, images)
        pool.up_at = self.clock() + self.boot
        return pool

    def _future(self, pool, extra):
        strategy, due = self, max(self.clock(), pool.up_at) + extra

        class Future:
            def add_done_callback(self_inner, fn):
                strategy.pending.append((due, fn, self_inner))
                strategy._fire()

            def result(self_inner):
                strategy.clock.now = max(strategy.clock.now, due)
                strategy._fire()
        return Future()

    def _fire(self):
        for item in sorted((p for p in self.pending if p[0] <= self.clock.now), key=lambda p: p[0]):
            due, fn, fut = item
            self.pending.remove(item)
            now, self.clock.now = self.clock.now, due
            fn(fut)
            self.clock.now = now

    def submit_first(self, pool, workload, images, index):
        return self._future(pool, self.first_image or 0.0)

    def run(self, pool, workload, images, on_first):
        if not isinstance(workload, NoopWorkload):
            return super().run(pool, workload, images, on_first)
        self.log.append("noop")
        futures = []
        for _ in images:
            self.clock.advance(self.per_task)
            futures.append(self._future(pool, 0.0))
            self._fire()
        for f in futures:
            f.result()
        return [None] * len(images)


def test_a_start_hidden_behind_the_parents_submits_is_not_counted_twice(fake_clock):
    # the workers are up after 50 ms; the first images are back 2 ms later; meanwhile the
    # parent submits 100 no-op tasks at 1 ms each: 100 ms in all, like a cold pass of a
    # per-image pool whose parent is the bottleneck. The start is hidden behind 52 ms of
    # those submits: start-up 52 ms, transfer only the other 48 ms, together the 100 ms
    strategy = BootingStrategy(fake_clock, boot=0.05, shutdown=0.01, per_task=0.001,
                               first_image=0.002, real_pass=0.3)
    probes = ColdDecomposition("processes", workers=2, capacity=2.0, serial_per_image_s=None,
                        clock=fake_clock)
    probes.measure_fresh_pool(strategy, NoopLike(), [0] * 100)
    round_ = probes.rounds[0]
    assert round_.startup == pytest.approx(0.052 + 0.01)
    assert round_.transfer == pytest.approx(0.048)
    assert round_.work == pytest.approx(0.3 - 0.1)
    assert strategy.log == ["start", "noop", "noop", "real", "noop", "stop"]


def test_each_round_is_checked_against_its_own_cold_pass(fake_clock):
    # the machine is twice as slow for the second cold pass and the round after it: every
    # round matches its cold pass, although the two phases differ by 2x
    probes = ColdDecomposition("processes", workers=2, capacity=2.0, serial_per_image_s=None,
                        clock=fake_clock)
    for slowdown in (1.0, 2.0, 1.0):
        strategy = FakeStrategy(fake_clock, startup=0.1 * slowdown, shutdown=0.0,
                                real_pass=0.5 * slowdown, first_image=0.05 * slowdown)
        probes.measure_fresh_pool(strategy, NoopLike(), [0] * 10)
    meta = probes.metadata(strategy, 10, cold_values=[0.6, 1.2, 0.66])
    assert meta["decomp_rounds"] == 3
    errors = [float(e) for e in meta["decomp_round_errors"].split()]
    assert errors == pytest.approx([0.0, 0.0, 0.6 / 0.66 - 1], abs=1e-4)
    assert meta["decomp_error"] == pytest.approx(0.0, abs=1e-4)          # median miss
    assert meta["decomp_work_s"] == pytest.approx(0.5)                   # median part
    assert meta["decomp_startup_s"] == pytest.approx(0.1)


def test_warm_transfer_is_the_median_of_its_passes(fake_clock):
    class Jittery(FakeStrategy):
        def run(self, pool, workload, images, on_first):
            self.clock.advance(self.passes.pop(0))
            return [None] * len(images)

    strategy = Jittery(fake_clock, 0.0, 0.0)
    strategy.passes = [0.30, 0.10, 0.12]            # one pass hit by noise
    probes = ColdDecomposition("processes", workers=2, capacity=2.0, serial_per_image_s=None,
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

    probes = ColdDecomposition("processes", workers=2, capacity=2.0, serial_per_image_s=None,
                        clock=fake_clock)
    probes.measure_transfer(Slow(fake_clock, 0.0, 0.0), None, [0] * 10)
    assert Slow.runs == 1 and probes.transfer_s == pytest.approx(2.5)


@pytest.mark.e2e
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
    strategy = FakeStrategy(fake_clock, 0.0, 0.0, chunk=50, real_pass=0.3)
    probes = ColdDecomposition("processes", workers=2, capacity=2.0, serial_per_image_s=0.01,
                        clock=fake_clock)
    probes.measure_fresh_pool(strategy, NoopLike(), [0] * 100)
    meta = probes.metadata(strategy, 100, cold_values=[0.5])          # ideal 0.5
    assert meta["decomp_work_ideal_s"] == pytest.approx(0.3) and meta["decomp_contention_s"] == 0


def test_parallelism_is_limited_by_tasks():
    strategy = FakeStrategy(None, 0, 0, workers=4, chunk=50)
    probes = ColdDecomposition("processes", workers=4, capacity=3.9, serial_per_image_s=0.001)
    assert probes.parallelism(strategy, 100) == 2          # 2 chunks keep 2 workers busy


def test_overhead_plan_covers_start_methods_payloads_and_pickle():
    names = [c.name for c in plan_overhead(PlanOptions(quick=True, workers=[2]), 2)]
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


def test_start_up_ends_when_the_last_first_image_is_back(fake_clock):
    from bench.measure.decomposition import LastDone

    last = LastDone(fake_clock, 2)
    fake_clock.advance(0.01)
    last(None)
    fake_clock.advance(0.03)
    last(None)
    fake_clock.advance(1.0)            # read later: the moment of the last callback counts
    assert last.wait(timeout=0) == pytest.approx(1000.04)


def test_start_up_with_no_first_images_ends_at_once(fake_clock):
    from bench.measure.decomposition import LastDone

    assert LastDone(fake_clock, 0).wait(timeout=0) == pytest.approx(1000.0)
