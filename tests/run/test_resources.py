"""Before a run: disk, memory and time budgets are checked; refusals are one line."""
import os

import pytest

from bench.model.settings import RunSettings
from bench.run import resources
from bench.cli.main import main
from bench.plan.configurations import PlanOptions, plan_cases
from workloads.images import ImageSize


def cases_for(size="8x8x1", n=4, workers=(2,), strategies=("serial",), workloads=("imwrite",),
              params=None):
    return plan_cases(PlanOptions(sizes=[ImageSize.parse(size)], n_images=n, workers=list(workers),
                                  strategies=list(strategies), workloads=list(workloads),
                                  start_methods=["fork"], params=params or {}))


SETTINGS = RunSettings(warmups=1, values=3, verify=True)


def test_bytes_written_counts_two_passes_of_worst_case_files():
    (imwrite,) = cases_for("50x50x1", 100)
    (imencode,) = cases_for("50x50x1", 100, workloads=("imencode",))
    # 50x50 grey JPEG at worst ~2x raw + header, one 4 KiB block... two blocks here
    assert resources.bytes_written(imwrite) == 2 * 100 * 8192
    assert resources.bytes_written(imencode) == 0


def test_memory_check_caps_worker_counts_that_do_not_fit():
    cases = cases_for("64x64x3", 100, workers=(1, 2, 64), strategies=("serial", "processes"))
    fit, skipped = resources.check_memory(cases, available=2 * resources.GiB)
    assert [c.name.split("/", 3)[-1] for c in fit] == ["serial/w1", "processes/w1/fork",
                                                       "processes/w2/fork"]
    assert [s.name for s in skipped] == [cases[-1].name]
    assert skipped[0].reason.startswith("needs about 5.2 GiB of memory, 2.0 GiB available")


def test_check_reports_skipped_cases_in_one_line(monkeypatch, tmp_path):
    cases = cases_for("64x64x3", 100, workers=(2, 64), strategies=("processes",))
    monkeypatch.setattr(resources, "memory_available", lambda: 2 * resources.GiB)
    lines = []
    fit, skipped = resources.check(cases, str(tmp_path), str(tmp_path), echo=lines.append)
    assert len(fit) == 1 and len(skipped) == 1
    assert lines == [f"memory: skipping 1 of 2 cases that would not fit (e.g. {cases[1].name}: "
                     "needs about 5.2 GiB of memory, 2.0 GiB available); lower --workers to run them"]


def test_memory_check_refuses_when_nothing_fits():
    cases = cases_for("1024x1024x3", 1000, strategies=("serial",))
    with pytest.raises(resources.NotEnoughResources, match=r"not enough memory: every case needs "
                       r"more than the 1\.0 GiB available \(e\.g\. .*needs about 8\.9 GiB\)"):
        resources.check_memory(cases, available=resources.GiB)


def test_cli_refuses_a_run_that_cannot_fit_in_memory(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(resources, "memory_available", lambda: 64 * resources.MiB)
    code = main(["imwrite", "--sizes", "8x8x1", "--n-images", "4", "--strategies", "serial",
                 "--results-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("bench: error: not enough memory: every case needs more than the 64 MiB")
    assert os.listdir(tmp_path) == []               # refused before any file was written


def test_disk_check_refuses_when_the_largest_case_does_not_fit(monkeypatch, tmp_path):
    cases = cases_for("256x256x3", 100, workers=(2,), strategies=("serial", "threads"))
    free = {str(tmp_path / "out"): 10 * resources.MiB, str(tmp_path): resources.GiB}
    monkeypatch.setattr(resources, "disk_free", lambda p: free[p])
    with pytest.raises(resources.NotEnoughResources) as exc:
        resources.check_disk(cases, str(tmp_path / "out"), str(tmp_path))
    assert str(exc.value) == (
        f"not enough free disk in {tmp_path / 'out'}: the largest case ({cases[0].name}) writes "
        "up to 38 MiB, 10 MiB free; use --out-dir on a larger disk, or fewer --n-images / "
        "smaller --sizes")


SMALL_DISK_FREE: dict = {}


@pytest.fixture
def small_tmpfs(tmp_path, monkeypatch):
    """A folder on a disk with 1 MiB free, simulated (a small mount needs root)."""
    where = tmp_path / "small"
    where.mkdir()
    real = resources.disk_free
    free = {"left": 1 * resources.MiB}
    monkeypatch.setattr(resources, "disk_free",
                        lambda p: free["left"] if os.path.abspath(p) == str(where) else real(p))
    SMALL_DISK_FREE.update(free=free)
    yield where


def test_cli_refuses_an_out_dir_too_small_for_the_images(small_tmpfs, capsys, tmp_path):
    code = main(["imwrite", "--sizes", "256x256x3", "--n-images", "20", "--strategies", "serial",
                 "--out-dir", str(small_tmpfs), "--results-dir", str(tmp_path / "res")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith(f"bench: error: not enough free disk in {small_tmpfs}: the largest case "
                          "(imwrite/256x256x3-smooth-n20/jpg-q95/serial/w1) writes up to 8 MiB, "
                          "1 MiB free")


def test_cli_refuses_a_full_results_disk(small_tmpfs, capsys):
    SMALL_DISK_FREE["free"]["left"] = 0                    # a full disk
    (small_tmpfs / "filler").write_bytes(b"x")
    code = main(["imwrite", "--sizes", "8x8x1", "--n-images", "4", "--strategies", "serial",
                 "--results-dir", str(small_tmpfs)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith(f"bench: error: not enough free disk for the results file in "
                          f"{small_tmpfs}: 0 KiB free")
    assert os.listdir(small_tmpfs) == ["filler"]
