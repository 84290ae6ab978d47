"""recommend on results files whose right answer is known by construction."""
import dataclasses
import json

import pytest

import crafted
from crafted import GiB, bench_for, case, raw_bench, results_file, sweep
from bench.analysis import flat
from bench.analysis.load import load
from bench.analysis import recommend
from bench.output import recommendation


def answers_for(path):
    (a,) = load([str(path)])
    return a, recommend.recommend(a)


def test_known_best_and_fewest_workers_within_5_percent(tmp_path):
    a, (ans,) = answers_for(crafted.known_best(tmp_path / "r.json"))
    assert ans.best.name == ans.choice.name
    assert (ans.choice.strategy, ans.choice.workers) == ("processes-chunked", 4)
    assert ans.choice.throughput == pytest.approx(2000)
    # 2 workers give 1,920 img/s: 96% of the best, significantly slower, but within 5%
    assert (ans.within.strategy, ans.within.workers) == ("processes-chunked", 2)
    text = recommendation.render_text(a, [ans])
    assert "Use processes-chunked w=4 chunk=25 fork (4 workers): 2,000 img/s ±1%" in text
    assert "Fewest workers within 5% of the best: processes-chunked w=2" in text
    assert "memory per worker not measured" in text
    # a scaling model of the recommended configuration, with its error
    assert ans.fit is not None and ans.fit_line == "processes-chunked fork"
    assert ans.fit.workers == [1, 2, 4, 8]
    assert "Scaling: USL fit of processes-chunked fork (1-8 workers, 4 points)" in text


def test_a_tie_shown_within_5_percent_goes_to_fewer_workers(tmp_path):
    benches = [bench_for(case("serial"), 600)]
    # 2 workers 1,000 and 4 workers 1,015 img/s, both +-2%: not significantly different,
    # and their values show 2 workers within 5% of 4
    benches += sweep("processes-chunked", {1: 550, 2: 1000, 4: 1015}, spread=0.02, chunked=True)
    a, (ans,) = answers_for(results_file(tmp_path / "r.json", benches))
    assert ans.best.workers == 4
    assert ans.choice.workers == 2 and ans.choice.strategy == "processes-chunked"
    assert ans.choice.name in {r.name for r in ans.ties}
    text = recommendation.render_text(a, [ans])
    assert "not significantly different" in text and "fewest workers" in text
    assert "≈ best" in text
    # serial is far slower with tight values: not a tie, never recommended
    assert ans.group.serial.name not in {r.name for r in ans.ties}


def test_not_different_on_noisy_values_is_no_tie_and_the_faster_is_kept(tmp_path):
    # 2 workers 1,000 and 4 workers 1,050 img/s, both +-20%: the t-test cannot tell them
    # apart, and nothing shows 2 workers within 5% of 4 either: taking the fewer workers
    # would pick on noise
    benches = [bench_for(case("serial"), 600)]
    benches += sweep("processes-chunked", {1: 550, 2: 1000, 4: 1050}, spread=0.2, chunked=True)
    a, (ans,) = answers_for(results_file(tmp_path / "r.json", benches))
    assert ans.choice is ans.best and ans.best.workers == 4
    two = next(r for r in ans.group.rows if r.workers == 2)
    assert two in ans.unresolved and two not in ans.ties
    assert ans.plateau.plateau_workers == 2      # the plateau still names it: 95% by its median
    assert "do not show them within 5%" in recommendation.render_text(a, [ans])


def test_a_tie_between_families_goes_to_the_simpler_one(tmp_path):
    benches = [bench_for(case("serial"), 600)]
    benches += sweep("threads", {2: 1000}, spread=0.02)
    benches += sweep("processes", {2: 1015}, spread=0.02)
    _, (ans,) = answers_for(results_file(tmp_path / "r.json", benches))
    assert ans.best.strategy == "processes"
    assert ans.choice.strategy == "threads"


