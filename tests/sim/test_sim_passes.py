"""A simulated pass: the true time, then noise, drift and stalls of the sizes the machine
states, drawn from a seed. Every figure here comes from a fixed seed: the tolerances are
for these draws, not for the machine the tests run on."""
import math
import statistics

import numpy as np
import pytest

from bench.sim.machine import Machine
from bench.sim.passes import PassModel, lognormal_sigma


def machine(**over) -> Machine:
    d = {"cpus": 16, "memory_gib": 64, "serial_s_per_image": {"imwrite 50x50x1 noise": 40e-6,
                                                             "default": 1e-3},
         "speedup": {"processes-chunked": [[1, 1.0], [8, 4.0]], "default": [[1, 1.0]]},
         "pool_start_s_per_worker": {"threads": 0.0002, "default": 0.003}}
    d.update(over)
    return Machine.from_dict(d)


def test_a_quiet_machine_gives_the_true_time_exactly():
    model = PassModel(machine(), seed=1)
    # 1000 images at 40 us on the serial loop, 4x faster at 8 workers: 10 ms
    assert model.pass_s("processes-chunked", 8, 1000, 0.0, "imwrite 50x50x1 noise") == pytest.approx(0.01)
    assert model.pass_s("serial", 1, 1000, 30.0, "imwrite/50x50x1-noise-n1000/jpg-q95") == pytest.approx(0.04)
    assert model.pass_s("threads", 8, 500, 99.0) == pytest.approx(0.5)
    assert model.pass_s("threads", 8, 0, 99.0) == 0.0
    assert model.machine.pool_start_s("threads", 10) == pytest.approx(0.002)


def test_noise_has_the_stated_spread_and_a_median_at_the_true_time():
    model = PassModel(machine(noise_cv=0.05), seed=7)
    times = np.array([model.pass_s("processes-chunked", 8, 1000, 0.0) for _ in range(20000)])
    true = 1000 * 1e-3 / 4.0
    assert times.std() / times.mean() == pytest.approx(0.05, abs=0.002)
    assert np.median(times) == pytest.approx(true, rel=0.002)


def test_lognormal_sigma_gives_the_cv_it_is_asked_for():
    # a lognormal's cv is sqrt(exp(sigma^2) - 1)
    for cv in (0.01, 0.05, 0.5, 1.5):
        assert math.sqrt(math.expm1(lognormal_sigma(cv) ** 2)) == pytest.approx(cv)


def test_stalls_come_at_the_stated_rate_and_size():
    model = PassModel(machine(stall_p=0.1, stall_factor=3), seed=3)
    true = 100 * 1e-3
    times = [model.pass_s("joblib", 2, 100, 0.0) for _ in range(10000)]
    stalled = [t for t in times if t != pytest.approx(true)]
    assert all(t == pytest.approx(3 * true) for t in stalled)
    assert len(stalled) / len(times) == pytest.approx(0.1, abs=0.01)


def test_the_drift_walks_with_the_stated_spread_per_minute():
    model = PassModel(machine(drift_cv_per_min=0.03), seed=11)
    logs = [math.log(model.speed(60.0 * minute)) for minute in range(5001)]
    steps = np.diff(logs)
    assert steps.std() == pytest.approx(lognormal_sigma(0.03), rel=0.05)
    assert abs(steps.mean()) < 0.002
    # over an hour the speed has wandered well away from where it began
    assert statistics.pstdev(logs[60::60]) > 0.05


def test_drift_moves_both_sides_of_a_paired_pass_alike():
    model = PassModel(machine(drift_cv_per_min=0.2), seed=5)
    pool, serial = [], []
    for minute in range(30):
        t = 60.0 * minute
        pool.append(model.pass_s("processes-chunked", 8, 1000, t))
        serial.append(model.pass_s("serial", 1, 1000, t + 0.3))
    paired = [s / p for s, p in zip(serial, pool)]
    apart = [s / p for s, p in zip(serial[10:], pool)]     # serial passes 10 minutes later
    # the pool pass alone wanders by a third or more over half an hour...
    assert max(pool) / min(pool) > 1.3
    # ...the serial pass 0.3 s after it moves with it: every paired ratio is within a few
    # percent of the true speedup (the walk's spread over 0.3 s is 1.4%), while ratios of
    # passes minutes apart are off by far more
    assert all(r == pytest.approx(4.0, rel=0.05) for r in paired)
    assert max(abs(math.log(r / 4.0)) for r in apart) > 0.2


def test_the_same_moment_reads_the_same_speed_whatever_order_it_is_asked_in():
    model = PassModel(machine(drift_cv_per_min=0.1), seed=2)
    late = model.speed(600.0)
    middle = model.speed(300.0)             # between two moments already drawn: a bridge
    early = model.speed(-60.0)              # before the start
    assert model.speed(600.0) == late and model.speed(300.0) == middle
    assert model.speed(-60.0) == early and model.speed(0.0) == 1.0


def test_a_seed_gives_the_same_passes_and_another_seed_others():
    m = machine(noise_cv=0.05, drift_cv_per_min=0.03, stall_p=0.01, stall_factor=3)

    def passes(seed):
        model = PassModel(m, seed)
        return [model.pass_s("processes-chunked", w, 1000, 7.5 * i)
                for i, w in enumerate([1, 2, 4, 8] * 5)]
    assert passes(42) == passes(42)
    assert passes(42) != passes(43)


@pytest.mark.parametrize("args, named", [
    (("threads", 2, -1, 0.0), "n_images"),
    (("threads", 2, 2.5, 0.0), "n_images"),
    (("threads", 0, 10, 0.0), "workers"),
    (("threads", 2, 10, float("nan")), "sim_time_s"),
])
def test_a_pass_asked_wrongly_says_which_argument_in_one_line(args, named):
    with pytest.raises(ValueError) as e:
        PassModel(machine(), seed=0).pass_s(*args)
    assert named in str(e.value) and "\n" not in str(e.value)
