"""The measuring code itself: every timer starts fresh, cold and warm are what they say."""
import os
import time

import numpy as np

import pytest

from bench.strategies import PoolConfig, Strategy
from bench.measure.timing import COLD_MAX_PASSES, COLD_MIN_TIME, measure_case, measure_cold, timed


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
    # five cold totals of 1.9 s stay under COLD_MIN_TIME: COLD_MAX_PASSES ends them
    assert COLD_MAX_PASSES == 5 and COLD_MIN_TIME > 1.9
    strategy = ScriptedStrategy(fake_clock, startup=0.1, shutdown=0.05,
                                pass_durations=[0.2, 0.4, 0.1, 0.3, 0.15, 0.1, 0.1])
    t = measure_case(strategy, NullWorkload(), [0] * 4, str(tmp_path), warmups=1, values=1,
                     clock=fake_clock)
    assert t.cold_values == pytest.approx([0.35, 0.55, 0.25, 0.45, 0.3])
    assert t.cold_total == pytest.approx(0.35)              # median, not the first or mean
    assert t.cold_first_result == pytest.approx(0.1 + 0.01)
    assert t.values == pytest.approx([0.1])
    assert strategy.starts == strategy.stops == 6          # 5 cold pools + the warm one


def test_cold_passes_stop_once_enough_time_is_spent(fake_clock, tmp_path):
    strategy = ScriptedStrategy(fake_clock, startup=0.1, shutdown=0.1,
                                pass_durations=[1.0, 0.9, 0.3, 0.3])
    t = measure_case(strategy, NullWorkload(), [0], str(tmp_path), warmups=1, values=1,
                     clock=fake_clock)
    assert t.cold_values == pytest.approx([1.2, 1.1])       # 2.3 s >= COLD_MIN_TIME
    assert t.cold_total == pytest.approx(1.15)


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
    # COLD_MAX_PASSES short cold passes + warm-up + 2 values, each its own folder
    assert len(set(seen)) == COLD_MAX_PASSES + 3


def test_memory_is_sampled_in_a_warm_up_pass_never_in_a_timed_one(tmp_path):
    from bench.measure.probes import CaseProbes
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


def test_paired_serial_passes_alternate_with_the_timed_passes(fake_clock, tmp_path):
    machine = DriftingMachine(fake_clock, drift=0.0)
    pool = DriftingStrategy(fake_clock, machine, base=1.0)
    serial = DriftingSerial(machine, 2.0, pool.log)
    t = measure_case(pool, NullWorkload(), [0] * 4, str(tmp_path), warmups=1, values=3,
                     clock=fake_clock, paired_serial=serial)
    kinds = [k for k, _ in pool.log]
    # cold passes; an untimed serial pass before the warm pool starts (a thread pool's
    # memory growth is measured from its start); its warm-up; then each timed pass with
    # its serial pass, before it and after it in turn
    cold = ["start", "pool"] * len(t.cold_values)
    assert kinds == cold + ["serial", "start", "pool"] + ["serial", "pool", "pool", "serial", "serial", "pool"]
    assert t.paired_serial == [2.0, 2.0, 2.0] and t.values == [1.0, 1.0, 1.0]


def test_paired_serial_passes_keep_the_speedup_true_on_a_drifting_machine(fake_clock, tmp_path):
    # The serial case was measured first, on a quiet machine (2 s per pass); by the time
    # the pool case runs, the machine is 50% slower. The pool is truly 2x the serial loop.
    from bench.run.child import paired_metadata

    fake_clock.now = 100.0
    machine = DriftingMachine(fake_clock, drift=0.005)
    pool = DriftingStrategy(fake_clock, machine, base=1.0)
    serial = DriftingSerial(machine, 2.0, pool.log)
    t = measure_case(pool, NullWorkload(), [0] * 4, str(tmp_path), warmups=1, values=3,
                     clock=fake_clock, paired_serial=serial)
    unpaired = 2.0 / (sum(t.values) / len(t.values))
    assert unpaired < 1.4                          # against the old serial case: wrong
    paired = paired_metadata(t.paired_serial, t.values)["paired_speedup"]
    assert paired == pytest.approx(2.0, rel=0.03)  # against its own serial passes: right


