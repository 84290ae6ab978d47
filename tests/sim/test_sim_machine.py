"""A simulated machine's truth: planted peaks, curves read in log workers, groups, and a
file's mistakes named in one line."""
import json
import math

import pytest

from bench.sim.machine import Machine, usl, usl_peaking_at


def machine(**over) -> dict:
    d = {"cpus": 16, "memory_gib": 64, "serial_s_per_image": 1e-3,
         "speedup": {"default": [[1, 1.0], [16, 8.0]]}}
    d.update(over)
    return d


# -- the truth ----------------------------------------------------------------------------

@pytest.mark.parametrize("n_star, sigma", [(4, 0.0), (12, 0.02), (24, 0.002), (384, 0.002)])
def test_a_usl_curve_made_to_peak_at_n_star_is_fastest_there(n_star, sigma):
    kappa = usl_peaking_at(n_star, sigma)
    m = Machine.from_dict(machine(speedup={
        "processes-chunked": {"sigma": sigma, "kappa": kappa},
        "default": {"sigma": sigma, "kappa": kappa, "scale": 0.9}}))
    strategy, workers, speedup = m.true_best(["threads", "processes-chunked"], 2 * n_star)
    assert (strategy, workers) == ("processes-chunked", n_star)
    assert speedup == pytest.approx(usl(n_star, sigma, kappa))


def test_the_usl_law_itself_on_figures_worked_by_hand():
    # 8 workers, 5% contention, kappa 0.001: 8 / (1 + 0.35 + 0.056)
    assert usl(8, 0.05, 0.001) == pytest.approx(8 / 1.406)
    assert usl(1, 0.3, 0.2, scale=0.9) == pytest.approx(0.9)


def test_points_are_joined_in_log_workers_and_flat_past_the_ends():
    m = Machine.from_dict(machine(speedup={"default": [[2, 1.0], [8, 3.0]]}))
    # 4 is half way from 2 to 8 in log workers (linear in workers it would be 1/3 of the way)
    assert m.true_speedup("threads", 4) == pytest.approx(2.0)
    assert m.true_speedup("threads", 1) == 1.0
    assert m.true_speedup("threads", 64) == 3.0
    assert m.true_speedup("threads", 8) == 3.0


def test_a_strategy_not_named_runs_the_default_curve_and_the_serial_loop_is_one():
    m = Machine.from_dict(machine(speedup={"threads": [[1, 0.5], [4, 0.5]],
                                           "default": [[1, 2.0], [4, 2.0]]}))
    assert m.true_speedup("threads", 2) == 0.5
    assert m.true_speedup("joblib", 2) == 2.0
    assert m.true_speedup("serial", 1) == 1.0


def test_twins_tie_and_the_tie_goes_to_the_order_given_then_fewer_workers():
    twin = [[1, 1.0], [4, 3.0], [8, 3.0]]
    m = Machine.from_dict(machine(speedup={"processes-chunked": twin, "processes-map": twin,
                                           "default": [[1, 0.5]]}))
    assert m.true_best(["processes-map", "processes-chunked"], 8)[:2] == ("processes-map", 4)
    ranking = m.true_ranking(["processes-chunked", "processes-map"], [1, 4, 8])
    assert [r[:2] for r in ranking[:4]] == [("processes-chunked", 4), ("processes-chunked", 8),
                                            ("processes-map", 4), ("processes-map", 8)]


def test_the_best_among_the_counts_a_race_could_try_is_not_the_peak_between_them():
    kappa = usl_peaking_at(12, 0.0)
    m = Machine.from_dict(machine(speedup={"default": {"sigma": 0.0, "kappa": kappa}}))
    assert m.true_best(["threads"], 32)[1] == 12
    # on a ladder of 1, 2, 4, 8, 16, 32: 16 is nearer the peak than 8 (12/8 > 16/12)
    assert m.true_best(["threads"], [1, 2, 4, 8, 16, 32])[1] == 16


def test_serial_seconds_by_group_the_most_specific_key_first():
    m = Machine.from_dict(machine(serial_s_per_image={
        "imwrite 50x50x1 noise": 37e-6, "imwrite": 5e-4, "default": 1e-3}))
    assert m.serial_s_per_image("imwrite 50x50x1 noise") == 37e-6
    # the plan's own key for the same group
    assert m.serial_s_per_image("imwrite/50x50x1-noise-n4572/jpg-q95") == 37e-6
    assert m.serial_s_per_image("imwrite/640x480x3-smooth-n128/jpg-q95") == 5e-4
    assert m.serial_s_per_image("pose 256x256x3 person") == 1e-3
    assert m.serial_s_per_image() == 1e-3
    assert Machine.from_dict(machine()).serial_s_per_image("anything at all") == 1e-3


