"""Charts and the report, drawn once from crafted files (a few seconds in all)."""
import csv
import re

import pytest

import crafted
import crafted_machines as cm
from crafted import GiB, bench_for, case, results_file, sweep
from bench.analysis import flat
from bench.analysis.load import load
from bench.cli import answers
from bench.cli import main as cli
from bench.output import charts as plots
from bench.analysis import recommend
from bench.output.charts import decomposition, driver, layout, memory, speedup, style, throughput, workers


def rich_file(path):
    """Memory and the time decomposition measured, as the other parts will write them."""
    mem = {"mem_worker_uss_peak": 200 * 2**20, "mem_worker_pss_peak": 230 * 2**20,
           "mem_worker_rss_peak": 300 * 2**20, "decomp_startup_s": 0.02,
           "decomp_transfer_s": 0.01, "decomp_work_s": 0.05, "decomp_rounds": 3}
    benches = [bench_for(case("serial"), 1000, decomp_work_s=0.1)]
    benches += sweep("threads", {1: 900, 2: 1500, 4: 1400}, all={"mem_parent_growth": 40 * 2**20})
    benches += sweep("processes-chunked", {1: 900, 2: 1800, 4: 2000}, chunked=True, all=mem)
    benches += [bench_for(case("serial", size=(50, 50, 1), count=200, content="noise"), 5000)]
    benches += [bench_for(case("processes", w, size=(50, 50, 1), count=200, content="noise"), r)
                for w, r in ((1, 1000), (2, 1800), (4, 1700))]
    return results_file(path, benches, mem_available=4 * GiB)


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plots")
    rich = rich_file(tmp / "rich.json")
    plain = crafted.known_best(tmp / "plain.json")          # no memory, no decomposition
    out = tmp / "plots"
    assert cli.main(["report", rich, "--plots-dir", str(out), "--csv"]) == 0
    (a,) = load([plain])
    plain_charts = plots.draw(a, str(out))
    return tmp, out, plain_charts


WORKERS_64 = "workers-imwrite-64x64x3-smooth-n100-jpg-q95"     # rich.json's groups' workers charts
WORKERS_50 = "workers-imwrite-50x50x1-noise-n200-jpg-q95"


@pytest.mark.e2e        # draws every chart (matplotlib): seconds, not a unit
def test_plot_writes_non_empty_png_and_svg_for_every_chart(drawn):
    _, out, _ = drawn
    for chart in ("throughput", "speedup", "decomposition", "memory", WORKERS_64, WORKERS_50):
        png, svg = out / f"rich-{chart}.png", out / f"rich-{chart}.svg"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
        assert svg.read_text().lstrip().startswith("<?xml") and svg.stat().st_size > 20_000


@pytest.mark.e2e        # the drawn fixture: a report and every chart of two files, in forked processes
def test_charts_without_data_are_skipped_with_the_reason(drawn):
    _, _, charts = drawn
    assert set(charts.files) == {"throughput", "speedup", "decomposition",
                                 "workers:imwrite/64x64x3-smooth-n100/jpg-q95"}
    assert "no per-worker memory" in charts.skipped["memory"]


@pytest.mark.e2e        # the drawn fixture: a report and every chart of two files, in forked processes
@pytest.mark.parametrize("chart, units", [
    ("throughput", ["images per second", "workers"]),
    ("speedup", ["speedup (x the serial loop)", "efficiency (% of measured capacity)"]),
    ("decomposition", ["ms for 100 images", "pool start-up", "transfer", "work",
                       "fresh pool after each cold pass"]),
    ("memory", ["MiB per worker", "USS", "PSS", "RSS", "workers fit in"]),
    (WORKERS_64, ["images per second", "speedup (x the serial loop)", "workers", "plateau 4",
                  "the fewest workers within 5% of the best"]),
])
def test_every_chart_has_title_units_machine_and_date(drawn, chart, units):
    _, out, _ = drawn
    svg = (out / f"rich-{chart}.svg").read_text()
    assert "testbox - Test CPU 9000 - 4 CPUs - parallel capacity 3.80 - 2026-11-22 10:00 UTC" in svg
    for text in units:
        assert text in svg, text
    assert "imwrite 64x64x3 smooth, 100 images, jpg-q95" in svg        # panel title


@pytest.mark.e2e        # the drawn fixture: a report and every chart of two files, in forked processes
def test_charts_use_the_agg_backend_and_a_colour_blind_safe_palette(drawn):
    import matplotlib

    assert matplotlib.get_backend().lower() == "agg"
    _, out, _ = drawn
    svg = (out / "rich-throughput.svg").read_text().lower()
    for colour in ("#e69f00", "#0072b2"):          # Okabe-Ito: threads, processes-chunked
        assert colour in svg