def test_memory_ceiling_below_the_fastest_worker_count(tmp_path):
    benches = [bench_for(case("serial"), 1000)]
    # 3 GiB USS per worker, 8 GiB available (less a 0.5 GiB parent): only 2 workers fit
    mem = {"all": {"mem_worker_uss_peak": 3 * GiB, "mem_worker_rss_peak": 3.4 * GiB,
                   "mem_parent_uss_peak": GiB // 2}}
    benches += sweep("processes-chunked", {1: 900, 2: 1700, 4: 3000}, chunked=True, **mem)
    a, (ans,) = answers_for(results_file(tmp_path / "r.json", benches, mem_available=8 * GiB))
    assert ans.fastest.workers == 4
    assert ans.best.workers == 2 and ans.choice.workers == 2
    m = ans.choice_memory
    assert (m.kind, m.ceiling, m.fits) == ("USS", 2, True)
    assert ans.memory[ans.fastest.name].fits is False
    text = recommendation.render_text(a, [ans])
    assert "WARNING: the fastest measured configuration" in text
    assert "only 2 such workers fit" in text
    assert "the RAM holds 2 such workers; the recommended 2 fit" in text
    assert "too big" in text
    data = recommendation.to_json(a, [ans])["groups"][0]
    assert data["memory"]["max_workers"] == 2 and data["fastest"]["workers"] == 4
    assert data["recommended"]["workers"] == 2


def test_rss_is_used_when_uss_is_missing_and_said_to_be_conservative(tmp_path):
    mem = {"all": {"mem_worker_rss_peak": 5 * GiB}}
    benches = [bench_for(case("serial"), 500)] + sweep("processes", {1: 900, 2: 1700}, **mem)
    a, (ans,) = answers_for(results_file(tmp_path / "r.json", benches, mem_available=12 * GiB))
    assert ans.choice_memory.kind == "RSS" and ans.choice_memory.ceiling == 2
    assert "conservative" in recommendation.render_text(a, [ans])


def test_a_file_without_memory_data_degrades_to_a_note(tmp_path):
    path = crafted.known_best(tmp_path / "r.json")
    data = json.loads(open(path).read())
    data["bench"]["run"]["machine"].pop("bench_mem_available")
    for b in data["benchmarks"]:
        b["metadata"].pop("bench_mem_available", None)
    data["metadata"] = {k: v for k, v in data.get("metadata", {}).items() if k != "bench_mem_available"}
    open(path, "w").write(json.dumps(data))
    a, (ans,) = answers_for(path)
    assert ans.choice_memory.fits is None and ans.choice_memory.ceiling is None
    assert recommendation.to_json(a, [ans])["groups"][0]["memory"]["max_workers"] is None


def test_serial_wins_and_the_model_describes_the_best_parallel_line(tmp_path):
    benches = [bench_for(case("serial"), 3000)]
    benches += sweep("processes", {1: 800, 2: 1400, 4: 1300})
    a, (ans,) = answers_for(results_file(tmp_path / "r.json", benches))
    assert ans.choice.family == "serial"
    assert "Use serial (a plain loop, no workers)" in recommendation.render_text(a, [ans])
    assert ans.fit_line == "processes fork"


def test_a_recommended_line_with_too_few_points_borrows_the_fastest_fitted_line(tmp_path):
    benches = [bench_for(case("serial"), 500)]
    benches += sweep("threads", {1: 480, 2: 900, 4: 880})          # 3 counts: fittable
    benches += sweep("processes", {1: 470, 2: 850, 4: 800})        # 3 counts, slower
    benches += sweep("processes-chunked", {2: 1000}, chunked=True)  # the best, one count only
    a, (ans,) = answers_for(results_file(tmp_path / "r.json", benches))
    assert ans.choice.strategy == "processes-chunked"
    assert ans.fit is not None and ans.fit_line == "threads"
    assert ans.fit.workers == [1, 2, 4]
    note = next(n for n in ans.notes if n.startswith("no scaling model"))
    assert "processes-chunked fork: measured at 1 worker count(s)" in note
    assert "the model shown is of threads" in note
    assert recommendation.to_json(a, [ans])["groups"][0]["scaling"]["configuration"] == "threads"


def test_no_line_with_enough_points_means_no_model_and_says_so(tmp_path):
    benches = [bench_for(case("serial"), 500)] + sweep("threads", {2: 900, 4: 880})
    _, (ans,) = answers_for(results_file(tmp_path / "r.json", benches))
    assert ans.fit is None
    assert any("a fit needs 3 or more" in n and "model shown" not in n for n in ans.notes)


def test_overhead_benchmarks_are_not_throughput_groups(tmp_path):
    benches = crafted_group() + [
        raw_bench("pool-start/first-result/processes/w2/fork", [0.01, 0.011, 0.012], workload="pool-start",
                  group="pool-start/first-result", strategy="processes", family="processes",
                  workers=2, chunk_size="none", start_method="fork")]
    a, answers = answers_for(results_file(tmp_path / "r.json", benches))
    assert [x.group.first.workload for x in answers] == ["imwrite"]
    rows = flat.table(a)
    over = next(r for r in rows if r["workload"] == "pool-start")
    assert over["img_per_s"] is None and over["median_s_per_image"] == pytest.approx(0.011)


def test_pose_cases_with_model_load_time_are_a_group_of_their_own(tmp_path):
    def pose(strategy, family, w, rate, method="spawn"):
        return raw_bench(f"pose/256x256x3-astronaut-n20/c1/{strategy}/w{w}/{method}",
                         crafted.values_around(rate, 0.02, 3), workload="pose",
                         group="pose/256x256x3-astronaut-n20/c1", image_size="256x256x3",
                         image_content="astronaut", image_count=20, workload_params="c1",
                         strategy=strategy, family=family, workers=w, chunk_size="none",
                         start_method=method if family == "processes" else "none",
                         model_load_s=0.4, mem_worker_uss_peak=250 * 2**20)
    benches = [pose("serial", "serial", 1, 30), pose("processes", "processes", 1, 29),
               pose("processes", "processes", 2, 56), pose("processes", "processes", 4, 55)]
    a, (ans,) = answers_for(results_file(tmp_path / "r.json", benches))
    assert ans.group.title == "pose 256x256x3 astronaut, 20 images, c1"
    assert ans.choice.workers == 2
    assert ans.choice_memory.kind == "USS" and ans.choice_memory.ceiling == 49
    assert flat.table(a)[0]["model_load_s"] == 0.4


def test_single_values_say_the_spread_is_unknown(tmp_path):
    benches = [bench_for(case("serial"), 1000, n=1)] + [
        bench_for(case("threads", 2), 1500, n=1)]
    a, (ans,) = answers_for(results_file(tmp_path / "r.json", benches))
    assert ans.choice.strategy == "threads"
    text = recommendation.render_text(a, [ans])
    assert "spread unknown" in text and "--values 3" in text


def test_noisy_best_suggests_more_values(tmp_path):
    benches = [bench_for(case("serial"), 1000, spread=0.3)]
    a, (ans,) = answers_for(results_file(tmp_path / "r.json", benches))
    assert "a longer --budget" in recommendation.render_text(a, [ans])


def test_failed_cases_are_listed_not_used(tmp_path):
    path = results_file(tmp_path / "r.json", crafted_group(),
                        failed=[("imwrite/x/processes/w8/fork", "BrokenProcessPool")])
    a, answers = answers_for(path)
    assert "1 case(s) failed" in recommendation.render_text(a, answers)


def test_json_is_plain_json(tmp_path):
    a, answers = answers_for(crafted.known_best(tmp_path / "r.json"))
    text = json.dumps(recommendation.to_json(a, answers))
    data = json.loads(text)
    g = data["groups"][0]
    assert g["recommended"]["workers"] == 4
    assert g["fewest_workers_within_5pct"]["workers"] == 2
    assert g["scaling"]["model"] in ("USL", "Amdahl")
    assert g["scaling"]["configuration"] == "processes-chunked fork"
    assert len(g["scaling"]["points"]) == 4


def crafted_group():
    return [bench_for(case("serial"), 1000)] + sweep("threads", {1: 900, 2: 1200, 4: 1100})


def test_a_noisy_best_far_ahead_by_its_median_is_not_a_tie(tmp_path):
    benches = [bench_for(case("serial"), 500)]
    # threads-chunked 1,000 img/s but +-30%; threads 830 +-2%: the t-test cannot separate
    # them, yet the median says 17% - calling that a tie would pick threads on noise
    benches += sweep("threads-chunked", {2: 1000}, spread=0.3, chunked=True)
    benches += sweep("threads", {2: 830}, spread=0.02)
    # processes is close by its median, but on values this noisy nothing shows it within 5%
    benches += sweep("processes", {2: 980}, spread=0.3)
    a, (ans,) = answers_for(results_file(tmp_path / "r.json", benches))
    assert ans.best.strategy == "threads-chunked" and ans.choice is ans.best
    threads = next(r for r in ans.group.rows if r.strategy == "threads")
    processes = next(r for r in ans.group.rows if r.strategy == "processes")
    assert {r.name for r in ans.unresolved} == {threads.name, processes.name}
    assert ans.ties == [ans.best]
    text = recommendation.render_text(a, [ans])
    assert "too noisy to call them ties" in text and "n.s." in text
    assert set(recommendation.to_json(a, [ans])["groups"][0]["not_separated"]) == {threads.name, processes.name}


def _per_task(benches):
    """The same benchmarks, measured with imwrite's folder-per-task layout."""
    from bench.results import case_benchmark

    out = []
    for b in benches:
        m = b.get_metadata()
        c = case(m["strategy"], m["workers"], m.get("chunk_size"), m.get("start_method"))
        c = dataclasses.replace(c, out_layout="per-task")
        count = c.images.count
        result = {"values_s": [v * count for v in b.get_values()], "warmups_s": [],
                  "date": "2026-11-22T10:00:00+00:00", "duration_s": 1.0,
                  "metadata": {"cold_per_image_s": 1.2 * b.median(), "verified": "yes"}}
        out.append(case_benchmark(c, result, dict(crafted.MACHINE)))
    return out


def test_a_folder_per_task_is_its_own_line_and_says_why_when_recommended(tmp_path):
    benches = [bench_for(case("serial"), 1000)]
    benches += sweep("processes-inherit", {1: 950, 2: 1200, 4: 1150}, chunked=True)
    benches += _per_task(sweep("processes-inherit", {1: 960, 2: 1900, 4: 1850}, chunked=True))
    a, (ans,) = answers_for(results_file(tmp_path / "r.json", benches))
    assert ans.choice.folder_per_task and ans.choice.workers == 2
    lines = ans.group.lines()
    assert ("processes-inherit", "auto", "fork folder per task") in lines
    assert len(lines[("processes-inherit", "auto", "fork")]) == 3
    text = recommendation.render_text(a, [ans])
    assert "Use processes-inherit w=2 chunk=50 fork folder per task (2 workers)" in text
    assert ("the best pool writing into one folder, processes-inherit w=2 chunk=50 fork, "
            "reached 1,200 img/s (a folder per task: 1.58x that)") in text


def test_a_tie_between_layouts_keeps_the_users_one_folder(tmp_path):
    benches = [bench_for(case("serial"), 500)]
    benches += sweep("threads-chunked", {2: 1000}, spread=0.02, chunked=True)
    benches += _per_task(sweep("threads-chunked", {2: 1015}, spread=0.02, chunked=True))
    _, (ans,) = answers_for(results_file(tmp_path / "r.json", benches))
    assert ans.best.folder_per_task
    assert not ans.choice.folder_per_task and ans.choice.strategy == "threads-chunked"


def test_the_speedup_shown_is_the_paired_one_when_the_case_has_it(tmp_path):
    benches = [bench_for(case("serial"), 1000)]
    benches += sweep("threads-chunked", {2: 2600}, chunked=True, all={"paired_speedup": 1.85})
    a, (ans,) = answers_for(results_file(tmp_path / "r.json", benches))
    assert ans.choice.speedup_over(ans.group.serial) == pytest.approx(1.85)
    assert "1.85x the serial loop" in recommendation.render_text(a, [ans])
    (row,) = [r for r in flat.table(a) if r["strategy"] == "threads-chunked"]
    assert row["speedup"] == pytest.approx(1.85) and row["efficiency_pct"] == pytest.approx(100 * 1.85 / 3.8)


def _paired(c, rate, speedups, spread=0.01):
    """A pool case measured at ``rate`` img/s whose serial passes, timed next to each of
    its passes, were ``speedups`` times slower than those passes."""
    b = bench_for(c, rate, spread=spread, n=len(speedups))
    passes = [v * c.images.count for v in b.get_values()]
    serial = " ".join(repr(s * p) for s, p in zip(speedups, passes))
    return bench_for(c, rate, spread=spread, n=len(speedups), paired_serial_passes_s=serial,
                     paired_speedup=sorted(speedups)[len(speedups) // 2])


def test_a_paired_group_is_ranked_by_its_speedups_not_by_img_s_taken_minutes_apart(tmp_path):
    # inherit ran while the disk was fast (2,000 img/s) but was only 1.3x its own serial
    # passes; shm ran in a slow minute (1,500 img/s) and was 1.9x its serial passes
    benches = [bench_for(case("serial"), 1000)]
    benches.append(_paired(case("processes-inherit", 2, 50), 2000, [1.28, 1.30, 1.31, 1.29, 1.32]))
    benches.append(_paired(case("processes-shm", 2, 50), 1500, [1.88, 1.90, 1.91, 1.89, 1.92]))
    a, (ans,) = answers_for(results_file(tmp_path / "r.json", benches))
    assert ans.group.paired
    assert ans.best.strategy == "processes-shm" and ans.choice.strategy == "processes-shm"
    assert ans.fastest.strategy == "processes-shm"
    text = recommendation.render_text(a, [ans])
    assert "Ranked by speedup over serial passes timed in the same case" in text
    assert "1.90x the serial loop" in text
    (inherit,) = [r for r in recommendation.table_rows(ans) if r["configuration"].startswith("processes-inherit")]
    assert inherit["of_best"] == pytest.approx(1.30 / 1.90)


def test_paired_speedups_within_noise_are_a_tie_and_go_to_the_simpler(tmp_path):
    benches = [bench_for(case("serial"), 1000)]
    benches.append(_paired(case("threads-chunked", 2, 50), 1800, [1.84, 1.89, 1.86, 1.91, 1.87]))
    benches.append(_paired(case("processes-shm", 2, 50), 1900, [1.85, 1.90, 1.88, 1.93, 1.89]))
    _, (ans,) = answers_for(results_file(tmp_path / "r.json", benches))
    assert ans.best.strategy == "processes-shm"
    assert ans.choice.strategy == "threads-chunked"          # same workers, simpler family


def test_a_group_with_one_unpaired_pool_case_keeps_ranking_by_img_s(tmp_path):
    benches = [bench_for(case("serial"), 1000)]
    benches.append(_paired(case("processes-shm", 2, 50), 1500, [1.9, 1.9, 1.9, 1.9, 1.9]))
    benches.append(bench_for(case("threads", 2), 2000))        # an older file's case
    _, (ans,) = answers_for(results_file(tmp_path / "r.json", benches))
    assert not ans.group.paired and ans.best.strategy == "threads"


def test_paired_ratios_are_read_pass_by_pass_and_refused_when_they_do_not_match():
    from bench.analysis.rows import CaseRow

    good = _paired(case("processes-shm", 2, 50), 1000, [2.0, 1.0, 1.5, 1.5, 1.5])
    assert CaseRow.from_benchmark(good, "f.json").paired_ratios == pytest.approx([2.0, 1.0, 1.5, 1.5, 1.5])
    short = bench_for(case("processes-shm", 2, 50), 1000, paired_serial_passes_s="0.1 0.1")
    assert CaseRow.from_benchmark(short, "f.json").paired_ratios == []


def test_a_race_of_one_visit_each_says_so_and_a_speedup_past_the_cpus_is_called_out(tmp_path):
    """One visit per configuration (a slow disk left a group one round): the note says why
    and what helps, not an exhaustive run's option; 4.8x on 2 CPUs (capacity 2.0) is more
    than the CPUs can give, and the note says what it is then."""
    import crafted_machines as cm

    path = cm.raced(tmp_path / "disk.json", {("threads-chunked", 2): 4.8, ("processes", 2): 1.2},
                    serial_rate=1300, cpus=2, capacity=2.0, visits=1, outcome="budget")
    (answer,) = recommend.recommend(load([path])[0])
    assert answer.choice.strategy == "threads-chunked"
    notes = " ".join(answer.notes)
    assert "one visit per configuration" in notes and "--budget" in notes and "--values" not in notes
    assert "4.80x the serial loop is more than the CPUs allow (parallel capacity 2.00)" in notes

    calm = cm.raced(tmp_path / "shm.json", {("threads-chunked", 2): 1.95, ("processes", 2): 0.5},
                    serial_rate=40000, cpus=2, capacity=1.9, visits=4)
    (answer,) = recommend.recommend(load([calm])[0])
    assert not any("more than the CPUs allow" in n or "one visit" in n for n in answer.notes)


def test_configurations_a_slow_pilot_left_out_are_counted_in_a_note(tmp_path):
    import json

    import crafted_machines as cm

    path = cm.raced(tmp_path / "slow.json", {("threads-chunked", 2): 1.9, ("processes", 2): 1.1},
                    serial_rate=1300, cpus=2, capacity=2.0)
    doc = json.load(open(path))
    (group,) = doc["bench"]["run"]["race"]
    doc["bench"]["run"]["race"][group]["not_raced"] = {f"{group}/processes-shm/w2": "pilot",
                                                       "joblib": "budget"}
    json.dump(doc, open(path, "w"))
    (answer,) = recommend.recommend(load([path])[0])
    assert any(n.startswith("1 configuration(s) planned here were not raced") for n in answer.notes)
    assert answer.left_out == ["joblib"]                  # the libraries' line keeps its own


def test_a_pick_on_two_visits_while_the_storage_swung_is_called_provisional(tmp_path):
    """Serial passes next to the visits ran 6x faster at one moment than at another: a pick
    on two visits there says so; the same pick on calm storage, or on many visits, does not."""
    swung = [bench_for(case("serial"), 3700),
             _paired(case("threads", 2), 8533, [2.2, 2.4]),
             _paired(case("processes-shm", 2, 50), 32975, [1.45, 1.49])]
    _, (ans,) = answers_for(results_file(tmp_path / "disk.json", swung))
    assert ans.choice.strategy == "threads"
    (note,) = [n for n in ans.notes if "provisional" in n]
    assert "2 visit(s)" in note and "--budget" in note

    calm = [bench_for(case("serial"), 3700),
            _paired(case("threads", 2), 8000, [2.2, 2.4]),
            _paired(case("processes-shm", 2, 50), 5500, [1.45, 1.49])]
    _, (ans,) = answers_for(results_file(tmp_path / "calm.json", calm))
    assert not any("provisional" in n for n in ans.notes)

    many = [bench_for(case("serial"), 3700),
            _paired(case("threads", 2), 8533, [2.2, 2.4, 2.3, 2.3, 2.35]),
            _paired(case("processes-shm", 2, 50), 32975, [1.45, 1.49, 1.47, 1.46, 1.5])]
    _, (ans,) = answers_for(results_file(tmp_path / "many.json", many))
    assert not any("provisional" in n for n in ans.notes)


def test_the_tie_break_ranks_by_what_each_class_declares_not_the_registry_order(tmp_path, monkeypatch):
    # processes-shm is fastest, processes-chunked within noise: a tie at the same worker
    # count and family, which the strategies' declared simplicity decides
    benches = [bench_for(case("serial"), 600)]
    benches += sweep("processes-shm", {2: 1015}, spread=0.02, chunked=True)
    benches += sweep("processes-chunked", {2: 1000}, spread=0.02, chunked=True)
    path = results_file(tmp_path / "r.json", benches)
    _, (ans,) = answers_for(path)
    assert ans.best.strategy == "processes-shm"
    assert ans.choice.strategy == "processes-chunked"
    # the registry in another order (as another import order would build it): same pick
    from bench import strategies
    from bench.analysis import rows

    for order in (reversed, lambda names: sorted(names, key=lambda n: (len(n), n))):
        shuffled = {n: strategies.STRATEGIES[n] for n in order(list(strategies.STRATEGIES))}
        assert list(shuffled).index("processes-shm") < list(shuffled).index("processes-chunked")
        monkeypatch.setattr(rows, "STRATEGIES", shuffled)
        monkeypatch.setattr(strategies, "STRATEGIES", shuffled)
        _, (again,) = answers_for(path)
        assert again.choice.strategy == "processes-chunked"


def test_groups_the_budget_left_out_are_named_at_the_end_of_the_answer(tmp_path):
    """A quick run on many CPUs leaves image sets out so that the others get their
    worker-count search: the plan says so before the run, and the answer after it."""
    from bench.results.store import ResultsFile

    path = crafted.known_best(tmp_path / "r.json")
    rf = ResultsFile.load(str(path))
    rf.run["left_out"] = [
        {"group": "imwrite/1920x1080x3-smooth-n1376/jpg-q95", "estimated_s": 36.8, "for_the_search": True},
        {"group": "pose/256x256x3-person-n2048/solutions-c1", "estimated_s": 27.4, "for_the_search": False}]
    rf.save()
    a, answers = answers_for(path)
    text = recommendation.render_text(a, answers)
    assert ("Not measured, left out by the run's budget: imwrite/1920x1080x3-smooth-n1376/jpg-q95, "
            "pose/256x256x3-person-n2048/solutions-c1 (1 of them so that the others got their "
            "worker-count search)") in text
    # a run that left nothing out says nothing of it
    a, answers = answers_for(crafted.known_best(tmp_path / "all.json"))
    assert "left out by the run's budget" not in recommendation.render_text(a, answers)


def test_img_s_values_are_turned_into_speeds_before_the_test_of_a_tie(tmp_path):
    # a file without paired passes: its values are seconds per image. 2 workers read 5%
    # slower than 4 (noisy: not significantly different); read as speeds they are not shown
    # within 5%, so the faster is kept. Read the wrong way up, 2 workers would look 5%
    # faster and be called a tie
    benches = [bench_for(case("serial"), 600)]
    benches += sweep("processes-chunked", {2: 950}, spread=0.06, chunked=True)
    benches += sweep("processes-chunked", {4: 1000}, spread=0.02, chunked=True)
    a, (ans,) = answers_for(results_file(tmp_path / "r.json", benches))
    assert not ans.group.paired
    two = next(r for r in ans.group.rows if r.workers == 2)
    assert two in ans.unresolved
    assert ans.choice is ans.best and ans.best.workers == 4


def test_groups_left_out_for_other_reasons_do_not_mention_the_search(tmp_path):
    from bench.results.store import ResultsFile

    path = crafted.known_best(tmp_path / "r.json")
    rf = ResultsFile.load(str(path))
    rf.run["left_out"] = [{"group": "pose/256x256x3-person-n256/solutions-c1", "estimated_s": 24.0,
                           "for_the_search": False}]
    rf.save()
    a, answers = answers_for(path)
    text = recommendation.render_text(a, answers)
    assert "left out by the run's budget: pose/256x256x3-person-n256/solutions-c1; a longer" in text
    assert "worker-count search" not in text.split("left out by the run's budget")[1]
    assert recommendation.to_json(a, answers)["left_out"][0]["group"].startswith("pose/")


def test_a_count_that_read_fastest_on_its_only_visit_is_not_picked_over_ones_measured_more(tmp_path):
    # the search entered 6 workers last: one visit, 2.35x; 4 workers read 2.24x over three.
    # The single reading has no spread to test it by: the pick and the best count are 4
    benches = [bench_for(case("serial"), 1000)]
    benches.append(_paired(case("processes-chunked", 4, 25), 2200, [2.20, 2.24, 2.27]))
    benches.append(_paired(case("processes-chunked", 6, 17), 2300, [2.35]))
    benches.append(_paired(case("processes-chunked", 8, 13), 2000, [2.00, 2.02, 2.05]))
    a, (ans,) = answers_for(results_file(tmp_path / "r.json", benches))
    assert ans.fastest.workers == 6
    assert ans.choice.workers == 4 and ans.best.workers == 4
    assert ans.plateau.best_workers == 4 and 6 not in ans.plateau.counts
    assert ans.plateau.too_big == []          # left out for its one visit, not for memory
    assert "do not fit in RAM" not in " ".join(recommendation.answer_lines(ans))
    assert any("on a single visit" in n for n in ans.notes)
    # measured twice, it is the best as any other
    benches[2] = _paired(case("processes-chunked", 6, 17), 2300, [2.35, 2.33])
    _, (again,) = answers_for(results_file(tmp_path / "twice.json", benches))
    assert again.best.workers == 6 and again.plateau.best_workers == 6
