"""compare: answers matched across machines whatever the image and worker counts, their
ratios and significance, the workers that fit, and the case-by-case pairing."""
import json

import pytest

import crafted
import crafted_machines as cm
from bench.analysis import compare
from bench.analysis.answers_by_group import answer_key, worker_limits
from bench.analysis.compare_cases import compare_cases
from bench.analysis.load import load
from bench.analysis.recommend import Memory
from bench.cli import main as cli
from bench.output import comparison, comparison_cases

SMALL = {"serial": {1: 1000}, "threads": {2: 1100}, "processes-chunked": {1: 950, 2: 1900, 4: 1950}}
BIG = {"serial": {1: 1000}, "threads": {2: 1100, 8: 1000},
       "processes-chunked": {1: 950, 2: 1900, 4: 3800, 8: 7400, 16: 7000}}


def two_machines(tmp_path, **small):
    """A 2-CPU machine (100 images a set) and an 8-CPU one (800 images): no case name in common."""
    a = cm.exhaustive(tmp_path / "small.json", SMALL, cpus=2, capacity=1.9, count=100, **small)
    b = cm.exhaustive(tmp_path / "big.json", BIG, cpus=8, capacity=7.6, count=800, host="big")
    return a, b


def test_answers_are_matched_by_workload_and_image_set_not_by_case_name(tmp_path):
    a, b = two_machines(tmp_path)
    analyses = load([a, b])
    assert not {r.name for r in analyses[0].rows} & {r.name for r in analyses[1].rows}
    c = compare.compare(analyses)
    (line,) = c.lines
    assert line.title == "imwrite 64x64x3 smooth, jpg-q95" and not c.only
    small, big = line.picks
    assert (small.images, big.images) == (100, 800)
    assert (small.row.workers, big.row.workers) == (4, 8)
    assert line.same_pick[1] is True                          # the same configuration, other counts
    # and the table says at how many workers each machine runs it
    assert "same as A, 8 worker(s) (A: 4)" in comparison.render_text(c)
    assert line.throughput[1].value == pytest.approx(7400 / 1950)
    assert line.throughput[1].verdict.significant is True
    assert line.speedup[1].value == pytest.approx(7.4 / 1.95)
    # these files time no paired serial passes: a speedup is one ratio, nothing to test
    assert line.speedup[1].verdict.significant is None
    assert big.efficiency == pytest.approx(7.4 / 7.6)
    assert c.geometric_mean(1) == pytest.approx(7400 / 1950)


def test_picks_within_noise_are_not_significant(tmp_path):
    a = cm.exhaustive(tmp_path / "a.json", SMALL, spread=0.2)
    b = cm.exhaustive(tmp_path / "b.json", {**SMALL, "processes-chunked": {1: 950, 2: 1950, 4: 1990}},
                      spread=0.2, host="other")
    (line,) = compare.compare(load([a, b])).lines
    assert line.throughput[1].verdict.significant is False
    assert comparison.verdict_text(line.throughput[1]) == "not significant"


def test_a_race_and_a_run_per_case_compare_with_welch_on_the_visits(tmp_path):
    a, _ = two_machines(tmp_path)
    b = cm.raced(tmp_path / "race.json", {("threads", 8): 1.2, ("processes-chunked", 8): 6.0,
                                          ("processes-chunked", 4): 3.5},
                 serial_rate=1200, visits=4, readings=[7.4, 7.5, 7.6])
    c = compare.compare(load([a, b]))
    (line,) = c.lines
    race_pick = line.picks[1]
    assert race_pick.row.strategy == "processes-chunked" and race_pick.row.workers == 8
    assert race_pick.evidence == {"passes": 4, "race_outcome": "winner", "race_rounds": 4}
    assert len(race_pick.speedup_samples()) == 4
    # 5 passes against 4 visits: Welch's test, not pyperf's (which needs equal counts)
    assert line.throughput[1].verdict.test == "Welch t-test"
    assert line.throughput[1].verdict.significant is True
    # capacity: one reading against three is too few to test
    assert c.capacity[1].value == pytest.approx(7.5 / 1.9) and c.capacity[1].verdict.significant is None
    text = comparison.render_text(c)
    assert "4 visits, race: one left" in text and "budgeted race" in text and "5 passes" in text


def test_capacities_are_tested_on_the_repeats_of_the_reading_kept(tmp_path):
    # one reading each, but three repeats behind it: a 2-CPU machine against one CPU
    a = cm.exhaustive(tmp_path / "a.json", SMALL, capacity=1.97, repeats=[1.95, 1.97, 2.0])
    b = cm.exhaustive(tmp_path / "b.json", SMALL, cpus=1, capacity=0.99, repeats=[0.98, 0.99, 1.0],
                      host="one")
    c = compare.compare(load([a, b]))
    assert c.capacity[1].value == pytest.approx(0.99 / 1.97)
    assert c.capacity[1].verdict.significant is True
    # the figure of a file that kept no repeats is one value: nothing to test
    old = cm.exhaustive(tmp_path / "old.json", SMALL, capacity=1.9, host="old")
    assert compare.compare(load([a, old])).capacity[1].verdict.significant is None


