"""recommend / plot / report from the command line: defaults and bad input."""
import json
import os

import pytest

import crafted
from bench.cli import main as cli


def test_recommend_defaults_to_the_newest_results_file(tmp_path, capsys, monkeypatch):
    res = tmp_path / "results"
    res.mkdir()
    old = crafted.results_file(res / "old.json", [crafted.bench_for(crafted.case("serial"), 10)])
    crafted.known_best(res / "new.json")
    os.utime(old, (1_000_000, 1_000_000))
    monkeypatch.chdir(tmp_path)
    assert cli.main(["recommend"]) == 0
    out = capsys.readouterr().out
    assert "from results/new.json" in out and "Use processes-chunked w=4" in out


def test_recommend_json_for_scripts(tmp_path, capsys):
    path = crafted.known_best(tmp_path / "r.json")
    assert cli.main(["recommend", "--json", path]) == 0
    data = json.loads(capsys.readouterr().out)
    (rec,) = data["recommendations"]
    assert rec["groups"][0]["recommended"]["strategy"] == "processes-chunked"


def truncated(tmp_path):
    text = open(crafted.known_best(tmp_path / "full.json")).read()
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2])
    return str(path)


@pytest.mark.parametrize("make, message", [
    (lambda t: str(t / "missing.json"), "no such results file"),
    (lambda t: (t / "x.json").write_text("hello") and str(t / "x.json"), "not valid JSON"),
    (truncated, "not valid JSON"),
    (lambda t: (t / "p.json").write_text('{"version": "1.0", "benchmarks": []}') and str(t / "p.json"),
     "not a bench results file"),
    (lambda t: str(t), "is a folder"),
])
@pytest.mark.parametrize("command", ["recommend", "plot", "report"])
def test_bad_results_files_are_one_line_and_exit_2(tmp_path, capsys, command, make, message):
    path = make(tmp_path)
    assert cli.main([command, path, *([] if command == "recommend" else ["--plots-dir", str(tmp_path / "p")])]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_no_results_yet(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["recommend"]) == 2
    assert "no results file in results/" in capsys.readouterr().err


def test_a_file_with_only_failures(tmp_path, capsys):
    from bench.results import ResultsFile

    rf = ResultsFile(str(tmp_path / "f.json"))
    rf.add_failure("a", {}, "boom", "d")
    rf.save()
    assert cli.main(["recommend", rf.path]) == 2
    assert "no measured cases" in capsys.readouterr().err


def test_unwritable_plots_dir(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    path = crafted.known_best(tmp_path / "r.json")
    assert cli.main(["plot", path, "--plots-dir", str(blocker)]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_no_prefix_matching_of_options(tmp_path, capsys):
    assert cli.main(["recommend", "--js"]) == 2
    assert "unrecognized arguments: --js" in capsys.readouterr().err


def test_real_process_exit_code_and_no_traceback(run_cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    proc = run_cli("report", str(bad))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and "not a bench results file" in proc.stderr


def test_csv_never_overwrites_a_results_file(tmp_path, capsys, monkeypatch):
    from bench.cli import answers
    from bench.output import charts as plots

    monkeypatch.setattr(answers, "draw_file", lambda *a, **k: plots.Charts())   # charts: not the point
    path = crafted.known_best(tmp_path / "r.json")
    before = open(path).read()
    assert cli.main(["report", "--csv", path, "--plots-dir", str(tmp_path / "p")]) == 2
    assert "must end in .csv" in capsys.readouterr().err
    assert open(path).read() == before
    assert cli.main(["report", path, "--csv", str(tmp_path / "t.csv"), "--plots-dir", str(tmp_path / "p")]) == 0
    assert (tmp_path / "t.csv").read_text().startswith("name,workload,")


@pytest.mark.parametrize("value, message", [("0", "--cpus must be at least 1"),
                                            ("many", "--cpus must be a whole number")])
def test_bad_cpus_is_one_line(tmp_path, capsys, value, message):
    path = crafted.known_best(tmp_path / "r.json")
    assert cli.main(["recommend", path, "--cpus", value]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


@pytest.mark.e2e        # draws every chart (matplotlib): seconds, not a unit
def test_plot_of_several_files_draws_a_comparison_per_workload(tmp_path, capsys):
    a = crafted.known_best(tmp_path / "a.json")
    b = crafted.known_best(tmp_path / "b.json")
    assert cli.main(["plot", a, b, "--plots-dir", str(tmp_path / "p")]) == 0
    out = capsys.readouterr().out
    assert "compare-a-vs-b-imwrite.png" in out
    assert (tmp_path / "p" / "compare-a-vs-b-imwrite.svg").stat().st_size > 10_000


@pytest.mark.e2e        # the run's answers draw every chart of the file, in forked processes
def test_bench_all_and_run_hand_the_run_their_answers_and_the_one_workload_commands_do_not(tmp_path):
    # the run calls the CLI's answers back after its summary instead of importing the CLI
    from argparse import Namespace

    from bench.cli.run_commands import _answers_after
    from bench.results import ResultsFile

    for command in ("imwrite", "pose", "overhead"):
        assert _answers_after(Namespace(command=command)) is None
    rf = ResultsFile.load(crafted.known_best(tmp_path / "r.json"))
    lines = []
    _answers_after(Namespace(command="run", plots_dir=str(tmp_path / "plots")))(
        rf, lambda text="": lines.append(text))
    assert "Recommendation for testbox" in "\n".join(lines)
    assert (tmp_path / "plots" / "r-throughput.png").exists()
