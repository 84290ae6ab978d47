"""The line's curve settles a close call between its worker counts
(:func:`bench.analysis.recommend.on_the_curve`): on lines whose true peak is planted, the
pick moves to the count the curve through every count puts highest only when the
readings cannot tell the two apart, and picks within 5% of the true best more often than
the fastest reading does."""
import statistics
from types import SimpleNamespace

import numpy as np
import pytest

import crafted_machines as cm
from bench.analysis import recommend
from bench.analysis.load import load
from bench.output import recommendation

# a line peaking at 16 workers (USL shape): 24 reads 8.1x on noisy visits, truly 7.5x
PEAK_16 = {4: 3.5, 8: 6.3, 12: 7.6, 16: 8.0, 24: 8.1, 32: 6.5, 64: 3.7}


def answer(path):
    (a,) = load([str(path)])
    (ans,) = recommend.recommend(a)
    return a, ans


def line(speedups: dict) -> dict:
    return {("processes-chunked", w): sp for w, sp in speedups.items()}


def test_a_count_read_fastest_next_to_the_peak_gives_way_to_the_curve(tmp_path):
    # visits 10% apart: 24's 8.1x and 16's 8.0x are not significantly different, and the
    # curve through the seven counts peaks between them, nearer 16
    a, ans = answer(cm.raced(tmp_path / "r.json", line(PEAK_16), serial_rate=1000, cpus=32,
                             capacity=30, spread=0.05))
    assert ans.best.workers == 16 and ans.choice.workers == 16
    assert ans.best_workers == 16
    assert any("read fastest, but not significantly faster than processes-chunked w=16" in n
               and "USL curve through its 7 worker counts puts 16 workers highest, so the best "
               "count is 16" in n for n in ans.notes)
    # 24, read faster, is the note's: not marked "n.s." (too noisy to call, the faster kept)
    assert not any(r.workers == 24 for r in ans.unresolved)
    text = recommendation.render_text(a, [ans])
    assert "Workers: best 16 (8.00x)" in text
    # the table shows 24 at its reading, marked by what decided, never "slower" at 101%
    (row,) = [r for r in recommendation.table_rows(ans) if r["workers"] == 24]
    assert row["of_best"] > 1 and row["vs_best"] == "curve"


def test_readings_that_tell_the_counts_apart_overrule_the_curve(tmp_path):
    # visits 0.2% apart: 24 is significantly faster than 16, whatever the curve says
    a, ans = answer(cm.raced(tmp_path / "r.json", line(PEAK_16), serial_rate=1000, cpus=32,
                             capacity=30, spread=0.002))
    assert ans.best.workers == 24 and ans.best_workers == 24
    assert not any("curve through" in n for n in ans.notes)


def test_three_counts_leave_the_fastest_reading(tmp_path):
    # the USL's three parameters pass through three points (no evidence left), and Amdahl
    # never peaks
    a, ans = answer(cm.raced(tmp_path / "r.json", line({8: 6.3, 16: 8.0, 24: 8.1}),
                             serial_rate=1000, cpus=32, capacity=30, spread=0.05))
    assert ans.best.workers == 24 and ans.best_workers == 24


def _rows(medians: dict, spread: float = 0.1):
    """One line's rows at ``medians`` (workers -> figure), five visits each ``spread`` apart."""
    rows = [SimpleNamespace(line="L", family="processes", workers=w, name=f"w{w}-{i}")
            for i, w in enumerate(medians)]
    samples = {r.name: [medians[r.workers] * (1 + spread * o) for o in (-1, -0.5, 0, 0.5, 1)]
               for r in rows}
    rate = lambda r: statistics.median(samples[r.name])  # noqa: E731
    return rows, (lambda r: samples[r.name]), rate


def test_a_line_the_model_does_not_draw_keeps_its_readings():
    # a cliff past 16 workers that no scaling model draws within 10% (the USL misses by
    # 19%, and would put 8 highest): the fastest reading, 16, stays
    rows, samples, rate = _rows({2: 1.79, 4: 3.18, 8: 3.68, 16: 4.12, 32: 1.82, 64: 1.04})
    best = max(rows, key=rate)
    assert recommend.on_the_curve(best, rows, samples, rate) == (best, None)


def test_a_curve_that_only_rises_is_no_evidence_for_more_workers():
    # Amdahl draws every count within 5% and never peaks: 64 would be "highest" on a curve
    # that rises by construction, so 32, read fastest, stays
    rows, samples, rate = _rows({2: 1.65, 4: 2.5, 8: 3.33, 16: 4.0, 32: 4.6, 64: 4.5})
    best = max(rows, key=rate)
    assert best.workers == 32
    assert recommend.on_the_curve(best, rows, samples, rate) == (best, None)


def test_a_count_measured_twice_is_one_point_and_never_its_own_rival():
    # two files merged: 16 twice; the best is the second row at 16, and the curve puts 16
    # highest - the best stays, no note naming w=16 against w=16
    medians = {4: 3.5, 8: 6.3, 12: 7.6, 16: 8.0, 24: 7.4, 32: 6.5, 64: 3.7}
    rows, samples, rate = _rows(medians)
    twin = SimpleNamespace(line="L", family="processes", workers=16, name="w16-twin")
    rows.append(twin)
    values = [8.1 * (1 + 0.1 * o) for o in (-1, -0.5, 0, 0.5, 1)]
    best = max(rows, key=lambda r: values[2] if r is twin else rate(r))
    assert best is twin
    got = recommend.on_the_curve(twin, rows, lambda r: values if r is twin else samples(r),
                                 lambda r: values[2] if r is twin else rate(r))
    assert got == (twin, None)


