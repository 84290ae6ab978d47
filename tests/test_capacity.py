"""Parallel capacity: the arithmetic, and a real measurement that cannot depend on speed."""
import pytest

from bench.capacity import capacity_from, measure_capacity


def test_capacity_is_n_times_single_over_parallel():
    assert capacity_from(single=1.0, parallel=1.0, n=2) == 2.0     # two cores, no loss
    assert capacity_from(single=1.0, parallel=2.0, n=2) == 1.0     # one core's worth
    assert capacity_from(single=0.3, parallel=0.4, n=4) == pytest.approx(3.0)


def test_one_process_has_a_capacity_of_about_one():
    """Timers start after the barrier: one process against itself is ~1 whatever the speed."""
    out = measure_capacity(1, iterations=200_000, repeats=3)
    assert out["processes"] == 1
    assert out["single_s"] > 0 and out["parallel_s"] > 0
    assert 0.5 < out["capacity"] < 1.5