@pytest.mark.e2e        # the drawn fixture: a report and every chart of two files, in forked processes
def test_html_report_is_self_contained_with_every_chart_and_the_recommendation(drawn):
    _, out, _ = drawn
    html = (out / "rich-report.html").read_text()
    images = re.findall(r'<img src="data:image/png;base64,', html)
    assert len(images) == 6                     # every chart (a workers chart per group), embedded
    assert not re.search(r'(src|href)="(https?:|//|/)', html)   # nothing fetched from outside
    assert "<script" not in html and "<link" not in html
    assert "Use processes-chunked w=4 chunk=25 fork" in html    # the recommendation
    assert "imwrite 50x50x1 noise, 200 images" in html
    assert "Test CPU 9000" in html and "parallel capacity" in html
    assert "imwrite/64x64x3-smooth-n100/jpg-q95/threads/w2" in html   # the full table
    assert "USS/worker" in html and "200.0 MiB" in html


@pytest.mark.e2e        # the drawn fixture: a report and every chart of two files, in forked processes
def test_markdown_report_links_every_chart(drawn):
    _, out, _ = drawn
    md = (out / "rich-report.md").read_text()
    for chart in ("throughput", "speedup", "decomposition", "memory", WORKERS_64, WORKERS_50):
        assert f"](rich-{chart}.png)" in md
    assert "## Recommendation" in md and "| case |" in md


