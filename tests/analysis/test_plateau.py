"""The worker count of the pick's configuration: its best count and its plateau (the
fewest workers within 5% of the best), on lines whose answer is planted."""
import json

import pytest

import crafted_machines as cm
from crafted import GiB, MACHINE, bench_for, case, results_file, sweep
from bench.analysis import recommend
from bench.analysis.load import load
from bench.output import recommendation
from bench.results import case_benchmark


def answer(path):
    (a,) = load([str(path)])
    (ans,) = recommend.recommend(a)
    return a, ans


def test_a_line_peaking_at_24_with_16_within_5_percent(tmp_path):
    # paired speedups (a race on 32 CPUs): 16 workers give 4.9x, 96% of 24's 5.1x; 8 give 4.4x
    speedups = {("processes-chunked", w): sp for w, sp in
                {1: 0.97, 2: 1.9, 4: 3.6, 8: 4.4, 16: 4.9, 24: 5.1, 32: 4.7}.items()}
    a, ans = answer(cm.raced(tmp_path / "r.json", speedups, serial_rate=1000, cpus=32, capacity=30))
    p = ans.plateau
    assert (ans.best_workers, ans.plateau_workers) == (24, 16)
    assert p.by == "speedup" and p.searched and p.own
    assert (p.best, p.plateau) == (pytest.approx(5.1), pytest.approx(4.9))
    text = recommendation.render_text(a, [ans])
    assert ("Workers: best 24 (5.10x), plateau from 16 (4.90x, within 5%): fewer workers leave "
            "memory and CPUs to other jobs.") in text
    data = json.loads(json.dumps(recommendation.to_json(a, [ans])))["groups"][0]["plateau"]
    assert (data["best_workers"], data["plateau_workers"]) == (24, 16)
    assert data["measured_workers"] == [1, 2, 4, 8, 16, 24, 32] and data["by"] == "speedup"


def test_the_plateau_is_the_fewest_workers_within_5_percent_even_past_a_dip(tmp_path):
    # img/s (no paired passes): best 8 at 2,000; 2 workers (1,960) are within 5%, 4 dip to 1,700
    benches = [bench_for(case("serial"), 1000)]
    benches += sweep("processes-chunked", {1: 980, 2: 1960, 4: 1700, 8: 2000, 16: 1990}, chunked=True)
    a, ans = answer(results_file(tmp_path / "r.json", benches))
    assert ans.plateau.by == "img/s"
    assert (ans.best_workers, ans.plateau_workers) == (8, 2)
    assert "Workers: best 8 (2,000 img/s), plateau from 2 (1,960 img/s, within 5%)" in \
        recommendation.render_text(a, [ans])


def test_a_flat_line_plateaus_at_its_fewest_workers(tmp_path):
    benches = [bench_for(case("serial"), 500)]
    benches += sweep("threads", {1: 1000, 2: 1030, 4: 1010, 8: 1020})
    _, ans = answer(results_file(tmp_path / "r.json", benches))
    assert (ans.best_workers, ans.plateau_workers) == (2, 1)


def test_a_best_with_no_fewer_workers_within_5_percent_says_so(tmp_path):
    benches = [bench_for(case("serial"), 1000)]
    benches += sweep("processes-chunked", {1: 950, 2: 1800, 4: 2000}, chunked=True)
    a, ans = answer(results_file(tmp_path / "r.json", benches))
    assert (ans.best_workers, ans.plateau_workers) == (4, 4)
    assert "Workers: best 4 (2,000 img/s); no fewer come within 5% (2 workers: 1,800 img/s)." in \
        recommendation.render_text(a, [ans])


def passes(c, rates):
    """A case whose passes ran at these img/s, in this order."""
    per_pass = [c.images.count / r for r in rates]
    result = {"values_s": per_pass, "warmups_s": [per_pass[0]], "duration_s": 1.0,
              "date": "2026-11-22T10:00:00+00:00", "metadata": {"verified": "yes"}}
    return case_benchmark(c, result, dict(MACHINE))


