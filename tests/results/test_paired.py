"""The paired speedup's one definition: the median of the ratios of adjacent passes."""
import pytest

from bench.results.paired import paired_ratios, paired_speedup


def test_the_speedup_is_the_median_of_the_pairs_not_a_ratio_of_medians():
    # pairs 4/1, 4/2, 12/4 say 4x, 2x, 3x; median serial over median pool would say 2x
    assert paired_ratios([4.0, 4.0, 12.0], [1.0, 2.0, 4.0]) == [4.0, 2.0, 3.0]
    assert paired_speedup([4.0, 4.0, 12.0], [1.0, 2.0, 4.0]) == pytest.approx(3.0)


def test_a_pool_pass_that_read_no_time_gives_no_ratio_and_no_pairs_no_speedup():
    assert paired_ratios([2.0, 3.0], [0.0, 1.0]) == [3.0]
    assert paired_speedup([2.0], [0.0]) is None
    assert paired_speedup([], []) is None


def test_passes_that_do_not_pair_up_are_refused():
    with pytest.raises(ValueError, match="2 serial passes for 3 pool passes"):
        paired_speedup([1.0, 1.0], [1.0, 1.0, 1.0])
