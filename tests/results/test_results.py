import os

import pyperf
import pytest

from bench.plan.configurations import Case
from bench.results import ResultsError, ResultsFile, case_benchmark
from workloads.images import ImageSetSpec, ImageSize


def make_case(strategy="serial", workers=1):
    return Case("imwrite", ImageSetSpec(ImageSize(8, 8, 1), 10), {}, strategy, workers)


def make_result(values=(0.2, 0.4, 0.3)):
    return {"values_s": list(values), "warmups_s": [0.5], "date": "2026-11-22T00:00:00+00:00",
            "duration_s": 2.0, "metadata": {"cold_total_s": 0.9, "verified": "yes"}}


def test_values_are_seconds_per_image_and_metadata_describes_the_case():
    bench = case_benchmark(make_case("threads", 2), make_result(), {"hostname": "box"})
    assert bench.get_values() == pytest.approx((0.02, 0.04, 0.03))
    assert bench.median() == pytest.approx(0.03)
    m = bench.get_metadata()
    assert m["strategy"] == "threads" and m["workers"] == 2 and m["inner_loops"] == 10
    assert m["unit"] == "second" and m["cold_total_s"] == 0.9 and m["hostname"] == "box"
    assert m["start_method"] == "none"


def test_file_is_a_pyperf_suite_with_failures_kept_beside_it(tmp_path):
    path = str(tmp_path / "r.json")
    rf = ResultsFile(path, run={"machine": {"hostname": "box"}})
    rf.add(case_benchmark(make_case(), make_result(), {}))
    rf.add_failure("imwrite/x/processes/w2", {"strategy": "processes"}, "boom", "2026-11-22")
    rf.save()
    suite = pyperf.BenchmarkSuite.load(path)          # pyperf reads it as its own
    assert suite.get_benchmark_names() == [make_case().name]
    again = ResultsFile.load(path)
    assert again.failed[0]["reason"] == "boom"
    assert again.run["machine"]["hostname"] == "box"
    assert [b.get_name() for b in again.benchmarks] == [make_case().name]


def test_a_file_with_only_failures_still_loads(tmp_path):
    path = str(tmp_path / "r.json")
    rf = ResultsFile(path)
    rf.add_failure("a", {}, "boom", "d")
    rf.save()
    assert ResultsFile.load(path).failed[0]["name"] == "a"


def test_save_leaves_no_temporary_files(tmp_path):
    rf = ResultsFile(str(tmp_path / "r.json"))
    for i in range(3):
        rf.add(case_benchmark(make_case("threads", i + 1), make_result(), {}))
        rf.save()
    assert os.listdir(tmp_path) == ["r.json"]


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ('{"benchmarks": []}', "not a bench results file"),
    ('[1, 2]', "not a bench results file"),
    ('{"bench": {"format_version": 99}}', "format version 99"),
    ('{"bench": {"format_version": 1}, "version": "1.0", "benchmarks": [{"runs": "x"}]}', "not a valid pyperf suite"),
])
def test_bad_files_give_one_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ResultsError, match=message):
        ResultsFile.load(str(path))


def test_missing_file(tmp_path):
    with pytest.raises(ResultsError, match="no such results file"):
        ResultsFile.load(str(tmp_path / "nope.json"))
