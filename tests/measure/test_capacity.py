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


# -- the real measurement, with work of known duration ----------------------------------
# Sleeping needs no CPU, so N processes sleeping 0.15 s each take 0.15 s together
# (capacity N) on any machine; the same sleeps taken one at a time behind a lock take
# N x 0.15 s (capacity 1). Swapped single/parallel figures read 1/N and 1 x N; a
# parallel span that started fewer processes than it reports reads N in the second case.
import multiprocessing  # noqa: E402
import time  # noqa: E402

SLEEP_S = 0.15
_ONE_AT_A_TIME = multiprocessing.get_context("fork").Lock()


def sleep_kernel(milliseconds):
    time.sleep(milliseconds / 1000)


def one_at_a_time_kernel(milliseconds):
    with _ONE_AT_A_TIME:
        time.sleep(milliseconds / 1000)


def test_parallel_sleeps_read_as_n_processes():
    out = measure_capacity(3, iterations=int(SLEEP_S * 1000), repeats=2, kernel=sleep_kernel)
    assert out["processes"] == 3
    # each repeat's own figure, for testing one machine's capacity against another's
    assert len(out["repeats"]) == 2 and all(2.2 < r <= 3.2 for r in out["repeats"])
    assert out["single_s"] == pytest.approx(SLEEP_S, abs=0.05)
    assert out["parallel_s"] == pytest.approx(SLEEP_S, abs=0.08)
    assert 2.2 < out["capacity"] <= 3.2


def test_work_that_cannot_overlap_reads_as_one():
    out = measure_capacity(3, iterations=int(SLEEP_S * 1000), repeats=1, kernel=one_at_a_time_kernel)
    assert out["parallel_s"] == pytest.approx(3 * SLEEP_S, abs=0.1)
    assert 0.8 < out["capacity"] < 1.25


def _reading(capacity, others=0.0, stolen=0.0):
    return {"capacity": capacity, "others_share": others, "stolen_share": stolen}


def test_a_first_reading_far_below_the_others_is_explained_by_what_ran_beside_it():
    from bench.measure.capacity import explain_readings

    busy = explain_readings([_reading(1.37, others=0.31), _reading(1.88), _reading(1.91)])
    assert "1.37" in busy and "median 1.90" in busy and "other processes used 31%" in busy
    stolen = explain_readings([_reading(1.40, stolen=0.2), _reading(1.95)])
    assert "hypervisor took 20%" in stolen and "other processes" not in stolen
    idle = explain_readings([_reading(1.45, others=0.01, stolen=0.0), _reading(1.92)])
    assert "nothing else measured busy" in idle
    # not far below (within 15% of the others), or nothing to hold it against: no note
    assert explain_readings([_reading(1.70), _reading(1.92)]) is None
    assert explain_readings([_reading(1.2, others=0.5)]) is None


def test_others_share_is_the_cpu_time_not_ours_over_the_span():
    """2 CPUs for 1 s (200 ticks of 10 ms): 150 busy ticks are 1.5 CPU-seconds, of which
    this process and its reaped children used 1.0: others used 0.5 of 2.0, a quarter;
    20 of the 200 ticks stolen."""
    from bench.measure.capacity import OthersShare

    stat = iter([(100, 10_000), (120, 10_200)])
    busy = iter([5_000, 5_150])
    ours = iter([(1.0, 0.0, 2.0, 0.0, 0.0), (1.2, 0.1, 2.6, 0.1, 0.0)])
    clock = iter([50.0, 51.0])
    with OthersShare(2, read=lambda: next(stat), ours=lambda: next(ours), busy=lambda: next(busy),
                     clock=lambda: next(clock)) as share:
        pass
    assert share.others == pytest.approx(0.25)
    assert share.stolen == pytest.approx(0.10)


def test_the_capacity_waits_until_what_bench_started_has_ended():
    import subprocess
    import sys

    from bench.measure.capacity import wait_until_ours_ended

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.4)"])
    try:
        quiet = wait_until_ours_ended(timeout=20)
    finally:
        child.wait()
    assert quiet["still_running"] == 0 and quiet["waited_s"] >= 0.2
    assert any("sleep" in name for name in quiet["waited_for"])
    # something that never ends is waited for at most the timeout, and said
    forever = wait_until_ours_ended(timeout=0.1, poll=0.01, find=lambda: ["x"])
    assert forever["still_running"] == 1 and 0.1 <= forever["waited_s"] < 1.0


# -- the run's capacity: the median of a fixed number of readings ---------------------------
def _planted(monkeypatch, values, processes=2):
    """measure_capacity replaced by readings of known capacity, in this order; each with
    figures it follows from (single 1 s, parallel n / capacity) and its own others' share."""
    from bench.measure import capacity as capacity_module
    from bench.run import session

    left = list(values)
    calls = []

    def fake(n, iterations):
        calls.append(n)
        value = left.pop(0)
        return {"processes": n, "single_s": 1.0, "parallel_s": n / value, "capacity": value,
                "repeats": [value] * 3, "others_share": round(value / 100, 3), "stolen_share": 0.0}

    monkeypatch.setattr(session, "measure_capacity", fake)
    monkeypatch.setattr(capacity_module, "wait_until_ours_ended",
                        lambda: {"waited_s": 0.0, "waited_for": [], "still_running": 0})
    return lambda: session.measure_capacity_steadily(processes, 1000), calls


def test_the_capacity_is_the_median_reading_and_a_high_outlier_does_not_win(monkeypatch):
    # a low first reading, then a burst of luck: the highest (2.60) was kept before
    measure, _ = _planted(monkeypatch, [1.50, 2.60, 1.70])
    out = measure()
    assert out["capacity"] == pytest.approx(1.70)
    # the figures beside it are the median reading's own
    assert out["parallel_s"] == pytest.approx(2 / 1.70) and out["others_share"] == 0.017
    assert out["capacity"] == pytest.approx(capacity_from(out["single_s"], out["parallel_s"], 2))


def test_a_first_reading_that_is_not_low_does_not_stop_the_readings(monkeypatch):
    """A high first reading stood alone before (no more readings after one that was not
    low): the readings after it decide too."""
    measure, calls = _planted(monkeypatch, [1.96, 1.62, 1.66])
    out = measure()
    assert calls == [2, 2, 2]
    assert out["capacity"] == pytest.approx(1.66)


def test_every_reading_is_kept_in_the_file_in_the_order_taken(monkeypatch):
    measure, _ = _planted(monkeypatch, [1.31, 1.90, 1.88])
    out = measure()
    assert out["readings"] == [1.31, 1.90, 1.88]
    assert [r["others_share"] for r in out["reading_facts"]] == [0.013, 0.019, 0.019]
    assert [r["repeats"] for r in out["reading_facts"]] == [[1.31] * 3, [1.90] * 3, [1.88] * 3]
    assert "1.31" in out["note"]              # the first far below the others: said why


def test_the_median_of_an_even_number_of_readings_lies_between_the_middle_two():
    from bench.measure.capacity import median_reading

    got = median_reading([{"capacity": c, "parallel_s": 2 / c} for c in (1.9, 1.2, 1.6, 2.4)])
    assert got["capacity"] == pytest.approx(1.75)
    assert got["parallel_s"] == pytest.approx(2 / 1.6)       # the lower middle reading's
