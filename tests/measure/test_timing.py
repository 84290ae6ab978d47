"""The measuring code itself: every timer starts fresh, cold and warm are what they say."""


import pytest

from bench.strategies import PoolConfig, Strategy
from bench.measure.timing import measure_cold, timed


class ScriptedStrategy(Strategy):
    """Advances a fake clock by known amounts: start-up, per-pass work, shutdown."""

    def __init__(self, clock, startup=0.5, shutdown=0.25, pass_durations=None, first=0.01):
        super().__init__(PoolConfig())
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
    # The classic script's bug (a timer never reset) would report 5.0 for the second measurement.
    assert first == 2.0 and second == 3.0


def test_a_cold_pass_includes_startup_and_shutdown(fake_clock, tmp_path):
    strategy = ScriptedStrategy(fake_clock, startup=0.5, shutdown=0.25, pass_durations=[4.0])
    total, first, _ = measure_cold(strategy, NullWorkload(), [0] * 4, str(tmp_path), fake_clock)
    assert total == pytest.approx(0.5 + 4.0 + 0.25)
    assert first == pytest.approx(0.5 + 0.01)
    assert strategy.starts == strategy.stops == 1


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
        measure_cold(strategy, NullWorkload(), [0], str(tmp_path), fake_clock)
    assert strategy.stops == strategy.starts == 1


class DriftingMachine:
    """A shared machine that gets slower over time: every pass takes ``base`` seconds
    times a slowdown that grows by ``drift`` per second of clock time."""

    def __init__(self, clock, drift):
        self.clock, self.drift = clock, drift

    def pass_of(self, base):
        self.clock.advance(base * (1 + self.drift * self.clock()))


class DriftingStrategy(ScriptedStrategy):
    def __init__(self, clock, machine, base):
        super().__init__(clock, startup=0.0, shutdown=0.0)
        self.machine, self.base, self.log = machine, base, []

    def start(self, workload, images=None):
        self.log.append(("start", self.clock()))
        return super().start(workload, images)

    def run(self, pool, workload, images, on_first_result):
        on_first_result()
        self.log.append(("pool", self.clock()))
        self.machine.pass_of(self.base)
        return [None] * len(images)


class DriftingSerial:
    def __init__(self, machine, base, log):
        self.machine, self.base, self.log = machine, base, log

    def run(self, pool, workload, images, on_first_result):
        self.log.append(("serial", self.machine.clock()))
        self.machine.pass_of(self.base)
        return [None] * len(images)


class ScriptedSerial:
    """The serial loop's passes, of planted durations, on the same fake clock."""

    def __init__(self, clock, pass_durations, log=None):
        self.clock, self.pass_durations, self.log = clock, list(pass_durations), log

    def run(self, pool, workload, images, on_first_result):
        if self.log is not None:
            self.log.append("serial")
        self.clock.advance(self.pass_durations.pop(0))
        return [None] * len(images)


