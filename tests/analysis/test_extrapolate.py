"""recommend --cpus and --holdout: predictions from data of known shape, their bands,
flags and refusals, and the held-out check that fits without the largest worker count."""
import json

import pytest

import crafted_machines as cm
from bench.analysis import extrapolate as ex
from bench.analysis.load import load
from bench.analysis.recommend import recommend
from bench.analysis.scaling import usl
from bench.cli import main as cli

RESAMPLES = 40          # enough to test the band's behaviour, fast


def curve(workers, lam=1000.0, sigma=0.05, kappa=0.0):
    return {w: float(usl(w, lam, sigma, kappa)) for w in workers}


def one_line(tmp_path, rates: dict, cpus: int, spread=0.005, name="f.json"):
    """A serial loop at λ and one configuration at the given {workers: img/s}."""
    return load([cm.exhaustive(tmp_path / name, {"serial": {1: rates[1] * 0.98}, "processes-chunked": rates},
                               cpus=cpus, capacity=cpus * 0.95, count=640, spread=spread)])[0]


@pytest.mark.parametrize("sigma, kappa", [(0.05, 0.0), (0.02, 0.002), (-0.05, 0.002)])
def test_held_out_largest_count_is_predicted_from_data_of_known_shape(tmp_path, sigma, kappa):
    workers = [1, 2, 4, 8, 16, 32]
    a = one_line(tmp_path, curve(workers, sigma=sigma, kappa=kappa), cpus=64)
    (held,) = ex.holdout(a, RESAMPLES)
    assert held.fitted_on == [1, 2, 4, 8, 16] and held.held_out == 32
    assert abs(held.error) < 0.03, held
    assert held.covered and not held.past_cores


def test_a_bend_the_fitted_counts_do_not_show_is_missed_and_the_check_says_so(tmp_path):
    # the coherency cost only shows past 16 workers: fitted on 1-16, Amdahl fits within 5%
    # and is kept as the simpler model; at 32 it is 12% too high, outside its band
    a = one_line(tmp_path, curve([1, 2, 4, 8, 16, 32], sigma=0.02, kappa=0.0004), cpus=64)
    (held,) = ex.holdout(a, RESAMPLES)
    assert held.model == "Amdahl" and held.error == pytest.approx(0.117, abs=0.01)
    assert not held.covered


def test_held_out_past_the_cores_is_predicted_as_no_gain_past_them(tmp_path):
    # 4 CPUs: the curve is flat past 4 workers, which a model fitted on 1-4 cannot know;
    # the CPUs can: 8 workers on 4 CPUs are predicted at what 4 do
    rates = {1: 1000, 2: 1950, 4: 3800, 8: 3850}
    a = one_line(tmp_path, rates, cpus=4)
    (held,) = ex.holdout(a, RESAMPLES)
    assert held.past_cores and held.fitted_on == [1, 2, 4] and held.spare == 1
    assert held.predicted == pytest.approx(3800, rel=0.02) and held.covered
    assert held.curve_error > 0.5                          # Amdahl's own curve keeps rising
    s = ex.summarise([held])
    assert (s.past_cores, s.predicted, s.banded, s.covered) == (1, 1, 1, 1)
    assert s.curve_median_error == pytest.approx(held.curve_error)


def test_two_cpus_fitted_on_1_2_refuse_4(tmp_path):
    # the project's 2-CPU runs: 1, 2 and 4 workers; two points fix Amdahl, none is spare:
    # past them nothing is predicted (as recommend --cpus 4 refuses), not even "flat past
    # the cores" - on this machine's full runs that missed by more than 15% for a third
    # of the configurations
    a = one_line(tmp_path, {1: 1000, 2: 1900, 4: 1850}, cpus=2)
    (held,) = ex.holdout(a, RESAMPLES)
    assert held.fitted_on == [1, 2] and held.refused == ex.NO_SPARE and held.predicted is None
    assert held.curve == pytest.approx(3800 / 1.1, rel=0.02)   # Amdahl drawn on: σ = 0.053
    s = ex.summarise([held])
    assert (s.predicted, s.banded, s.refused) == (0, 0, {ex.NO_SPARE: 1})


