"""The scaling model: known curves are recovered, the simpler model wins when it fits."""
import numpy as np
import pytest

from bench.analysis.scaling import describe, fit, usl


def test_usl_curve_is_recovered_with_its_peak():
    n = [1, 2, 4, 8, 16]
    x = usl(n, 1000, 0.05, 0.02)
    f = fit(n, x)
    assert f.model == "USL"
    assert f.lam == pytest.approx(1000, rel=1e-3)
    assert f.sigma == pytest.approx(0.05, abs=1e-3)
    assert f.kappa == pytest.approx(0.02, rel=1e-2)
    assert f.peak_workers == 7            # sqrt(0.95 / 0.02) = 6.9
    assert f.worst_error < 1e-3 and not f.exact
    assert "falls" in f.reason


def test_amdahl_is_kept_when_it_fits():
    n = [1, 2, 4, 8]
    f = fit(n, usl(n, 500, 0.1))
    assert f.model == "Amdahl"
    assert f.sigma == pytest.approx(0.1, abs=1e-3)
    assert f.peak_workers is None and f.limit == pytest.approx(5000, rel=1e-2)
    assert "no peak" in describe(f)


def test_fit_error_is_reported_against_every_point():
    n = [1, 2, 4, 8]
    measured = np.array(usl(n, 1000, 0.1)) * np.array([1.0, 1.08, 0.95, 1.0])
    f = fit(n, measured)
    assert len(f.errors) == 4
    assert f.worst_error == pytest.approx(max(abs(e) for e in f.errors))
    assert 0.02 < f.worst_error < 0.10
    assert f.as_dict()["points"][1]["workers"] == 2


def test_three_points_three_parameters_is_flagged_as_no_test():
    f = fit([1, 2, 4], [1000, 1800, 1200])       # falls: only the USL can draw it
    assert f.model == "USL" and f.exact
    assert "no test" in describe(f)


def test_too_few_worker_counts_give_no_model():
    assert fit([1, 2], [100, 190]) is None
    assert fit([1, 1, 2], [100, 110, 190]) is None       # repeated counts are one point
    assert fit([1, 2, 4], [100, 0, 190]) is None          # unusable values are dropped


def test_fit_is_deterministic():
    n, x = [1, 2, 4, 8], [900, 1500, 1900, 1600]
    assert fit(n, x).as_dict() == fit(n, x).as_dict()


def test_analytic_jacobian_matches_finite_differences():
    from scipy.optimize._numdiff import approx_derivative

    from bench.analysis.scaling import relative_jacobian, relative_residuals

    n = np.array([1.0, 2.0, 4.0, 8.0])
    x = np.array([900.0, 1700.0, 2600.0, 2400.0])
    for p in ([1000.0, 0.1], [1000.0, 0.1, 0.02]):
        numeric = approx_derivative(lambda q: relative_residuals(q, n, x), np.array(p))
        assert np.allclose(relative_jacobian(np.array(p), n, x), numeric, rtol=1e-5, atol=1e-9)


def test_superlinear_scaling_is_a_negative_sigma_paid_back_by_kappa():
    # Gunther et al.'s superlinear USL: 2 workers 2.15x one, then the payback
    n = [1, 2, 4, 8]
    x = usl(n, 400, -0.15, 0.04)
    assert x[1] / x[0] > 2.1
    f = fit(n, x)
    assert f.model == "USL" and f.sigma == pytest.approx(-0.15, abs=1e-3)
    assert f.kappa == pytest.approx(0.04, rel=1e-2) and f.worst_error < 1e-3
    assert "superlinear" in f.reason
    assert f.peak_workers == 5                 # sqrt(1.15 / 0.04) = 5.4


def test_a_negative_sigma_never_leaves_a_pole():
    from bench.analysis.scaling import defined_everywhere

    assert defined_everywhere(0.1, 0.0) and defined_everywhere(-0.15, 0.04)
    assert not defined_everywhere(-0.2, 0.0)                 # 1 - 0.2m hits 0 at N = 6
    assert not defined_everywhere(-0.9, 0.05)                # dips below 0 between points
    # accelerating points: the σ >= -1 fit would be a pole (σ < 0, κ = 0), so it is
    # refitted with σ >= 0 - and with no κ left, Amdahl is the model
    from bench.analysis.scaling import USL_SIGMA_MIN, _fit_one

    n, x = np.array([1.0, 2.0, 4.0, 8.0]), np.array([60.1, 134.0, 230.8, 523.6])
    first = _fit_one(n, x, True, USL_SIGMA_MIN)
    assert not defined_everywhere(*first[1:])
    f = fit(n, x)
    assert f.sigma >= 0 and defined_everywhere(f.sigma, f.kappa)


def test_superlinear_is_only_said_when_the_measurements_are():
    # 1.90x at 2 workers, then flat: a sharp bend, not superlinear
    f = fit([1, 2, 4], [47006, 89464, 87175])
    assert f.model == "USL" and f.sigma < 0
    assert "superlinear" not in f.reason and "bend" in f.reason


def test_a_rise_within_noise_is_not_called_superlinear():
    # 2.001x at 2 workers is linear; a 30% rise in throughput per worker is not
    assert "superlinear" not in fit([1, 2, 4], [1000, 2001, 2100]).reason
    accelerating = fit([1, 2, 4], [100, 260, 700])
    assert "superlinear" in accelerating.reason and "flattens" not in accelerating.reason