def test_a_group_with_no_figure_and_no_default_is_refused_in_one_line():
    m = Machine.from_dict(machine(serial_s_per_image={"imwrite 50x50x1 noise": 37e-6}))
    assert m.serial_s_per_image("imwrite/50x50x1-noise-n4572/jpg-q95") == 37e-6
    with pytest.raises(ValueError, match="pose 256x256x3 person") as e:
        m.serial_s_per_image("pose 256x256x3 person")
    assert "\n" not in str(e.value)


def test_pool_start_is_the_per_worker_figure_times_workers():
    m = Machine.from_dict(machine(pool_start_s_per_worker={"threads": 0.0002, "default": 0.003}))
    assert m.pool_start_s("threads", 8) == pytest.approx(0.0016)
    assert m.pool_start_s("processes-chunked", 8) == pytest.approx(0.024)
    assert m.pool_start_s("serial", 1) == 0.0
    assert Machine.from_dict(machine()).pool_start_s("threads", 8) == 0.0


def test_a_machine_file_reads_as_its_dict(tmp_path):
    d = machine(speedup={"threads": {"sigma": 0.5, "kappa": 0.01},
                         "default": [[1, 1.0], [4, 2.0]]},
                noise_cv=0.05, stall_p=0.01, stall_factor=3,
                planted={"strategies": ["threads"], "workers": 1})
    path = tmp_path / "m.json"
    path.write_text(json.dumps(d))
    m = Machine.load(path)
    assert m == Machine.from_dict(d)
    assert (m.noise_cv, m.stall_p, m.stall_factor) == (0.05, 0.01, 3)
    assert m.true_speedup("threads", 1) == pytest.approx(1.0)     # USL: 1 worker is 1x
    assert m.true_speedup("processes", 4) == pytest.approx(2.0)   # the default curve's point


# -- a file's mistakes: one line each, naming the field ------------------------------------

BAD = [
    (machine(cpus=0), "cpus"),
    (machine(cpus=2.5), "cpus"),
    (machine(cpus=True), "cpus"),
    ({k: v for k, v in machine().items() if k != "memory_gib"}, "memory_gib"),
    (machine(memory_gib=-1), "memory_gib"),
    (machine(serial_s_per_image=0), "serial_s_per_image"),
    (machine(serial_s_per_image={}), "serial_s_per_image"),
    (machine(serial_s_per_image={"imwrite": "fast", "default": 1e-3}), "serial_s_per_image"),
    (machine(speedup={"threads": [[1, 1.0]]}), "speedup"),
    (machine(speedup={"threds": [[1, 1.0]], "default": [[1, 1.0]]}), "threds"),
    (machine(speedup={"serial": [[1, 1.0]], "default": [[1, 1.0]]}), "serial"),
    (machine(speedup={"default": [[4, 1.0], [2, 2.0]]}), "increase"),
    (machine(speedup={"default": [[1, 0.0]]}), "speedup"),
    (machine(speedup={"default": [1, 2]}), "speedup"),
    (machine(speedup={"default": []}), "speedup"),
    (machine(speedup={"default": {"sigma": 0.1}}), "kappa"),
    (machine(speedup={"default": {"sigma": 1.5, "kappa": 0.0}}), "sigma"),
    (machine(speedup={"default": {"sigma": 0.1, "kappa": 0.0, "alpha": 1}}), "alpha"),
    (machine(noise_cv=-0.1), "noise_cv"),
    (machine(drift_cv_per_min="3%"), "drift_cv_per_min"),
    (machine(stall_p=1.5, stall_factor=3), "stall_p"),
    (machine(stall_p=0.01), "stall_factor"),
    (machine(stall_p=0.01, stall_factor=0.5), "stall_factor"),
    (machine(pool_start_s_per_worker={"threads": 0.001}), "pool_start_s_per_worker"),
    (machine(pool_start_s_per_worker={"thread": 0.001, "default": 0.0}), "thread"),
    (machine(noise=0.05), "noise"),
    (machine(planted={"strategies": ["processes-chunked"], "workers": 4}), "processes-chunked"),
    (machine(planted={"strategies": "default", "workers": 4}), "planted"),
    ([1, 2, 3], "object"),
]


@pytest.mark.parametrize("d, named", BAD)
def test_each_mistake_is_one_line_that_names_it(d, named):
    with pytest.raises(ValueError) as e:
        Machine.from_dict(d)
    text = str(e.value)
    assert "\n" not in text and named in text


def test_a_file_that_cannot_be_read_or_parsed_names_the_file(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"cpus": 2,\n "memory_gib": }')
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(machine(cpus=-2)))
    for path, named in [(tmp_path / "absent.json", "cannot read"), (broken, "not JSON"),
                        (wrong, "cpus")]:
        with pytest.raises(ValueError) as e:
            Machine.load(path)
        text = str(e.value)
        assert text.startswith(str(path)) and named in text and "\n" not in text


@pytest.mark.parametrize("n_star, sigma", [(0, 0.1), (4, 1.0), (4, -0.1), (math.nan, 0.1)])
def test_usl_peaking_at_refuses_what_has_no_peak(n_star, sigma):
    with pytest.raises(ValueError):
        usl_peaking_at(n_star, sigma)