def test_a_stalled_pass_moves_neither_the_best_nor_the_plateau(tmp_path):
    # medians: 4 workers 385, 8 workers 400, 16 workers 390 img/s; one pass of 4 and one of 8
    # stalled to a tenth: by the mean of their passes, 16 would be best and its own plateau
    stall = lambda rate: [rate, rate * 1.01, rate * 0.99, rate, rate / 10]  # noqa: E731
    benches = [bench_for(case("serial"), 100),
               passes(case("threads", 1), [100] * 5), passes(case("threads", 2), [190] * 5),
               passes(case("threads", 4), stall(385)), passes(case("threads", 8), stall(400)),
               passes(case("threads", 16), [390] * 5)]
    _, ans = answer(results_file(tmp_path / "r.json", benches))
    assert (ans.best_workers, ans.plateau_workers) == (8, 4)


def test_fewer_than_3_worker_counts_say_the_count_is_not_searched(tmp_path):
    benches = [bench_for(case("serial"), 1000)] + sweep("processes", {1: 950, 2: 1900})
    a, ans = answer(results_file(tmp_path / "r.json", benches))
    assert not ans.plateau.searched
    text = recommendation.render_text(a, [ans])
    assert "The count is not searched: measured at 1 and 2 workers only." in text
    one = [bench_for(case("serial"), 1000)] + sweep("processes", {2: 1900})
    a, ans = answer(results_file(tmp_path / "one.json", one))
    assert "Workers: best 2 (1,900 img/s), the fewest measured. The count is not searched: " \
           "measured at 2 workers only." in recommendation.render_text(a, [ans])


def test_when_the_serial_loop_wins_the_fastest_parallel_line_is_named(tmp_path):
    benches = [bench_for(case("serial"), 3000)]
    benches += sweep("processes", {1: 800, 2: 1400, 4: 1380})
    benches += sweep("threads", {1: 700, 2: 900, 4: 1000})
    a, ans = answer(results_file(tmp_path / "r.json", benches))
    assert ans.choice.family == "serial" and not ans.plateau.own
    assert (ans.best_workers, ans.plateau_workers) == (2, 2)
    assert "Workers (processes fork, the fastest parallel configuration): best 2" in \
        recommendation.render_text(a, [ans])


def test_worker_counts_that_do_not_fit_in_ram_are_not_counted(tmp_path):
    # 3 GiB per worker in 8 GiB less a 0.5 GiB parent: 2 fit; 4 and 8 are faster but too big
    mem = {"all": {"mem_worker_uss_peak": 3 * GiB, "mem_parent_uss_peak": GiB // 2}}
    benches = [bench_for(case("serial"), 1000)]
    benches += sweep("processes-chunked", {1: 900, 2: 1700, 4: 3000, 8: 3100}, chunked=True, **mem)
    a, ans = answer(results_file(tmp_path / "r.json", benches, mem_available=8 * GiB))
    assert (ans.best_workers, ans.plateau_workers) == (2, 2)
    assert ans.plateau.too_big == [4, 8]
    assert "Not counted: 4 and 8 workers do not fit in RAM." in recommendation.render_text(a, [ans])


def test_the_leading_lines_are_the_picks_then_the_fastest_others(tmp_path):
    benches = [bench_for(case("serial"), 1000)]
    benches += sweep("threads", {1: 900, 2: 1200, 4: 1100})
    benches += sweep("processes", {1: 850, 2: 1500, 4: 1600})
    benches += sweep("processes-chunked", {1: 950, 2: 1900, 4: 2000}, chunked=True)
    benches += sweep("processes-map", {1: 900, 2: 1700, 4: 1750}, chunked=True)
    benches += sweep("processes-shm", {1: 900, 2: 1300, 4: 1400}, chunked=True)
    _, ans = answer(results_file(tmp_path / "r.json", benches))
    names = [line[0] for line in recommend.leading_lines(ans)]
    assert names == ["processes-chunked", "processes-map", "processes", "processes-shm"]
    assert [line[0] for line in recommend.leading_lines(ans, 2)] == ["processes-chunked", "processes-map"]
