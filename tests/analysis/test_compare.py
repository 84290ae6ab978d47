"""compare: like with like, ratios, pyperf significance, refusal of foreign files."""
import json

import pytest

import crafted
from crafted import bench_for, case, results_file, sweep
from bench.analysis.load import load
from bench.cli import main as cli
from bench.analysis import compare
from bench.output import comparison


def two_runs(tmp_path):
    a = results_file(tmp_path / "a.json", [bench_for(case("serial"), 1000)]
                     + sweep("threads", {2: 1500}) + sweep("processes", {2: 1200}, spread=0.2))
    b = results_file(tmp_path / "b.json", [bench_for(case("serial"), 2000)]
                     + sweep("threads", {2: 1500}) + sweep("processes", {2: 1260}, spread=0.2)
                     + sweep("processes", {4: 2000}))
    return a, b


def test_ratios_and_significance_per_case(tmp_path):
    a, b = two_runs(tmp_path)
    c = compare.compare(load([a, b]))
    by = {ln.config: ln.cells[1] for ln in c.lines}
    assert by["serial"].ratio == pytest.approx(2.0)
    assert by["serial"].verdict.significant is True
    assert comparison.ratio_text(by["serial"]) == "2.00x faster"
    assert by["threads w=2"].ratio == pytest.approx(1.0)
    assert by["processes w=2 fork"].verdict.significant is False      # +-20% noise
    assert c.only == {"B": ["imwrite/64x64x3-smooth-n100/jpg-q95/processes/w4/fork"]}
    text = comparison.render_text(c)
    assert "Only in B" in text and "not significant" in text
    assert "B vs A:" in text                     # geometric mean, as pyperf prints it


def test_slower_is_worded_as_pyperf_does(tmp_path):
    a, b = two_runs(tmp_path)
    c = compare.compare(load([b, a]))
    serial = next(ln for ln in c.lines if ln.config == "serial")
    assert comparison.ratio_text(serial.cells[1]) == "2.00x slower"


def test_markdown_is_a_table_for_a_review(tmp_path):
    a, b = two_runs(tmp_path)
    md = comparison.render_markdown(compare.compare(load([a, b])), "plots/c.png")
    assert "| case | A img/s | B img/s | B vs A | significance |" in md
    assert "![machine comparison](plots/c.png)" in md


def test_cli_compare_md_json_and_chart(tmp_path, capsys):
    a, b = two_runs(tmp_path)
    plots = tmp_path / "plots"
    assert cli.main(["compare", a, b, "--format", "md", "--plots-dir", str(plots)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## Comparison of 2 runs")
    pngs = list(plots.glob("compare-a-vs-b.png"))
    assert pngs and pngs[0].stat().st_size > 10_000
    assert (plots / "compare-a-vs-b.svg").stat().st_size > 10_000
    assert cli.main(["compare", a, b, "--json", "--no-chart", "--plots-dir", str(plots)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["only_in"]["B"] and data["cases"][0]["ratio_to_first"][0] == 1.0


@pytest.mark.parametrize("content, message", [
    ('{"benchmarks": [], "version": "1.0"}', "not a bench results file"),   # a plain pyperf file
    ("{truncated", "not valid JSON"),
    ("", "not valid JSON"),
])
def test_compare_refuses_files_that_are_not_bench_results(tmp_path, capsys, content, message):
    a, _ = two_runs(tmp_path)
    bad = tmp_path / "other.json"
    bad.write_text(content)
    assert cli.main(["compare", a, str(bad), "--no-chart"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_compare_needs_two_files(tmp_path, capsys):
    a, _ = two_runs(tmp_path)
    assert cli.main(["compare", a]) == 2
    assert "at least two" in capsys.readouterr().err


def test_runs_with_nothing_in_common_say_why(tmp_path):
    a = crafted.known_best(tmp_path / "a.json")
    b = results_file(tmp_path / "b.json", [bench_for(case("serial", count=50), 1000)])
    text = comparison.render_text(compare.compare(load([a, b])))
    assert "No case in common" in text
