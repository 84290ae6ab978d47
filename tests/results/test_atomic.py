"""Nothing lost: the results file is complete after a kill -9 at any moment, a full disk
mid-run stops the run with the file intact, and an unwritable folder is refused."""
import errno
import os
import random
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

import bench.results.store
import bench.run.session
from bench.cli.main import main
from bench.results import ResultsFile, remove_stale_temps
from cli_launcher import fake_capacity
from faultkit import ROOT

WRITER = textwrap.dedent("""
    import sys, pyperf
    from bench.results import ResultsError, ResultsFile
    path = sys.argv[1]
    try:
        rf = ResultsFile.load(path)
    except ResultsError:
        rf = ResultsFile(path, run={"what": "kill -9 test"})
    rf.save()
    print("ready", flush=True)
    i = len(rf.benchmarks)
    while True:
        run = pyperf.Run([0.001 + i * 1e-7], collect_metadata=False,
                         metadata={"name": f"case-{i}", "unit": "second", "pad": "x" * 4000})
        rf.add(pyperf.Benchmark([run]))
        rf.save()
        i += 1
""")


def test_kill_9_while_saving_never_leaves_a_torn_file(tmp_path):
    path = str(tmp_path / "r.json")
    env = dict(os.environ, PYTHONPATH=ROOT)
    rng = random.Random(7)
    seen = 0
    for _ in range(8):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, path], stdout=subprocess.PIPE,
                                text=True, env=env)
        assert proc.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0.02, 0.3))     # saving continuously: often mid-write
        proc.kill()
        proc.wait()
        rf = ResultsFile.load(path)            # always loads: the old or the new file
        assert len(rf.benchmarks) >= seen      # and never loses what a save had finished
        assert [b.get_name() for b in rf.benchmarks] == [f"case-{i}" for i in range(len(rf.benchmarks))]
        seen = len(rf.benchmarks)
        remove_stale_temps(path)   # only where O_TMPFILE is missing can a temporary be left
        assert os.listdir(tmp_path) == ["r.json"]
    assert seen > 0


def test_saving_without_o_tmpfile_uses_a_named_temporary(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    rf = ResultsFile(str(tmp_path / "r.json"), run={"x": 1})
    rf.save()
    rf.save()
    assert os.listdir(tmp_path) == ["r.json"] and ResultsFile.load(rf.path).run == {"x": 1}
    stale = tmp_path / ".r.json.dead.tmp"              # what a kill mid-write would leave
    stale.write_text("{")
    assert remove_stale_temps(rf.path) == [stale.name]
    assert os.listdir(tmp_path) == ["r.json"]


def test_a_full_disk_mid_run_stops_with_the_file_intact_then_resumes(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bench.run.session, "measure_capacity", fake_capacity)
    real_write = bench.results.store.atomic_write_json
    calls = []

    def write(path, data):
        calls.append(path)
        if len(calls) == 3:                    # start, the first round, then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_write(path, data)

    monkeypatch.setattr(bench.results.store, "atomic_write_json", write)
    argv = ["imwrite", "--exhaustive", "--sizes", "8x8x1", "--n-images", "4", "--workers", "2", "--values", "1",
            "--strategies", "serial,threads,processes", "--start-method", "fork",
            "--results-dir", str(tmp_path / "res"), "--out-dir", str(tmp_path)]
    code = main(argv)
    out, err = capsys.readouterr()
    (name,) = [n for n in os.listdir(tmp_path / "res")]
    path = str(tmp_path / "res" / name)
    assert code == 3, out + err
    rf = ResultsFile.load(path)              # intact: what the last good save held
    kept = [b.get_name() for b in rf.benchmarks]
    assert kept and "finished" not in rf.run
    assert err.splitlines() == [
        f"bench: error: cannot write the results file {path}: No space left on device",
        f"the file keeps the {len(kept)} case(s) saved before; free space, then resume with: "
        f"python -m bench imwrite --resume {path}",
    ]
    assert psutil.Process().children(recursive=True) == []
    assert sorted(os.listdir(tmp_path)) == ["res"]     # no case folders left
    assert os.listdir(tmp_path / "res") == [name]      # no temporary copies

    monkeypatch.setattr(bench.results.store, "atomic_write_json", real_write)   # space freed
    assert main(["imwrite", "--resume", path]) == 0
    assert len(ResultsFile.load(path).benchmarks) == 3


@pytest.fixture
def read_only_folder(tmp_path, monkeypatch):
    """A folder whose file system refuses writes, simulated (a read-only mount needs root,
    and chmod does not stop root): creating a file in it fails as on a read-only mount."""
    import errno
    import tempfile

    where = tmp_path / "ro"
    where.mkdir()
    real = tempfile.NamedTemporaryFile

    def refuse(*args, dir=None, **kw):
        if dir is not None and os.path.abspath(dir) == str(where):
            raise OSError(errno.EROFS, "Read-only file system")
        return real(*args, dir=dir, **kw)

    monkeypatch.setattr("bench.cli.options.tempfile.NamedTemporaryFile", refuse)
    yield where


def test_a_read_only_results_folder_is_refused(read_only_folder, capsys):
    code = main(["imwrite", "--sizes", "8x8x1", "--n-images", "4", "--strategies", "serial",
                 "--results-dir", str(read_only_folder)])
    assert code == 2
    assert capsys.readouterr().err == (f"bench: error: results folder {read_only_folder} is not "
                                       "writable: Read-only file system\n")


def test_a_read_only_out_dir_is_refused(read_only_folder, capsys, tmp_path):
    code = main(["imwrite", "--sizes", "8x8x1", "--n-images", "4", "--strategies", "serial",
                 "--out-dir", str(read_only_folder), "--results-dir", str(tmp_path / "res")])
    assert code == 2
    assert capsys.readouterr().err == (f"bench: error: --out-dir {read_only_folder} is not "
                                       "writable: Read-only file system\n")
