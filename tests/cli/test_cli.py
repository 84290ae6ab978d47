"""The command line as a user meets it: bad input is one line and exit code 2."""
import json
import os
import subprocess
import sys

import pytest

TINY = ["--sizes", "16x16x1", "--n-images", "20", "--workers", "2", "--values", "2"]


@pytest.mark.parametrize("args, message", [
    (["imwrite", "--strategies", "bogus"], "unknown strategy 'bogus'"),
    (["imwrite", "--sizes", "0x5"], "width and height must be at least 1"),
    (["imwrite", "--workers", "-1"], "--workers must be at least 1"),
    (["imwrite", "--workers", "two"], "--workers must be a whole number"),
    (["imwrite", "--start-method", "teleport"], "unknown start method"),
    (["imwrite", "--wor", "2"], "unrecognized arguments: --wor"),    # no prefix matching
    (["nonsense"], "invalid choice"),
    (["imwrite", "--jpeg-quality", "101"], "JPEG quality"),
    (["imwrite", "--sizes", "4000x4000x3", "--n-images", "100000"], "GiB"),
])
def test_bad_options_are_one_line_and_exit_2(run_cli, args, message):
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_results_dir_that_cannot_be_created_is_refused(run_cli, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    proc = run_cli("imwrite", *TINY, "--results-dir", str(f / "sub"))
    assert proc.returncode == 2 and "cannot be created" in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_missing_out_dir_is_refused(run_cli, tmp_path):
    proc = run_cli("imwrite", *TINY, "--out-dir", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "does not exist" in proc.stderr


def test_results_dir_that_is_a_file_is_refused(run_cli, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    proc = run_cli("imwrite", *TINY, "--results-dir", str(f))
    assert proc.returncode == 2 and "is not a folder" in proc.stderr


def test_list_shows_cases_without_running(run_cli):
    proc = run_cli("list", *TINY, "--strategies", "serial,processes")
    assert proc.returncode == 0
    names = proc.stdout.split()
    ours = [n for n in names if n.startswith("imwrite/16x16x1")]
    assert ours == ["imwrite/16x16x1-noise-n20/jpg-q95/serial/w1",
                    "imwrite/16x16x1-noise-n20/jpg-q95/processes/w2/fork"]
    assert "pool-start/first-result/processes/w2/spawn" in names     # what `all` adds
    assert proc.stderr.startswith(f"{len(names)} cases: 2 configurations to race in 1 groups")
    assert "estimate" in proc.stderr and "budget 9 min 00 s" in proc.stderr


def test_list_json_gives_the_plan_with_its_estimate_and_budget(run_cli):
    proc = run_cli("list", "imwrite", "--quick", "--json")
    assert proc.returncode == 0, proc.stderr
    plan = json.loads(proc.stdout)
    assert plan["budget_s"] == 90 and 0 < plan["estimated_s"] <= plan["budget_s"]
    assert plan["cases"] and all(name.startswith("imwrite/") for name in plan["cases"])
    sizes = {g["group"].split("/")[1].split("-")[0] for g in plan["groups"]}
    assert sizes == {"50x50x1", "256x256x3", "640x480x3", "1920x1080x3"}
    exhaustive = json.loads(run_cli("list", "imwrite", "--quick", "--exhaustive", "--json").stdout)
    assert exhaustive["cases"] == plan["cases"] and exhaustive["estimated_s"] > plan["estimated_s"]


def test_a_small_run_end_to_end(run_cli, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    proc = run_cli("imwrite", *TINY, "--strategies", "serial,threads,processes-chunked",
                   "--results-dir", "res", "--out-dir", str(out), "--budget", "60s")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "racing 3 configurations in 1 groups" in proc.stdout      # the plan, before measuring
    assert "round 1: 2 of 2 still racing" in proc.stdout and "ETA" in proc.stdout   # progress
    assert "speedup" in proc.stdout and "parallel capacity" in proc.stdout
    assert "timed passes (pool and paired serial)" in proc.stdout
    (path,) = (tmp_path / "res").iterdir()
    assert path.name.endswith(".json")
    data = json.loads(path.read_text())
    assert len(data["benchmarks"]) == 3 and data["bench"]["failed"] == []
    assert os.listdir(out) == []                   # temporary image folders removed
    show = subprocess.run([sys.executable, "-m", "pyperf", "show", str(path)],
                          capture_output=True, text=True)
    assert show.returncode == 0 and "processes-chunked" in show.stdout
    from bench.results import ResultsFile
    rf = ResultsFile.load(str(path))
    meta = rf.benchmarks[0].get_metadata()
    assert meta["verified"] == "yes" and meta["out_fs"] != "unknown"
    assert meta["bench_parallel_capacity"] > 0