class ScriptedSerial:
    """The serial loop's passes, of planted durations, on the same fake clock."""

    def __init__(self, clock, pass_durations, log=None):
        self.clock, self.pass_durations, self.log = clock, list(pass_durations), log

    def run(self, pool, workload, images, on_first_result):
        if self.log is not None:
            self.log.append("serial")
        self.clock.advance(self.pass_durations.pop(0))
        return [None] * len(images)


def test_the_paired_speedup_is_the_median_of_the_per_pair_ratios(fake_clock, tmp_path):
    """Three pairs of adjacent passes, serial over pool: 4/1, 4/2 and, in a minute that
    slowed both sides, 12/4. Each pair says 4x, 2x, 3x: the speedup is 3x. The median
    serial pass over the median pool pass (4 / 2) sets passes of different minutes
    against each other and reads 2x from the same passes."""
    from bench.run.child import paired_metadata

    pool = ScriptedStrategy(fake_clock, startup=0.0, shutdown=0.0,
                            pass_durations=[COLD_MIN_TIME, 1.0, 1.0, 2.0, 4.0])   # cold, warm-up, 3 timed
    serial = ScriptedSerial(fake_clock, [5.0, 4.0, 4.0, 12.0])                 # untimed first, 3 timed
    t = measure_case(pool, NullWorkload(), [0] * 4, str(tmp_path), warmups=1, values=3,
                     clock=fake_clock, paired_serial=serial)
    assert t.values == [1.0, 2.0, 4.0] and t.paired_serial == [4.0, 4.0, 12.0]
    meta = paired_metadata(t.paired_serial, t.values)
    assert meta["paired_speedup"] == pytest.approx(3.0)
    assert meta["paired_serial_passes_s"] == "4.0 4.0 12.0"    # as files written before
    assert meta["paired_serial_s"] == 4.0


def test_pass_folders_are_removed_in_bulk_between_passes_never_one_by_one(fake_clock, tmp_path):
    """Removing a pass's files right after it hands the disk work the next timed pass
    pays for: every folder waits in the trash until the trash is over its limit, and then
    goes with the others, before a pass starts; what is left goes when the case ends,
    except the last timed pass's folder (verified, then removed by the caller)."""
    from bench.measure.trash import Trash

    root = tmp_path / "passes"
    root.mkdir()
    seen, events = [], []

    class WatchedPool(ScriptedStrategy):
        def run(self, pool, workload, images, on_first_result):
            seen.append(set(os.listdir(root)))     # the folders there while a pass runs
            return super().run(pool, workload, images, on_first_result)

    class WatchedSerial(ScriptedSerial):
        def run(self, pool, workload, images, on_first_result):
            seen.append(set(os.listdir(root)))
            return super().run(pool, workload, images, on_first_result)

    class WatchedTrash(Trash):
        def empty(self):
            events.append((len(seen), len(self.paths)))
            super().empty()

    pool = WatchedPool(fake_clock, startup=0.0, shutdown=0.0,
                       pass_durations=[1.0, 1.0, 0.1] + [1.0] * 7)        # 2 cold, warm-up, 7 timed
    serial = WatchedSerial(fake_clock, [1.0] * 8)
    trash = WatchedTrash(limit_bytes=3, sync=lambda: None)              # an empty folder counts 1
    t = measure_case(pool, NullWorkload(), [0] * 4, str(root), warmups=1, values=7,
                     clock=fake_clock, paired_serial=serial, trash=trash)
    emptied_before = {at for at, _ in events}
    for k in range(1, len(seen)):
        if k not in emptied_before:               # no removal between these passes...
            assert seen[k - 1] <= seen[k]         # ...so no folder went
    assert len(events) >= 3
    assert all(count > 3 for _, count in events[:-1])     # in bulk, once over the limit
    assert os.listdir(root) == [os.path.basename(t.last_out_dir)]
