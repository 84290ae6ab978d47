"""Every option is validated: bad input is one line on stderr, exit code 2, nothing run.

(tests/test_cli.py runs a few of these through a real subprocess; these run
``bench.cli.main.main`` in-process to cover every option quickly.)
"""
import pytest

from bench.cli import options
from bench.cli.main import main
from workloads.registry import FAULTS

BAD = [
    (["--seed", "-1"], "--seed must be between 0 and"),
    (["--seed", "x"], "--seed must be a whole number, got 'x'"),
    (["--warmups", "-1"], "--warmups must be between 0 and 100, got -1"),
    (["--warmups", "1000"], "--warmups must be between 0 and 100, got 1000"),
    (["--values", "0"], "--values must be at least 1, got 0"),
    (["--values", "1000"], "--values must be at most 100"),
    (["--n-images", "0"], "--n-images must be at least 1"),
    (["--chunk-sizes", "0"], "--chunk-sizes must be at least 1"),
    (["--chunk-sizes", ""], "empty list"),
    (["--layouts", "nested"], "unknown output layout 'nested'; choose from flat, per-task"),
    (["--cv-threads", "0"], "--cv-threads must be at least 1"),
    (["--case-timeout", "0"], "--case-timeout must be more than 0 and at most a week"),
    (["--case-timeout", "nan"], "--case-timeout must be more than 0"),
    (["--case-timeout", "inf"], "--case-timeout must be more than 0"),
    (["--case-timeout", "soon"], "--case-timeout must be a number of seconds or 'auto'"),
    (["--workers", "0"], "--workers must be at least 1"),
    (["--workers", "100000"], "--workers must be at most 512"),
    (["--sizes", "10x10x2"], "channels must be 1 or 3"),
    (["--sizes", "huge"], "is not WIDTHxHEIGHT"),
    (["--sizes", "100000x100000"], "is larger than"),
    (["--sizes", "8000x8000x3", "--n-images", "100"], "GiB (limit 8 GiB)"),   # absurd set, refused up front
    (["--content", "plaid"], "unknown content 'plaid'"),
    (["--workloads", "bogus"], "unknown workload 'bogus'; choose from imwrite, imencode"),
    (["--strategies", "carrier-pigeon"], "unknown strategy"),
    (["--start-method", "teleport"], "unknown start method 'teleport'"),
    (["--codec", "gif"], "invalid choice: 'gif'"),
    (["--png-level", "10"], "PNG compression level must be between 0 and 9"),
    (["--jpeg-quality", "x"], "invalid int value: 'x'"),
    (["--resume"], "expected one argument"),
]


@pytest.mark.parametrize("args, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_option_is_one_line_and_exit_2(capsys, tmp_path, args, message):
    code = main(["imwrite", "--results-dir", str(tmp_path / "res"), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("bench: error: "), err
    assert message in err
    assert not (tmp_path / "res").exists()          # nothing was started


def test_a_start_method_this_os_lacks_is_refused(monkeypatch, capsys):
    monkeypatch.setattr(options, "START_METHODS", ("spawn",))      # e.g. Windows
    assert main(["list", "--start-method", "fork"]) == 2
    assert capsys.readouterr().err == ("bench: error: start method 'fork' is not available on "
                                       "this platform (available: spawn)\n")


def test_out_dir_that_is_a_file(capsys, tmp_path):
    f = tmp_path / "f"
    f.write_text("x")
    assert main(["imwrite", "--out-dir", str(f), "--results-dir", str(tmp_path / "r")]) == 2
    assert capsys.readouterr().err == f"bench: error: --out-dir {f} exists and is not a folder\n"


def test_fault_workloads_are_accepted_but_never_advertised(capsys):
    assert main(["list", "--workloads", "fault-raise", "--sizes", "8x8x1", "--n-images", "2",
                 "--strategies", "serial"]) == 0
    listed = capsys.readouterr().out.splitlines()      # `list` shows what `all` runs
    assert [n for n in listed if not n.startswith(("pool-start", "roundtrip", "pickle"))] == [
        "fault-raise/8x8x1-noise-n2/fault/serial/w1"]
    with pytest.raises(SystemExit):
        main(["imwrite", "--help"])
    help_text = capsys.readouterr().out
    assert "--resume" in help_text and "--case-timeout" in help_text
    assert not any(name in help_text for name in FAULTS) and "fault-" not in help_text


def test_case_timeout_auto_and_seconds():
    assert options.case_timeout("auto") is None
    assert options.case_timeout("2.5") == 2.5 and options.case_timeout("30") == 30


def test_help_exits_0_not_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0 and "Throughput benchmarks" in capsys.readouterr().out
