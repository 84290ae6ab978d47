"""The workers charts: what they are drawn from (the leading lines, each machine's pick's
line and plateau), on files whose answers are planted; a chart file is written for each."""
import json

import pytest

import crafted_machines as cm
from crafted import bench_for, case, results_file, sweep
from bench.analysis import compare, recommend
from bench.analysis.load import load
from bench.cli import main as cli
from bench.output import charts as plots
from bench.output.charts import machines, workers


def one_group(path):
    benches = [bench_for(case("serial"), 1000)]
    benches += sweep("threads", {1: 900, 2: 1200, 4: 1100})
    benches += sweep("processes", {1: 850, 2: 1500, 4: 1600})
    benches += sweep("processes-chunked", {1: 950, 2: 1920, 4: 2000}, chunked=True)
    benches += sweep("processes-map", {1: 900, 2: 1700, 4: 1750}, chunked=True)
    benches += sweep("processes-shm", {1: 900, 2: 1100, 4: 1150}, chunked=True)
    return results_file(path, benches)


def test_a_groups_chart_curves_are_the_pick_and_the_three_next_fastest(tmp_path):
    (a,) = load([one_group(tmp_path / "r.json")])
    (ans,) = recommend.recommend(a)
    drawn = workers.curves(ans)
    assert [(c.label, c.pick) for c in drawn] == [
        ("processes-chunked fork", True), ("processes-map fork", False), ("processes fork", False),
        ("threads", False)]                              # processes-shm (1,150 at best) left out
    pick = drawn[0]
    assert pick.workers == [1, 2, 4]
    assert pick.img_per_s == pytest.approx([950, 1920, 2000])
    assert pick.speedup == pytest.approx([0.95, 1.92, 2.0])          # over the serial 1,000 img/s
    assert (ans.plateau.best_workers, ans.plateau.plateau_workers) == (4, 2)


@pytest.mark.e2e        # draws every chart of the file, in forked processes
def test_a_groups_chart_is_drawn_with_its_pick_and_plateau(tmp_path):
    (a,) = load([one_group(tmp_path / "r.json")])
    (ans,) = recommend.recommend(a)
    charts = plots.draw(a, str(tmp_path / "p"), answers=[ans])
    png, svg = charts.files["workers:imwrite/64x64x3-smooth-n100/jpg-q95"]
    assert png.endswith("r-workers-imwrite-64x64x3-smooth-n100-jpg-q95.png")
    text = open(svg).read()
    assert "plateau 2" in text and "processes-chunked fork (pick)" in text
    assert "processes-shm" not in text


@pytest.mark.e2e        # draws the file's other charts, in forked processes
def test_a_file_with_only_the_serial_loop_has_no_workers_chart_and_says_why(tmp_path):
    (a,) = load([results_file(tmp_path / "r.json", [bench_for(case("serial"), 1000)])])
    charts = plots.draw(a, str(tmp_path / "p"))
    assert not any(k.startswith("workers") for k in charts.files)
    assert charts.skipped["workers"] == "no parallel configuration measured"


def two_machines(tmp_path):
    """A 16-CPU and a 64-CPU race of the same workload: plateaus at 16 and 64 workers."""
    small = {("processes-chunked", w): sp for w, sp in
             {2: 1.9, 4: 3.7, 8: 6.8, 16: 9.0, 24: 9.3, 32: 8.0}.items()}     # 9.0 >= 95% of 9.3
    small.update({("processes", w): sp for w, sp in {2: 1.8, 4: 3.2, 8: 5.0, 16: 6.0}.items()})
    big = {("processes-chunked", w): sp for w, sp in
           {8: 7.0, 16: 12.0, 32: 19.0, 64: 24.0, 96: 25.0, 128: 23.5}.items()}  # 24 >= 95% of 25
    big.update({("processes", w): sp for w, sp in {8: 6.0, 32: 14.0, 64: 15.0}.items()})
    a = cm.raced(tmp_path / "sixteen.json", small, serial_rate=1000, cpus=16, capacity=15.2,
                 host="sixteen")
    b = cm.raced(tmp_path / "sixtyfour.json", big, serial_rate=800, cpus=64, capacity=60.5,
                 host="sixtyfour")
    return a, b


def test_two_machines_curves_and_plateaus_on_one_chart(tmp_path):
    a, b = two_machines(tmp_path)
    c = compare.compare(load([a, b]))
    (line,) = c.lines
    drawn = machines.machine_curves(c, line)
    assert [m.label for m in drawn] == [
        "A: sixteen, 16 CPUs, capacity 15.20, 2026-11-22 10:00 UTC",
        "B: sixtyfour, 64 CPUs, capacity 60.50, 2026-11-22 10:00 UTC"]
    assert [(m.plateau.best_workers, m.plateau.plateau_workers) for m in drawn] == [(24, 16), (96, 64)]
    assert [m.plateau.plateau for m in drawn] == [pytest.approx(9.0), pytest.approx(24.0)]
    assert [m.curve.label for m in drawn] == ["processes-chunked fork"] * 2
    assert drawn[0].curve.workers == [2, 4, 8, 16, 24, 32]
    assert drawn[1].curve.speedup == pytest.approx([7.0, 12.0, 19.0, 24.0, 25.0, 23.5])
    charts = plots.draw_compare(c, str(tmp_path / "p"))
    png, svg = charts["imwrite"]
    text = open(svg).read()
    for label in ("A: plateau 16", "B: plateau 64", "A: sixteen, 16 CPUs", "B: sixtyfour, 64 CPUs",
                  "speedup (x the serial loop)", "images per second"):
        assert label in text, label


@pytest.mark.e2e        # draws every chart (matplotlib): seconds, not a unit
def test_report_and_compare_of_two_machines_write_the_chart(tmp_path, capsys):
    a, b = two_machines(tmp_path)
    assert cli.main(["compare", a, b, "--plots-dir", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert "compare-sixteen-vs-sixtyfour-imwrite.png" in out
    assert "16 (best 24)" in out and "64 (best 96)" in out          # the answer table's plateau
    assert cli.main(["compare", a, b, "--json", "--no-chart"]) == 0
    picks = json.loads(capsys.readouterr().out)["answers"][0]["picks"]
    assert [(p["plateau"]["best_workers"], p["plateau"]["plateau_workers"]) for p in picks] == \
        [(24, 16), (96, 64)]
    assert (tmp_path / "c" / "compare-sixteen-vs-sixtyfour-imwrite.svg").stat().st_size > 10_000
    assert cli.main(["report", a, b, "--plots-dir", str(tmp_path / "r")]) == 0
    html = (tmp_path / "r" / "report-sixteen-vs-sixtyfour.html").read_text()
    assert "imwrite on every machine" in html
    assert "Workers: best 24 (9.30x), plateau from 16 (9.00x, within 5%)" in html
    assert "Workers: best 96 (25.00x), plateau from 64 (24.00x, within 5%)" in html
