"""The example machines in sim_machines/: what the generator makes, each one's planted best
the truth of its curves."""
import os

import pytest

from bench.sim.examples import example_machines, to_text
from bench.sim.machine import Machine
from project import ROOT

FOLDER = os.path.join(ROOT, "sim_machines")
NAMES = sorted(example_machines())


def test_the_committed_files_are_what_the_generator_makes():
    on_disk = sorted(f[:-5] for f in os.listdir(FOLDER) if f.endswith(".json"))
    assert on_disk == NAMES
    for name, machine in example_machines().items():
        with open(os.path.join(FOLDER, f"{name}.json"), encoding="utf-8") as f:
            assert f.read() == to_text(machine), f"{name}: run python -m bench.sim.examples"


def test_the_issue_s_machines_are_all_there():
    wanted = {f"usl-{w}cpu-best-{n}" for w in (16, 64, 256)
              for n in (w // 4, w // 2, 3 * w // 4, w, 3 * w // 2)}
    assert wanted | {"plateau-64cpu", "aa-16cpu", "vm-2core"} == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_machine_s_planted_best_is_the_truth_of_its_curves(name):
    m = Machine.load(os.path.join(FOLDER, f"{name}.json"))
    assert (m.noise_cv, m.drift_cv_per_min, m.stall_p, m.stall_factor) == (0.05, 0.03, 0.01, 3.0)
    planted, workers = m.planted
    # every strategy bench has (those the file does not name run its default curve)
    from bench.strategies import STRATEGIES
    ranking = m.true_ranking(list(STRATEGIES), 2 * m.cpus)
    best = ranking[0][2]
    near_best = pytest.approx(best, rel=1e-9)      # made once: the ranking is thousands long
    tied = [(s, w) for s, w, x in ranking if x == near_best]
    # the fastest are the planted strategies, and the fewest workers that fast are the
    # planted count (past a plateau's knee more workers tie, at a higher cost)
    assert {s for s, _ in tied} == set(planted)
    assert {s: min(w for t, w in tied if t == s) for s in planted} == dict.fromkeys(planted, workers)


def test_the_plateau_is_flat_past_its_knee_and_the_knee_wins_on_fewer_workers():
    m = Machine.load(os.path.join(FOLDER, "plateau-64cpu.json"))
    assert {m.true_speedup("processes-chunked", w) for w in (16, 24, 64, 128)} == {13.5}
    assert m.true_best(["processes-chunked"], 128)[1] == 16


def test_the_vm_shape_matches_what_was_measured_there():
    m = Machine.load(os.path.join(FOLDER, "vm-2core.json"))
    assert 25_000 <= 1 / m.serial_s_per_image("imwrite/50x50x1-noise-n10000/jpg-q95") <= 30_000
    assert 1.3 <= m.true_speedup("threads", 2) <= 1.6
    assert 1.6 <= m.true_speedup("processes-chunked", 2) <= 1.8
    assert m.true_speedup("processes", 2) == pytest.approx(0.3)