def test_held_out_too_far_or_past_a_fit_without_spare_points_is_not_predicted(tmp_path):
    # 32 CPUs, 1-2-4 fitted, 16 held out: four times the largest count fitted
    far = one_line(tmp_path, curve([1, 2, 4, 16]), cpus=32, name="far.json")
    (held,) = ex.holdout(far, RESAMPLES)
    assert (held.refused, held.predicted, held.error) == (ex.TOO_FAR, None, None)
    # 16 CPUs, 1-2 fitted, 4 held out: within the CPUs, past two points with none spare
    bare = one_line(tmp_path, curve([1, 2, 4]), cpus=16, name="bare.json")
    (held,) = ex.holdout(bare, RESAMPLES)
    assert (held.refused, held.predicted) == (ex.NO_SPARE, None)
    s = ex.summarise([held])
    assert (s.count, s.predicted, s.refused) == (1, 0, {ex.NO_SPARE: 1}) and s.median_error is None


def test_past_the_counts_fitted_the_capacity_caps_what_the_workers_get():
    # linear to 4 workers at 1000 img/s each; the machine gave 3.6 of its 4 CPUs
    f = ex.two_point_amdahl([1, 4], [1000, 4000])
    cores = ex.Cores(4, 3.6)
    assert ex.throughput_at(f, 4, cores) == pytest.approx(4000)        # measured: as fitted
    assert ex.throughput_at(f, 8, cores) == pytest.approx(3600)        # 4 CPUs, 3.6 of them
    assert ex.throughput_at(f, 8, cores, on_cpus=8) == pytest.approx(7200)   # 8 CPUs, 0.9 each
    # capacity not measured: no gain past the cores, nothing more
    assert ex.throughput_at(f, 8, ex.Cores(4)) == pytest.approx(4000)


def test_two_points_fix_amdahl(tmp_path):
    f = ex.two_point_amdahl([1, 2], [1000, float(usl(2, 1000, 0.1))])
    assert (f.lam, f.sigma) == (pytest.approx(1000), pytest.approx(0.1))
    assert f.worst_error == pytest.approx(0, abs=1e-12) and f.exact
    assert ex.spare_points(f) == 0 and ex.model_error(f) is None   # no error can be estimated
    superlinear = ex.two_point_amdahl([1, 2], [1000, 2100])
    assert superlinear.sigma == 0.0                        # drawn linear, as the bounds allow
    falling = ex.two_point_amdahl([1, 2], [1000, 900])
    assert falling.sigma == 1.0                            # drawn flat


def test_a_bigger_machine_is_predicted_from_the_counts_within_the_cores(tmp_path):
    # 4 CPUs measured 1-8: the model is fitted to 1-4 (8 is past the cores)
    rates = {**curve([1, 2, 4], sigma=0.05), 8: 3300}
    a = one_line(tmp_path, rates, cpus=4)
    (answer,) = recommend(a)
    p = ex.predict(answer, a.machine.cpus, 8, RESAMPLES)
    assert p.measured == [1, 2, 4] and p.extrapolated and p.is_pick and p.spare == 1
    assert p.fit.sigma == pytest.approx(0.05, abs=0.01)
    assert p.workers == 8                                   # Amdahl never peaks: all 8 CPUs
    assert p.throughput == pytest.approx(float(usl(8, 1000, 0.05)), rel=0.03) and not p.capped
    assert p.low <= p.throughput <= p.high
    again = ex.predict(answer, a.machine.cpus, 8, RESAMPLES)
    assert (again.low, again.high) == (p.low, p.high)       # seeded: the same band every time
    # 16 is twice 8 measured, but four times the 4 fitted: too far
    assert ex.predict(answer, a.machine.cpus, 16, RESAMPLES).refused == ex.TOO_FAR


def test_a_fit_on_1_and_2_workers_predicts_nothing_past_them(tmp_path):
    a = one_line(tmp_path, {1: 1000, 2: 1900, 4: 1850}, cpus=2)
    (answer,) = recommend(a)
    for cpus in (8, 4, 3):
        p = ex.predict(answer, a.machine.cpus, cpus, RESAMPLES)
        assert (p.refused, p.throughput, p.low) == (ex.NO_SPARE, None, None), cpus
    # inside the counts fitted: the model's figure, with no band
    p = ex.predict(answer, a.machine.cpus, 2, RESAMPLES)
    assert not p.refused and p.workers == 2 and p.throughput == pytest.approx(1900, rel=0.02)
    assert (p.low, p.high, p.workers_range) == (None, None, None)


def test_a_model_that_peaks_predicts_its_peak_not_every_cpu(tmp_path):
    rates = curve([1, 2, 4, 8], sigma=0.02, kappa=0.02)   # peaks near 7 workers
    a = one_line(tmp_path, rates, cpus=8)
    p = ex.predict(recommend(a)[0], a.machine.cpus, 16, RESAMPLES)
    assert 5 <= p.workers <= 8          # not 16: past its peak the model falls
    assert p.extrapolated               # 16 CPUs is past the 8 workers measured, all the same


