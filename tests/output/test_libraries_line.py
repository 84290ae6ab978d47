"""The line per workload group: what joblib's and mpire's defaults give here against the
serial loop and against the pick, from crafted results files with known figures."""
import crafted
import pytest

from bench.analysis import recommend
from bench.analysis.load import load
from bench.output import libraries, recommendation, summary
from bench.results import ResultsFile


def _file(path, *benches):
    return crafted.results_file(path, [crafted.bench_for(crafted.case("serial"), 1000), *benches])


def _defaults(path, pose_state=False):
    mpire = "mpire-state" if pose_state else "mpire"
    return _file(path,
                 crafted.bench_for(crafted.case("joblib", 4, method="fork"), 600),
                 crafted.bench_for(crafted.case(mpire, 4, method="fork"), 900),
                 *crafted.sweep("processes-chunked", {2: 1920, 4: 2000}, chunked=True))


def test_the_line_gives_each_default_and_the_pick_over_the_serial_loop(tmp_path):
    (a,) = load([_defaults(tmp_path / "r.json")])
    (ans,) = recommend.recommend(a)
    assert ans.choice.strategy == "processes-chunked"
    line = libraries.defaults_line(ans.group, ans.choice)
    assert line == "joblib with its defaults: 0.60x the serial loop; mpire: 0.90x; the pick: 2.00x"
    assert "  " + line in recommendation.render_text(a, [ans]).splitlines()
    assert "- " + line in recommendation.render_markdown(a, [ans]).splitlines()


def test_the_summary_has_the_line_under_its_heading(tmp_path):
    text = summary.render(ResultsFile.load(_defaults(tmp_path / "r.json")))
    lines = text.splitlines()
    at = lines.index("What the libraries' defaults give here (paired speedup over the serial loop):")
    assert lines[at + 1].endswith(": joblib with its defaults: 0.60x the serial loop; mpire: 0.90x; "
                                  "the pick: 2.00x")


def test_paired_speedups_are_used_where_the_visits_timed_serial_passes(tmp_path):
    passes = " ".join(["0.2"] * 5)      # serial passes next to each of joblib's own
    path = _file(tmp_path / "r.json",
                 crafted.bench_for(crafted.case("joblib", 4, method="fork"), 600,
                                   paired_speedup=0.55, paired_serial_passes_s=passes),
                 crafted.bench_for(crafted.case("processes", 4, method="fork"), 1900))
    (a,) = load([path])
    (ans,) = recommend.recommend(a)
    assert libraries.defaults_line(ans.group, ans.choice) == (
        "joblib with its defaults: 0.55x the serial loop; the pick: 1.90x")


def test_mpire_with_worker_state_stands_for_mpire_where_it_was_measured(tmp_path):
    (a,) = load([_defaults(tmp_path / "r.json", pose_state=True)])
    (ans,) = recommend.recommend(a)
    assert "mpire with worker state: 0.90x" in libraries.defaults_line(ans.group, ans.choice)


def test_no_line_without_a_library_default_or_without_a_serial_loop(tmp_path):
    (a,) = load([crafted.known_best(tmp_path / "r.json")])
    (ans,) = recommend.recommend(a)
    assert libraries.defaults_line(ans.group, ans.choice) is None
    assert "libraries' defaults" not in summary.render(ResultsFile.load(str(tmp_path / "r.json")))
    no_serial = crafted.results_file(tmp_path / "s.json", [
        crafted.bench_for(crafted.case("joblib", 4, method="fork"), 600),
        crafted.bench_for(crafted.case("processes", 4, method="fork"), 1900)])
    (a,) = load([no_serial])
    (ans,) = recommend.recommend(a)
    assert libraries.defaults_line(ans.group, ans.choice) is None
    assert libraries.summary_section(a) == []


@pytest.mark.parametrize("strategy", ["joblib-chunked", "mpire-shared", "joblib-threads"])
def test_the_other_ways_are_not_the_defaults(tmp_path, strategy):
    path = _file(tmp_path / "r.json", crafted.bench_for(crafted.case(strategy, 4, method="fork"), 1500))
    (a,) = load([path])
    (ans,) = recommend.recommend(a)
    assert libraries.defaults_line(ans.group, ans.choice) is None


def _left_out_by_the_budget(path, group_key_of, measured=()):
    """A race file whose group planned joblib and mpire and entered only ``measured``."""
    path = _file(path, *[crafted.bench_for(crafted.case(s, 4, method="fork"), 600) for s in measured],
                 *crafted.sweep("processes-chunked", {2: 1920, 4: 2000}, chunked=True))
    rf = ResultsFile.load(path)
    key = group_key_of(rf)
    rf.run["race"] = {key: {"status": "done", "outcome": "tie", "rounds": 3,
                            "not_raced": {s: "budget" for s in ("joblib", "mpire") if s not in measured}}}
    rf.save()
    return path


def _group_key(rf):
    return rf.benchmarks[0].get_metadata()["group"]


def test_defaults_the_budget_left_out_are_named_not_silently_missing(tmp_path):
    (a,) = load([_left_out_by_the_budget(tmp_path / "r.json", _group_key)])
    (ans,) = recommend.recommend(a)
    assert ans.left_out == ["joblib", "mpire"]
    line = libraries.defaults_line(ans.group, ans.choice, ans.left_out)
    assert line.startswith("joblib, mpire: not measured here, this run's budget left no room")
    assert "  " + line in recommendation.render_text(a, [ans]).splitlines()
    assert line in summary.render(ResultsFile.load(str(tmp_path / "r.json")))


def test_a_measured_default_and_one_left_out_share_the_line(tmp_path):
    (a,) = load([_left_out_by_the_budget(tmp_path / "r.json", _group_key, measured=("joblib",))])
    (ans,) = recommend.recommend(a)
    assert libraries.defaults_line(ans.group, ans.choice, ans.left_out) == (
        "joblib with its defaults: 0.60x the serial loop; the pick: 2.00x; "
        "mpire: not measured here, this run's budget left no room for them (a longer --budget measures them)")
