"""bench all's plan and race on a simulated machine: what the real code decides, scored."""
import json
import os

from bench.sim.__main__ import main
from bench.sim.machine import Machine
from bench.sim.race import simulate, summarise
from project import ROOT

VM = os.path.join(ROOT, "sim_machines", "vm-2core.json")


def test_a_quick_run_on_the_two_core_shape_picks_near_the_truth_inside_its_budget():
    machine = Machine.load(VM)
    outcome = simulate(machine, seed=3, mode="quick")
    assert outcome.wall_s <= 1.10 * outcome.budget_s and outcome.budget_s == 90
    assert {g.group for g in outcome.groups} >= {"imwrite 50x50x1 noise", "imwrite 256x256x3 smooth"}
    for g in outcome.groups:
        assert g.best[:2] == ("processes-chunked", 2)                     # the machine's truth
        assert g.ratio >= 0.75 and not g.wrong_outs
    s = summarise([outcome], "quick")
    assert s["groups"] == len(outcome.groups) and s["within"] == 0.10


def test_a_quick_run_on_256_cpus_searches_the_sets_it_keeps_and_names_the_others(capsys):
    """The first look at a big machine: the image sets its 90 s hold with their search
    are answered near the true best count (W/4 here, not W), the rest are named as not
    measured - in the outcome and in the printed summary."""
    path = os.path.join(ROOT, "sim_machines", "usl-256cpu-best-64.json")
    outcome = simulate(Machine.load(path), seed=1, mode="quick")
    measured = {g.group for g in outcome.groups}
    assert len(measured) >= 2 and outcome.wall_s <= 1.10 * outcome.budget_s
    assert any("1920x1080" in key for key in outcome.left_out)
    assert not any(key.split("/")[1].split("-")[0] in {m.split()[1] for m in measured} for key in outcome.left_out)
    assert all(g.best_count is not None and g.best_count < 256 for g in outcome.groups)
    assert main([path, "--seeds", "1", "--quick"]) == 0
    assert "not measured, left out by the plan" in capsys.readouterr().out


def test_a_bad_machine_or_seed_count_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "m.json"
    bad.write_text(json.dumps({"cpus": 0}))
    assert main([str(bad)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert main([VM, "--seeds", "0"]) == 2
    assert "--seeds must be 1 or more" in capsys.readouterr().err
