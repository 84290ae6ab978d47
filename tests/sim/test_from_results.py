"""A results file's measured shape as a simulated machine."""
import json

from bench.sim.from_results import machine_of, main
from bench.sim.machine import Machine
from crafted import bench_for, case, results_file, sweep


def _file(tmp_path):
    benches = [bench_for(case("serial"), 1000)]
    benches += sweep("threads", {1: 950, 2: 1100, 4: 1050}, all={"paired_speedup": 1.0})
    # paired speedups planted per count: processes-chunked best at 4
    for w, s in {1: 0.9, 2: 1.9, 4: 2.0, 8: 1.7}.items():
        benches.append(bench_for(case("processes-chunked", w, (100 + w - 1) // w), 1000 * s, paired_speedup=s))
    return results_file(tmp_path / "r.json", benches)


def test_the_measured_speedups_become_the_machines_curves_and_its_best(tmp_path):
    d = machine_of(_file(tmp_path))
    m = Machine.from_dict(d)
    assert d["cpus"] == 4 and d["serial_s_per_image"]["imwrite 64x64x3 smooth"] == 0.001
    assert d["speedup"]["processes-chunked"] == [[1, 0.9], [2, 1.9], [4, 2.0], [8, 1.7]]
    assert m.true_best(["threads", "processes-chunked"], 8)[:2] == ("processes-chunked", 4)
    # a strategy the run did not measure: the slowest one measured
    assert d["speedup"]["default"] == d["speedup"]["threads"]


def test_a_file_without_paired_speedups_is_one_line_and_exit_2(tmp_path, capsys):
    path = results_file(tmp_path / "r.json", [bench_for(case("serial"), 1000)])
    assert main([path]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no configuration with a paired speedup" in err
    assert main([str(tmp_path / "missing.json")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert main([_file(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out)["cpus"] == 4
