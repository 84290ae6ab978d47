"""The held-out check on simulated machines: throughput from known USL curves with
lognormal noise on every pass, the largest worker count held out. Where a band is given,
the measured value must fall inside it in at least 80% of cases; where the points
cannot support a prediction (a fit with no spare point asked past its counts), no number
is given at all."""
import numpy as np
import pytest

from bench.analysis import extrapolate as ex
from bench.analysis.scaling import usl

LAM = 1000.0
NOISE = 0.05            # lognormal sigma of one pass
PASSES = 3
RESAMPLES = 20          # a coarse bootstrap: the test's time is its refits
# (σ, κ): near-linear, strongly serial, a peak past / inside the ladder, superlinear
CURVES = [(0.02, 0.0), (0.3, 0.0), (0.05, 0.0005), (0.02, 0.002), (-0.03, 0.002), (0.05, 0.01)]
WIDEST = [2, 8, 16, 64]  # the ladder 1, 2, 4, ..., 2W; the machine has 2W CPUs


def simulate(sigma, kappa, w, rng):
    """Passes (img/s) at every count of the ladder; the held-out count's measured value."""
    ladder = [2 ** i for i in range(int(np.log2(2 * w)) + 1)]
    passes = {n: float(usl(n, LAM, sigma, kappa)) * np.exp(rng.normal(0.0, NOISE, PASSES))
              for n in ladder}
    held = ladder[-1]
    measured = 1.0 / float(np.median(1.0 / passes[held]))
    return ladder[:-1], [passes[n] for n in ladder[:-1]], held, measured


def held_out_cases(seed=0):
    rng = np.random.default_rng(seed)
    for sigma, kappa in CURVES:
        for w in WIDEST:
            workers, rates, held, measured = simulate(sigma, kappa, w, rng)
            cores = ex.Cores(2 * w, 0.97 * 2 * w)
            f, predicted, limits, why = ex.hold_out_passes(workers, rates, held, cores, RESAMPLES)
            yield (sigma, kappa, w), f, predicted, limits, why, measured


@pytest.fixture(scope="module")
def cases():
    return list(held_out_cases())


def test_held_out_values_fall_inside_the_band_in_at_least_80_percent(cases):
    banded = [(key, lim, m) for key, _, p, lim, _, m in cases if lim is not None]
    inside = [lim[0] <= m <= lim[1] for _, lim, m in banded]
    # measured: 18 of 18 inside with seed 0; over seeds 0-9, 171 of 180 (95%), 16 of 18 the
    # fewest of one seed
    assert len(banded) == 3 * len(CURVES)          # every ladder to 16 or more, every curve
    assert sum(inside) >= 0.8 * len(banded), [k for (k, _, _), ok in zip(banded, inside) if not ok]


def test_no_number_where_the_points_cannot_support_it(cases):
    # the ladder 1, 2, 4: Amdahl through 1 and 2 has no spare point, and 4 is past them
    short = [c for c in cases if c[0][2] == 2]
    assert len(short) == len(CURVES)
    for _, f, predicted, limits, why, _ in short:
        assert (f.model, why, predicted, limits) == ("Amdahl", ex.NO_SPARE, None, None)
