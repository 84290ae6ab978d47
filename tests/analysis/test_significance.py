"""Significance: pyperf's t-test where it applies, honest 'unknown' where it cannot."""
from pyperf._utils import is_significant

from bench.analysis.significance import compare_values


def test_same_sized_samples_use_pyperfs_test():
    a, b = [1.0, 1.01, 0.99, 1.0], [1.5, 1.52, 1.49, 1.5]
    v = compare_values(a, b)
    assert v.test == "pyperf t-test" and v.significant is True
    assert v.t_score == is_significant(a, b)[1]


def test_overlapping_noise_is_not_significant():
    v = compare_values([1.0, 1.3, 0.8], [1.05, 0.9, 1.2])
    assert v.significant is False and v.words() == "not significant"


def test_different_sample_sizes_use_welch_not_a_blanket_yes():
    # pyperf's own wrapper would say "significant" here because its tscore refuses
    v = compare_values([1.0, 1.3, 0.8], [1.05, 0.9, 1.2, 1.1])
    assert v.test == "Welch t-test" and v.significant is False


def test_welch_says_significant_when_the_samples_are_apart():
    # different sizes (Welch's branch), clearly separated means: scipy's p = 1.5e-5
    v = compare_values([1.00, 1.02, 0.99, 1.01], [2.00, 2.05, 1.98])
    assert v.test == "Welch t-test" and v.significant is True and v.words() == "significant"
    assert v.t_score < 0              # the first sample is the slower one


def test_single_values_are_unknown():
    v = compare_values([1.0], [2.0])
    assert v.significant is None and "unknown" in v.words()


def test_constant_samples_do_not_divide_by_zero():
    assert compare_values([1.0, 1.0], [1.0, 1.0]).significant is False
    assert compare_values([1.0, 1.0], [2.0, 2.0]).significant is True
