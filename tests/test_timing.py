"""The measuring code itself: every timer starts fresh, cold and warm are what they say."""
import time

import numpy as np

import pytest

from bench.timing import measure_case, measure_cold, timed


class ScriptedStrategy:
    """Advances a fake clock by known amounts: start-up, per-pass work, shutdown."""

    def __init__(self, clock, startup=0.5, shutdown=0.25, pass_durations=None, first=0.01):
        self.clock, self.startup, self.shutdown, self.first = clock, startup, shutdown, first
        self.pass_durations = list(pass_durations or [])
        self.starts = self.stops = 0

    def start(self, workload, images=None):
        self.starts += 1
        self.clock.advance(self.startup)
        return object()

    def stop(self, pool):
        self.stops += 1
        self.clock.advance(self.shutdown)

    def run(self, pool, workload, images, on_first_result):
        duration = self.pass_durations.pop(0)
        self.clock.advance(self.first)
        on_first_result()
        self.clock.advance(duration - self.first)
        return [None] * len(images)


class NullWorkload:
    def with_output(self, out_dir):
        return self


def test_timed_uses_a_fresh_start_every_call(fake_clock):
    def work(seconds):
        return lambda: fake_clock.advance(seconds)

    _, first = timed(work(2.0), fake_clock)
    _, second = timed(work(3.0), fake_clock)
    # Seed 002's bug would report 5.0 for the second measurement.
    assert first == 2.0 and second == 3.0


def test_warm_values_are_each_pass_alone_not_cumulative(fake_clock, tmp_path):
    strategy = ScriptedStrategy(fake_clock, pass_durations=[9.0, 1.0, 2.0, 3.0])
    t = measure_case(strategy, NullWorkload(), [0] * 10, str(tmp_path), warmups=1, values=2,
                     clock=fake_clock)
    assert t.warmups == [1.0]
    assert t.values == [2.0, 3.0]
    assert t.per_image(t.values[0]) == pytest.approx(0.2)


def test_cold_includes_startup_and_shutdown_warm_excludes_them(fake_clock, tmp_path):
    strategy = ScriptedStrategy(fake_clock, startup=0.5, shutdown=0.25,
                                pass_durations=[4.0, 1.0, 1.0])
    t = measure_case(strategy, NullWorkload(), [0] * 4, str(tmp_path), warmups=1, values=1,
                     clock=fake_clock)
    assert t.cold_total == pytest.approx(0.5 + 4.0 + 0.25)
    assert t.cold_first_result == pytest.approx(0.5 + 0.01)
    assert t.values == [1.0]
    assert strategy.starts == 2 and strategy.stops == 2   # cold pool + warm pool, both shut


def test_short_cold_passes_are_repeated_on_fresh_pools_and_the_median_reported(fake_clock, tmp_path):
    # cold totals 0.35 + 0.55 s stay under COLD_MIN_TIME: a third fresh pool is timed
    strategy = ScriptedStrategy(fake_clock, startup=0.1, shutdown=0.05,
                                pass_durations=[0.2, 0.4, 0.1, 0.1, 0.1])
    t = measure_case(strategy, NullWorkload(), [0] * 4, str(tmp_path), warmups=1, values=1,
                     clock=fake_clock)
    assert t.cold_values == pytest.approx([0.35, 0.55, 0.25])
    assert t.cold_total == pytest.approx(0.35)              # median, not the first or mean
    assert t.cold_first_result == pytest.approx(0.1 + 0.01)
    assert t.values == pytest.approx([0.1])
    assert strategy.starts == strategy.stops == 4          # 3 cold pools + the warm one


def test_cold_passes_stop_once_a_second_is_spent(fake_clock, tmp_path):
    strategy = ScriptedStrategy(fake_clock, startup=0.1, shutdown=0.1,
                                pass_durations=[0.5, 0.4, 0.3, 0.3])
    t = measure_case(strategy, NullWorkload(), [0], str(tmp_path), warmups=1, values=1,
                     clock=fake_clock)
    assert t.cold_values == pytest.approx([0.7, 0.6])       # 1.3 s >= COLD_MIN_TIME
    assert t.cold_total == pytest.approx(0.65)


def test_cold_first_result_is_measured_from_the_same_start(fake_clock, tmp_path):
    strategy = ScriptedStrategy(fake_clock, startup=2.0, pass_durations=[1.0], first=0.3)
    total, first, _ = measure_cold(strategy, NullWorkload(), [0], str(tmp_path), fake_clock)
    assert first == pytest.approx(2.3)
    assert total == pytest.approx(2.0 + 1.0 + 0.25)


def test_pool_is_stopped_even_when_a_pass_raises(fake_clock, tmp_path):
    class Boom(ScriptedStrategy):
        def run(self, *a):
            raise RuntimeError("boom")

    strategy = Boom(fake_clock)
    with pytest.raises(RuntimeError):
        measure_case(strategy, NullWorkload(), [0], str(tmp_path), clock=fake_clock)
    assert strategy.stops == strategy.starts == 1


def test_known_duration_work_is_measured_with_the_real_clock(tmp_path):
    """Work of known duration (sleep) through the real serial strategy and real clock."""
    from bench.strategies import PoolConfig, make_strategy

    class SleepWorkload:
        def with_output(self, out_dir):
            return self

        def process(self, index, image):
            time.sleep(0.01)

    t = measure_case(make_strategy("serial", PoolConfig()), SleepWorkload(), [0] * 5,
                     str(tmp_path), warmups=0, values=2)
    for v in t.values:
        assert v >= 0.05                     # sleep never returns early
        assert v < 0.05 + 1.0                # and the timer did not include anything else
    assert t.cold_total >= 0.05


def test_each_pass_writes_to_a_fresh_folder(tmp_path):
    from bench.strategies import PoolConfig, make_strategy

    seen = []

    class RecordingWorkload:
        out_dir = None

        def with_output(self, out_dir):
            w = RecordingWorkload()
            w.out_dir = out_dir
            return w

        def process(self, index, image):
            seen.append(self.out_dir)

    measure_case(make_strategy("serial", PoolConfig()), RecordingWorkload(), [0, 1],
                 str(tmp_path), warmups=1, values=2)
    # 3 short cold passes + warm-up + 2 values, each its own folder
    assert len(set(seen)) == 6


def test_memory_is_sampled_in_a_warm_up_pass_never_in_a_timed_one(tmp_path):
    from bench.probes import CaseProbes
    from bench.strategies import PoolConfig, make_strategy
    from workloads.imwrite import ImencodeWorkload

    images = [np.zeros((4, 4, 1), np.uint8)] * 3
    strategy = make_strategy("serial", PoolConfig())
    with_warmup = CaseProbes("serial", 1, None, None)
    measure_case(strategy, ImencodeWorkload(), images, str(tmp_path / "a"), warmups=1, values=1,
                 probes=with_warmup)
    assert with_warmup.busy is not None and with_warmup.busy.samples >= 2
    without = CaseProbes("serial", 1, None, None)
    measure_case(strategy, ImencodeWorkload(), images, str(tmp_path / "b"), warmups=0, values=1,
                 probes=without)
    assert without.busy is None            # no figures rather than a sampler in a timed pass