def test_two_races_test_their_paired_speedups(tmp_path):
    a = cm.raced(tmp_path / "a.json", {("processes-chunked", 2): 1.9}, serial_rate=1000, cpus=2,
                 capacity=1.9, count=100, host="small")
    b = cm.raced(tmp_path / "b.json", {("processes-chunked", 8): 7.0}, serial_rate=1000)
    (line,) = compare.compare(load([a, b])).lines
    assert line.speedup[1].value == pytest.approx(7.0 / 1.9, rel=0.03)
    assert line.speedup[1].verdict.significant is True
    assert line.speedup[1].verdict.test == "pyperf t-test"      # 4 visits each


@pytest.mark.parametrize("per_worker, cpus, expect", [
    (2 * 2**20, 2, (4, 6144, 4)),           # the RAM ceiling alone would say 6,144 on 2 CPUs
    (5 * 2**30, 8, (16, 2, 2)),             # memory-bound: RAM says 2, CPUs 16
])
def test_workers_that_fit_count_cpus_and_memory(per_worker, cpus, expect):
    mem = Memory("USS", per_worker, 0, 12 * 2**30, 12 * 2**30 // per_worker, True)

    class ProcessRow:                     # worker_limits reads a row's family only
        family = "processes"

    lim = worker_limits(ProcessRow, mem, cpus)
    assert (lim.cpu_bound, lim.memory_ceiling, lim.usable) == expect


def test_threads_and_serial_are_bound_by_cpus_only(tmp_path):
    a = cm.exhaustive(tmp_path / "t.json", {"serial": {1: 1000}, "threads": {1: 900, 2: 1900}})
    (analysis,) = load([a])
    c = compare.compare([analysis, analysis])
    pick = c.lines[0].picks[0]
    assert pick.row.strategy == "threads"
    assert pick.limits.as_dict() == {"cpu_bound": 4, "memory_ceiling": None, "usable": 4, "kind": "threads"}
    assert comparison.fit_text(pick) == "4 (CPU 4, RAM shared)"
    serial = worker_limits(analysis.groups()[0].serial, Memory(), 2)
    assert serial.usable == 1


def test_the_table_shows_both_limits_never_the_ram_ceiling_alone(tmp_path):
    mem = {"mem_worker_uss_peak": 2 * 2**20}
    a = cm.exhaustive(tmp_path / "a.json", SMALL, mem=mem)
    b = cm.exhaustive(tmp_path / "b.json", SMALL, mem=mem, host="other")
    text = comparison.render_text(compare.compare(load([a, b])))
    assert "4 (CPU 4, RAM 6,144)" in text and "USS 2.0 MiB" in text


def test_answers_in_one_file_only_are_named(tmp_path):
    a = cm.exhaustive(tmp_path / "a.json", SMALL)
    b = cm.exhaustive(tmp_path / "b.json", SMALL, size=(32, 32, 1), host="other")
    c = compare.compare(load([a, b]))
    assert not c.lines
    assert c.only == {"A": ["imwrite 64x64x3 smooth, jpg-q95"], "B": ["imwrite 32x32x1 smooth, jpg-q95"]}
    text = comparison.render_text(c)
    assert "No answer in common" in text and "Only in B: imwrite 32x32x1 smooth" in text


def test_markdown_and_json(tmp_path):
    a, b = two_machines(tmp_path)
    c = compare.compare(load([a, b]))
    md = comparison.render_markdown(c, {"imwrite": "plots/c-imwrite.png"})
    assert md.startswith("## Answers of 2 runs side by side")
    assert "![imwrite on every machine](plots/c-imwrite.png)" in md
    assert "| machine | images | pick | img/s |" in md and "| B | 3.79x faster |" in md
    data = comparison.to_json(c)
    (ans,) = data["answers"]
    assert ans["image_size"] == "64x64x3" and ans["picks"][1]["images"] == 800
    assert ans["picks"][1]["workers_fit"] == {"cpu_bound": 16, "memory_ceiling": None, "usable": 16,
                                             "kind": "processes"}
    assert ans["img_per_s_vs_first"][1]["significant"] is True
    json.dumps(data)                                            # serialisable as it is


def test_picks_written_to_different_file_systems_say_so(tmp_path):
    a = cm.exhaustive(tmp_path / "a.json", SMALL, meta={"out_fs": "tmpfs"})
    b = cm.exhaustive(tmp_path / "b.json", SMALL, host="other", meta={"out_fs": "ext4"})
    same = cm.exhaustive(tmp_path / "c.json", SMALL, host="third", meta={"out_fs": "tmpfs"})
    c = compare.compare(load([a, b]))
    note = "outputs written to different file systems (A: tmpfs, B: ext4)"
    assert note in comparison.render_text(c) and note in comparison.render_markdown(c)
    assert note in "".join(comparison.render_html(c, None))      # the report says it too
    assert [p["out_fs"] for p in comparison.to_json(c)["answers"][0]["picks"]] == ["tmpfs", "ext4"]
    assert "different file systems" not in comparison.render_text(compare.compare(load([a, same])))


def test_a_race_counts_its_configurations_apart_from_its_overhead_probes(tmp_path):
    probe = crafted.raw_bench("pool-start/first-result/threads/w2", [0.01, 0.011],
                              workload="pool-start", group="pool-start/first-result")
    path = cm.raced(tmp_path / "race.json", {("threads", 8): 1.2, ("processes-chunked", 8): 6.0},
                    serial_rate=500, probes=[probe])
    (a,) = load([path])
    assert len(a.rows) == 4
    assert comparison.run_text(a) == "budgeted race, 3 configurations (+1 overhead probes)"


def test_answer_key_leaves_the_image_count_out(tmp_path):
    a, b = two_machines(tmp_path)
    ga, gb = (x.groups()[0] for x in load([a, b]))
    assert ga.key != gb.key and answer_key(ga) == answer_key(gb)


# -- case by case --------------------------------------------------------------------------

def test_cases_pair_by_configuration_and_worker_count_across_image_counts(tmp_path):
    a, b = two_machines(tmp_path)
    c = compare_cases(load([a, b]))
    paired = {ln.config: ln.cells[1] for ln in c.lines}
    # chunk sizes 50 and 400 are both "images / workers" at 2 workers: paired as auto
    assert set(paired) == {"serial", "threads w=2", "processes-chunked fork w=1",
                           "processes-chunked fork w=2", "processes-chunked fork w=4"}
    assert paired["processes-chunked fork w=4"].ratio == pytest.approx(3800 / 1950)
    assert paired["serial"].verdict.significant is False
    assert c.unpaired == {"B": ["imwrite 64x64x3 smooth, jpg-q95: threads w=8",
                                "imwrite 64x64x3 smooth, jpg-q95: processes-chunked fork w=8",
                                "imwrite 64x64x3 smooth, jpg-q95: processes-chunked fork w=16"]}
    text = comparison_cases.render_text(c)
    assert "chunk policy" in text and "B: 3 case(s) with no partner" in text
    assert "A images" in text and "800" in text


def test_a_fixed_chunk_size_pairs_only_with_the_same_size(tmp_path):
    def fixed(path, chunk, host):
        benches = [crafted.bench_for(crafted.case("serial"), 1000)]
        c = crafted.case("processes-chunked", 2, chunk)
        c = type(c)(**{**c.__dict__, "chunk_rule": None})          # a size given by --chunk-sizes
        benches.append(crafted.bench_for(c, 1500))
        return cm.write(path, benches, cm.machine(2, 1.9, host), 1.9)

    a, b, c = fixed(tmp_path / "a.json", 10, "a"), fixed(tmp_path / "b.json", 10, "b"), \
        fixed(tmp_path / "c.json", 20, "c")
    assert {ln.config for ln in compare_cases(load([a, b])).lines} == {"serial", "processes-chunked chunk=10 fork w=2"}
    assert {ln.config for ln in compare_cases(load([a, c])).lines} == {"serial"}


def test_cli_compare_by_answer_and_by_case(tmp_path, capsys):
    a, b = two_machines(tmp_path)
    plots = tmp_path / "plots"
    assert cli.main(["compare", a, b, "--plots-dir", str(plots)]) == 0
    out = capsys.readouterr().out
    assert "answer by answer" in out and "3.79x faster" in out and "compare-small-vs-big-imwrite.png" in out
    assert (plots / "compare-small-vs-big-imwrite.svg").exists()
    assert cli.main(["compare", a, b, "--by", "case", "--no-chart", "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("## Cases of 2 runs side by side") and "chunk policy" in md
    assert cli.main(["compare", a, b, "--by", "case", "--json", "--no-chart"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["by"] == "case" and len(data["unpaired"]["B"]) == 3


@pytest.mark.parametrize("content, message", [
    ('{"benchmarks": [], "version": "1.0"}', "not a bench results file"),   # a plain pyperf file
    ("{truncated", "not valid JSON"),
    ("", "not valid JSON"),
])
def test_compare_refuses_files_that_are_not_bench_results(tmp_path, capsys, content, message):
    a, _ = two_machines(tmp_path)
    bad = tmp_path / "other.json"
    bad.write_text(content)
    assert cli.main(["compare", a, str(bad), "--no-chart"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_compare_needs_two_files(tmp_path, capsys):
    a, _ = two_machines(tmp_path)
    assert cli.main(["compare", a]) == 2
    assert "at least two" in capsys.readouterr().err


def test_bad_by_is_one_line(tmp_path, capsys):
    a, b = two_machines(tmp_path)
    assert cli.main(["compare", a, b, "--by", "name"]) == 2
    assert "invalid choice: 'name'" in capsys.readouterr().err


# -- where the machines' OpenCV builds differ ---------------------------------------------

TURBO = {"bench_cv2_version": "4.11.0", "bench_cv2_jpeg": "libjpeg-turbo 3.0.3-70",
         "bench_cv2_jpeg_simd": "yes", "bench_cv2_png": "libpng 1.6.44",
         "bench_cv2_simd_baseline": "SSE SSE2 SSE3", "bench_cv2_simd_dispatch": "SSE4_1 AVX2",
         "bench_cv2_parallel": "pthreads", "bench_cv2_threads": 2}


def built(path, host, cpus=2, **facts):
    """A two-case file whose machine recorded ``facts`` (none: a file from before them)."""
    benches = [crafted.bench_for(crafted.case("serial"), 1000),
               crafted.bench_for(crafted.case("threads", 2), 1500)]
    return cm.write(path, benches, dict(cm.machine(cpus, 1.9, host), **facts), 1.9)


def build_lines(paths) -> list[str]:
    analyses = load(paths)
    texts = [comparison.render_text(compare.compare(analyses)),
             comparison.render_markdown(compare.compare(analyses)),
             comparison_cases.render_text(compare_cases(analyses))]
    found = [[ln for ln in t.splitlines() if "OpenCV differs" in ln] for t in texts]
    assert found[1:] == [found[0]] * 2                  # the same line in every output
    html = "".join(comparison.render_html(compare.compare(analyses), None))
    assert all(line in html for line in found[0])       # and in the report
    return found[0]


def test_compare_names_the_opencv_build_facts_that_differ(tmp_path):
    a = built(tmp_path / "a.json", "turbo", **TURBO)
    b = built(tmp_path / "b.json", "plain", **dict(
        TURBO, bench_cv2_jpeg="libjpeg 90", bench_cv2_jpeg_simd="no",
        bench_cv2_simd_baseline="none", bench_cv2_simd_dispatch="none"))
    (line,) = build_lines([a, b])
    assert ("JPEG (A: libjpeg-turbo 3.0.3-70, B: libjpeg 90); JPEG SIMD (A: yes, B: no); "
            "SIMD baseline (A: SSE SSE2 SSE3, B: none); SIMD dispatch (A: SSE4_1 AVX2, B: none)") in line
    assert "PNG" not in line and "pthreads" not in line and "OpenCV threads" not in line
    data = comparison.to_json(compare.compare(load([a, b])))["opencv"]
    assert [d["key"] for d in data["differ"]] == ["bench_cv2_jpeg", "bench_cv2_jpeg_simd",
                                                  "bench_cv2_simd_baseline", "bench_cv2_simd_dispatch"]
    assert data["files"]["B"]["bench_cv2_jpeg"] == "libjpeg 90"


def test_equal_builds_and_files_without_them_print_no_line(tmp_path):
    a = built(tmp_path / "a.json", "one", **TURBO)
    same = built(tmp_path / "same.json", "two", **TURBO)
    old = built(tmp_path / "old.json", "old")                       # recorded no build facts
    unknown = built(tmp_path / "unknown.json", "three", **dict(TURBO, bench_cv2_jpeg="unknown"))
    assert build_lines([a, same]) == [] and build_lines([a, old]) == [] and build_lines([old, old]) == []
    assert build_lines([a, unknown]) == []
    # a file that did not record them is left out; the others still compare
    plain = built(tmp_path / "plain.json", "four", **dict(TURBO, bench_cv2_png="libpng 1.6.37"))
    (line,) = build_lines([a, old, plain])
    assert "PNG (A: libpng 1.6.44, C: libpng 1.6.37)" in line and "B:" not in line
    assert comparison_cases.to_json(compare_cases(load([a, old])))["opencv"]["files"]["B"] == {}


def test_opencv_threads_differ_only_where_one_is_not_its_cpu_count(tmp_path):
    a = built(tmp_path / "a.json", "small", cpus=2, **TURBO)
    big = built(tmp_path / "big.json", "big", cpus=8, **dict(TURBO, bench_cv2_threads=8))
    one = built(tmp_path / "one.json", "pinned", cpus=8, **dict(TURBO, bench_cv2_threads=1))
    assert build_lines([a, big]) == []                  # each follows its own CPUs
    (line,) = build_lines([a, one])
    assert "OpenCV threads (A: 2 of 2 CPUs, B: 1 of 8 CPUs)" in line