@pytest.mark.e2e        # the drawn fixture: a report and every chart of two files, in forked processes
def test_csv_is_the_flat_table(drawn):
    _, out, _ = drawn
    with open(out / "rich.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 11
    assert set(flat.TABLE_COLUMNS) == set(rows[0])
    proc = next(r for r in rows if r["name"].endswith("processes-chunked/w2/c50/fork"))
    assert float(proc["img_per_s"]) == pytest.approx(1800)
    assert int(proc["mem_worker_uss_peak"]) == 200 * 2**20
    assert rows[0]["mem_worker_uss_peak"] == ""                  # serial: not measured


def two_machines(tmp_path):
    """A 2-CPU run per case and an 8-CPU race: image and worker counts all differ."""
    small = cm.exhaustive(tmp_path / "small.json", {"serial": {1: 1000}, "threads": {2: 1500},
                                                    "processes-chunked": {1: 950, 2: 1900, 4: 1950}},
                          cpus=2, capacity=1.9, count=100)
    big = cm.raced(tmp_path / "big.json", {("threads", 8): 1.3, ("processes-chunked", 4): 3.7,
                                           ("processes-chunked", 8): 7.1}, serial_rate=1000)
    return small, big


@pytest.mark.e2e        # draws every chart (matplotlib): seconds, not a unit
def test_report_of_two_files_puts_the_answers_side_by_side_first(drawn, tmp_path):
    small, big = two_machines(tmp_path)
    assert cli.main(["report", small, big, "--plots-dir", str(tmp_path / "p")]) == 0
    html = (tmp_path / "p" / "report-small-vs-big.html").read_text()
    # the comparison first, each run folded under it
    assert html.index("Answers of 2 runs side by side") < html.index("Each run on its own")
    assert html.count('<details class="run">') == 2
    assert "imwrite on every machine" in html and "processes-chunked w=8 chunk=auto (50) fork" in html
    assert "4 (CPU 4, RAM not measured)" in html and "3.64x faster" in html
    md = (tmp_path / "p" / "report-small-vs-big.md").read_text()
    assert "](compare-small-vs-big-imwrite.png)" in md and "#### Machine" in md


def test_the_comparison_chart_is_one_slide_per_workload(tmp_path):
    import struct

    from bench.analysis import compare

    small, big = two_machines(tmp_path)
    c = compare.compare(load([small, big]))
    charts = plots.draw_compare(c, str(tmp_path / "p"))
    assert list(charts) == ["imwrite"]
    png, svg = charts["imwrite"]
    width, height = struct.unpack(">II", open(png, "rb").read()[16:24])
    assert 1200 <= width <= 2400 and 800 <= height <= 2000, (width, height)   # not 13,000 px tall
    text = open(svg).read()
    for label in ("Machines compared: imwrite, throughput and speedup against workers",
                  "images per second", "speedup (x the serial loop)",
                  "workers", "A: small, 2 CPUs, capacity 1.90, 2026-11-22 10:00 UTC",
                  "B: big, 8 CPUs, capacity 7.50", "A: processes-chunked w=4 fork",
                  "B: processes-chunked w=8 fork", "each machine's pick",
                  "scaling model of the pick's configuration"):
        assert label in text, label


@pytest.mark.e2e        # draws every chart of a file, in forked processes
def test_end_of_all_prints_the_recommendation_and_draws(tmp_path):
    from bench.results import ResultsFile

    rf = ResultsFile.load(crafted.known_best(tmp_path / "r.json"))
    lines = []
    answers.end_of_run(rf, lambda text="": lines.append(text), plots_dir=str(tmp_path / "plots"))
    text = "\n".join(lines)
    assert "Recommendation for testbox" in text and "chart: " in text
    assert (tmp_path / "plots" / "r-throughput.png").exists()


def test_end_of_all_never_fails_the_run(tmp_path):
    from bench.results import ResultsFile

    rf = ResultsFile.load(crafted.known_best(tmp_path / "r.json"))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    lines = []
    answers.end_of_run(rf, lambda text="": lines.append(text), plots_dir=str(blocker))
    assert "not produced" in lines[-1]


def test_every_strategy_has_its_own_look_and_variants_are_hollow():
    from bench.strategies import STRATEGIES

    looks = {}
    for name in STRATEGIES:
        look = style.line_style((name, "auto", "fork" if name.startswith("processes") else "none"))
        looks[name] = (look["color"], look["marker"], str(look["linestyle"]))
    assert len(set(looks.values())) == len(looks)       # no two strategies drawn alike
    plain = style.line_style(("processes-shm", "auto", "fork"))
    cv1 = style.line_style(("processes-shm", "auto", "fork cv=1"))
    assert cv1["markerfacecolor"] == "white" and "markerfacecolor" not in plain
    own_folders = style.line_style(("processes-shm", "auto", "fork folder per task"))
    assert own_folders["markerfacecolor"] == "white" and own_folders["linestyle"] != plain["linestyle"]
    assert (own_folders["color"], own_folders["marker"]) == (plain["color"], plain["marker"])


@pytest.mark.e2e
def test_charts_drawn_in_parallel_are_the_charts_drawn_one_by_one(drawn, tmp_path, monkeypatch):
    tmp, _, _ = drawn
    (a,) = load([str(tmp / "rich.json")])
    parallel = plots.draw(a, str(tmp_path / "parallel"))
    # one usable CPU (a container's quota counts, as for the runs): no pool at all
    import concurrent.futures

    def no_pool(*args, **kwargs):
        raise AssertionError("a pool of chart processes on one usable CPU")

    monkeypatch.setattr(driver, "available_cpus", lambda: 1)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    serial = plots.draw(a, str(tmp_path / "serial"))
    assert list(parallel.files) == list(serial.files) == [
        "throughput", "speedup", "workers:imwrite/64x64x3-smooth-n100/jpg-q95",
        "workers:imwrite/50x50x1-noise-n200/jpg-q95", "decomposition", "memory"]
    for key in serial.files:
        svg_parallel, svg_serial = parallel.files[key][1], serial.files[key][1]
        with open(svg_parallel) as p, open(svg_serial) as s:
            assert p.read() == s.read()      # same figure, byte for byte


@pytest.mark.e2e        # draws every chart (matplotlib): seconds, not a unit
def test_every_legend_has_the_room_its_figure_reserved(drawn, tmp_path, monkeypatch):
    """The figure's foot is sized for the legend it is told about; an entry drawn but
    not announced overlaps the last row of panels."""
    tmp, _, _ = drawn
    (a,) = load([str(tmp / "rich.json")])
    reserved, drawn_entries = [], []
    figure, save = layout.new_figure, layout.Figure.save

    def spy_figure(*args, legend=(), **kw):
        reserved.append(set(legend))
        return figure(*args, legend=legend, **kw)

    def spy_save(f, *args):
        drawn_entries.append(set(f.handles))
        return save(f, *args)

    monkeypatch.setattr(layout, "new_figure", spy_figure)
    monkeypatch.setattr(layout.Figure, "save", spy_save)
    groups = a.groups()
    with layout.plt.rc_context(style.RC):
        throughput.throughput_chart(a, groups, str(tmp_path), "t")
        speedup.speedup_chart(a, groups, str(tmp_path), "s")
        decomposition.decomposition_chart(a, groups, str(tmp_path), "d")
        memory.memory_chart(a, groups, str(tmp_path), "m")
        for i, ans in enumerate(recommend.recommend(a)):
            workers.workers_chart(a, ans, str(tmp_path), f"w{i}")
    assert len(reserved) == len(drawn_entries) == 6
    for announced, entries in zip(reserved, drawn_entries):
        assert entries <= announced, entries - announced
