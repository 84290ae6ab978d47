"""Parallel capacity: the arithmetic, and a real measurement that cannot depend on speed."""
import pytest

from bench.measure.capacity import capacity_from, measure_capacity


def test_capacity_is_n_times_single_over_parallel():
    assert capacity_from(single=1.0, parallel=1.0, n=2) == 2.0     # two cores, no loss
    assert capacity_from(single=1.0, parallel=2.0, n=2) == 1.0     # one core's worth
    assert capacity_from(single=0.3, parallel=0.4, n=4) == pytest.approx(3.0)


def test_a_real_measurement_reports_what_it_computed_from():
    """Two timings of the same work vary on a shared machine, so no range is asserted
    (one process against itself read 1.73 here once); the figure must follow from the
    medians it reports, both taken after the start barrier."""
    out = measure_capacity(1, iterations=200_000, repeats=3)
    assert out["processes"] == 1
    assert out["single_s"] > 0 and out["parallel_s"] > 0
    assert out["capacity"] == capacity_from(out["single_s"], out["parallel_s"], 1)


def test_capacity_is_low_under_85_percent_of_the_processes_it_ran():
    from bench.measure.capacity import capacity_is_low

    assert capacity_is_low({"capacity": 1.49, "processes": 2})
    assert not capacity_is_low({"capacity": 1.93, "processes": 2})
    assert not capacity_is_low({"capacity": 1.0, "processes": 1})     # one CPU: nothing to lose
    assert not capacity_is_low({})                                     # an old file: no figure
