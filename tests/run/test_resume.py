"""``--resume``: finishes a run into its own file, refuses what it must, one line each.

The refusals run in-process (no case is started before a refusal); the full
kill -9 -> resume cycle runs as a user would in tests/test_faults.py.
"""
import json
import os
from dataclasses import asdict

import pytest

from bench.cli.main import main
from bench.cli.request import parse_request
from bench.plan.commands import plan_options
from bench.measure.machine import collect
from bench.plan.configurations import Case
from bench.results import ResultsFile, case_benchmark
from bench.run.resume import plan_dict
from bench.strategies import default_start_method

RESULT = {"values_s": [0.01], "warmups_s": [], "date": "2026-11-22T00:00:00+00:00",
          "duration_s": 1.0, "metadata": {"verified": "yes"}}


def tiny_argv(tmp_path, *extra):
    return ["imwrite", "--exhaustive", "--sizes", "8x8x1", "--n-images", "4", "--workers", "2", "--values", "1",
            "--strategies", "serial,threads,processes", "--start-method", "fork",
            "--results-dir", str(tmp_path / "res"), *extra]


def planned_cases(request):
    """What the command plans (its race plan's cases, measured each in full here)."""
    from bench.cli.run_commands import plan_for

    return plan_for(request, request.command)[0].cases()


def make_file(tmp_path, argv, done: int, machine=None) -> str:
    """A results file as `python -m bench` would have left it after ``done`` cases."""
    request = parse_request(argv)
    cases = planned_cases(request)
    os.makedirs(tmp_path / "res", exist_ok=True)
    path = str(tmp_path / "res" / "box-20261122-000000.json")
    machine = machine or collect(default_start_method())
    rf = ResultsFile(path, run={"argv": argv, "plan": plan_dict(plan_options(request)),
                                "settings": asdict(request.settings()), "machine": machine,
                                "capacity": {"capacity": 2.0, "processes": 2}})
    for case in cases[:done]:
        rf.add(case_benchmark(case, RESULT, machine))
    rf.save()
    return path


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


@pytest.fixture
def done_one(tmp_path):
    argv = tiny_argv(tmp_path)
    path = make_file(tmp_path, argv, done=1)
    with open(path, "rb") as fh:
        before = fh.read()
    yield argv, path
    with open(path, "rb") as fh:
        assert fh.read() == before, "a refused --resume must not touch the file"


def test_list_with_resume_shows_what_is_left(tmp_path, done_one, capsys):
    argv, path = done_one
    assert main(["list", "--resume", path]) == 0
    out = capsys.readouterr().out.split()
    all_cases = [c.name for c in planned_cases(parse_request(argv))]
    assert out == all_cases[1:]


@pytest.mark.parametrize("extra, message", [
    (["--seed", "1"], "other generator settings (seed: 0 there, 1 here)"),
    (["--n-images", "5"], "other generator settings (n_images: 4 there, 5 here)"),
    (["--values", "2"], "other run settings (values: 1 there, 2 here)"),
])
def test_other_settings_are_refused(tmp_path, done_one, capsys, extra, message):
    argv, path = done_one
    assert main([*argv, *extra, "--resume", path]) == 2
    err = one_line_error(capsys)
    assert f"cannot resume {path}: it was made with {message}" in err
    assert f"resume with python -m bench imwrite --resume {path} to continue it as planned" in err


def test_the_same_options_again_are_accepted(tmp_path, done_one, capsys):
    argv, path = done_one
    assert main(["list", *argv[1:], "--resume", path]) == 0


def test_another_command_is_refused(tmp_path, done_one, capsys):
    argv, path = done_one
    assert main(["all", "--resume", path]) == 2
    assert one_line_error(capsys) == (f"bench: error: cannot resume {path}: it was made by "
                                      "`bench imwrite`, not `bench all`")


def test_another_machine_is_refused(tmp_path, capsys):
    machine = dict(collect(default_start_method()), hostname="elsewhere")
    path = make_file(tmp_path, tiny_argv(tmp_path), done=1, machine=machine)
    assert main(["imwrite", "--resume", path]) == 2
    here = machine_here = collect(default_start_method())["hostname"]
    assert one_line_error(capsys) == (
        f"bench: error: cannot resume {path}: it was made on another machine or software "
        f"(hostname: 'elsewhere' there, {here!r} here); start a new run")
    assert machine_here


def test_a_file_without_recorded_options_is_refused(tmp_path, capsys):
    path = str(tmp_path / "old.json")
    ResultsFile(path, run={"machine": {}}).save()
    assert main(["imwrite", "--resume", path]) == 2
    assert "does not record the options it was made with" in one_line_error(capsys)