def test_noisier_passes_give_a_wider_band(tmp_path):
    rates = curve([1, 2, 4, 8])
    quiet = one_line(tmp_path, rates, cpus=8, spread=0.005, name="q.json")
    noisy = one_line(tmp_path, rates, cpus=8, spread=0.2, name="n.json")
    width = []
    for a in (quiet, noisy):
        p = ex.predict(recommend(a)[0], 8, 16, RESAMPLES)
        width.append((p.high - p.low) / p.throughput)
    assert width[1] > 3 * width[0]


def test_no_prediction_past_twice_the_largest_count(tmp_path):
    a = one_line(tmp_path, curve([1, 2, 4]), cpus=4)
    p = ex.predict(recommend(a)[0], a.machine.cpus, 9, RESAMPLES)
    assert p.refused == ex.TOO_FAR and p.throughput is None
    assert ex.largest_fitted([a]) == 4
    # past the cores a count is no point to fit: 2 CPUs measured at 1, 2 and 4
    two = one_line(tmp_path, curve([1, 2, 4]), cpus=2, name="two.json")
    assert ex.largest_fitted([two]) == 2


def test_one_worker_count_is_no_model(tmp_path):
    a = load([cm.exhaustive(tmp_path / "one.json", {"serial": {1: 1000}, "threads": {2: 1900}})])[0]
    p = ex.predict(recommend(a)[0], 2, 4, RESAMPLES)
    assert p.refused == ex.NO_MODEL
    assert ex.holdout(a, RESAMPLES) == []


@pytest.fixture
def fewer_resamples(monkeypatch):
    monkeypatch.setattr(ex, "RESAMPLES", RESAMPLES)


def test_cli_cpus_prints_a_flagged_prediction_and_refuses_too_far(tmp_path, capsys, fewer_resamples):
    path = cm.exhaustive(tmp_path / "r.json", {"serial": {1: 1000}, "processes-chunked": curve([1, 2, 4])},
                         cpus=4, capacity=3.8)
    assert cli.main(["recommend", path, "--cpus", "8"]) == 0
    out = capsys.readouterr().out
    assert "Predicted for a machine with 8 CPUs" in out and "EXTRAPOLATED" in out and "band" in out
    assert cli.main(["recommend", path, "--cpus", "8", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (group,) = data["predictions"][0]["groups"]
    assert group["extrapolated"] is True and group["best_workers"] == 8 and len(group["band"]) == 2
    assert cli.main(["recommend", path, "--cpus", "9"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "past twice the largest worker count" in err


def test_cli_holdout(tmp_path, capsys, fewer_resamples):
    path = cm.exhaustive(tmp_path / "r.json", {"serial": {1: 1000}, "processes-chunked": curve([1, 2, 4, 8])},
                         cpus=8, capacity=7.6)
    assert cli.main(["recommend", path, "--holdout"]) == 0
    out = capsys.readouterr().out
    assert "Held-out check" in out and "1 configurations, 1 predicted: median |error|" in out
    assert cli.main(["recommend", path, "--holdout", "--json"]) == 0
    (check,) = json.loads(capsys.readouterr().out)["holdout"]
    assert check["held_out"][0]["held_out"] == 8 and check["summary"]["configurations"] == 1


def test_cli_on_two_cpus_says_no_error_can_be_estimated(tmp_path, capsys, fewer_resamples):
    path = cm.exhaustive(tmp_path / "r.json", {"serial": {1: 1000}, "processes-chunked": curve([1, 2, 4])},
                         cpus=2, capacity=1.9)
    assert cli.main(["recommend", path, "--cpus", "4"]) == 0
    out = capsys.readouterr().out
    assert "2 points, a model of 2 parameters: no error can be estimated" in out
    assert "not predicted: processes-chunked" in out and "img/s" not in out.split("band:")[0]
    assert cli.main(["recommend", path, "--cpus", "5"]) == 2      # past twice the 2 within the CPUs
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "within the machine's CPUs" in err and "(2)" in err
    assert cli.main(["recommend", path, "--holdout"]) == 0
    out = capsys.readouterr().out
    assert "0 predicted" in out and "not predicted (no spare point: 1)" in out


def test_cpus_code_and_holdout_are_one_at_a_time(tmp_path, capsys):
    path = cm.exhaustive(tmp_path / "r.json", {"serial": {1: 1000}, "threads": {2: 1900}})
    assert cli.main(["recommend", path, "--cpus", "2", "--holdout"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err