# -- planted lines, many times: the error of the rule against the fastest reading ------------

def _usl(star: float, sigma: float = 0.002):
    kappa = (1 - sigma) / star ** 2
    return lambda n: n / (1 + sigma * (n - 1) + kappa * n * (n - 1))


def _trial(rng, counts, truth, visits, cv):
    """One line's visits (lognormal, ``cv`` per visit): whether the fastest reading and the
    curve's pick are within 5% of the line's true best count."""
    rows = [SimpleNamespace(line="L", family="processes", workers=w, name=str(w)) for w in counts]
    samples = {r.name: list(truth(r.workers) * np.exp(rng.normal(0.0, cv, v)))
               for r, v in zip(rows, visits)}
    rate = lambda r: statistics.median(samples[r.name])  # noqa: E731
    read = max(rows, key=rate)
    picked, _ = recommend.on_the_curve(read, rows, lambda r: samples[r.name], rate)
    best = max(truth(w) for w in counts)
    return truth(read.workers) >= 0.95 * best, truth(picked.workers) >= 0.95 * best


# the shapes of the simulated machines' searched lines (coarse rungs, refined counts and
# the visits a group of a full run gives them), a flat plateau past a knee, and a line
# with a dip no model draws; visits 7% apart (two 5%-noisy passes)
LINES = {
    "peak at W/4 of 16": ([2, 4, 6, 8, 16, 32], _usl(4), [3, 3, 3, 3, 3, 3]),
    "peak at W/4 of 64": ([8, 12, 16, 24, 32, 64], _usl(16), [3, 2, 3, 2, 3, 3]),
    "peak past a capped ladder": ([32, 64, 128, 192, 256, 345], _usl(384), [4, 4, 6, 8, 15, 14]),
    "plateau after a knee": ([4, 8, 16, 24, 32, 64], lambda n: 0.85 * min(n, 16), [3, 3, 3, 2, 3, 3]),
    "a dip": ([2, 4, 8, 16, 32], {2: 1.9, 4: 3.6, 8: 3.0, 16: 3.7, 32: 3.5}.get, [3] * 5),
}


@pytest.mark.parametrize("shape, seed, read_at_most, curve_at_least", [
    # over 1,000 lines each (docs/recommendation.md): the fastest reading is within 5% of
    # the best in 92.1% and 92.6% of lines, the curve's pick in 99.6% and 99.1%; here 40
    ("peak at W/4 of 16", 11, 0.96, 0.975),
    ("peak at W/4 of 64", 12, 0.96, 0.975),
])
def test_the_curve_picks_within_5_percent_more_often_than_the_fastest_reading(
        shape, seed, read_at_most, curve_at_least):
    counts, truth, visits = LINES[shape]
    rng = np.random.default_rng(seed)
    trials = [_trial(rng, counts, truth, visits, 0.07) for _ in range(40)]
    read = sum(r for r, _ in trials) / len(trials)
    curve = sum(c for _, c in trials) / len(trials)
    assert read <= read_at_most          # the close call is real on these lines
    assert curve >= curve_at_least
    # and the curve never turned a good reading into a miss on a peaked line
    assert not any(r and not c for r, c in trials)


@pytest.mark.parametrize("shape, seed, worse_at_most", [
    # over 1,000 lines: past a capped ladder the curve made 18 misses good and 3 good
    # readings misses; on the plateau and the dip it changed nothing
    ("peak past a capped ladder", 13, 1), ("plateau after a knee", 14, 0), ("a dip", 15, 0)])
def test_where_the_curve_helps_little_it_seldom_turns_a_good_reading_into_a_miss(
        shape, seed, worse_at_most):
    counts, truth, visits = LINES[shape]
    rng = np.random.default_rng(seed)
    trials = [_trial(rng, counts, truth, visits, 0.07) for _ in range(25)]
    assert sum(r and not c for r, c in trials) <= worse_at_most


def test_two_visits_in_one_round_are_no_second_reading(tmp_path):
    """A race of one round (its group's share held no more): the process and thread pools
    at W, read near the searched line, were visited twice in round one; every other count
    once. They are not "measured twice" against the rest: the pick is the count read
    fastest, 16, not 64 (2.9x slower) for its second visit. Read in two rounds, 64 would
    be the one measured twice, and picked."""
    speedups = {("processes-chunked", 16): 9.9, ("processes-chunked", 8): 6.0,
                ("processes-chunked", 32): 6.9, ("processes-chunked", 64): 3.4,
                ("threads-chunked", 64): 1.7, ("threads", 64): 1.6}
    one_round = {("processes-chunked", 64): [1, 1], ("threads-chunked", 64): [1, 1]}
    a, ans = answer(cm.raced(tmp_path / "one.json", speedups, serial_rate=1000, cpus=64,
                             capacity=60, visits=1, rounds=one_round, outcome="budget"))
    assert (ans.best.strategy, ans.best.workers) == ("processes-chunked", 16)
    two_rounds = {("processes-chunked", 64): [1, 2], ("threads-chunked", 64): [1, 2]}
    a, ans = answer(cm.raced(tmp_path / "two.json", speedups, serial_rate=1000, cpus=64,
                             capacity=60, visits=1, rounds=two_rounds, outcome="budget"))
    assert (ans.best.strategy, ans.best.workers) == ("processes-chunked", 64)