def _truncated(tmp_path):
    path = make_file(tmp_path, tiny_argv(tmp_path), done=2)
    with open(path) as fh:
        text = fh.read()
    return text[: len(text) // 2]


BAD_FILES = [
    ("empty", lambda tmp: "", "not valid JSON: Expecting value at line 1"),
    ("corrupt", lambda tmp: "{not json", "not valid JSON"),
    ("truncated", _truncated, "not valid JSON"),
    ("binary", lambda tmp: b"\x89PNG\r\n\x1a\n\xff\xfe", "not a bench results file (not UTF-8 text)"),
    ("plain pyperf suite", lambda tmp: '{"version": "1.0", "benchmarks": []}',
     "not a bench results file (no 'bench' section"),
    ("future version", lambda tmp: '{"bench": {"format_version": 99}}',
     "results format version 99 is not supported"),
    ("damaged pyperf part", lambda tmp: '{"bench": {"format_version": 1}, "version": "1.0", '
                                        '"benchmarks": [{"runs": "x"}]}', "not a valid pyperf suite"),
    ("damaged bench part", lambda tmp: '{"bench": {"format_version": 1, "failed": 5}}',
     "its 'bench' section is damaged"),
]


@pytest.mark.parametrize("kind, content, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_results_files_are_refused_in_one_line(tmp_path, capsys, kind, content, message):
    data = content(tmp_path)
    path = tmp_path / "bad.json"
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    assert main(["imwrite", "--resume", str(path)]) == 2
    err = one_line_error(capsys)
    assert err.startswith(f"bench: error: cannot resume: {path}: ") and message in err, err


@pytest.mark.parametrize("target, message", [
    ("missing.json", "no such results file"),
    (".", "is a folder, not a results file"),
])
def test_resume_of_a_missing_file_or_a_folder(tmp_path, capsys, target, message):
    assert main(["imwrite", "--resume", str(tmp_path / target)]) == 2
    assert message in one_line_error(capsys)


def test_resume_exit_code_from_the_command_line(tmp_path, run_cli):
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    proc = run_cli("imwrite", "--resume", str(bad))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "not valid JSON" in proc.stderr and "Traceback" not in proc.stderr


def test_a_finished_file_has_nothing_left_and_stale_temps_are_removed(tmp_path, capsys):
    argv = tiny_argv(tmp_path)
    assert main(argv) == 0                               # a real (tiny) run, to its end
    (path,) = [str(p) for p in (tmp_path / "res").iterdir() if p.suffix == ".json"]
    capsys.readouterr()
    stale = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".x1y2.tmp")
    with open(stale, "w") as fh:
        fh.write('{"half": ')          # what a kill -9 mid-save leaves
    assert main(["imwrite", "--resume", path]) == 0
    out = capsys.readouterr().out
    assert "3 of 3 cases already there, 0 to run" in out
    assert not os.path.exists(stale)
    rf = ResultsFile.load(path)
    assert len(rf.benchmarks) == 3 and len(rf.run["resumed"]) == 1 and rf.run["finished"]


def test_a_file_in_a_read_only_folder_is_refused(tmp_path, capsys, monkeypatch):
    path = make_file(tmp_path, tiny_argv(tmp_path), done=1)
    folder = os.path.dirname(path)
    # a read-only folder, simulated: a read-only mount needs root, and chmod does not stop root
    real = os.access
    monkeypatch.setattr("bench.run.resume.os.access",
                        lambda p, mode: False if os.path.abspath(p) in (folder, path) and mode == os.W_OK
                        else real(p, mode))
    assert main(["imwrite", "--resume", path]) == 2
    assert one_line_error(capsys) == (f"bench: error: cannot resume {path}: "
                                      "its folder or the file is not writable")


def test_case_names_round_trip_through_the_file(tmp_path):
    """Resume matches cases by name: a stored case description rebuilds the same name."""
    for case in planned_cases(parse_request(tiny_argv(tmp_path))):
        assert Case.from_dict(json.loads(json.dumps(case.as_dict()))).name == case.name


# The answer commands refuse every bad file above the same way --resume does.
ANSWERS = {"compare": 2, "recommend": 1, "plot": 1, "report": 1}   # command -> files it takes


@pytest.mark.parametrize("command", list(ANSWERS))
@pytest.mark.parametrize("kind, content, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_answer_commands_refuse_bad_results_files(tmp_path, capsys, command, kind, content, message):
    data = content(tmp_path)
    path = tmp_path / "bad.json"
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    assert main([command, *[str(path)] * ANSWERS[command]]) == 2
    err = one_line_error(capsys)
    assert str(path) in err and message in err, err
